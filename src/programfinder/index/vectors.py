"""Record vectors: each record's meaning, read by the sentence-embedding model at build time.

A record is read twice: as passages of a few sentences (``language.passages``; the title is the
first), and as overlapping windows of at most 256 tokens over its whole text. A query is matched
with a record by its best passage and its best window (``index.dense``); the passage is what a
hit shows as the reason it was found. Vectors are stored as float16 beside the other arrays of
the index (in ``index.npz``, so memory-mapped and covered by its checksum).

Vectors already computed for the same token sequence are taken from a ``VectorCache``; only the
rest go through the model, in chunks, reporting progress with an estimate of the time left.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..language.embedding import DIMENSIONS, MODEL_ID, TextEncoder, shared_encoder
from ..language.passages import passages, record_text
from ..records.program import Program
from .vector_cache import VectorCache, sequence_key

#: Sequences sent to the model between two progress reports.
CHUNK = 64

#: (sequences done, sequences to compute, seconds left by the pace so far or None at first)
MeaningProgress = Callable[[int, int, float | None], None]


@dataclass
class VectorSettings:
    """How a build reads meaning: which cache files to read and write, and who hears progress."""

    cache_files: tuple[Path, ...] = ()
    save_to: Path | None = None
    progress: MeaningProgress | None = None
    encoder: Callable[[], TextEncoder] = field(default=shared_encoder)


class RecordVectorBuilder:
    """Collects each record's passages and windows as token sequences while the build streams
    records (only those no cache holds are kept), then computes the missing vectors."""

    def __init__(self, settings: VectorSettings) -> None:
        self.settings = settings
        self.encoder = settings.encoder()
        self.cache = VectorCache(settings.cache_files)
        self.keys: list[int] = []  # one per distinct sequence, in order of first sight
        self.pending: dict[int, list[int]] = {}  # position -> token ids, for sequences to compute
        self.passage_rows: list[int] = []
        self.window_rows: list[int] = []
        self._passage_at: list[int] = []  # position of each passage's sequence
        self._window_at: list[int] = []
        self._position: dict[int, int] = {}  # key -> position, so a repeated text is read once

    def _sequence(self, ids: list[int]) -> int:
        key = sequence_key(ids)
        position = self._position.get(key)
        if position is None:
            position = self._position[key] = len(self.keys)
            self.keys.append(key)
            if not self.cache.contains(key):
                self.pending[position] = ids
        return position

    def add(self, row: int, program: Program) -> None:
        """Read record ``row`` into sequences: its passages, then its windows."""
        encoder = self.encoder
        for ids in encoder.token_ids(passages(program.title, program.body)):
            self._passage_at.append(self._sequence(encoder.windows(ids)[0]))
            self.passage_rows.append(row)
        whole = encoder.token_ids([record_text(program.title, program.body)])[0]
        for window in encoder.windows(whole):
            self._window_at.append(self._sequence(window))
            self.window_rows.append(row)

    def add_text(self, text: str) -> None:
        """Read the first window of any other text too, so that its vector is computed (or kept)
        with the records' (the model peer of ``programfinder eval`` reads records so)."""
        self._sequence(self.encoder.windows(self.encoder.token_ids([text])[0])[0])

    def compute(self) -> dict[str, np.ndarray]:
        """Every sequence's vector (from the caches or the model) and the arrays to store."""
        keys = np.asarray(self.keys, dtype=np.uint64)
        computed = len(self.pending)
        vectors = self.cache.vectors(
            keys, self.pending.pop, self.encoder.encode_sequences, self.settings.progress, CHUNK
        )
        if self.settings.save_to is not None and computed:
            self.cache.save(self.settings.save_to)
        passage_at = np.asarray(self._passage_at, dtype=np.int64)
        window_at = np.asarray(self._window_at, dtype=np.int64)
        return {
            "passage_vectors": vectors[passage_at].reshape(-1, DIMENSIONS),
            "passage_rows": np.asarray(self.passage_rows, dtype=np.int32),
            "window_vectors": vectors[window_at].reshape(-1, DIMENSIONS),
            "window_rows": np.asarray(self.window_rows, dtype=np.int32),
        }

    def describe(self) -> dict[str, object]:
        """What the index's settings record about its vectors."""
        return {
            "model": MODEL_ID,
            "passages": len(self.passage_rows),
            "windows": len(self.window_rows),
            "computed": len(self.keys),
        }


def empty_vector_arrays() -> dict[str, np.ndarray]:
    """The vector arrays of an index built without meaning (a large corpus, by default)."""
    return {
        "passage_vectors": np.zeros((0, DIMENSIONS), dtype=np.float16),
        "passage_rows": np.zeros(0, dtype=np.int32),
        "window_vectors": np.zeros((0, DIMENSIONS), dtype=np.float16),
        "window_rows": np.zeros(0, dtype=np.int32),
    }
