"""What reading meaning costs: query latency with and without it on the shipped corpus, the
build of the shipped corpus with and without the shipped vectors, the model's share of a cold
search, the index and install size it adds, and the exact vector scan at 10k and 100k records.

    python bench/meaning.py [--queries 200] [--out bench/MEANING.md]

Each figure comes from this one run on this machine; ratios are what to compare.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def queries(n: int) -> list[str]:
    """Typed queries from the blind dev split (never the test split), repeated if needed."""
    import yaml

    text = (REPO / "eval" / "blind-dev.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text[text.index("\nqueries:") + 1 :])
    found = [q["query"] for q in data["queries"]]
    random.Random(7).shuffle(found)
    return (found * (n // len(found) + 1))[:n]


def warm_latency(n: int) -> dict[str, dict[str, float]]:
    """Warm search latency (ms) on the shipped corpus, by words and meaning and by words only."""
    from programfinder import load_corpus
    from programfinder.retrieval.hybrid import query_vector
    from programfinder.retrieval.opening import open_index
    from programfinder.retrieval.program_index import ProgramIndex

    hybrid = open_index()
    words = ProgramIndex.build(load_corpus(), semantic=False)
    texts = queries(n)
    hybrid.search(texts[0])
    words.search(texts[0])
    figures = {}
    for name, index in (("words and meaning", hybrid), ("words only", words)):
        times = []
        for text in texts:
            query_vector.cache_clear()  # every query read by the model, as a new one would be
            start = time.perf_counter()
            index.search(text, limit=10)
            times.append((time.perf_counter() - start) * 1000)
        figures[name] = {"p50": statistics.median(times), "p95": percentile(times, 0.95)}
    return figures


def draft_latency() -> dict[str, dict[str, float]]:
    """Warm draft comparison (ms): the blind dev drafts (about 100-200 words) and long drafts
    (five of them joined, about 800 words), compared with the full report (checklist, gaps)."""
    import yaml

    from programfinder.drafts.comparison import compare_draft
    from programfinder.drafts.meaning_checklist import draft_sentences
    from programfinder.retrieval.hybrid import query_vector
    from programfinder.retrieval.opening import open_index

    text = (REPO / "eval" / "blind-dev.yaml").read_text(encoding="utf-8")
    drafts = [d["text"] for d in yaml.safe_load(text[text.index("\nqueries:") + 1 :])["drafts"]]
    long = [" ".join(drafts[i : i + 5]) for i in range(0, len(drafts) - 4, 5)]
    index = open_index()
    compare_draft(index, drafts[0])
    figures = {}
    for name, texts in (("dev drafts", drafts), ("long drafts", long)):
        times = []
        for draft in texts:
            query_vector.cache_clear()
            draft_sentences.cache_clear()
            start = time.perf_counter()
            compare_draft(index, draft, limit=10)
            times.append((time.perf_counter() - start) * 1000)
        figures[name] = {"p50": statistics.median(times), "p95": percentile(times, 0.95)}
    return figures


def builds() -> dict[str, float]:
    """Seconds to build the shipped corpus's index: with the shipped vectors, and reading every
    record with the model (no vector known), each in a fresh cache and its own process."""
    results = {}
    for name, seed in (("with shipped vectors", True), ("model reads every record", False)):
        cache = Path(tempfile.mkdtemp(prefix="bench-meaning-"))
        code = (
            "import time, programfinder.index.vector_cache as v, programfinder.index.cache as c;"
            "from pathlib import Path;"
            + ("" if seed else "c.SHIPPED_VECTORS = Path('/nonexistent');")
            + "from programfinder.retrieval.opening import build_index;"
            "t = time.perf_counter(); build_index(); print(time.perf_counter() - t)"
        )
        env = {**os.environ, "PROGRAMFINDER_CACHE": str(cache)}
        env.pop("PROGRAMFINDER_CORPUS", None)
        out = subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
        )
        results[name] = float(out.stdout.strip().splitlines()[-1])
        shutil.rmtree(cache, ignore_errors=True)
    return results


def model_load() -> dict[str, float]:
    """Milliseconds a fresh process spends importing the runtime and loading the model."""
    code = (
        "import time; t = time.perf_counter();"
        "from programfinder.language.embedding import shared_encoder;"
        "e = shared_encoder(1); e.encode(['warm']); print((time.perf_counter() - t) * 1000)"
    )
    runs = []
    for _ in range(5):
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        )
        runs.append(float(out.stdout.strip()))
    return {"import and load, median of 5": statistics.median(runs)}


def vector_scan(records: int, per_record: int = 8, repeats: int = 50) -> dict[str, float]:
    """Milliseconds for the exact meaning scan (index.dense) over ``records`` records of
    ``per_record`` float16 vectors (random unit vectors: the cost does not depend on them)."""
    from programfinder.index.dense import WIDEN_MAX_VECTORS, _best_by_row, similarities

    rng = np.random.default_rng(1)
    vectors = rng.standard_normal((records * per_record, 384)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    # as the index holds them: float32 in memory while few enough, else the stored float16
    stored = vectors if len(vectors) <= WIDEN_MAX_VECTORS else vectors.astype(np.float16)
    rows = np.repeat(np.arange(records, dtype=np.int32), per_record)
    query = vectors[0]
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        _best_by_row(similarities(stored, query), rows, records)
        times.append((time.perf_counter() - start) * 1000)
    return {"p50": statistics.median(times), "MB of vectors": stored.nbytes / 1e6}


def sizes() -> dict[str, float]:
    """Megabytes added: the model files, and the runtime packages where they are installed."""
    import onnxruntime
    import tokenizers

    from programfinder.language.embedding import MODEL_DIR

    def folder_mb(path: Path) -> float:
        return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 1e6

    return {
        "model folder": folder_mb(MODEL_DIR),
        "onnxruntime": folder_mb(Path(onnxruntime.__file__).parent),
        "tokenizers": folder_mb(Path(tokenizers.__file__).parent),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "MEANING.json")
    args = parser.parse_args()
    report = {
        "warm search (ms)": warm_latency(args.queries),
        "warm draft comparison with its report (ms)": draft_latency(),
        "build of the shipped corpus (s)": builds(),
        "model (ms)": model_load(),
        "exact meaning scan, 10k records (ms)": vector_scan(10_000),
        "exact meaning scan, 100k records (ms)": vector_scan(100_000, repeats=10),
        "size (MB)": sizes(),
    }
    text = json.dumps(report, indent=2)
    args.out.write_text(text + "\n", encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
