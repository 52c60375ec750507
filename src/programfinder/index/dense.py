"""Meaning scores: how close each record's meaning is to a query's, from the record vectors.

A record's meaning score is the mean of two cosines with the query vector: that of its best
passage (a few sentences, which finds a record that speaks of the query in one place) and that of
its best window (up to 256 tokens, which reads the passage in its context). Both halves, and
their mean, were chosen on the blind dev split. The scan is exact: every vector is read, which on
a CPU costs about a millisecond per 20,000 vectors.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .files import IndexFiles

#: The share of the best passage in a meaning score (the rest is the best window's).
PASSAGE_SHARE = 0.5
_CHUNK = 65_536


@dataclass(frozen=True)
class MeaningScores:
    """Each record's meaning score and the position of its best passage in the index."""

    scores: np.ndarray  # float32, one per record; -1 for a record without vectors
    best_passage: np.ndarray  # int64, one per record; -1 for a record without vectors


def _best_by_row(
    similarities: np.ndarray, rows: np.ndarray, n_records: int
) -> tuple[np.ndarray, np.ndarray]:
    """The highest similarity of each record and where it is, for ``rows`` ascending."""
    best = np.full(n_records, -1.0, dtype=np.float32)
    where = np.full(n_records, -1, dtype=np.int64)
    if not len(rows):
        return best, where
    starts = np.flatnonzero(np.concatenate(([True], rows[1:] != rows[:-1])))
    present = rows[starts]
    best[present] = np.maximum.reduceat(similarities, starts)
    # the first position in each record's run that holds its maximum
    is_best = similarities == np.repeat(best[present], np.diff(np.append(starts, len(rows))))
    positions = np.flatnonzero(is_best)
    first = np.unique(rows[positions], return_index=True)[1]
    where[rows[positions[first]]] = positions[first]
    return best, where


def similarities(vectors: np.ndarray, query: np.ndarray) -> np.ndarray:
    """The dot product of every stored (float16) vector with ``query``, in float32: cast a chunk
    at a time, so that a large index is never copied whole."""
    if vectors.dtype == np.float32:
        return np.asarray(vectors @ query, dtype=np.float32)
    result = np.empty(len(vectors), dtype=np.float32)
    for start in range(0, len(vectors), _CHUNK):
        block = np.asarray(vectors[start : start + _CHUNK], dtype=np.float32)
        result[start : start + len(block)] = block @ query
    return result


#: Up to this many vectors are kept in memory as float32 once read (about 150 MB at most): the
#: cast from the stored float16 would otherwise cost every query more than the scan itself.
WIDEN_MAX_VECTORS = 100_000


def _widened(index: IndexFiles) -> tuple[np.ndarray, np.ndarray]:
    """The index's passage and window vectors, as float32 when they are few enough to keep."""
    cached: tuple[np.ndarray, np.ndarray] | None = getattr(index, "_widened_vectors", None)
    if cached is not None:
        return cached
    if len(index.passage_vectors_) + len(index.window_vectors_) > WIDEN_MAX_VECTORS:
        return index.passage_vectors_, index.window_vectors_
    cached = (
        np.asarray(index.passage_vectors_, dtype=np.float32),
        np.asarray(index.window_vectors_, dtype=np.float32),
    )
    index._widened_vectors = cached  # type: ignore[attr-defined]
    return cached


def meaning_scores(index: IndexFiles, query: np.ndarray) -> MeaningScores:
    """The meaning score of every record for the unit vector ``query`` (see the module's note)."""
    n = len(index)
    vector = np.asarray(query, dtype=np.float32)
    passage_vectors, window_vectors = _widened(index)
    passages, best_passage = _best_by_row(
        similarities(passage_vectors, vector), index.passage_rows_, n
    )
    windows, _ = _best_by_row(similarities(window_vectors, vector), index.window_rows_, n)
    scores = PASSAGE_SHARE * passages + (1 - PASSAGE_SHARE) * windows
    scores[best_passage < 0] = -1.0
    return MeaningScores(scores.astype(np.float32), best_passage)


def record_meaning(index: IndexFiles, row: int) -> np.ndarray:
    """One vector for a whole record (the mean of its passages and windows, unit length): what
    "similar programs" compares when it starts from a record."""
    parts = np.concatenate(
        [
            index.passage_vectors_[index.passage_rows_ == row],
            index.window_vectors_[index.window_rows_ == row],
        ]
    ).astype(np.float32)
    if not len(parts):
        return np.zeros(index.passage_vectors_.shape[1], dtype=np.float32)
    mean: np.ndarray = parts.mean(axis=0)
    return np.asarray(mean / max(float(np.linalg.norm(mean)), 1e-12), dtype=np.float32)
