"""The support check (rag/verify.py): the shipped model flags a changed fact, lets a
restatement through, and disagreements are facts one source contradicts, not two wordings."""

from __future__ import annotations

import re

import pytest

from llm_server import Reply
from rag.verify import Verifier
from llm_server import number_of

# The seed story's original sentence and the machine translation's wording of it.
ORIGINAL = "The Russian plan, which had not been previously reported, has received an icy reception in Washington."
TRANSLATED = "The Russian plan, which has not been disclosed before, received a cold reception in Washington."


@pytest.fixture(scope="module")
def verifier():
    v = Verifier.shipped()
    assert v is not None, "the support-check model ships inside the package (rag/embed/verifier-int8.onnx)"
    return v


def test_a_translated_sentence_is_supported_by_its_original(verifier):
    (verdict,) = verifier.check([TRANSLATED], [[ORIGINAL]])
    assert verdict.supported, verdict


@pytest.mark.parametrize("claim, unstated, says", [
    ("Lebanon is hosting more than 650,000 Syrian refugees.", "Lebanon", "Jordan"),
    ("Jordan is hosting more than 950,000 Syrian refugees.", "950,000", "650,000"),
])
def test_one_changed_fact_is_contradicted_and_the_words_that_differ_are_named(verifier, claim, unstated, says):
    (verdict,) = verifier.check([claim], [["Jordan is hosting more than 650,000 Syrian refugees."]])
    assert verdict.label == "contradicted", verdict
    assert (verdict.unstated, verdict.source_says) == (unstated, says)


# The seed story's sentences, and a model's restatements of them naming someone another way.
LETTER = "The Russian letter also suggests that America and Russia form a joint group to finance infrastructure renovation in Syria."
OFFICE = "Gen Dunford’s office declined to comment on communications with Mr Gerasimov."


@pytest.mark.parametrize("claim, source", [
    ("The Russian letter also suggests that the United States and Russia form a joint group to finance infrastructure renovation in Syria.", LETTER),
    ("US Marine General Joseph Dunford’s office declined to comment on communications with Gerasimov.", OFFICE),
    ("The Russian plan, which had not been previously reported, has received a frosty reception in Washington.", ORIGINAL),
])
def test_a_name_or_word_given_another_way_is_supported(verifier, claim, source):
    (verdict,) = verifier.check([claim], [[source]])
    assert verdict.supported, verdict


@pytest.mark.parametrize("claim, source, unstated, says", [
    ("The Russian plan, which had not been previously reported, has received a warm reception in Washington.", ORIGINAL, "warm", "icy"),
    ("Gen Danford’s office declined to comment on communications with Mr Gerasimov.", OFFICE, "Danford’s", "Dunford’s"),
    ("The Russian letter also suggests that America and Turkey form a joint group to finance infrastructure renovation in Syria.", LETTER, "Turkey", "Russia"),
])
def test_a_cited_sentence_copied_with_one_word_changed_is_flagged_with_the_sources_word(verifier, claim, source, unstated, says):
    (verdict,) = verifier.check([claim], [[source]])
    assert verdict.label == "contradicted", verdict
    assert (verdict.unstated, verdict.source_says) == (unstated, says)


def test_a_model_sentence_with_a_swapped_name_is_flagged_and_shows_what_the_source_says(llm_engine, server):
    faithful = {}

    def reply(prompt: str) -> str:
        # One evidence sentence quoted as it stands, then the refugee figure's with Jordan swapped.
        n, text = next((n, text) for n, text in re.findall(r'^\[(\d+)\] \(.*?\) "(.*)"$', prompt, re.M)
                       if "650,000" not in text and len(text.split()) > 8)
        faithful["text"] = text
        return f"{text} [{n}] Lebanon is hosting more than 650,000 Syrian refugees. [{number_of(prompt, '650,000')}]"

    server.replies.append(Reply(reply))
    answer = llm_engine.ask("How many Syrian refugees does Jordan host?")
    assert answer.composer == "llm", answer.note
    assert answer.unsupported == ["Lebanon is hosting more than 650,000 Syrian refugees."], answer.text
    (flag,) = answer.flags
    assert (flag.verdict, flag.unstated, flag.source_says) == ("contradicted", "Lebanon", "Jordan")
    assert answer.citations[0].quote == faithful["text"], "the faithful sentence keeps its citation"

    from ui.app import render_sources

    panel = render_sources(llm_engine, answer.to_dict())
    assert "The source says “Jordan”, not" in panel and "Lebanon" in panel


def test_two_wordings_of_one_fact_are_not_a_disagreement_and_a_respelled_name_is(seeded_engine):
    answer = seeded_engine.ask("Do the sources disagree?")
    pairs = [{v.value for v in c.versions} for c in answer.conflicts]
    assert {"Dunford", "Danford"} in pairs, answer.text
    for wordings in ({"United States", "America"}, {"US", "America"}, {"UN-monitored", "UN-sponsored"}):
        assert not any(wordings <= p for p in pairs), (wordings, answer.text)


def test_the_support_data_and_training_pipeline_run_end_to_end_on_a_tiny_sample(tmp_path):
    pytest.importorskip("torch")
    import json
    import random
    import subprocess
    import sys

    from conftest import ROOT

    sys.path.insert(0, str(ROOT / "train"))
    from support_data import Rules, claims_for

    doc = ["The lighthouse on the headland was built by Thomas Rogers in 1867.",
           "Ferries to Cork leave every 40 minutes in summer.",
           "The harbour master, Orla Brennan, did not allow night sailings.",
           "The pier is made of granite from Kenya and is 300 metres long."]
    rules = Rules(random.Random(3))
    made = {(i, kind): (claim, label) for i in range(len(doc)) for claim, label, kind in
            claims_for(rules, doc, i, ["number", "date", "negation", "place", "same", "shortened"])}
    date, label = made[(0, "date")]
    assert label == 1 and "1867" not in date and date.replace(date.split()[-1], "") == doc[0].replace("1867.", "")
    assert made[(2, "negation")] == ("The harbour master, Orla Brennan, did allow night sailings.", 1)
    place, label = made[(3, "place")]
    assert label == 1 and "Kenya" not in place, "another country, from WordNet"
    assert made[(3, "number")][1] == 1 and "300" not in made[(3, "number")][0]
    assert made[(2, "same")] == (doc[2], 0) and made[(2, "shortened")] == ("The harbour master did not allow night sailings.", 0)
    rows = [{"claim": c, "source": doc[i], "label": label, "kind": kind, "group": str(i)}
            for (i, kind), (c, label) in made.items()]
    (tmp_path / "pairs.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows * 4))
    model = tmp_path / "verifier-int8.onnx"
    subprocess.run(
        [sys.executable, str(ROOT / "train" / "reader.py"), "--task", "support", "--pairs", str(tmp_path / "pairs.jsonl"),
         "--out-dir", str(tmp_path / "run"), "--model", str(model), "--epochs", "1", "--batch", "8", "--layers", "1",
         "--dev-share", "0.25", "--threads", "1"],
        check=True, capture_output=True, cwd=ROOT,
    )
    figures = json.loads((tmp_path / "run" / "figures.json").read_text())
    assert figures["train_pairs"] > 0 and "by_kind" in figures["dev"]
    (verdict,) = Verifier(model).check([doc[0]], [[doc[0]]])
    assert verdict.label in ("supported", "contradicted", "not_stated") and abs(sum(verdict.probabilities.values()) - 1) < 1e-3


def test_the_shipped_lexicon_is_what_its_script_builds_from_wordnet(tmp_path):
    """rag/embed/lexicon-wordnet.json.gz is rebuilt byte for byte by train/lexicon.py from
    Debian's WordNet (in its own process: loading WordNet sets NLTK_DATA)."""
    import subprocess
    import sys

    from conftest import ROOT
    from rag.lexicon import LEXICON_FILE

    subprocess.run([sys.executable, str(ROOT / "train" / "lexicon.py"), "--out", str(tmp_path / "lexicon.json.gz")],
                   check=True, capture_output=True, cwd=ROOT)
    assert (tmp_path / "lexicon.json.gz").read_bytes() == LEXICON_FILE.read_bytes()


def test_the_shipped_check_can_be_trained_further_from_its_int8_file():
    """train/reader.py --init <file>.onnx: the shipped weights dequantized into torch give the
    shipped file's verdicts (the run that made it need not survive to train it further)."""
    pytest.importorskip("torch")
    import sys

    import torch

    from conftest import ROOT
    from rag.embed.onnx_export import model_dir
    from rag.verify import LABELS, MODEL_FILE

    sys.path.insert(0, str(ROOT / "train"))
    from reader import TASKS, CrossEncoder, tensors, tokenizer, weights_from_onnx

    model = CrossEncoder(model_dir(), 4, 3)
    model.load_state_dict(weights_from_onnx(MODEL_FILE), strict=False)
    model.eval()
    rows = [{"claim": "The treaty was signed by France in 1990.", "source": "The treaty was signed by Spain in 1990."},
            {"claim": "The treaty was signed by Spain in 1990.", "source": "The treaty was signed by Spain in 1990."},
            {"claim": "Ferries leave every hour.", "source": "The treaty was signed by Spain in 1990."}]
    with torch.no_grad():
        logits = model(*tensors(tokenizer(), rows, TASKS["support"])).numpy()
    shipped = Verifier(MODEL_FILE).check([r["claim"] for r in rows], [[r["source"]] for r in rows])
    assert [LABELS[i] for i in logits.argmax(axis=1)] == [v.label for v in shipped] == ["contradicted", "supported", "not_stated"]
