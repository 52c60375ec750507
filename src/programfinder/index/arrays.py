"""The arrays of an index, computed from the merged counts: sublinear TF-IDF, 16-bit values,
block maxima, impact prefixes and the latent semantic (LSA) space."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from ..language.text import Analyzer
from ..records.program import Program
from .format import BLOCK, IMPACT_DEPTH, IMPACT_MIN, LSA_COMPONENTS, LSA_MAX_RECORDS, QUANT_LEVELS
from .record_terms import weighted_term_counts


class Chunks:
    """A growing array kept in large chunks: the batches' small arrays are copied in and freed
    at once, so their memory is reused by the next batch instead of piling up (small freed
    blocks stay in the process's heap; chunks of 64 MB and more go back to the system)."""

    def __init__(self, dtype: type[np.generic], first: int = 1 << 20, largest: int = 1 << 24):
        self.dtype = dtype
        self.full: list[np.ndarray] = []
        self.current = np.empty(first, dtype=dtype)
        self.used = 0
        self.largest = largest

    def append(self, values: np.ndarray) -> None:
        start = 0
        while start < len(values):
            if self.used == len(self.current):
                self.full.append(self.current)
                size = min(2 * len(self.current), self.largest)
                self.current = np.empty(size, dtype=self.dtype)
                self.used = 0
            step = min(len(values) - start, len(self.current) - self.used)
            self.current[self.used : self.used + step] = values[start : start + step]
            self.used += step
            start += step

    def join(self) -> np.ndarray:
        """Everything appended, as one array; each chunk is freed as soon as it is copied (the
        whole and every chunk at once would hold the matrix twice)."""
        parts = [*self.full, self.current[: self.used]]
        self.full, self.current, self.used = [], np.empty(0, dtype=self.dtype), 0
        joined = np.empty(sum(len(p) for p in parts), dtype=self.dtype)
        start = 0
        parts.reverse()
        while parts:
            part = parts.pop()
            joined[start : start + len(part)] = part
            start += len(part)
        return joined


def quantise_by_record(
    data: np.ndarray, columns: np.ndarray, n_terms: int
) -> tuple[np.ndarray, np.ndarray]:
    """Each term's largest value (``scale``) and every value as a 16-bit fraction of its term's.

    A stored value ``q`` stands for ``q * scale / QUANT_LEVELS``: within 1/131,070 of the
    term's largest value, and never 0 for a present term. ``data`` and ``columns`` are the
    matrix's values and term numbers in any order (here, by record).
    """
    scale = np.zeros(n_terms, dtype=np.float32)
    np.maximum.at(scale, columns, data)
    factors = (QUANT_LEVELS / np.maximum(scale, 1e-30)).astype(np.float32)
    quantised = np.empty(len(data), dtype=np.uint16)
    chunk = 10_000_000
    for start in range(0, len(data), chunk):
        end = start + chunk
        levels = np.rint(data[start:end] * factors[columns[start:end]])
        quantised[start:end] = np.clip(levels, 1, QUANT_LEVELS)
    return scale, quantised


def block_maxima(quantised: np.ndarray, indptr: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Blocks of BLOCK postings per term: where each term's blocks start, and their maxima."""
    lengths = np.diff(indptr)
    blocks = (lengths + BLOCK - 1) // BLOCK
    block_ptr = np.zeros(len(lengths) + 1, dtype=np.int64)
    np.cumsum(blocks, out=block_ptr[1:])
    within = np.arange(block_ptr[-1], dtype=np.int64) - np.repeat(block_ptr[:-1], blocks)
    starts = np.repeat(indptr[:-1], blocks) + BLOCK * within
    if not len(starts):
        return block_ptr, np.zeros(0, dtype=np.uint16)
    return block_ptr, np.maximum.reduceat(quantised, starts).astype(np.uint16)


def impact_prefixes(
    quantised: np.ndarray, postings: np.ndarray, indptr: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For each term found in at least IMPACT_MIN records, its IMPACT_DEPTH best postings (all
    of them for a shorter list) ordered by value, best first, ties by record number: where each
    term's prefix starts, the record numbers and the values. Every posting left out of a prefix
    is worth at most the prefix's last value."""
    lengths = np.diff(indptr)
    depths = np.where(lengths >= IMPACT_MIN, np.minimum(lengths, IMPACT_DEPTH), 0)
    impact_ptr = np.zeros(len(lengths) + 1, dtype=np.int64)
    np.cumsum(depths, out=impact_ptr[1:])
    rows = np.empty(int(impact_ptr[-1]), dtype=np.int32)
    values = np.empty(int(impact_ptr[-1]), dtype=np.uint16)
    for term in np.flatnonzero(depths):
        start, end, depth = int(indptr[term]), int(indptr[term + 1]), int(depths[term])
        listed = quantised[start:end].astype(np.int32)
        best = np.arange(end - start)
        if depth < end - start:
            best = np.argpartition(-listed, depth - 1)[:depth]
        best = best[np.lexsort((best, -listed[best]))]
        first = int(impact_ptr[term])
        rows[first : first + depth] = postings[start + best]
        values[first : first + depth] = listed[best]
    return impact_ptr, rows, values


def record_vector(
    program: Program,
    analyzer: Analyzer,
    weights: Mapping[str, float],
    lookup: Callable[[list[str]], np.ndarray],
    idf: np.ndarray,
) -> dict[int, float]:
    """A record's L2-normalised TF-IDF vector computed from its text, exactly as the build does
    (before quantisation): column -> weight. ``lookup`` gives the columns of terms (-1: none)."""
    counts = weighted_term_counts(program, analyzer, weights)
    terms = list(counts)
    columns = lookup(terms)
    present = columns >= 0
    if not present.any():
        return {}
    values = np.fromiter(counts.values(), dtype=np.float32, count=len(terms))[present]
    kept = columns[present]
    np.log(values, out=values)
    values += 1.0
    values *= idf[kept]
    norm = np.sqrt(np.square(values, dtype=np.float64).sum())
    values /= np.float32(norm)
    return {int(c): float(v) for c, v in zip(kept, values, strict=True)}


def tfidf_in_place(
    data: np.ndarray, columns: np.ndarray, indptr: np.ndarray, n_terms: int, n_records: int
) -> np.ndarray:
    """Turn weighted counts into L2-normalised sublinear TF-IDF (scikit-learn's formula)."""
    np.log(data, out=data)
    data += 1.0
    df = np.bincount(columns, minlength=n_terms)
    idf: np.ndarray = (np.log((1.0 + n_records) / (1.0 + df)) + 1.0).astype(np.float32)
    chunk = 10_000_000
    for start in range(0, len(data), chunk):
        data[start : start + chunk] *= idf[columns[start : start + chunk]]
    lengths = np.diff(indptr)
    rows_per_chunk = 100_000
    for first in range(0, len(lengths), rows_per_chunk):
        last = min(first + rows_per_chunk, len(lengths))
        start, end = indptr[first], indptr[last]
        squares = np.square(data[start:end], dtype=np.float64)
        part = lengths[first:last]
        sums = np.zeros(last - first)
        filled = part > 0
        if filled.any():
            sums[filled] = np.add.reduceat(squares, (indptr[first:last] - start)[filled])
        norms = np.sqrt(np.where(filled, sums, 1.0))
        data[start:end] /= np.repeat(norms, part).astype(np.float32)
    return idf


def fit_lsa(matrix: Any) -> tuple[np.ndarray, np.ndarray]:
    """Document and term coordinates of a truncated SVD of ``matrix`` (empty if too small/large)."""
    n_docs, n_terms = matrix.shape
    components = min(LSA_COMPONENTS, n_docs - 1, n_terms - 1)
    if components < 2 or n_docs > LSA_MAX_RECORDS:
        return np.zeros((0, 0), dtype=np.float32), np.zeros((0, 0), dtype=np.float32)
    from sklearn.decomposition import TruncatedSVD

    svd = TruncatedSVD(n_components=components, algorithm="arpack", random_state=0)
    docs = svd.fit_transform(matrix)
    norms = np.linalg.norm(docs, axis=1, keepdims=True)
    docs = docs / np.where(norms > 0, norms, 1.0)
    return docs.astype(np.float32), np.ascontiguousarray(svd.components_.T, dtype=np.float32)
