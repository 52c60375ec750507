"""Facet counts of a search: how many of its matches fall in each award, country, decade,
problem tag and tactic tag, so that a page can offer each value as a link that narrows it.

The matches are those ``ProgramIndex.search`` counts in ``total``: the records that pass the
filters and the excluded terms, with a positive score for the query (``ProgramIndex.rank``, the
same reading of the query: spelling fixes and synonyms), holding every quoted phrase. Counts are
taken from the index's stored codes, without reading the records. On a very large corpus only
the best ``FACET_WINDOW`` matches are counted, and ``Facets.complete`` says so.

Example:
    >>> from programfinder import open_index
    >>> facets = search_facets(open_index(), "package theft")
    >>> facets.award[0].label, facets.award[0].count  # doctest: +SKIP
    ('IACP Leadership in Crime Prevention Award', 9)
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from ..language.query import parse_query
from ..records.awards import award_slug
from ..records.filters import EVALUATION_VALUES, SETTING_VALUES

if TYPE_CHECKING:
    from ..records.filters import Filters
    from .program_index import ProgramIndex

#: At most this many matches (best first) are counted.
FACET_WINDOW = 5_000
#: At most this many values per facet, most frequent first: awards, countries and decades are
#: few enough to list whole in a corpus of winners; tags are many, so only the most frequent.
FACET_SIZE = 40
TAG_FACET_SIZE = 15


@dataclass(frozen=True)
class FacetValue:
    """One value of a facet: what to show, what a filter takes to select it, how many match."""

    value: str
    label: str
    count: int

    def to_dict(self) -> dict[str, Any]:
        return {"value": self.value, "label": self.label, "count": self.count}


@dataclass(frozen=True)
class Facets:
    """Counts of the matches by award, country, decade, problem tag and tactic tag."""

    award: tuple[FacetValue, ...]
    country: tuple[FacetValue, ...]
    decade: tuple[FacetValue, ...]
    problem: tuple[FacetValue, ...]
    tactic: tuple[FacetValue, ...]
    evaluation: tuple[FacetValue, ...]
    setting: tuple[FacetValue, ...]
    counted: int
    complete: bool = True

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: each facet as a list of {value, label, count}."""
        data: dict[str, Any] = {
            name: [v.to_dict() for v in getattr(self, name)]
            for name in ("award", "country", "decade", "problem", "tactic", "evaluation", "setting")
        }
        data["counted"] = self.counted
        data["complete"] = self.complete
        return data


def matching_rows(
    index: ProgramIndex, query: str, filters: Filters, window: int = FACET_WINDOW
) -> tuple[np.ndarray, bool]:
    """Rows of the records a search for ``query`` with ``filters`` matches, best first, at most
    ``window`` of them; and whether that is all of them."""
    parsed = parse_query(query or "")
    mask = index.filter_mask(filters)
    for excluded in parsed.excluded:
        mask &= ~index.rows_with(excluded)
    if not parsed.text.strip():
        rows = np.flatnonzero(mask)
        return rows[:window], len(rows) <= window
    ranked = index.rank_rows(parsed.text, limit=max(1, len(index)), mask=mask)
    kept: list[int] = []
    for position, (row, _) in enumerate(ranked):
        if not mask[row]:
            continue
        if parsed.phrases and not all(
            index.contains_phrase(index.programs[row], phrase) for phrase in parsed.phrases
        ):
            continue
        kept.append(row)
        if len(kept) == window:
            return np.array(kept, dtype=np.int64), position == len(ranked) - 1
    return np.array(kept, dtype=np.int64), True


def search_facets(
    index: ProgramIndex,
    query: str,
    filters: Filters,
    *,
    window: int = FACET_WINDOW,
    size: int = FACET_SIZE,
) -> Facets:
    """Facet counts of the matches of ``query`` with ``filters`` (see the module's note)."""
    rows, complete = matching_rows(index, query, filters, window)
    return count_facets(index, rows, size=size, complete=complete)


def count_facets(
    index: ProgramIndex, rows: np.ndarray, *, size: int = FACET_SIZE, complete: bool = True
) -> Facets:
    """Facet counts of the records at ``rows``, from the index's stored codes."""
    n = len(index)
    award_counts = np.bincount(index.award_code_[rows], minlength=len(index.awards))
    country_counts = np.bincount(index.country_code_[rows], minlength=len(index.countries))
    decades = index.award_year_[rows].astype(np.int64) // 10 * 10
    decade_values, decade_counts = np.unique(decades, return_counts=True)
    selected = np.zeros(n, dtype=bool)
    selected[rows] = True
    owners = _tag_owners(index)
    tag_counts = np.bincount(index.tag_codes_[selected[owners]], minlength=len(index.tags))
    kinds = _TagKinds.of(index)
    problem: list[FacetValue] = []
    tactic: list[FacetValue] = []
    for code in _most_frequent(tag_counts, len(tag_counts)):
        tag = index.tags[code]
        target = problem if kinds.kind(code) == "problem" else tactic
        if len(target) < min(size, TAG_FACET_SIZE):
            target.append(FacetValue(tag, tag, int(tag_counts[code])))
    codes = index.evaluation_code_[rows].astype(np.int64)
    evaluation_counts = np.bincount(codes[codes >= 0], minlength=len(EVALUATION_VALUES))
    bits = index.setting_bits_[rows]
    setting_counts = np.array(
        [int(np.count_nonzero(bits & (1 << i))) for i in range(len(SETTING_VALUES))],
        dtype=np.int64,
    )
    slugs = [award_slug(name) for name in index.awards]
    return Facets(
        award=tuple(
            FacetValue(_award_value(code, slugs, index.awards), name, int(award_counts[code]))
            for code in _most_frequent(award_counts, size)
            for name in (index.awards[code],)
        ),
        country=tuple(
            FacetValue(index.countries[c], index.countries[c], int(country_counts[c]))
            for c in _most_frequent(country_counts, size)
        ),
        decade=tuple(
            FacetValue(str(int(d)), f"{int(d)}s", int(c))
            for d, c in sorted(zip(decade_values, decade_counts, strict=True), reverse=True)
        ),
        problem=tuple(problem),
        tactic=tuple(tactic),
        evaluation=tuple(
            FacetValue(EVALUATION_VALUES[c], EVALUATION_VALUES[c], int(evaluation_counts[c]))
            for c in _most_frequent(evaluation_counts, size)
        ),
        setting=tuple(
            FacetValue(SETTING_VALUES[c], SETTING_VALUES[c], int(setting_counts[c]))
            for c in _most_frequent(setting_counts, size)
        ),
        counted=len(rows),
        complete=complete,
    )


def _award_value(code: int, slugs: list[str], awards: list[str]) -> str:
    """The award's folder slug when it names this award alone, else its full name."""
    from ..records.filters import award_matches

    slug = slugs[code]
    if sum(award_matches(slug, name) for name in awards) == 1:
        return slug
    return awards[code]


def _most_frequent(counts: np.ndarray, size: int) -> list[int]:
    """Codes with a positive count, most frequent first (ties by code), at most ``size``."""
    codes = np.flatnonzero(counts)
    order = np.lexsort((codes, -counts[codes]))
    return [int(c) for c in codes[order][:size]]


_OWNERS: weakref.WeakKeyDictionary[Any, np.ndarray] = weakref.WeakKeyDictionary()


def _tag_owners(index: ProgramIndex) -> np.ndarray:
    """For each stored tag entry, the row of the record it belongs to (computed once per index)."""
    owners = _OWNERS.get(index)
    if owners is None:
        owners = np.repeat(np.arange(len(index)), np.diff(index.tag_indptr_))
        _OWNERS[index] = owners
    return owners


class _TagKinds:
    """Whether a tag is a problem or a tactic, looked up in one record that carries it (the index
    stores both kinds in one list) and remembered."""

    def __init__(self, index: ProgramIndex) -> None:
        self._index = weakref.ref(index)
        self._kinds: dict[int, str] = {}

    @classmethod
    def of(cls, index: ProgramIndex) -> _TagKinds:
        found = _KINDS.get(index)
        if found is None:
            found = cls(index)
            _KINDS[index] = found
        return found

    def kind(self, code: int) -> str:
        if code not in self._kinds:
            index = self._index()
            assert index is not None  # the index owns this object's lifetime
            entry = int(np.argmax(index.tag_codes_ == code))
            row = int(np.searchsorted(index.tag_indptr_, entry, side="right")) - 1
            tag = index.tags[code]
            problems = {t.casefold().strip() for t in index.programs[row].problem}
            self._kinds[code] = "problem" if tag in problems else "tactic"
        return self._kinds[code]


_KINDS: weakref.WeakKeyDictionary[Any, _TagKinds] = weakref.WeakKeyDictionary()
