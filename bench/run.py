"""Benchmark programfinder against its peers, each in its own process, in one run.

For every corpus size it generates (or reuses) a synthetic corpus and queries, then for every
system measures: build time, index size on disk, peak memory of the build, index load time,
query latency p50/p95 (1000 short queries, one at a time), draft latency p50 (100 drafts), and
the wall time of one cold process that loads the index and answers one query (for
programfinder, the real CLI). It writes a markdown report with the ratio programfinder / peer.

    python bench/run.py --sizes 10000 100000 1000000 --out bench/RESULTS.md

Queries are timed for at most BENCH_SECONDS (150) seconds per system and phase: at a million
records the slowest peers answer part of the 1,000 queries, and the report says how many.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_SYSTEMS = ["programfinder", "tantivy", "bm25s", "sklearn", "fts5", "rank_bm25"]
ROWS = [
    ("build_s", "build time (s)"),
    ("index_mb", "index size on disk (MB)"),
    ("arrays_mb", "of which index arrays (MB)"),
    ("records_mb", "of which stored records (MB)"),
    ("build_peak_mb", "peak memory, build (MB)"),
    ("load_s", "index load time (s)"),
    ("query_p50_ms", "query p50 (ms)"),
    ("query_p95_ms", "query p95 (ms)"),
    ("common_p50_ms", "query p50, with a top-100 word (ms)"),
    ("common_p95_ms", "query p95, with a top-100 word (ms)"),
    ("queries_timed", "queries timed"),
    ("draft_p50_ms", "draft p50 (ms)"),
    ("query_peak_mb", "peak memory, queries (MB)"),
    ("search_p50_ms", "full search with snippets p50 (ms)"),
    ("report_p50_ms", "full draft report p50 (ms)"),
    ("cold_ms", "cold process, one search (ms)"),
]


def run_json(command: list[str], env: dict[str, str], timeout: float) -> dict[str, float]:
    done = subprocess.run(
        command, capture_output=True, text=True, env=env, timeout=timeout, check=False
    )
    if done.returncode != 0:
        return {"error": 1.0, "stderr": done.stderr[-500:]}  # type: ignore[dict-item]
    return json.loads(done.stdout.strip().splitlines()[-1])


def wall(command: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, capture_output=True, env=env, check=True, timeout=600)
    return time.perf_counter() - start


def measure(
    system: str, corpus: Path, queries: Path, work: Path, timeout: float
) -> dict[str, float]:
    env = {**os.environ, "PROGRAMFINDER_CACHE": str(work / "cache")}
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    base = [sys.executable, str(HERE / "systems.py")]
    result = run_json([*base, "build", system, str(corpus), str(work)], env, timeout)
    if "error" in result:
        print(f"  {system}: build failed: {result.get('stderr')}", file=sys.stderr)
        return result
    result["index_mb"] = result.pop("index_bytes") / 1e6
    files: dict[str, int] = result.pop("files")  # type: ignore[assignment]
    if system == "programfinder":
        result["arrays_mb"] = sum(v for k, v in files.items() if k.endswith((".npz", ".npy"))) / 1e6
        result["records_mb"] = sum(v for k, v in files.items() if "records" in k) / 1e6
    result["files"] = files  # type: ignore[assignment]
    result.update(
        run_json([*base, "query", system, str(corpus), str(work), str(queries)], env, timeout)
    )
    one_query = json.loads(queries.read_text())["queries"][1]
    if system == "programfinder":
        script = shutil.which("programfinder") or str(Path(sys.executable).parent / "programfinder")
        cold = [script, "search", one_query, "--corpus", str(corpus)]
    else:
        cold = [*base, "cold", system, str(corpus), str(work), one_query]
    result["cold_ms"] = statistics.median(wall(cold, env) for _ in range(5)) * 1000
    return result


def ratio(ours: float | None, theirs: float | None) -> str:
    # rank_bm25 builds no index: its "build" takes microseconds, which no ratio should use
    if not ours or not theirs or theirs < 1e-4:
        return "n/a"
    return f"{ours / theirs:.2f}"


def table(size: int, results: dict[str, dict[str, float]]) -> str:
    systems = list(results)
    peers = [s for s in systems if s != "programfinder"]
    head = (
        "| metric | " + " | ".join(systems) + " | " + " | ".join(f"pf / {p}" for p in peers) + " |"
    )
    lines = [f"### {size:,} records", "", head, "|" + "---|" * (1 + len(systems) + len(peers))]
    corpus_mb = results.get("programfinder", {}).get("corpus_mb")
    if corpus_mb:
        lines.insert(0, f"Corpus file: {corpus_mb:,.0f} MB.\n")
    for key, label in ROWS:
        cells = []
        for system in systems:
            value = results[system].get(key)
            cells.append(
                "n/a" if value is None else f"{value:,.2f}" if value < 100 else f"{value:,.0f}"
            )
        ours = results.get("programfinder", {}).get(key)
        ratios = [ratio(ours, results[p].get(key)) for p in peers]
        lines.append(f"| {label} | " + " | ".join(cells) + " | " + " | ".join(ratios) + " |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--systems", nargs="+", default=DEFAULT_SYSTEMS)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/programfinder-bench"))
    parser.add_argument("--out", type=Path, default=HERE / "RESULTS.md")
    parser.add_argument(
        "--append", action="store_true", help="add to the report instead of replacing it"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=3600)
    args = parser.parse_args()
    numpy_ms = (
        statistics.median(
            wall([sys.executable, "-c", "import numpy"], dict(os.environ)) for _ in range(7)
        )
        * 1000
    )
    sections = []
    raw: dict[int, dict[str, dict[str, float]]] = {}
    for size in args.sizes:
        corpus = args.workdir / f"corpus-{size}.jsonl"
        queries = corpus.with_suffix(".queries.json")
        if not corpus.exists() or not queries.exists():
            subprocess.run([sys.executable, str(HERE / "synth.py"), "--records", str(size),
                            "--seed", str(args.seed), "--out", str(corpus)], check=True)  # fmt: skip
        if "common" not in json.loads(queries.read_text()):
            subprocess.run([sys.executable, str(HERE / "synth.py"), "--records", str(size),
                            "--seed", str(args.seed), "--out", str(corpus), "--queries-only"],
                           check=True)  # fmt: skip
        results: dict[str, dict[str, float]] = {}
        for system in args.systems:
            if system == "rank_bm25" and size > 10_000:
                continue  # pure Python scoring of every document: minutes per query beyond 10k
            print(f"{size:,} records: {system} ...", file=sys.stderr, flush=True)
            results[system] = measure(
                system, corpus, queries, args.workdir / f"work-{system}-{size}", args.timeout
            )
            print(f"  {json.dumps(results[system])}", file=sys.stderr, flush=True)
        if "programfinder" in results:
            results["programfinder"]["corpus_mb"] = corpus.stat().st_size / 1e6
        raw[size] = results
        sections.append(table(size, results))
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    header = (
        f"## Run of {time.strftime('%Y-%m-%d %H:%M')} on {machine}\n\n"
        f'`python -c "import numpy"` median: {numpy_ms:.0f} ms (same run).\n\n'
    )
    report = header + "\n".join(sections)
    if args.append and args.out.exists():
        report = args.out.read_text() + "\n" + report
    else:
        report = (
            "# Benchmark results\n\nWritten by `python bench/run.py`; see bench/README.md.\n\n"
            + report
        )
    args.out.write_text(report)
    args.out.with_suffix(".json").write_text(json.dumps(raw, indent=1))
    print(report)


if __name__ == "__main__":
    main()
