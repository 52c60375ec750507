"""What the nearest winners show that a draft does not: their distinctive terms and themes."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..index.scoring import Scorer
from ..retrieval.explain import display_term


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

    Names of agencies, places and partners are left out: a draft is not expected to share them.
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
        }
        for column, value in index.record_weights(row).items():
            term = index.terms_[int(column)]
            if int(column) in weights or term in draft_terms or term in names or term[:1].isdigit():
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


def _mentions(sequence: list[str], phrase: list[str]) -> bool:
    n = len(phrase)
    return n > 0 and any(sequence[i : i + n] == phrase for i in range(len(sequence) - n + 1))
