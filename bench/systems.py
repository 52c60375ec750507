"""One search system per process: build an index, or load it and run queries, and report JSON.

    python bench/systems.py build  SYSTEM CORPUS.jsonl WORKDIR
    python bench/systems.py query  SYSTEM CORPUS.jsonl WORKDIR QUERIES.json
    python bench/systems.py cold   SYSTEM CORPUS.jsonl WORKDIR "one query"

SYSTEM is programfinder, tantivy (Rust, BM25 with block-max WAND), bm25s, sklearn
(TfidfVectorizer + sparse dot), fts5 (SQLite FTS5 with bm25()) or rank_bm25. Every system indexes
the same text of each record (title, tags, body, agency, country, award) and returns the top 10
ids; each is configured as its own documentation recommends (see bench/README.md). Peak memory is
this process's maximum resident set size (threads included).
"""

from __future__ import annotations

import json
import os
import re
import resource
import sqlite3
import statistics
import sys
import time
from pathlib import Path
from typing import Any

K = 10


def record_text(record: dict[str, Any]) -> str:
    parts = [record["title"], *record.get("problem", []), *record.get("tactics", []),
             record["body"], record["agency"], record["country"], record["award"]]  # fmt: skip
    return "\n".join(parts)


def read_corpus(path: Path) -> tuple[list[str], list[str]]:
    ids, texts = [], []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            ids.append(record["id"])
            texts.append(record_text(record))
    return ids, texts


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# ----------------------------------------------------------------------------- programfinder
def pf_build(corpus: Path, work: Path) -> None:
    # run.py sets PROGRAMFINDER_CACHE for all three steps, so that the CLI's cold run finds it.
    os.environ.setdefault("PROGRAMFINDER_CACHE", str(work / "cache"))
    from programfinder.retrieval.opening import build_index

    build_index(corpus)


def pf_open(corpus: Path, work: Path) -> Any:
    os.environ.setdefault("PROGRAMFINDER_CACHE", str(work / "cache"))
    from programfinder.retrieval.opening import open_index

    index = open_index(corpus)

    # Like the peers: the ranking only. Full results (snippets, explanations, the draft report)
    # are timed separately as search_p50_ms / report_p50_ms.
    def query(text: str) -> list[str]:
        return [record_id for record_id, _ in index.rank(text, limit=K)]

    query.full = lambda text: index.search(text, limit=K)  # type: ignore[attr-defined]
    query.report = lambda text: index.similar(text, limit=K)  # type: ignore[attr-defined]
    return query, query


# ----------------------------------------------------------------------------------- sklearn
def sk_build(corpus: Path, work: Path) -> None:
    from scipy import sparse
    from sklearn.feature_extraction.text import TfidfVectorizer

    ids, texts = read_corpus(corpus)
    vectorizer = TfidfVectorizer()
    matrix = vectorizer.fit_transform(texts)
    sparse.save_npz(work / "matrix.npz", matrix.tocsr(), compressed=False)
    vocabulary = {term: int(i) for term, i in vectorizer.vocabulary_.items()}
    (work / "vocabulary.json").write_text(json.dumps({"vocabulary": vocabulary, "ids": ids}))
    import numpy as np

    np.save(work / "idf.npy", vectorizer.idf_)


def sk_open(corpus: Path, work: Path) -> Any:
    import numpy as np
    from scipy import sparse
    from sklearn.feature_extraction.text import TfidfVectorizer

    matrix = sparse.load_npz(work / "matrix.npz")
    saved = json.loads((work / "vocabulary.json").read_text())
    ids = saved["ids"]
    vectorizer = TfidfVectorizer(vocabulary=saved["vocabulary"])
    vectorizer.fit(["x"])  # sets up the analyzer; idf is replaced below
    vectorizer.idf_ = np.load(work / "idf.npy")

    def query(text: str) -> list[str]:
        scores = (matrix @ vectorizer.transform([text]).T).toarray().ravel()
        top = np.argpartition(-scores, K)[:K] if len(scores) > K else np.arange(len(scores))
        top = top[np.argsort(-scores[top])]
        return [ids[i] for i in top if scores[i] > 0]

    return query, query


# ------------------------------------------------------------------------------------- bm25s
def bm_build(corpus: Path, work: Path) -> None:
    # As bm25s's README recommends: its Tokenizer (English stop words, a Snowball stemmer) whose
    # vocabulary is saved beside the index, and the numba backend for retrieval.
    import bm25s
    import Stemmer
    from bm25s.tokenization import Tokenizer

    ids, texts = read_corpus(corpus)
    tokenizer = Tokenizer(stemmer=Stemmer.Stemmer("english"), stopwords="en")
    tokens = tokenizer.tokenize(texts, return_as="ids", show_progress=False)
    del texts
    retriever = bm25s.BM25(backend="numba")
    retriever.index(tokens, show_progress=False)
    retriever.save(str(work / "bm25s"))
    tokenizer.save_vocab(str(work / "bm25s"))
    (work / "ids.json").write_text(json.dumps(ids))


def bm_open(corpus: Path, work: Path) -> Any:
    import bm25s
    import Stemmer
    from bm25s.tokenization import Tokenizer

    retriever = bm25s.BM25.load(str(work / "bm25s"))  # default load: arrays in memory
    retriever.backend = "numba"
    tokenizer = Tokenizer(stemmer=Stemmer.Stemmer("english"), stopwords="en")
    tokenizer.load_vocab(str(work / "bm25s"))
    ids = json.loads((work / "ids.json").read_text())

    def query(text: str) -> list[str]:
        # unknown words map to the tokenizer's empty token, which scores nothing
        tokens = tokenizer.tokenize(
            [text], update_vocab=False, return_as="ids", show_progress=False
        )
        results, scores = retriever.retrieve(
            tokens, k=min(K, len(ids)), show_progress=False, n_threads=1
        )
        return [ids[int(i)] for i, s in zip(results[0], scores[0], strict=True) if s > 0]

    return query, query


# ----------------------------------------------------------------------------------- tantivy
def tv_build(corpus: Path, work: Path) -> None:
    # As tantivy's documentation shows: one writer with the machine's cores, the English
    # stemming tokenizer (en_stem), positions kept (the default), BM25; commit, then wait for
    # the merges to finish.
    import tantivy

    builder = tantivy.SchemaBuilder()
    builder.add_text_field("pid", stored=True, tokenizer_name="raw")
    builder.add_text_field("body", stored=False, tokenizer_name="en_stem")
    schema = builder.build()
    (work / "tantivy").mkdir(exist_ok=True)
    index = tantivy.Index(schema, path=str(work / "tantivy"))
    writer = index.writer(num_threads=os.cpu_count() or 1)
    with corpus.open(encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            writer.add_document(tantivy.Document(pid=[record["id"]], body=[record_text(record)]))
    writer.commit()
    writer.wait_merging_threads()


def tv_open(corpus: Path, work: Path) -> Any:
    import tantivy

    index = tantivy.Index.open(str(work / "tantivy"))
    searcher = index.searcher()

    def query(text: str) -> list[str]:
        parsed = index.parse_query(text, ["body"])  # its own query parser: words OR-ed
        hits = searcher.search(parsed, K).hits
        return [searcher.doc(address)["pid"][0] for _, address in hits]

    return query, query


# -------------------------------------------------------------------------------------- fts5
_WORD = re.compile(r"[a-z0-9]+")


def fts_build(corpus: Path, work: Path) -> None:
    connection = sqlite3.connect(work / "fts.db")
    connection.execute(
        "CREATE VIRTUAL TABLE docs USING fts5(pid UNINDEXED, body, tokenize='porter unicode61')"
    )
    with corpus.open(encoding="utf-8") as handle:
        batch = []
        for line in handle:
            record = json.loads(line)
            batch.append((record["id"], record_text(record)))
            if len(batch) == 10_000:
                connection.executemany("INSERT INTO docs(pid, body) VALUES (?, ?)", batch)
                batch = []
        connection.executemany("INSERT INTO docs(pid, body) VALUES (?, ?)", batch)
    connection.commit()
    connection.execute("INSERT INTO docs(docs) VALUES ('optimize')")
    connection.commit()
    connection.close()


def fts_open(corpus: Path, work: Path) -> Any:
    connection = sqlite3.connect(work / "fts.db")

    def query(text: str) -> list[str]:
        words = list(dict.fromkeys(_WORD.findall(text.lower())))[:300]
        if not words:
            return []
        match = " OR ".join(f'"{w}"' for w in words)
        rows = connection.execute(
            "SELECT pid FROM docs WHERE docs MATCH ? ORDER BY bm25(docs) LIMIT ?", (match, K)
        ).fetchall()
        return [r[0] for r in rows]

    return query, query


# --------------------------------------------------------------------------------- rank_bm25
def rb_open(corpus: Path, work: Path) -> Any:
    import numpy as np
    from rank_bm25 import BM25Okapi

    ids, texts = read_corpus(corpus)
    engine = BM25Okapi([_WORD.findall(t.lower()) for t in texts])

    def query(text: str) -> list[str]:
        scores = engine.get_scores(_WORD.findall(text.lower()))
        top = np.argsort(-scores)[:K]
        return [ids[i] for i in top if scores[i] > 0]

    return query, query


SYSTEMS = {
    "programfinder": (pf_build, pf_open),
    "sklearn": (sk_build, sk_open),
    "tantivy": (tv_build, tv_open),
    "bm25s": (bm_build, bm_open),
    "fts5": (fts_build, fts_open),
    "rank_bm25": (None, rb_open),  # keeps no index on disk: it is rebuilt in memory on load
}


def _timed(function: Any, text: str) -> float:
    start = time.perf_counter()
    function(text)
    return time.perf_counter() - start


def _p50_p95(times: list[float]) -> tuple[float, float]:
    ordered = sorted(times)
    if not ordered:
        return 0.0, 0.0
    return statistics.median(ordered) * 1000, ordered[max(0, int(len(ordered) * 0.95) - 1)] * 1000


def main() -> None:
    action, system, corpus, work = sys.argv[1], sys.argv[2], Path(sys.argv[3]), Path(sys.argv[4])
    build, open_ = SYSTEMS[system]
    work.mkdir(parents=True, exist_ok=True)
    result: dict[str, Any] = {"system": system}
    if action == "build":
        start = time.perf_counter()
        if build is not None:
            build(corpus, work)
        result["build_s"] = time.perf_counter() - start
        result["build_peak_mb"] = peak_mb()
        files = [p for p in work.rglob("*") if p.is_file()]
        result["index_bytes"] = sum(p.stat().st_size for p in files)
        result["files"] = {str(p.relative_to(work)): p.stat().st_size for p in files}
    elif action == "query":
        queries = json.loads(Path(sys.argv[5]).read_text())
        budget = float(os.environ.get("BENCH_SECONDS", "150"))  # per phase, for the slowest peers
        start = time.perf_counter()
        query, draft = open_(corpus, work)
        result["load_s"] = time.perf_counter() - start
        query(queries["queries"][0])  # first query pays one-off page faults; not counted
        draft(queries["drafts"][0])  # and so does the first draft (JIT compilers warm up here)
        times = []
        started = time.perf_counter()
        for text in queries["queries"]:
            t0 = time.perf_counter()
            query(text)
            times.append(time.perf_counter() - t0)
            if t0 - started > budget:
                break
        common = [times[i] for i in queries.get("common", []) if i < len(times)]
        draft_times = []
        started = time.perf_counter()
        for text in queries["drafts"]:
            t0 = time.perf_counter()
            draft(text)
            draft_times.append(time.perf_counter() - t0)
            if t0 - started > budget:
                break
        full = getattr(query, "full", None)
        if full is not None:
            result["search_p50_ms"] = 1000 * statistics.median(
                _timed(full, text) for text in queries["queries"][:200]
            )
            result["report_p50_ms"] = 1000 * statistics.median(
                _timed(query.report, text) for text in queries["drafts"][:50]
            )
        result["queries_timed"] = len(times)
        result["drafts_timed"] = len(draft_times)
        result["query_p50_ms"], result["query_p95_ms"] = _p50_p95(times)
        result["common_p50_ms"], result["common_p95_ms"] = _p50_p95(common)
        result["draft_p50_ms"] = statistics.median(draft_times) * 1000
        result["query_peak_mb"] = peak_mb()
    elif action == "cold":
        query, _ = open_(corpus, work)
        query(sys.argv[5])
    print(json.dumps(result))


if __name__ == "__main__":
    main()
