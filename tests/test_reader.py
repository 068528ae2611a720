"""The reading model: the shipped file runs without torch, the training pipeline runs end to
end on a tiny sample, and on the seeds it answers everyday questions with the sentence that
answers them (the shipped weights' quality is measured by `rag eval`, not here)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from conftest import ROOT
from rag.reader import MODEL_FILE

shipped = pytest.mark.skipif(not MODEL_FILE.exists(), reason="the reading model is not built: train/reader.py")


@shipped
def test_the_shipped_model_loads_and_scores_in_onnx_runtime_with_torch_absent():
    script = (
        "import sys; sys.modules['torch'] = None; sys.modules['transformers'] = None\n"
        "from rag.reader import Reader, Candidate\n"
        "r = Reader.shipped()\n"
        "p = r.score('Who was the harbour master?', [Candidate('The harbour master was Orla Brennan.', '', 'Harbour'),"
        " Candidate('The pier is made of granite.', '', 'Harbour')])\n"
        "print(float(p[0]), float(p[1]), 'torch' in sys.modules and sys.modules['torch'] is not None)\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=ROOT).stdout.split()
    answers, other, torch_loaded = float(out[0]), float(out[1]), out[2]
    assert torch_loaded == "False"
    assert answers > 0.5 > other


@shipped
def test_a_sentence_scores_the_same_whatever_else_is_read_beside_it():
    # The int8 network quantizes a run's activations with one scale; read in one batch, a
    # sentence's probability moved with its batch mates, so what else retrieval found could
    # change an answer.
    from rag.reader import Candidate, Reader

    reader = Reader.shipped()
    answer = Candidate("The harbour master was Orla Brennan, appointed by the town council in 1998.", "", "Harbour")
    others = [Candidate("The pier is made of granite.", "", "Harbour"),
              Candidate("Fishing boats leave before dawn " + "and return with the tide " * 12 + ".", "", "Harbour")]
    alone = reader.score("Who was the harbour master?", [answer])[0]
    beside = reader.score("Who was the harbour master?", [*others, answer])[-1]
    assert alone == beside


def test_the_training_pipeline_runs_end_to_end_on_a_tiny_sample(tmp_path):
    pytest.importorskip("torch")
    sys.path.insert(0, str(ROOT / "train"))
    from data import cloze_question, swapped

    import random

    rng = random.Random(1)
    sentences = [
        ("The harbour master was Orla Brennan in 1904.", ""), ("The pier is made of granite from Cork.", ""),
        ("Ferries leave every 40 minutes in summer.", ""), ("The lighthouse was built by Thomas Rogers.", ""),
    ]
    made = cloze_question("The lighthouse on the headland was built by Thomas Rogers in 1867.", rng)
    assert made and made.endswith("?") and any(w in made.lower() for w in ("what", "which", "who", "when", "how many"))
    # An on-topic unanswerable question: its name swapped for another the document uses but
    # the answering sentence does not.
    asked = "When did Orla Brennan become harbour master?"
    changed = swapped(asked, sentences, sentences[0][0], rng)
    assert changed in {asked.replace("Orla Brennan", other) for other in ("Cork", "Thomas Rogers")}
    pairs = []
    for i, (s, _) in enumerate(sentences):
        q = cloze_question(s, rng) or f"What about {s.split()[1]}?"
        for j, (other, _) in enumerate(sentences):
            pairs.append({"q": q, "s": other, "prev": "", "title": "Harbour", "label": int(i == j), "source": "cloze", "group": str(i)})
    (tmp_path / "pairs.jsonl").write_text("".join(json.dumps(p) + "\n" for p in pairs * 4))
    model = tmp_path / "reader-int8.onnx"
    subprocess.run(
        [sys.executable, str(ROOT / "train" / "reader.py"), "--pairs", str(tmp_path / "pairs.jsonl"), "--out-dir",
         str(tmp_path / "run"), "--model", str(model), "--epochs", "1", "--batch", "8", "--layers", "1",
         "--dev-share", "0.25", "--threads", "1"],
        check=True, capture_output=True, cwd=ROOT,
    )
    figures = json.loads((tmp_path / "run" / "figures.json").read_text())
    assert figures["train_pairs"] > 0 and "top1" in figures["dev"] and "top1" in figures["dev_exported"]
    from rag.reader import Candidate, Reader

    scores = Reader(model).score("Who built the lighthouse?", [Candidate(s) for s, _ in sentences])
    assert scores.shape == (4,) and ((scores >= 0) & (scores <= 1)).all()


def test_hard_negatives_keep_each_question_s_answers_and_the_wrong_sentences_rated_highest(tmp_path):
    # train/hard_negatives.py, with the shipped model, on a few questions of real SQuAD-like text.
    sentences = ["The lighthouse was built by Thomas Rogers in 1867.", "The lighthouse keeper was Orla Brennan.",
                 "The pier is made of granite from Cork.", "Ferries leave every 40 minutes in summer.",
                 "The harbour was dredged in 1990."]
    questions = ["Who built the lighthouse?", "What is the pier made of?", "How often do ferries leave?"]
    answers = [0, 2, 3]
    pairs = [{"q": q, "s": s, "prev": "", "title": "Harbour", "label": int(j == answers[i]), "source": "squad",
              "group": f"g{i}"} for i, q in enumerate(questions) for j, s in enumerate(sentences)]
    (tmp_path / "pairs.jsonl").write_text("".join(json.dumps(p) + "\n" for p in pairs))
    out = tmp_path / "hard.jsonl"
    subprocess.run([sys.executable, str(ROOT / "train" / "hard_negatives.py"), "--pairs", str(tmp_path / "pairs.jsonl"),
                    "--questions", "3", "--hard", "1", "--easy", "1", "--out", str(out)], check=True, capture_output=True, cwd=ROOT)
    kept = [json.loads(line) for line in out.read_text().splitlines()]
    by_question = {}
    for row in kept:
        by_question.setdefault(row["q"], []).append(row)
    assert by_question and all(len(rows) == 3 and sum(r["label"] for r in rows) == 1 for rows in by_question.values())
    # The hard one is the wrong sentence the model rates highest.
    from rag.reader import Candidate, Reader

    reader = Reader.shipped()
    for q, rows in by_question.items():
        wrong = [s for s in sentences if s != sentences[answers[questions.index(q)]]]
        top = wrong[int(reader.score(q, [Candidate(s, "", "Harbour") for s in wrong]).argmax())]
        assert top in [r["s"] for r in rows if r["label"] == 0], q


def _clapnq_clone(root):
    """A git repository shaped as github.com/primeqa/clapnq, with one question in each file."""
    def dev(qid, question, sentences, selected, title="Harbour"):
        return json.dumps({"id": qid, "input": question, "passages": [{"title": title, "sentences": sentences}],
                           "output": [{"selected_sentences": chosen} for chosen in selected]}) + "\n"
    harbour = ["The harbour opened in 1904 .", "Its pier is granite from Cork .", "Ferries sail hourly .",
               "Storms closed it in 1990 ."]
    files = {
        # id 10 is in the tune half (even), 11 and 13 in the test half, but 13's article is 10's
        "annotated_data/dev/clapnq_dev_answerable.jsonl":
            dev("10", "when did the harbour open and what is it made of", harbour,
                [[harbour[0], harbour[1], harbour[3]], [harbour[0], harbour[1]]])
            + dev("11", "how often do ferries sail", harbour, [[harbour[2]]], title="Ferries")
            + dev("13", "what is the pier made of", harbour, [[harbour[1]]]),
        "annotated_data/dev/clapnq_dev_unanswerable.jsonl": dev("12", "who owns the harbour", harbour, [[]]),
        "retrieval/train/question_train_answerable.tsv":
            "id\tquestion\tdoc-id-list\tanswers\n7\twho built the lighthouse\t55_0-9\tThomas Rogers built it . It is white .\n",
        "retrieval/train/question_train_unanswerable.tsv": "id\tquestion\tdoc-id-list\tanswers\n9\twhy is the sea salty\t\t\n",
    }
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    git = ["git", "-C", str(root), "-c", "user.name=t", "-c", "user.email=t@t"]
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-qm", "clapnq"], check=True)
    return root


def test_clapnq_questions_train_on_the_tune_half_only_with_every_marked_sentence_a_positive(tmp_path):
    """train/clapnq.py and the clapnq source of train/data.py: sentences every annotator marked
    are positives, ones only some marked are neither, and test-half questions are never trained on."""
    sys.path.insert(0, str(ROOT / "train"))
    import random

    import clapnq
    from data import pairs_of

    repo = _clapnq_clone(tmp_path / "clapnq")
    counts = clapnq.build(repo, tmp_path / "out", tmp_path / "passages", tmp_path / "clapnq-dev.json")
    assert counts == {"dev": 4, "train answerable": 1, "train unanswerable": 1}
    asked = json.loads((tmp_path / "clapnq-dev.json").read_text())["questions"]
    assert {(q["question"], q["kind"], q["split"]) for q in asked} == {
        ("when did the harbour open and what is it made of", "passage", "tune"),
        ("how often do ferries sail", "passage", "test"), ("who owns the harbour", "unanswerable", "tune"),
        ("what is the pier made of", "passage", "beside-tune")}  # in neither half
    assert len(list((tmp_path / "passages").iterdir())) == 4

    from data import clapnq_items

    items = {it["q"]: it for it in clapnq_items(tmp_path / "out")}
    assert "how often do ferries sail" not in items and "what is the pier made of" not in items
    rng = random.Random(0)
    labelled = {}
    for it in items.values():
        everything = list(range(len(it["doc"])))
        for p in pairs_of(it, everything, "clapnq", rng):
            labelled.setdefault(p["q"], {})[p["s"]] = p["label"]
    opened = labelled["when did the harbour open and what is it made of"]
    assert opened["The harbour opened in 1904."] == 1 and opened["Its pier is granite from Cork."] == 1
    assert "Storms closed it in 1990." not in opened  # one annotator of two: neither kind
    assert opened["Ferries sail hourly."] == 0
    assert set(labelled["who owns the harbour"].values()) == {0}
    assert labelled["who built the lighthouse"] == {"Thomas Rogers built it.": 1, "It is white.": 1}  # as people write it
    assert set(labelled["why is the sea salty"].values()) == {0}


def test_reworded_training_questions_keep_their_question_word_and_facts():
    """train/data.py's reworded source: a question asked in other words (a round trip through
    a translator, then WordNet synonyms) keeps its question word, names and numbers; where the
    translator broke the question ("That ..."), synonyms alone reword it."""
    # In a process of its own: loading WordNet for training sets NLTK_DATA for the rest of the
    # process (it once made llama-index fail every later document: tests/ingest/test_pipeline.py).
    script = (
        "import json, random, sys\n"
        "sys.path.insert(0, 'train')\n"
        "import roundtrip\n"
        "from data import reworded_items\n"
        # Apertium is a training-only install: its output for these two questions, as it gives it.
        "trips = {'Who built the lighthouse on the headland in 1867?': 'Who constructed the lighthouse of the headland at 1867?',\n"
        "         'Who kept the lighthouse on the headland?': 'That kept the lighthouse of the headland?'}\n"
        "roundtrip.round_trip = lambda questions, language: [trips[q] for q in questions]\n"
        "items = [{'id': f'Harbour:0:{i}', 'q': q, 'title': 'Harbour'} for i, q in enumerate(trips)]\n"
        "print(json.dumps({it['id']: it['q'] for it in reworded_items(items, random.Random(2))}))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert set(out) == {"Harbour:0:0:reworded", "Harbour:0:1:reworded"}
    translated, broken = out["Harbour:0:0:reworded"], out["Harbour:0:1:reworded"]
    assert translated.startswith("Who constructed") and "1867" in translated, "the translator's wording, the year kept"
    assert broken.startswith("Who kept the lighthouse on the ") and broken != "Who kept the lighthouse on the headland?", \
        "the original reworded by a synonym, not the broken trip"


# Questions a newcomer typed about the seed story, in everyday words, with words that only
# the sentence answering them holds.
# The shipped model does not yet answer four of them (issue 21's target, measured in
# docs/reading-model.md): those are expected failures until a better model is trained, and
# an unexpected pass is reported, not hidden.
NOT_YET = pytest.mark.xfail(reason="the shipped reading model misses it (docs/reading-model.md)", strict=False)
EVERYDAY = [
    ("Who wrote the letter and who got it?", ["Gerasimov", "Dunford"]),
    pytest.param("Why did the Americans say no to the idea?", ["political"], marks=NOT_YET),
    pytest.param("What would the Americans need to see before they help?", ["political"], marks=NOT_YET),
    ("How many people have died in the war?", ["half a million"]),
    ("How much money would it take to rebuild the country?", ["250"]),
    ("Who sent the letter proposing cooperation to rebuild Syria?", ["Gerasimov"]),
]


@shipped
@pytest.mark.parametrize("question, words", EVERYDAY)
def test_everyday_questions_on_the_seeds_are_answered_with_the_sentence_that_answers(seeded_engine, question, words):
    answer = seeded_engine.ask(question)
    assert not answer.abstained, question
    quotes = " ".join(c.quote for c in answer.citations)
    assert all(w in quotes for w in words), (question, answer.text)


@shipped
@NOT_YET
def test_a_question_the_articles_do_not_answer_is_abstained(seeded_engine):
    answer = seeded_engine.ask("What did Assad's government say about the Russian plan?")
    assert answer.abstained, answer.text
    # The nearest passages are offered, with the most likely sentence of each marked.
    assert answer.passages and any(p.likely_start is not None for p in answer.passages)


@shipped
def test_a_question_that_stands_alone_is_answered_after_unrelated_history_as_when_fresh(seeded_engine):
    question = "How much money would it take to rebuild the country?"
    fresh = seeded_engine.ask(question)
    history = [
        {"role": "user", "content": "Who was the spokeswoman?"},
        {"role": "assistant", "content": "Captain Paula Dunn spoke for General Dunford. [1]"},
        {"role": "user", "content": "Where was the memo seen?"},
        {"role": "assistant", "content": "Reuters saw the memo. [1]"},
    ]
    later = seeded_engine.ask(question, history=history)
    assert later.text == fresh.text


@shipped
def test_a_short_question_asking_what_something_is_stands_alone_too(seeded_engine):
    # Three words or fewer read as an ellipsis ("And Jordan?") and were searched with the
    # question before: "What is PreviSat?" after a question on a spreadsheet of deaths was
    # answered with other sentences than when asked fresh.
    question = "Who is Assad?"
    fresh = seeded_engine.ask(question)
    history = [("How much money would it take to rebuild the country?", "Some $250 billion. [1]")]
    assert not fresh.abstained
    assert seeded_engine.ask(question, history=history).text == fresh.text


@shipped
def test_a_sentence_that_points_back_comes_with_the_sentence_it_points_at(seeded_engine):
    from rag.text import points_back

    for param in EVERYDAY:
        question = param.values[0] if hasattr(param, "values") else param[0]
        answer = seeded_engine.ask(question)
        for i, c in enumerate(answer.citations):
            if points_back(c.quote) and all(c.quote != x.quote for x in answer.citations[:i]):
                text = seeded_engine.source_text(c.source)
                before = [x for x in answer.citations if x.source == c.source and x.end <= c.start]
                assert before and text[before[-1].end : c.start].strip() == "", (question, c.quote)


def test_without_the_model_file_the_engine_warns_and_answers_by_its_features(fresh_engine, tmp_path, monkeypatch, caplog):
    from rag import RAG
    from rag.reader import MODEL_ENV, Reader

    monkeypatch.setenv(MODEL_ENV, str(tmp_path / "missing.onnx"))
    monkeypatch.setattr(Reader, "_shipped", None)
    monkeypatch.setattr(Reader, "_missing_warned", False)
    engine = RAG(docs_dir=fresh_engine.settings.docs_dir, index_dir=tmp_path / "index")
    assert engine.composer.reader is None
    assert any("reading model" in r.message and "missing" in r.message for r in caplog.records)
    answer = engine.ask("Who was the spokeswoman?")
    assert not answer.abstained and "Paula Dunn" in answer.text


@shipped
def test_an_abstention_marks_each_nearest_passage_s_most_likely_sentence_and_says_where(seeded_engine):
    answer = seeded_engine.ask("Which football team won the cup final in Lisbon?")
    assert answer.abstained
    assert "russia-" in answer.text  # where the nearest passages are
    marked = [p for p in answer.passages if p.likely_start is not None]
    assert marked and all(p.start <= p.likely_start < p.likely_end <= p.end for p in marked)


@shipped
def test_a_question_about_a_country_the_articles_do_not_name_there_is_abstained_and_says_so(seeded_engine):
    # The articles give Jordan's and Lebanon's refugee figures, never Turkey's: the sentence
    # most like the question is about something else, and the abstention says what is missing.
    answer = seeded_engine.ask("How many Syrian refugees are there in Turkey?")
    assert answer.abstained, answer.text
    assert "does not mention “Turkey”" in answer.text
    assert not seeded_engine.ask("How many Syrian refugees has Jordan taken in?").abstained


@shipped
def test_a_how_many_question_whose_likeliest_sentence_gives_no_number_is_abstained_and_says_so(seeded_engine):
    # The articles never count Russia's soldiers; the sentence most like the question is
    # about Russia's part in the war and holds no number. Without the check it was answered.
    answer = seeded_engine.ask("How many soldiers has Russia sent to Syria?")
    assert answer.abstained, answer.text
    assert "gives no number" in answer.text
    dated = seeded_engine.ask("When was the letter sent?")  # a time question the articles answer
    assert not dated.abstained and "July 19" in dated.text


@shipped
def test_a_plain_question_is_read_in_one_round_and_answered_as_when_everything_is_read(seeded_engine):
    """Reading in two rounds (RAG_READER_FIRST, RAG_READER_SURE) saves time only: a question
    the first candidates answer surely stops there, with the answer reading them all gives."""
    import dataclasses

    read: list[int] = []

    class Counting:
        def __init__(self, reader):
            self.reader = reader

        def score(self, question, candidates):
            read.append(len(candidates))
            return self.reader.score(question, candidates)

    composer = seeded_engine.composer
    query, evidence = seeded_engine.evidence("How much money would it take to rebuild the country?")
    two_rounds = dataclasses.replace(composer, reader=Counting(composer.reader), reader_first=8, reader_sure=0.5)
    answer = two_rounds.compose(query, evidence)
    assert read == [8], "a sure answer among the first eight: nothing more is read"
    everything = dataclasses.replace(composer, reader_first=0).compose(query, evidence)
    assert "250" in answer.text and answer.text == everything.text


def test_a_document_in_tokenized_text_is_answered_from_its_sentences(tmp_path):
    """Text from NLP corpora and some converters ends each sentence with " ." (as a PDF's
    contents line does, which is never an answer): its sentences still answer."""
    from rag import RAG

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "chad.txt").write_text(
        "Chad DiMera\n\nChad DiMera is a fictional character from the NBC soap opera , Days of Our Lives . "
        "The role was originated by Casey Jon Deidrick on June 19 , 2009 . "
        "Billy Flynn currently portrays the role , making his first appearance on September 12 , 2014 .\n")
    engine = RAG(docs_dir=docs, index_dir=tmp_path / "index")
    engine.ingest(show_progress=False)
    answer = engine.ask("Who originated the role of Chad DiMera?")
    assert not answer.abstained and "Deidrick" in answer.text, answer.text
