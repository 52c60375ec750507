"""Search synonyms: groups of words a searcher may use for the same thing.

The list lives in ``synonyms.yaml`` next to the records (the shipped corpus has one; a corpus of
your own may carry its own, else the shipped list is used). A query containing one member of a
group is also matched against the other members, at a lower weight.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..errors import CorpusError
from .text import Analyzer, normalize, tokenize
from .word_lists import read_word_list, word_list_path

SYNONYMS_FILE = "synonyms.yaml"


@dataclass(frozen=True)
class Expansion:
    """One expansion applied to a query: what was found, what was added, and by what.

    ``via`` is ``"synonym"`` (the synonym list), ``"tag"`` (an entry term of a problem or tactic
    tag: ``added`` is the tag) or ``"thesaurus"`` (the general-English thesaurus).
    """

    found: str
    added: tuple[str, ...]
    via: str = "synonym"

    def __str__(self) -> str:
        return f"{self.found} → {', '.join(self.added)}"

    def to_dict(self) -> dict[str, object]:
        return {"found": self.found, "added": list(self.added), "via": self.via}


def synonyms_path(corpus_root: Path) -> Path | None:
    """The synonym list for a corpus: its own ``synonyms.yaml``, else the shipped one (if any)."""
    return word_list_path(corpus_root, SYNONYMS_FILE)


def load_synonyms(path: Path | None) -> list[list[str]]:
    """The groups of a synonym file (a YAML list of lists of phrases)."""
    if path is None:
        return []
    data = read_word_list(
        path,
        "synonym list",
        "It must be a YAML list of groups, e.g. - [package theft, porch pirates].",
    )
    if data is None:
        return []
    if not isinstance(data, list) or not all(isinstance(g, list) for g in data):
        raise CorpusError(
            f"{path}: the synonym list must be a list of groups, e.g. - [package theft, porch pirates]."
        )
    return [[str(member) for member in group if str(member).strip()] for group in data]


# Words whose loss from a phrase leaves its meaning whole ("breaking and entering", "crime
# prevention through environmental design").
FUNCTION_WORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "the",
        "of",
        "to",
        "in",
        "on",
        "for",
        "with",
        "by",
        "at",
        "or",
        "from",
        "into",
        "onto",
        "as",
        "through",
        "over",
        "under",
        "about",
        "against",
        "between",
        "within",
        "without",
        "per",
        "via",
        "their",
        "our",
        "your",
        "his",
        "her",
        "its",
    ]
)


def phrase_stems(phrase: str, analyzer: Analyzer) -> tuple[str, ...]:
    """The stemmed words of a listed phrase, or () when the analyser would drop one of its
    content words as a stop word, or when only one word of several would be left: "old bill"
    must not shrink to "old", nor "serious violence" to "violence", nor "the schemes" to
    "scheme", or the phrase would match every query with that one word."""
    words = tokenize(normalize(phrase))
    sequence = analyzer.sequence(phrase)
    content = [w for w in words if w not in FUNCTION_WORDS]
    if len(sequence) < len(content):
        return ()
    if len(sequence) == 1 and len(words) > 1:
        # "the schemes" (Scottish housing estates) would shrink to every "scheme"
        return ()
    return tuple(sequence)


class PhraseTable:
    """Listed phrases (entries whose ``field`` holds their stems, space-separated, as written by
    ``phrase_stems``), found in a query by looking up the word runs the query holds rather than
    testing every entry."""

    def __init__(self, entries: Sequence[Sequence[Any]], field: int) -> None:
        self.entries = entries
        self._field = field
        self._by_stems: dict[tuple[str, ...], list[int]] | None = None
        self._longest = 0

    def __len__(self) -> int:
        return len(self.entries)

    def _positions(self) -> dict[tuple[str, ...], list[int]]:
        if self._by_stems is None:  # built on first use: browsing commands never need it
            self._by_stems = {}
            for position, entry in enumerate(self.entries):
                key = tuple(str(entry[self._field]).split())
                self._by_stems.setdefault(key, []).append(position)
            self._longest = max((len(key) for key in self._by_stems), default=0)
        return self._by_stems

    def found_in(
        self, query_text: str, analyzer: Analyzer
    ) -> tuple[list[Sequence[Any]], set[tuple[str, ...]]]:
        """The entries found in ``query_text`` (in their listed order) and the query's word runs."""
        positions = self._positions()
        if not positions:
            return [], set()
        present = present_sequences(analyzer.sequence(query_text), self._longest)
        found = sorted(i for key in present for i in positions.get(key, ()))
        return [self.entries[i] for i in found], present


def present_sequences(sequence: list[str], longest: int) -> set[tuple[str, ...]]:
    """Every run of 1 to ``longest`` consecutive terms of an analysed text."""
    return {
        tuple(sequence[i : i + n])
        for n in range(1, longest + 1)
        for i in range(len(sequence) - n + 1)
    }


@lru_cache(maxsize=8)
def _analyzed_groups(
    groups: tuple[tuple[str, ...], ...], analyzer: Analyzer
) -> list[list[tuple[str, tuple[str, ...]]]]:
    """Each group's members with their stemmed word sequences (computed once per list); a member
    that ``phrase_stems`` refuses ("con artists" would shrink to "artists") cannot trigger its
    group, though the others still add it."""
    return [[(member, phrase_stems(member, analyzer)) for member in group] for group in groups]


def expand(query_text: str, groups: list[list[str]], analyzer: Analyzer) -> list[Expansion]:
    """The expansions that apply to ``query_text``: for each group with a member in the query,
    the other members (those that do not already appear in the query).

    The query's word sequences are collected once, so a 50-page draft costs one pass, not one
    pass per synonym.
    """
    analyzed = _analyzed_groups(tuple(tuple(group) for group in groups), analyzer)
    longest = max((len(seq) for group in analyzed for _, seq in group), default=0)
    present = present_sequences(analyzer.sequence(query_text), longest)
    expansions = []
    for group in analyzed:
        found = [member for member, seq in group if seq and seq in present]
        if not found:
            continue
        added = tuple(
            member
            for member, seq in group
            if seq not in present and (seq or analyzer.sequence(member))
        )
        if added:
            expansions.append(Expansion(found=max(found, key=len), added=added))
    return expansions
