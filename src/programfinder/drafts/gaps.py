"""What the nearest winners show that a draft does not: their distinctive terms and themes."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..index.scoring import Scorer
from ..language.embedding import shared_encoder
from ..retrieval.explain import display_term
from .meaning_checklist import draft_sentences


@dataclass(frozen=True)
class Gaps:
    """What the nearest winners show that the draft does not mention."""

    programs: tuple[str, ...]
    terms: tuple[str, ...]
    themes: tuple[tuple[str, int], ...]  # (tag, how many of the nearest programs have it)

    def to_dict(self) -> dict[str, Any]:
        return {
            "compared_with": list(self.programs),
            "missing_terms": list(self.terms),
            "missing_themes": [{"theme": t, "programs": n} for t, n in self.themes],
        }


def find_gaps(
    index: Scorer,
    text: str,
    weights: Mapping[int, float],
    rows: Sequence[int],
    nearest: int = 3,
    n_terms: int = 10,
) -> Gaps:
    """Distinctive terms and tags of the ``nearest`` hits that never occur in the draft.

    Names of agencies, places, partners and people are left out (a draft is not expected to
    share them), and so are the words every record of an award scheme uses (``BOILERPLATE``).
    """
    rows = list(rows[:nearest])
    draft_terms = set(index.analyzer(text))
    draft_sequence = index.analyzer.sequence(text)
    totals: dict[str, float] = {}
    for row in rows:
        program = index.programs[row]
        names = {
            term
            for part in (
                program.agency,
                program.city,
                program.region,
                program.country,
                program.title,
                *program.partners,
            )
            if part
            for term in index.analyzer(part)
        } | _proper_nouns(program.body, index)
        for column, value in index.record_weights(row).items():
            term = index.terms_[int(column)]
            if (
                int(column) in weights
                or term in draft_terms
                or term in names
                or term[:1].isdigit()
                or any(word in BOILERPLATE for word in term.split(" "))
            ):
                continue
            totals[term] = totals.get(term, 0.0) + float(value)
    chosen: list[str] = []
    for term, _ in sorted(totals.items(), key=lambda item: (-item[1], item[0])):
        if any(term in other.split(" ") or other in term.split(" ") for other in chosen):
            continue  # "gang" adds nothing next to "gang violence"
        chosen.append(term)
        if len(chosen) == n_terms:
            break
    tag_counts: Counter[str] = Counter(tag for row in rows for tag in index.programs[row].tags)
    themes = tuple(
        (tag, count)
        for tag, count in tag_counts.most_common()
        if not _mentions(draft_sequence, index.analyzer.sequence(tag))
    )
    return Gaps(
        programs=tuple(index.programs[r].id for r in rows),
        terms=tuple(display_term(t, index.surface_) for t in chosen),
        themes=themes,
    )


#: Stems of words that say what kind of document a record is rather than what a program did.
BOILERPLATE = frozenset(
    {"award", "winner", "finalist", "prize", "program", "programm", "project", "nomin", "entri"}
)
# A word written with a capital inside a sentence is a name (a place, a person, a street).
_NAME = re.compile(r"(?<=[a-z,;] )[A-Z][a-z]+(?:[- ][A-Z][a-z]+)*")


def _proper_nouns(body: str, index: Scorer) -> set[str]:
    """The analysed terms of the names a record's description uses (capitalised mid-sentence)."""
    return {term for name in _NAME.findall(body) for term in index.analyzer(name)}


def _mentions(sequence: list[str], phrase: list[str]) -> bool:
    n = len(phrase)
    return n > 0 and any(sequence[i : i + n] == phrase for i in range(len(sequence) - n + 1))


#: A theme counts as covered when a sentence of the draft is at least this close in meaning to
#: the theme (its tag with the tag's meaning from the vocabulary); chosen on the blind dev half
#: of eval/report-*.yaml.
THEME_FIT = 0.35


def themes_covered(
    text: str, tags: Sequence[str], meanings: Mapping[str, str] | None = None
) -> set[str]:
    """The tags among ``tags`` that the draft speaks of, in the tag's words or in other words
    (a sentence close in meaning to "target hardening: locks, barriers, secure storage")."""
    found, vectors = draft_sentences(text)
    if not found or not tags:
        return set()
    described = [f"{tag}: {meanings.get(tag, '')}" if meanings else tag for tag in tags]
    fits = vectors @ shared_encoder(1).encode(described).T
    return {tag for tag, best in zip(tags, fits.max(axis=0), strict=True) if best >= THEME_FIT}
