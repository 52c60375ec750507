"""A draft compared with the winners: the closest programs, what they show that the draft does
not, and what the draft contains for each award criterion."""

from __future__ import annotations

import html
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from ..index.scoring import LSA_WEIGHT
from ..records.corpus import shipped_corpus_path
from ..records.filters import Filters
from ..records.parse import load_vocabulary
from ..retrieval.hits import SimilarResults, hits_html
from ..retrieval.program_index import MAX_DRAFT_CHARS, ProgramIndex
from .checklist import CheckItem, check_criteria
from .gaps import Gaps, find_gaps, themes_covered
from .meaning_checklist import check_criteria_by_meaning


class DraftComparison(SimilarResults):
    """The programs most like a draft, with the ``gaps`` report (themes and distinctive words of
    the closest winners that the draft never mentions) and the award criteria ``checklist``.

    ``gaps`` is None when the draft shares no indexed word with any program."""

    def __init__(
        self,
        results: SimilarResults,
        *,
        gaps: Gaps | None = None,
        checklist: Iterable[CheckItem] = (),
    ) -> None:
        super().__init__(
            results,
            draft_words=results.draft_words,
            notices=results.notices,
            **results.reading(),
        )
        self.gaps = gaps
        self.checklist = list(checklist)

    def _report_dict(self) -> dict[str, Any]:
        if self.gaps is None:
            return {}
        return {
            "gaps": self.gaps.to_dict(),
            "checklist": [item.to_dict() for item in self.checklist],
        }

    def _repr_html_(self) -> str:
        parts = [hits_html(self)]
        if self.gaps is not None:
            esc = html.escape
            themes = ", ".join(f"{t} ({n})" for t, n in self.gaps.themes[:8]) or "none"
            parts.append(
                "<h4>What the closest winners show that your draft does not</h4>"
                f"<p><b>Themes not mentioned:</b> {esc(themes)}<br>"
                f"<b>Distinctive words not used:</b> {esc(', '.join(self.gaps.terms)) or 'none'}</p>"
                "<h4>What your draft shows for the award criteria</h4><ul>"
            )
            for item in self.checklist:
                found = "; ".join(f"“{esc(e)}”" for e in item.evidence)
                status = (
                    found
                    if item.found
                    else f"<i>nothing found</i> (looked for {esc(item.looked_for)})"
                )
                parts.append(f"<li><b>{esc(item.criterion)}</b>: {status}</li>")
            parts.append("</ul>")
        return "".join(parts)


def compare_draft(
    index: ProgramIndex,
    text: str,
    *,
    limit: int = 10,
    filters: Filters | None = None,
    lsa_weight: float = LSA_WEIGHT,
    **criteria: Any,
) -> DraftComparison:
    """The programs most like the draft ``text``, best first, with its gaps and checklist.

    Example:
        >>> from programfinder import open_index
        >>> report = compare_draft(open_index(), "Volunteers keep parcels safe for residents.")
        >>> report.checklist[0].criterion  # doctest: +SKIP
        'Specific measures of success'
    """
    results = index.similar(text, limit=limit, filters=filters, lsa_weight=lsa_weight, **criteria)
    compared = text[:MAX_DRAFT_CHARS]
    weights, _ = index.draft_weights(compared)
    if not weights:
        return DraftComparison(results)
    rows = [row for row in (index.row_of(hit.id) for hit in results) if row is not None]
    gaps = find_gaps(index, compared, weights, rows)
    if not index.has_meaning:
        return DraftComparison(results, gaps=gaps, checklist=check_criteria(compared))
    # Themes the draft speaks of in other words are not gaps ("lockable parcel boxes" is target
    # hardening); the checklist judges each sentence by what it says.
    covered = themes_covered(compared, [tag for tag, _ in gaps.themes], _tag_meanings(index))
    gaps = replace(gaps, themes=tuple((t, n) for t, n in gaps.themes if t not in covered))
    return DraftComparison(results, gaps=gaps, checklist=check_criteria_by_meaning(compared))


def _tag_meanings(index: ProgramIndex) -> dict[str, str]:
    """Each tag's meaning from the corpus's vocabulary (the shipped one for a corpus without)."""
    root = index.corpus_root
    folder = root if root is not None and root.is_dir() else shipped_corpus_path()
    vocabulary, _ = load_vocabulary(folder)
    if vocabulary.is_empty:
        vocabulary, _ = load_vocabulary(shipped_corpus_path())
    return {**vocabulary.problem, **vocabulary.tactics}
