"""Exact dynamic pruning: the top k records of a query without scoring every posting.

Two algorithms, both exact (the same records and scores as the exhaustive pass):

- **The threshold algorithm** (``_threshold_top``), for a query with a long list: short lists
  are read whole, long ones best first from their impact prefixes, deeper each round; every
  record read is scored exactly; a record not read yet is worth at most the last values read,
  and once their sum is below the k-th best exact score the answer is final.
- **MaxScore with block maxima** (``_pruned``), when the prefixes run out first (see
  ``scoring``'s module docstring for its three steps).

``Scorer`` (in ``scoring``) decides which one a query takes.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from .files import IndexFiles
from .format import BLOCK, QUANT_LEVELS

# then DEPTH_GROWTH times as many each round.
FIRST_DEPTH = 64
DEPTH_GROWTH = 4
# Scoring one record exactly (a binary search per query term) costs about this many times
# adding one posting to an accumulator.
SEARCH_COST = 10
# A list at least this long is worth raising the threshold for before it is read.
LONG_LIST = 4 * BLOCK
# Bounds are compared with a little slack, so that float32 rounding never prunes a record that
# the exhaustive pass would rank (pruning stays exact; it only skips a little less).
SLACK = 1.0 - 1e-4


class PrunedScoring(IndexFiles):
    """Exact scores of chosen records, and the two pruned top-k algorithms over them."""

    def _multipliers(self, weights: Mapping[int, float]) -> np.ndarray:
        """Per query term, the float32 factor that turns a stored 16-bit value into that term's
        share of the score (the one factor both the exhaustive and the pruned pass use)."""
        columns = np.fromiter(weights.keys(), dtype=np.int64, count=len(weights))
        values = np.fromiter(weights.values(), dtype=np.float64, count=len(weights))
        factors: np.ndarray = (values * self.scale_[columns] / QUANT_LEVELS).astype(np.float32)
        return factors

    def _exact(self, rows: np.ndarray, weights: Mapping[int, float]) -> np.ndarray:
        """The scores of ``rows`` (sorted), summed in the same order as ``score`` does."""
        scores = np.zeros(len(rows), dtype=np.float32)
        for column, factor in zip(weights, self._multipliers(weights), strict=True):
            start, end = int(self.indptr_[column]), int(self.indptr_[column + 1])
            listed = self._indices[start:end]
            positions = np.searchsorted(listed, rows)
            inside = positions < len(listed)
            found = np.flatnonzero(inside)
            found = found[listed[positions[found]] == rows[found]]
            scores[found] += factor * self._data[start + positions[found]]
        return scores

    def _threshold_top(
        self,
        weights: Mapping[int, float],
        columns: np.ndarray,
        factors: np.ndarray,
        starts: np.ndarray,
        ends: np.ndarray,
        k: int,
    ) -> tuple[np.ndarray, np.ndarray] | None:
        """Every record that may be in the top ``k``, with its exact score, read from the long
        lists' impact prefixes (Fagin's threshold algorithm), or None when the prefixes run out
        first.

        Short lists are read whole; the long ones a little deeper each round, best postings
        first. Every record read is scored exactly; a record not read yet scores at most the
        sum, over the long lists, of the last value read from each. Once that sum is below the
        k-th best exact score, no unread record can enter the top k.
        """
        impact_starts = self.impact_ptr_[columns].astype(np.int64)
        depths = self.impact_ptr_[columns + 1].astype(np.int64) - impact_starts
        lengths = ends - starts
        # short lists are read at once; the others best first, a prefix at a time (a prefix
        # may hold its whole list)
        open_lists = np.flatnonzero(depths > 0)
        whole = np.flatnonzero(depths == 0)
        parts = [self._indices[starts[i] : ends[i]] for i in whole]
        bounds = factors.astype(np.float64)
        read = np.zeros(len(columns), dtype=np.int64)
        rows = np.zeros(0, dtype=np.int64)
        scores = np.zeros(0, dtype=np.float32)
        depth = FIRST_DEPTH
        # scoring a record read costs a binary search in every list: past this many records,
        # reading the lists whole is cheaper
        affordable = int(lengths.sum()) / (SEARCH_COST * len(columns))
        while True:
            coming = sum(min(depth, int(depths[i])) - int(read[i]) for i in open_lists)
            if len(rows) + coming > affordable and len(rows):
                return None
            for i in open_lists:
                upto = min(depth, int(depths[i]))
                first = int(impact_starts[i])
                parts.append(self._impact_rows[first + read[i] : first + upto])
                read[i] = upto
            new = np.unique(np.concatenate(parts)).astype(np.int64) if parts else rows[:0]
            parts = []
            if len(rows):
                new = new[~_sorted_member(rows, new)]
            if len(new):
                merged = np.concatenate((rows, new))
                order = np.argsort(merged, kind="stable")
                rows = merged[order]
                scores = np.concatenate((scores, self._exact(new, weights)))[order]
            unread = 0.0
            for i in open_lists:
                if read[i] < lengths[i]:  # what is left of this list is worth at most this
                    last = self._impact_values[int(impact_starts[i]) + int(read[i]) - 1]
                    unread += float(bounds[i]) * float(last)
            if unread == 0.0:
                return rows, scores  # every list read to its end
            threshold = kth_largest(scores, k)
            if threshold > 0 and unread < threshold * SLACK:
                return rows, scores
            if all(read[i] >= depths[i] for i in open_lists):
                return None  # the prefixes are spent: prune the whole lists instead
            depth *= DEPTH_GROWTH

    def _pruned(
        self,
        columns: np.ndarray,
        factors: np.ndarray,
        starts: np.ndarray,
        ends: np.ndarray,
        accumulator: np.ndarray,
        seen: np.ndarray,
        k: int,
    ) -> np.ndarray:
        """The records that may be in the top ``k`` (every one that is), by MaxScore with
        block maxima (see the module docstring)."""
        bounds = factors.astype(np.float64) * QUANT_LEVELS
        order = np.argsort(-bounds, kind="stable")
        suffix = np.zeros(len(order) + 1)
        suffix[:-1] = np.cumsum(bounds[order][::-1])[::-1]
        total = float(suffix[0])
        parts: list[np.ndarray] = []
        seen_count = 0
        threshold = 0.0
        added_since = 0  # postings added since the threshold was last raised from them
        step = 0
        while step < len(order):
            term = order[step]
            start, end = int(starts[term]), int(ends[term])
            if end - start >= LONG_LIST:
                # raising the threshold costs a pass over the records seen: only when enough
                # has been added since the last time for it to have moved
                if seen_count >= k and 4 * added_since >= seen_count:
                    parts = [np.concatenate(parts)]
                    threshold = max(threshold, kth_largest(accumulator[parts[0]], k))
                    added_since = 0
                threshold = max(
                    threshold, self._block_seed(int(columns[term]), factors[term], start, end, k)
                )
                if threshold > 0 and suffix[step] < threshold * SLACK:
                    break  # no record unseen so far can reach the top k
            if threshold > 0 and end - start >= LONG_LIST:
                positions = self._kept_postings(
                    int(columns[term]), factors[term], start, end, total - bounds[term], threshold
                )
                rows = self._indices[positions]
                values = self._data[positions]
            else:
                rows = self._indices[start:end]
                values = self._data[start:end]
            accumulator[rows] += factors[term] * values
            added_since += len(rows)
            new = rows[~seen[rows]]
            seen[new] = True
            parts.append(new)
            seen_count += len(new)
            step += 1
        candidates = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)
        partial = accumulator[candidates]
        if len(candidates) > k:
            threshold = max(threshold, kth_largest(partial, k))
        alive = candidates[partial + suffix[step] >= threshold * SLACK]
        for later in range(step, len(order)):
            term = order[later]
            start, end = int(starts[term]), int(ends[term])
            listed = self._indices[start:end]
            positions = np.searchsorted(listed, alive)
            found = np.flatnonzero(positions < len(listed))
            found = found[listed[positions[found]] == alive[found]]
            accumulator[alive[found]] += factors[term] * self._data[start + positions[found]]
            partial = accumulator[alive]
            if len(alive) > k:
                threshold = max(threshold, kth_largest(partial, k))
            alive = alive[partial + suffix[later + 1] >= threshold * SLACK]
        survivors: np.ndarray = alive.astype(np.int64)
        return survivors

    def _block_seed(self, column: int, factor: float, start: int, end: int, k: int) -> float:
        """A lower bound of the k-th best score: the k-th best value of this term in its best
        blocks (each is a real record's partial score)."""
        if end - start < k:
            return 0.0
        first, last = int(self.block_ptr_[column]), int(self.block_ptr_[column + 1])
        maxima = self.block_max_[first:last]
        wanted = -(-k // BLOCK) + 1
        best = np.argsort(-maxima.astype(np.int64), kind="stable")[:wanted]
        positions = _block_positions(best, start, end)
        values = self._data[positions]
        if len(values) < k:
            return 0.0
        return float(factor) * float(np.partition(values, len(values) - k)[len(values) - k])

    def _kept_postings(
        self,
        column: int,
        factor: float,
        start: int,
        end: int,
        others: float,
        threshold: float,
    ) -> np.ndarray:
        """Positions of the postings of ``column`` in blocks that can still reach ``threshold``."""
        first, last = int(self.block_ptr_[column]), int(self.block_ptr_[column + 1])
        maxima = self.block_max_[first:last].astype(np.float64) * float(factor)
        kept = np.flatnonzero(maxima + others >= threshold * SLACK)
        if len(kept) == last - first:
            return np.arange(start, end, dtype=np.int64)
        return _block_positions(kept, start, end)


def kth_largest(values: np.ndarray, k: int) -> float:
    """The k-th largest of ``values`` (0 when there are fewer)."""
    if len(values) < k:
        return 0.0
    return float(np.partition(values, len(values) - k)[len(values) - k])


def _sorted_member(haystack: np.ndarray, needles: np.ndarray) -> np.ndarray:
    """For each of ``needles``, whether it is in ``haystack`` (sorted)."""
    positions = np.searchsorted(haystack, needles)
    inside = positions < len(haystack)
    found = np.zeros(len(needles), dtype=bool)
    found[inside] = haystack[positions[inside]] == needles[inside]
    return found


def _block_positions(blocks: np.ndarray, start: int, end: int) -> np.ndarray:
    """Posting positions covered by the given block numbers of a list [start, end)."""
    if not len(blocks):
        return np.zeros(0, dtype=np.int64)
    firsts = start + BLOCK * blocks.astype(np.int64)
    sizes = np.minimum(firsts + BLOCK, end) - firsts
    offsets = np.repeat(firsts - np.cumsum(sizes) + sizes, sizes)
    positions: np.ndarray = offsets + np.arange(int(sizes.sum()), dtype=np.int64)
    return positions


def seen_rows(
    seen: np.ndarray, scorer: PrunedScoring, starts: np.ndarray, ends: np.ndarray
) -> np.ndarray:
    """The distinct rows of a few short posting lists (cheaper than a scan of ``seen``)."""
    rows = np.concatenate([scorer._indices[s:e] for s, e in zip(starts, ends, strict=True)])
    return np.unique(rows).astype(np.int64)
