"""Median wall time of a cold `programfinder search` process beside `python -c "import numpy"`.

Both are measured in the same run, alternating, so that the ratio is fair to the machine's state.
The index cache is warmed first (a cold *process*, not a cold cache, is what a user meets).

    python bench/cold_start.py [--runs 15] [--query "package theft"]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path


def wall(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--query", default="package theft")
    args = parser.parse_args()
    script = shutil.which("programfinder") or str(Path(sys.executable).parent / "programfinder")
    search = [script, "search", args.query]
    numpy = [sys.executable, "-c", "import numpy"]
    wall(search)  # warm the index cache
    searches, imports = [], []
    for _ in range(args.runs):
        searches.append(wall(search))
        imports.append(wall(numpy))
    s, n = statistics.median(searches), statistics.median(imports)
    print(
        f"cold `programfinder search {args.query!r}`: median {s * 1000:.0f} ms over {args.runs} runs"
    )
    print(f"`python -c 'import numpy'`:              median {n * 1000:.0f} ms")
    print(f"ratio: {s / n:.2f}x (target <= 3x)")


if __name__ == "__main__":
    main()
