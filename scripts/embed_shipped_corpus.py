"""Read the meaning of every record of the shipped corpus once, and keep the vectors in
src/programfinder/data/shipped-corpus-vectors.npz, so that a fresh install builds its first
index without running the model over all of it (with the text that the model peer of
`programfinder eval` reads of each record). Run after adding or editing shipped records
(tests/test_meaning.py fails while a record's vectors are missing):

    python scripts/embed_shipped_corpus.py
"""

from __future__ import annotations

import time

import numpy as np

from programfinder import load_corpus
from programfinder.index.vector_cache import SHIPPED_VECTORS
from programfinder.index.vectors import RecordVectorBuilder, VectorSettings
from programfinder.retrieval.evaluation import baseline_text


def main() -> None:
    started = time.perf_counter()

    def report(done: int, total: int, left: float | None) -> None:
        if total:
            eta = f", about {left:.0f} s left" if left else ""
            print(f"\r{done:,} of {total:,} passages and windows{eta}   ", end="", flush=True)

    builder = RecordVectorBuilder(VectorSettings(cache_files=(SHIPPED_VECTORS,), progress=report))
    programs = list(load_corpus())
    for row, program in enumerate(programs):
        builder.add(row, program)
        builder.add_text(baseline_text(program))  # what the model peer of `eval` reads
    new = len(builder.pending)
    builder.compute()
    builder.cache.save(SHIPPED_VECTORS, keep=np.asarray(builder.keys, dtype=np.uint64))
    print(
        f"\n{len(programs)} records, {len(builder.keys):,} sequences ({new:,} new) in "
        f"{time.perf_counter() - started:.1f} s -> {SHIPPED_VECTORS}"
    )


if __name__ == "__main__":
    main()
