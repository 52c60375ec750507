"""Programs similar to a record or to a draft proposal, with the themes they share.

Similarity is the cosine of TF-IDF vectors blended with the cosine in a latent semantic (LSA)
space, which helps when two texts describe the same thing in different words. The blend weight
was chosen on the evaluation in ``eval/drafts.yaml`` and ``eval/pairs.yaml`` (see the README).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from .corpus import ID_PATTERN
from .errors import QueryError, RecordNotFoundError
from .explain import best_snippet, collapse_terms, display_term
from .filters import Filters
from .hits import Hit, SearchResults
from .model import Program
from .synonyms import Expansion, expand

if TYPE_CHECKING:
    from .drafts import CheckItem, Gaps
    from .index import ProgramIndex

#: Share of the LSA cosine in the blended score (0 = TF-IDF only).
LSA_WEIGHT = 0.15
SHARED_TERMS = 6
DRAFT_SYNONYM_WEIGHT = 0.5


class SimilarResults(SearchResults):
    """Hits most like a record (``source``) or a draft (``draft_words`` > 0), with the gaps
    report and criteria checklist for a draft."""

    def __init__(
        self,
        hits: Iterable[Hit] = (),
        *,
        source: Program | None = None,
        draft_words: int = 0,
        gaps: Gaps | None = None,
        checklist: Iterable[CheckItem] = (),
        notices: Iterable[str] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(hits, **kwargs)
        self.source = source
        self.draft_words = draft_words
        self.gaps = gaps
        self.checklist = list(checklist)
        self.notices = list(notices)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: what was compared, the hits (with ``shared_terms``), gaps and checklist."""
        data: dict[str, Any] = {}
        if self.source is not None:
            data["source"] = {"id": self.source.id, "title": self.source.title}
        else:
            data["source"] = {"draft_words": self.draft_words}
        data["hits"] = self.to_dicts()
        if self.gaps is not None:
            data["gaps"] = self.gaps.to_dict()
            data["checklist"] = [item.to_dict() for item in self.checklist]
        if self.expansions:
            data["expansions"] = [str(e) for e in self.expansions]
        if self.notices:
            data["notices"] = self.notices
        return data

    def _repr_html_(self) -> str:
        import html

        from .hits import hits_html

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

    def __repr__(self) -> str:
        what = self.source.id if self.source is not None else f"a draft of {self.draft_words} words"
        lines = [f"<SimilarResults {len(self)} programs like {what}>"]
        lines.extend(f"  {hit!r}" for hit in self)
        return "\n".join(lines)


def row_weights(index: ProgramIndex, row: int) -> dict[int, float]:
    """A record's own (unit-length) TF-IDF vector, as column -> weight."""
    start, end = index.row_indptr_[row], index.row_indptr_[row + 1]
    columns = index.row_indices_[start:end]
    values = index.row_data_[start:end]
    return {int(c): float(v) for c, v in zip(columns, values, strict=True)}


def draft_weights(index: ProgramIndex, text: str) -> tuple[dict[int, float], list[Expansion]]:
    """The unit TF-IDF vector of a draft, synonyms of its words added at a lower weight."""
    expansions = expand(text, index.synonyms, index.analyzer)
    extra = [(member, DRAFT_SYNONYM_WEIGHT) for e in expansions for member in e.added]
    return index.query_weights(text, extra), expansions


def blended_scores(
    index: ProgramIndex, weights: Mapping[int, float], lsa_weight: float = LSA_WEIGHT
) -> np.ndarray:
    """TF-IDF cosine of every record with ``weights``, blended with the LSA cosine when built."""
    return index.blended_scores(weights, lsa_weight)


def _shared(index: ProgramIndex, weights: Mapping[int, float], row: int) -> list[tuple[str, float]]:
    """(term, contribution) of the terms a record shares with ``weights``, largest first."""
    start, end = index.row_indptr_[row], index.row_indptr_[row + 1]
    shared = []
    for column, value in zip(
        index.row_indices_[start:end], index.row_data_[start:end], strict=True
    ):
        weight = weights.get(int(column))
        if weight:
            shared.append((index.terms_[int(column)], weight * float(value)))
    shared.sort(key=lambda item: (-item[1], item[0]))
    return shared


def _hit(
    index: ProgramIndex, row: int, rank: int, score: float, weights: Mapping[int, float]
) -> Hit:
    shared = _shared(index, weights, row)
    snippet, highlights = best_snippet(index.programs[row].body, dict(shared[:20]), index.analyzer)
    shown = [(display_term(term, index.surface_), value) for term, value in shared]
    # Bare numbers ("2019", "300") say little about what two programs share.
    themes = collapse_terms(term for term, _ in shown if not _is_number(term))[:SHARED_TERMS]
    return Hit(
        program=index.programs[row],
        score=min(1.0, max(0.0, score)),
        rank=rank,
        snippet=snippet,
        highlights=highlights,
        contributions=tuple(shown[:SHARED_TERMS]),
        shared_terms=tuple(themes),
    )


def _is_number(term: str) -> bool:
    return term.replace(",", "").replace(".", "").replace(" ", "").isdigit()


def looks_like_id(text: str) -> bool:
    """True for a single token of the record-id form (``goldstein-2022-...``)."""
    return bool(ID_PATTERN.match(text.strip())) and "-" in text and " " not in text.strip()


def similar(
    index: ProgramIndex,
    record_id_or_text: str,
    *,
    limit: int = 10,
    filters: Filters | None = None,
    lsa_weight: float = LSA_WEIGHT,
    **criteria: Any,
) -> SimilarResults:
    """The records most like a record (given its id) or a draft text, best first.

    For a draft the result also carries ``gaps`` (distinctive terms and themes of the nearest
    winners that the draft never mentions) and a ``checklist`` against the award criteria.
    ``lsa_weight`` is the share of the latent-semantic cosine in the score (0: TF-IDF only).
    """
    from .drafts import MAX_DRAFT_CHARS, check_criteria, find_gaps

    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise QueryError(f"limit must be a whole number of at least 1, got {limit!r}.")
    active = filters if filters is not None else Filters(**criteria)
    mask = index.filter_mask(active)
    text = record_id_or_text or ""
    if looks_like_id(text):
        try:
            source = index.get(text.strip())
        except RecordNotFoundError:
            raise
        row = index.row_of(source.id)
        assert row is not None  # get() found it
        weights = row_weights(index, row)
        mask[row] = False
        scores = blended_scores(index, weights, lsa_weight)
        rows = index.top_rows(scores, mask, limit)
        hits = [_hit(index, r, rank, float(scores[r]), weights) for rank, r in enumerate(rows, 1)]
        return SimilarResults(hits, source=source, filters=active, query=source.id)
    if not text.strip():
        raise QueryError(
            'The draft is empty: give a record id, --text "...", --file PATH or - for standard input.'
        )
    notices = []
    if len(text) > MAX_DRAFT_CHARS:
        notices.append(
            f"The draft has {len(text):,} characters; only the first {MAX_DRAFT_CHARS:,} were compared."
        )
        text = text[:MAX_DRAFT_CHARS]
    weights, expansions = draft_weights(index, text)
    words = len(index.analyzer.words(text))
    if not weights:
        return SimilarResults(
            draft_words=words,
            filters=active,
            note="The draft shares no indexed word with any program.",
            notices=notices,
        )
    scores = blended_scores(index, weights, lsa_weight)
    rows = index.top_rows(scores, mask, limit)
    hits = [_hit(index, r, rank, float(scores[r]), weights) for rank, r in enumerate(rows, 1)]
    return SimilarResults(
        hits,
        draft_words=words,
        gaps=find_gaps(index, text, weights, rows),
        checklist=check_criteria(text),
        expansions=expansions,
        filters=active,
        notices=notices,
        query=text[:80],
    )


def similarity_matrix(index: ProgramIndex) -> tuple[list[str], np.ndarray]:
    """Record ids and the n x n matrix of blended similarities between all records."""
    from .index import MATRIX_MAX_RECORDS

    n = len(index.programs)
    if n > MATRIX_MAX_RECORDS:
        raise QueryError(
            f"A similarity matrix of {n:,} records would need {n * n * 4 / 1e9:.0f} GB; "
            f"it is offered up to {MATRIX_MAX_RECORDS:,} records. Use similar() per record instead."
        )
    matrix = np.zeros((n, n), dtype=np.float32)
    for row in range(n):
        matrix[row] = blended_scores(index, row_weights(index, row))
    symmetric: np.ndarray = (matrix + matrix.T) / 2  # the blend is symmetric up to rounding
    np.fill_diagonal(symmetric, 1.0)
    return [p.id for p in index.programs], symmetric
