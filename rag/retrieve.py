"""Question -> ranked passages and candidate sentences (hybrid: MiniLM in Chroma + BM25).

Three rankings are fused by weighted reciprocal rank: passages by dense similarity (Chroma),
passages by BM25, and the same passages by their best sentence's dense similarity (the
sentences' vectors stored at ingest, ``rag.store.sentences``). The BM25 side is
``bm25s``, persisted in the index folder so a restart does not
re-read the documents; it is rebuilt from the Chroma collection after every ingest.
"""

from __future__ import annotations

import functools
import json
import logging
import math
import os
import shutil
import threading
from collections import Counter
from pathlib import Path
from typing import Any, Callable, Optional

import numpy as np

from rag.store.chroma_rows import get_all
from rag.text import STOPWORDS, WORD_PATTERN, stem_words, terms
from rag.types import Evidence, Passage, Sentence

# Weighted reciprocal rank fusion: score(p) = sum of weight / (RRF_K + 1 + rank). Chosen on the
# tune half of SQuAD with bench/tune_composer.py's index: answer recall at 5 went from 0.932
# (equal weights, k=60) to 0.969. BM25 is the strongest single ranking there (0.936 alone);
# a small k lets each ranking's top hits count for more than agreement deep in the lists.
RRF_K = 5
FUSION_WEIGHTS = (0.5, 2.0, 1.5)  # dense passages, BM25 passages, passages of the best dense sentences
DENSE_PASSAGES = 20
DENSE_SENTENCES = 30  # the sentences closest to the question among those of the passages found
LEXICAL_PASSAGES = 20
EXPAND_PASSAGES = 3  # all sentences of the best few passages are candidates, not only the dense hits


_BUILD_LOCK = threading.Lock()
log = logging.getLogger(__name__)


class LexicalIndex:
    """BM25 (``bm25s``) over passages plus the inverse document frequencies the composer
    weighs terms by.

    Each build is persisted in a folder of its own under ``path``, and the file ``current``
    names the newest; replacing that one file is atomic, so a process loading the index
    while another rebuilds it reads one whole version, never a mix of two. Tokens are
    ``rag.text.terms``: lower-cased words of two or more characters, ``rag.text.STOPWORDS``
    removed, Snowball-stemmed (as llama-index's ``BM25Retriever``), a British spelling's stem
    made its American one's; bm25s is used directly so that answering does not import
    llama-index, which cost 0.8 s per process.
    """

    # 1: llama-index's BM25Retriever folders; 2: bm25s's English stop words; 3: Snowball
    # stems alone, a British spelling its own term (older formats are rebuilt on load)
    FORMAT = 4

    def __init__(self, bm25: Any, passages: Any, idf: dict[str, float], count: int, generation: int = 0):
        self.bm25, self.passages, self.idf, self.count = bm25, passages, idf, count
        self.generation = generation  # of the index it was built from (rag.store.manifest)
        self.unseen_idf = _idf(count, 0)

    @classmethod
    def build(
        cls, collection: Any, path: Path, generation: int = 0, keep: Optional[Callable[[dict], bool]] = None
    ) -> Optional["LexicalIndex"]:
        """Build and persist the index over the collection's passages (those ``keep`` accepts).

        One build at a time in a process: the ingest's rebuild and a request finding no index
        (the chat's page load asking its example questions while the folder is indexed) would
        otherwise write the same staging file and delete each other's fresh version."""
        with _BUILD_LOCK:
            return cls._build(collection, path, generation, keep)

    @classmethod
    def _build(cls, collection: Any, path: Path, generation: int, keep: Optional[Callable[[dict], bool]]) -> Optional["LexicalIndex"]:
        import bm25s

        got = get_all(collection, ["documents", "metadatas"])
        rows = [row for row in zip(got["ids"], got["documents"], got["metadatas"]) if keep is None or keep(row[2])]
        path.mkdir(parents=True, exist_ok=True)
        if not rows:
            (path / "current").unlink(missing_ok=True)
            return None
        bm25 = bm25s.BM25()
        # Token ids, not token strings: each string is an object of its own (over 103,226
        # passages of the large real corpus the rebuild's peak was 43 MB lower).
        bm25.index(_bm25_tokens([text for _, text, _ in rows], as_ids=True), show_progress=False)
        passages = [{"id": pid, "text": text, "metadata": meta} for pid, text, meta in rows]
        version = path / f"g{generation}-{os.getpid()}"
        shutil.rmtree(version, ignore_errors=True)
        bm25.save(str(version), corpus=passages, show_progress=False)
        df = Counter(t for _, text, _ in rows for t in set(terms(text)))
        n = len(rows)
        idf = {t: _idf(n, c) for t, c in df.items()}
        meta = {"format": cls.FORMAT, "count": n, "idf": idf, "generation": generation}
        (version / "meta.json").write_text(json.dumps(meta))
        previous = _current(path)
        staging = path / f"current.{os.getpid()}.tmp"
        staging.write_text(version.name)
        staging.replace(path / "current")
        for old in path.iterdir():  # keep the previous build for a process loading it right now
            if old.is_dir() and old not in (version, previous):
                shutil.rmtree(old, ignore_errors=True)
        return cls(bm25, passages, idf, n, generation)

    @classmethod
    def load(cls, path: Path) -> Optional["LexicalIndex"]:
        """The persisted index, or None if there is none (or it is of an older format)."""
        import bm25s

        version = _current(path)
        if version is None or not (version / "meta.json").exists():
            return None
        meta = json.loads((version / "meta.json").read_text())
        if meta.get("format") != cls.FORMAT:
            return None
        # Memory-mapped: a large collection's scores and passages are read as they are hit.
        # verbosity=0: its corpus reader otherwise logs through the root logger, which makes
        # Python install a handler there, and bm25s's own DEBUG messages then reach stderr.
        bm25 = bm25s.BM25.load(str(version), load_corpus=True, mmap=True, show_progress=False, verbosity=0)
        return cls(bm25, bm25.corpus, meta["idf"], meta["count"], meta.get("generation", 0))

    @staticmethod
    def generation_on_disk(path: Path) -> Optional[int]:
        """The generation of the persisted index, without loading it (None if there is none)."""
        version = _current(path)
        try:
            return json.loads((version / "meta.json").read_text()).get("generation", 0) if version else None
        except (OSError, ValueError):
            return None

    def search(self, query: str, limit: int = LEXICAL_PASSAGES) -> list[tuple[str, float, str, dict]]:
        """(passage id, score, text, metadata) of the best passages sharing terms with the query."""
        ids = self.bm25.get_tokens_ids(_bm25_tokens([query])[0])
        if not ids:
            return []
        scores = self.bm25.get_scores(ids)
        limit = min(limit, len(scores))
        best = np.argpartition(-scores, limit - 1)[:limit]
        hits = []
        for i in sorted(best, key=lambda i: -scores[i]):
            if scores[i] <= 0:
                break
            passage = self.passages[int(i)]
            hits.append((passage["id"], float(scores[i]), passage["text"], passage["metadata"]))
        return hits


@functools.lru_cache(maxsize=1)
def _stopwords() -> list[str]:
    return sorted(STOPWORDS)


def _bm25_tokens(texts: list[str], as_ids: bool = False) -> Any:
    """Each text's terms as ``rag.text.terms`` makes them (or, ``as_ids``, bm25s's ids for
    them and its vocabulary): one tokenizer for the lexical ranking and the term weights."""
    import bm25s

    return bm25s.tokenize(texts, token_pattern=WORD_PATTERN, stopwords=_stopwords(), stemmer=stem_words,
                          return_ids=as_ids, show_progress=False)


def is_current(versions: dict[str, str]) -> Callable[[dict], bool]:
    """Whether a node (by its metadata) belongs to its document's committed version."""
    return lambda meta: versions.get(meta.get("source")) == meta.get("document_id")


class LexicalKeeper:
    """An engine's BM25 index: loaded from the index folder, built there when missing.

    Embedded, the ingest rebuilds it before telling running engines (``rebuild``), so they
    find it current. In server mode (``storage.shared``) each app process has its own,
    rebuilt from the passages on the Chroma server when another replica's ingest moved the
    generation: at once when the index is small (the next question then sees it whole),
    else in the background while questions use the one before (their hits are checked
    against the store, and dense retrieval finds the new passages meanwhile).
    """

    # Rebuilt before answering up to this size: 5.0 s at 13,844 passages here, read from a
    # Chroma server (bench/lexical_server.py), so about 2 s at this size.
    SYNC_PASSAGES = 5_000

    def __init__(self, storage: Callable[[], Any]):
        self._storage = storage
        self._background: Optional[threading.Thread] = None
        self.builds = 0  # finished background builds: the engine makes a new retriever after one

    def current(self, generation: int, versions: dict[str, str]) -> Optional[LexicalIndex]:
        storage = self._storage()
        lexical = LexicalIndex.load(storage.lexical_dir)
        if lexical is None:
            return self._build(generation, versions)
        if storage.shared and lexical.generation != generation:
            if lexical.count <= self.SYNC_PASSAGES:
                return self._build(generation, versions)
            self._build_in_background(generation, versions)
        return lexical

    def rebuild(self, generation: int, versions: dict[str, str]) -> None:
        """Before an ingest publishes ``generation``: bring the index up to it."""
        if LexicalIndex.generation_on_disk(self._storage().lexical_dir) != generation:
            self._build(generation, versions)

    def _build(self, generation: int, versions: dict[str, str]) -> Optional[LexicalIndex]:
        storage = self._storage()
        return LexicalIndex.build(storage.passages, storage.lexical_dir, generation, keep=is_current(versions))

    def _build_in_background(self, generation: int, versions: dict[str, str]) -> None:
        if self._background is not None and self._background.is_alive():
            return

        def build() -> None:
            try:
                self._build(generation, versions)
                self.builds += 1
            except Exception:  # the stale index keeps answering; the next generation tries again
                log.exception("rebuilding the BM25 index failed")

        self._background = threading.Thread(target=build, name="bm25-rebuild", daemon=True)
        self._background.start()


def _current(path: Path) -> Optional[Path]:
    try:
        return path / (path / "current").read_text().strip()
    except OSError:
        return None


def _idf(n_docs: int, doc_freq: int) -> float:
    """BM25's inverse document frequency."""
    return math.log(1 + (n_docs - doc_freq + 0.5) / (doc_freq + 0.5))


def _passage(text: str, meta: dict, score: float) -> Passage:
    return Passage(
        source=meta.get("source", ""), title=meta.get("title", ""), text=text,
        start=int(meta.get("start", 0)), end=int(meta.get("end", 0)), score=score,
        page=meta.get("page"), section=meta.get("section", ""),
    )


def _present(text: Any, meta: Any) -> bool:
    """False for an id deleted since this process loaded its vector index: Chroma then
    returns the id with no document or metadata."""
    return text is not None and meta is not None


class HybridRetriever:
    def __init__(
        self, passages: Any, sentences: Any, embed_model: Any, lexical: Optional[LexicalIndex],
        lexical_current: bool = True, is_current: Optional[Callable[[dict], bool]] = None,
    ):
        self.passages, self.sentences = passages, sentences
        self.embed_model, self.lexical = embed_model, lexical
        # False while the BM25 index is older than the store: its hits are then looked up in
        # Chroma before use, and those no longer there are dropped.
        self.lexical_current = lexical_current
        # Whether a node's metadata belongs to a document's indexed version (see rag.index.Index.retriever).
        self.is_current = is_current or (lambda meta: True)

    def _rows(self, result: dict, *keys: str, batched: bool = True):
        """The rows of a Chroma result (id, document, metadata, ...) that are usable now."""
        columns = [result[key][0] if batched else result[key] for key in keys]
        for row in zip(*columns):
            if _present(row[1], row[2]) and self.is_current(row[2]):
                yield row

    def embed_query(self, text: str) -> list[float]:
        return self.embed_model.encode_one(text)

    def retrieve(self, query: str, top_k: int = 5) -> Evidence:
        query_embedding = self.embed_query(query)
        dense_p = self.passages.query(
            query_embeddings=[query_embedding], n_results=DENSE_PASSAGES,
            include=["documents", "metadatas", "distances"],
        )
        lexical_hits = self.lexical.search(query) if self.lexical else []

        # Passage texts and metadata, from whichever ranking saw the passage.
        known: dict[str, tuple[str, dict]] = {}
        rankings: list[list[str]] = []
        dense_ids = []
        for pid, text, meta in self._rows(dense_p, "ids", "documents", "metadatas"):
            known[pid] = (text, meta)
            dense_ids.append(pid)
        rankings.append(dense_ids)
        lexical_ids = [h[0] for h in lexical_hits]
        if self.lexical_current:
            for pid, _score, text, meta in lexical_hits:
                if self.is_current(meta):
                    known.setdefault(pid, (text, meta))
        else:
            self._fetch_missing(lexical_ids, known)
        rankings.append(lexical_ids)

        # Every sentence of the passages either ranking found, scored against the question;
        # the passages of the closest ones are the third ranking.
        q = np.asarray(query_embedding, dtype=np.float32)
        keys, vectors = self.sentences.vectors_of(list(known))
        dense = vectors @ q if keys else np.zeros(0, dtype=np.float32)
        closest = [int(i) for i in np.argsort(-dense, kind="stable")[:DENSE_SENTENCES]]
        rankings.append(list(dict.fromkeys(keys[i][0] for i in closest)))

        scores = _reciprocal_rank_fusion(rankings)
        ranked_ids = [pid for pid in scores if pid in known]
        # The closest sentences, then the rest of the best few passages' sentences.
        expand = set(ranked_ids[:EXPAND_PASSAGES])
        chosen = set(closest)
        candidates = closest + [i for i, (pid, _) in enumerate(keys) if pid in expand and i not in chosen]
        sentences = self.sentences.sentences(
            [keys[i] for i in candidates], vectors[candidates], dense[candidates].tolist()
        ) if candidates else []
        passages = [_passage(*known[pid], score=round(scores[pid], 5)) for pid in ranked_ids[:top_k]]
        return Evidence(
            passages=passages,
            sentences=sentences,
            query_terms=terms(query),
            idf=self.lexical.idf if self.lexical else {},
            unseen_idf=self.lexical.unseen_idf if self.lexical else 1.0,
            context=[_passage(*known[pid], score=round(scores.get(pid, 0.0), 5)) for pid in known],
        )

    def document_sentences(self, sources: list[str], limit: int) -> list[Sentence]:
        """The sentences of whole documents (at most ``limit`` of each), in reading order.
        Their ``dense`` is 0: a summary does not depend on the question's wording."""
        out: list[Sentence] = []
        for source in sources:
            for version, sentences in self.sentences.of_source(source, limit):
                if self.is_current({"source": source, "document_id": version}):
                    out += sentences
        return out

    def _fetch_missing(self, ids: list[str], known: dict[str, tuple[str, dict]]) -> None:
        missing = [pid for pid in ids if pid not in known]
        if missing:
            got = self.passages.get(ids=missing, include=["documents", "metadatas"])
            for pid, text, meta in self._rows(got, "ids", "documents", "metadatas", batched=False):
                known[pid] = (text, meta)


def _reciprocal_rank_fusion(rankings: list[list[str]]) -> dict[str, float]:
    """{passage id: weighted RRF score}, best first."""
    scores: dict[str, float] = {}
    for weight, ranking in zip(FUSION_WEIGHTS, rankings):
        for rank, pid in enumerate(ranking):
            scores[pid] = scores.get(pid, 0.0) + weight / (RRF_K + 1 + rank)
    return dict(sorted(scores.items(), key=lambda item: -item[1]))
