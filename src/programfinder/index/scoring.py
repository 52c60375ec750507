"""Scoring records against a query vector: exhaustively, or with exact dynamic pruning.

The document-term matrix is stored once, by term, with 16-bit values (``build.quantise_by_record``),
the largest value of every block of ``BLOCK`` postings, and for every long list its best
postings, best first (``build.impact_prefixes``). A record's score for a query vector ``q`` is
``sum(q[t] * value[t, record])`` over the query's terms, the cosine of the two unit vectors (up
to the 16-bit rounding of the stored values), added in the query's order in float32.

``Scorer.top`` returns exactly the records and scores of the exhaustive ranking, by one of:

- **The threshold algorithm** (``_threshold_top``), for a query with a long list: short lists
  are read whole, long ones best first from their impact prefixes, deeper each round; every
  record read is scored exactly; a record not read yet is worth at most the last values read,
  and once their sum is below the k-th best exact score the answer is final. A query of common
  words usually stops after a few hundred postings of lists that span the corpus.
- **MaxScore with block maxima** (``_pruned``), when the prefixes run out first, with whole
  numpy arrays instead of one record at a time:

  1. Terms are taken in order of their upper bound (query weight x the term's largest value).
     Their posting lists are added into a score accumulator, and the set of records seen so far
     grows. Before a long list, the threshold (a lower bound of the k-th best score, from the
     scores seen so far or from the best blocks of that list) is raised; blocks of the list
     whose maximum, plus every other term's bound, cannot reach it are skipped.
  2. Once the bounds of the terms left add up to less than the threshold, no unseen record can
     enter the top k: the remaining (common, long) lists are only probed with ``searchsorted``
     for the records still in the running, which are dropped as soon as their bound falls short.
  3. The few records left are scored again term by term in the query's own order, so their
     scores are bit for bit those of the exhaustive pass.

- **Every posting** (``score``), for a draft or passage (many terms, whose bounds keep the
  threshold out of reach) and for small queries, with scipy's compiled kernel when the lists
  are long.

Either way the records are ranked by score, then by record number.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import lru_cache
from typing import Any

import numpy as np

from ..language.query import QueryPart
from ..records.filters import (
    Filters,
    award_matches,
    evaluation_code,
    normalize_country,
    setting_bits,
)
from ..records.program import Program
from .arrays import record_vector
from .format import QUANT_LEVELS
from .pruning import PrunedScoring, kth_largest, seen_rows
from .record_terms import record_segments

# A query vector keeps at most this many terms (the most weighted; see part_weights).
MAX_QUERY_TERMS = 200
#: Share of the LSA cosine in the similar-programs score (0 = TF-IDF only).
LSA_WEIGHT = 0.15
# Below this many postings in all, a query is scored exhaustively (pruning would not pay).
SMALL_QUERY_POSTINGS = 2_048
# Above this many terms (a pasted passage, a draft) the bounds of the terms left stay above the
# threshold until nearly the end, and one pass over every list is faster than probing them.
MANY_TERMS = 16
# The threshold algorithm first reads this many postings of each long list's impact prefix,
# From this many postings on, the exhaustive score uses scipy's compiled kernel (imported only
# then: a query on a small corpus never needs scipy).
SPARSE_PRODUCT_POSTINGS = 200_000


class Scorer(PrunedScoring):
    """An opened index that can score records: posting lists, query vectors, top k."""

    # ---------------------------------------------------------------- query vectors
    def query_weights(self, text: str, extra: Iterable[tuple[str, float]] = ()) -> dict[int, float]:
        """Column -> weight of the L2-normalised query vector for ``text`` (sublinear tf x idf).

        ``extra`` adds (text, multiplier) pairs, e.g. synonym expansions at a lower weight; a term
        present in several parts keeps its largest weight.
        """
        parts = [QueryPart(text, 1.0), *(QueryPart(t, m, "synonym") for t, m in extra)]
        return self.part_weights(parts)[0]

    def part_weights(
        self, parts: Sequence[QueryPart]
    ) -> tuple[dict[int, float], dict[int, QueryPart]]:
        """The normalised query vector of weighted parts, and the part each term came from."""
        weights: dict[int, float] = {}
        origins: dict[int, QueryPart] = {}
        for part in parts:
            counts = Counter(self.analyzer(part.text))
            terms = list(counts)
            for term, column in zip(terms, self.terms_.lookup_many(terms), strict=True):
                if column < 0:
                    continue
                value = (1.0 + math.log(counts[term])) * float(self.idf_[column]) * part.weight
                if value > weights.get(int(column), 0.0):
                    weights[int(column)] = value
                    origins[int(column)] = part
        norm = math.sqrt(sum(v * v for v in weights.values()))
        if not norm:
            return {}, {}
        if len(weights) > MAX_QUERY_TERMS:
            # A long draft: its most weighted terms decide the ranking; the many common words
            # it also holds have the longest posting lists and the smallest weights.
            kept = sorted(weights.items(), key=lambda item: -item[1])[:MAX_QUERY_TERMS]
            weights = dict(kept)
        return {c: v / norm for c, v in weights.items()}, {c: origins[c] for c in weights}

    def record_weights(self, row: int) -> dict[int, float]:
        """A record's own (unit-length) TF-IDF vector, column -> weight, from its text: the
        stored matrix holds each record once, by term, so the vector is computed as the build
        computed it (before the 16-bit rounding)."""
        return record_vector(
            self.programs[row], self.analyzer, self.field_weights, self._columns, self.idf_
        )

    def _columns(self, terms: list[str]) -> np.ndarray:
        return self.terms_.lookup_many(terms)

    # ---------------------------------------------------------------- posting lists
    def posting(self, column: int) -> tuple[np.ndarray, np.ndarray]:
        """(record rows, values) of one term; values as float32."""
        start, end = self.indptr_[column], self.indptr_[column + 1]
        unit = np.float32(float(self.scale_[column]) / QUANT_LEVELS)
        return self._indices[start:end], unit * self._data[start:end]

    def value(self, row: int, column: int) -> float:
        """One entry of the document-term matrix."""
        start, end = int(self.indptr_[column]), int(self.indptr_[column + 1])
        rows = self._indices[start:end]
        position = int(np.searchsorted(rows, row))
        if position < len(rows) and rows[position] == row:
            return float(self._data[start + position]) * float(self.scale_[column]) / QUANT_LEVELS
        return 0.0

    def shared_terms(self, weights: Mapping[int, float], row: int) -> list[tuple[int, float]]:
        """(column, weight x value) of the query terms a record holds, in the query's order."""
        shared = []
        for column, weight in weights.items():
            value = self.value(row, column)
            if value > 0:
                shared.append((column, weight * value))
        return shared

    def document_matrix(self) -> Any:
        """The L2-normalised TF-IDF matrix (records x terms) as a scipy CSR matrix (values
        within 16-bit rounding; built from the stored by-term matrix)."""
        from scipy import sparse

        units = (self.scale_.astype(np.float64) / QUANT_LEVELS).astype(np.float32)
        values = self.data_ * np.repeat(units, np.diff(self.indptr_))
        by_term = sparse.csc_matrix(
            (values, self.indices_, self.indptr_), shape=(len(self.programs), len(self.terms_))
        )
        return by_term.tocsr()

    # ---------------------------------------------------------------- scores
    def score(self, weights: Mapping[int, float]) -> np.ndarray:
        """Cosine score of every record against a normalised query vector (exhaustive).

        Each term's share is added in the query's order, in float32, so that the pruned passes
        (``_exact``) reproduce these scores bit for bit. When many postings are read (a draft
        on a large corpus), scipy's compiled sparse matrix-vector kernel does the adding, term
        by term into the same vector, with the same float32 operations: several times faster
        than numpy's scatter-add, and the same result (a test holds the two equal).
        """
        factors = self._multipliers(weights)
        columns = np.fromiter(weights.keys(), dtype=np.int64, count=len(weights))
        starts = self.indptr_[columns].tolist()
        ends = self.indptr_[columns + 1].tolist()
        scores = np.zeros(len(self.programs), dtype=np.float32)
        many = sum(ends) - sum(starts) >= SPARSE_PRODUCT_POSTINGS
        kernel = _product_kernel() if many else None  # scipy is imported only for many
        if kernel is not None:
            span = np.zeros(2, dtype=np.int32)  # the one column's postings: [0, length)
            for position, (start, end) in enumerate(zip(starts, ends, strict=True)):
                span[1] = end - start
                values = self._data[start:end].astype(np.float32)
                factor = factors[position : position + 1]
                kernel(len(scores), 1, span, self._indices[start:end], values, factor, scores)
            return scores
        for start, end, multiplier in zip(starts, ends, factors, strict=True):
            scores[self._indices[start:end]] += multiplier * self._data[start:end]
        return scores

    def top(
        self, weights: Mapping[int, float], limit: int, exclude: Iterable[int] = ()
    ) -> list[tuple[int, float]]:
        """The ``limit`` best (row, score) pairs with a positive score, best first (ties by row),
        exactly as ``top_rows(score(weights))`` ranks them, without scoring every posting."""
        excluded = np.fromiter(exclude, dtype=np.int64)
        k = limit + len(excluded)
        if not weights:
            return []
        if len(weights) > MANY_TERMS:
            return _best_of_all(self.score(weights), excluded, limit)
        factors = self._multipliers(weights)
        columns = np.fromiter(weights.keys(), dtype=np.int64, count=len(weights))
        starts = self.indptr_[columns].astype(np.int64)
        ends = self.indptr_[columns + 1].astype(np.int64)
        n = len(self.programs)
        prefixed = self.impact_ptr_[columns + 1] > self.impact_ptr_[columns]
        if int((ends - starts).sum()) <= SMALL_QUERY_POSTINGS or not prefixed.any():
            # In the query's own order, so that the accumulated scores are already exact.
            accumulator = np.zeros(n, dtype=np.float32)
            seen = np.zeros(n, dtype=bool)
            for position in range(len(columns)):
                start, end = starts[position], ends[position]
                rows = self._indices[start:end]
                accumulator[rows] += factors[position] * self._data[start:end]
                seen[rows] = True
            candidates = np.flatnonzero(seen) if n <= 4 * k else seen_rows(seen, self, starts, ends)
            return _best(candidates, accumulator[candidates], excluded, limit)
        found = self._threshold_top(weights, columns, factors, starts, ends, k)
        if found is not None:
            return _best(found[0], found[1], excluded, limit)
        accumulator = np.zeros(n, dtype=np.float32)
        seen = np.zeros(n, dtype=bool)
        survivors = self._pruned(columns, factors, starts, ends, accumulator, seen, k)
        survivors.sort()
        return _best(survivors, self._exact(survivors, weights), excluded, limit)

    def matching_count(self, weights: Mapping[int, float], extra: np.ndarray) -> int:
        """How many records hold at least one query term (or are in ``extra``)."""
        hit = np.zeros(len(self.programs), dtype=bool)
        for column in weights:
            start, end = self.indptr_[column], self.indptr_[column + 1]
            hit[self._indices[start:end]] = True
        hit[extra] = True
        return int(np.count_nonzero(hit))

    def semantic_scores(self, weights: Mapping[int, float]) -> np.ndarray | None:
        """Cosine of every record with ``weights`` in the latent semantic (LSA) space, in [0, 1];
        ``None`` when the index has no LSA space (large corpora) or the query projects to 0."""
        if self.doc_lsa_.size == 0 or not weights:
            return None
        columns = np.fromiter(weights.keys(), dtype=np.int64, count=len(weights))
        values = np.fromiter(weights.values(), dtype=np.float32, count=len(weights))
        projected = values @ self.term_lsa_[columns]
        norm = float(np.linalg.norm(projected))
        if norm == 0:
            return None
        semantic: np.ndarray = np.clip(self.doc_lsa_ @ (projected / norm), 0.0, 1.0)
        return semantic

    def blended_scores(
        self, weights: Mapping[int, float], lsa_weight: float, *, matched_only: bool = False
    ) -> np.ndarray:
        """TF-IDF cosine blended with the LSA cosine: ``(1 - w) * tfidf + w * lsa``.

        With ``matched_only`` a record that shares no term with the query keeps score 0: a search
        hit always has a word the user can see, the latent space only reorders.
        """
        lexical = self.score(weights)
        semantic = self.semantic_scores(weights) if lsa_weight > 0 else None
        if semantic is None:
            return lexical
        blended: np.ndarray = ((1 - lsa_weight) * lexical + lsa_weight * semantic).astype(
            np.float32
        )
        if matched_only:
            blended[lexical <= 0] = 0.0
        return blended

    def best(
        self,
        weights: Mapping[int, float],
        lsa_weight: float,
        limit: int,
        *,
        matched_only: bool = False,
        exclude: Sequence[int] = (),
    ) -> list[tuple[int, float]]:
        """The best (row, score) pairs for a query vector, best first: pruned when the index has
        no LSA space (then the blend is the TF-IDF cosine alone), else every record is scored."""
        if self.doc_lsa_.size == 0 or lsa_weight <= 0:
            return self.top(weights, limit, exclude)
        scores = self.blended_scores(weights, lsa_weight, matched_only=matched_only)
        mask = np.ones(len(scores), dtype=bool)
        mask[list(exclude)] = False
        return [(row, float(scores[row])) for row in self.top_rows(scores, mask, limit)]

    # ---------------------------------------------------------------- selecting records
    def rows_with(self, text: str) -> np.ndarray:
        """Boolean mask of documents that contain every unigram of ``text``."""
        mask = np.ones(len(self.programs), dtype=bool)
        terms = set(self.analyzer.unigrams(text))
        if not terms:
            return np.zeros(len(self.programs), dtype=bool)
        for term in terms:
            column = self.terms_.lookup(term)
            hit = np.zeros(len(self.programs), dtype=bool)
            if column is not None:
                start, end = self.indptr_[column], self.indptr_[column + 1]
                hit[self._indices[start:end]] = True
            mask &= hit
        return mask

    def contains_phrase(self, program: Program, phrase: str) -> bool:
        """True when the words of ``phrase`` appear together, in order, in one part of the record."""
        wanted = self.analyzer.sequence(phrase)
        if not wanted:
            return True
        n = len(wanted)
        for segments in record_segments(program).values():
            for segment in segments:
                seq = self.analyzer.sequence(segment)
                if any(seq[i : i + n] == wanted for i in range(len(seq) - n + 1)):
                    return True
        return False

    def filter_mask(self, filters: Filters) -> np.ndarray:
        """Boolean mask of documents that pass ``filters`` (vectorised over stored codes)."""
        n = len(self.programs)
        mask = np.ones(n, dtype=bool)
        if not filters.active:
            return mask
        years = self.award_year_
        if filters.year is not None:
            mask &= years == filters.year
        if filters.since is not None:
            mask &= years >= filters.since
        if filters.until is not None:
            mask &= years <= filters.until
        if filters.award:
            award = filters.award
            codes = [i for i, name in enumerate(self.awards) if award_matches(award, name)]
            mask &= np.isin(self.award_code_, codes)
        if filters.country:
            country = normalize_country(filters.country)
            codes = [i for i, c in enumerate(self.countries) if normalize_country(c) == country]
            mask &= np.isin(self.country_code_, codes)
        if filters.evaluation:
            mask &= self.evaluation_code_ == evaluation_code(filters.evaluation)
        if filters.setting:
            mask &= (self.setting_bits_ & setting_bits([filters.setting])) > 0
        if filters.tags:
            owners = np.repeat(np.arange(n), np.diff(self.tag_indptr_))
            for tag in filters.tags:
                wanted_tag = tag.casefold().strip()
                has_tag = np.zeros(n, dtype=bool)
                if wanted_tag in self.tags:
                    has_tag[owners[self.tag_codes_ == self.tags.index(wanted_tag)]] = True
                mask &= has_tag
        return mask

    def top_rows(self, scores: np.ndarray, mask: np.ndarray, limit: int) -> list[int]:
        """The best ``limit`` rows among ``mask`` with a positive score, best first (ties by row)."""
        candidates = np.flatnonzero(mask & (scores > 0))
        return [row for row, _ in _best(candidates, scores[candidates], np.zeros(0), limit)]


def _best(
    rows: np.ndarray, scores: np.ndarray, excluded: np.ndarray, limit: int
) -> list[tuple[int, float]]:
    """The ``limit`` best of ``rows`` (distinct) by score, then row; positive scores only."""
    keep = scores > 0
    if len(excluded):
        keep &= ~np.isin(rows, excluded)
    rows, scores = rows[keep], scores[keep]
    if len(rows) > limit:
        cut = np.argpartition(-scores, limit - 1)[:limit]
        # include every candidate tied with the last one so that the result is deterministic
        tied = scores >= scores[cut].min()
        rows, scores = rows[tied], scores[tied]
    order = np.lexsort((rows, -scores))[:limit]
    return [(int(rows[i]), float(scores[i])) for i in order]


@lru_cache(maxsize=1)
def _product_kernel() -> Callable[..., None] | None:
    """scipy's C++ kernel for a sparse matrix (CSC) times a vector, added into the output:
    ``csc_matvec(n_rows, n_columns, starts, rows, values, x, out)``. It is what scipy's own
    ``csc_matrix @ vector`` calls, used here one stored list at a time, so that nothing is
    copied into a sub-matrix first. It lives in a private module; if scipy ever moves it, the
    numpy route takes over (same scores, slower)."""
    try:
        from scipy.sparse import _sparsetools
    except ImportError:
        return None
    kernel = getattr(_sparsetools, "csc_matvec", None)
    return kernel if callable(kernel) else None


def _best_of_all(scores: np.ndarray, excluded: np.ndarray, limit: int) -> list[tuple[int, float]]:
    """``_best`` over every row of ``scores``: only the rows at or above the k-th best score
    (k = limit + excluded, ties included) are gathered and sorted."""
    k = limit + len(excluded)
    cutoff = kth_largest(scores, k) if k < len(scores) else 0.0
    rows = np.flatnonzero(scores >= cutoff) if cutoff > 0 else np.flatnonzero(scores > 0)
    return _best(rows, scores[rows], excluded, limit)
