"""Search and similarity results: a ``Hit`` carries everything an output needs."""

from __future__ import annotations

import html
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ..language.query import Correction
from ..language.synonyms import Expansion
from ..records.filters import Filters
from ..records.program import Program


@dataclass(frozen=True)
class Match:
    """One matched term of a hit and how the query reached it.

    ``via`` is ``"typed"`` (the user's own word, or its spelling fix), ``"synonym"`` (the
    synonym list), ``"tag"`` (an entry term of a problem or tactic tag) or ``"thesaurus"`` (the
    general-English thesaurus); ``found`` is the typed word or phrase that led to the term.
    """

    term: str
    score: float
    via: str
    found: str = ""

    def __str__(self) -> str:
        return self.term if self.via == "typed" else f"{self.term} ({self.via}: {self.found})"

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"term": self.term, "via": self.via, "score": round(self.score, 4)}
        if self.via != "typed":
            data["from"] = self.found
        return data


@dataclass(frozen=True)
class Hit:
    """One program found by a search or a similarity query, with why it was found.

    ``score`` is the cosine similarity in [0, 1]; ``matched_terms`` the query terms found in the
    record, strongest first; ``snippet`` the sentence of the description that best matches, with
    ``highlights`` as (start, end) offsets of matched words in it; ``contributions`` each term's
    share of the score (they add up to ``score``); ``matches`` each matched term with how the
    query reached it (as typed, or through a synonym, a tag's entry term or the thesaurus).
    ``meaning`` is the share of the score that came from meaning (None when the index reads no
    meaning), ``passage`` the record's passage closest in meaning to the query, and ``weak`` says
    that the hit is a weaker match (``retrieval.hybrid``).
    """

    program: Program
    score: float
    rank: int
    matched_terms: tuple[str, ...] = ()
    snippet: str = ""
    highlights: tuple[tuple[int, int], ...] = ()
    contributions: tuple[tuple[str, float], ...] = ()
    shared_terms: tuple[str, ...] = ()
    matches: tuple[Match, ...] = ()
    meaning: float | None = None
    passage: str = ""
    weak: bool = False

    @property
    def id(self) -> str:
        return self.program.id

    @property
    def title(self) -> str:
        return self.program.title

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: the record's key fields plus score, snippet and matched terms."""
        data: dict[str, Any] = {"rank": self.rank, "score": round(self.score, 4)}
        data.update(self.program.summary())
        data["snippet"] = self.snippet
        data["matched_terms"] = list(self.matched_terms)
        data["contributions"] = {term: round(value, 4) for term, value in self.contributions}
        if self.matches:
            data["matches"] = [match.to_dict() for match in self.matches]
        if self.shared_terms:
            data["shared_terms"] = list(self.shared_terms)
        if self.meaning is not None:
            data["meaning"] = round(self.meaning, 4)
            data["passage"] = self.passage
            data["weak"] = self.weak
        return data

    def __repr__(self) -> str:
        return (
            f"<Hit #{self.rank} {self.score:.3f} {self.program.id}: {self.program.title!r} "
            f"({self.program.agency}, {self.program.award_year})>"
        )

    def _repr_html_(self) -> str:
        return hits_html([self])


class SearchResults(list[Hit]):
    """The hits of one query (best first), plus how the query was read.

    It is a plain list of ``Hit`` objects; the extra attributes say which spelling corrections
    and synonym expansions were applied, and ``note`` explains an empty result.
    """

    def __init__(
        self,
        hits: Iterable[Hit] = (),
        *,
        query: str = "",
        corrections: Iterable[Correction] = (),
        expansions: Iterable[Expansion] = (),
        phrases: Iterable[str] = (),
        excluded: Iterable[str] = (),
        filters: Filters | None = None,
        note: str = "",
        total: int | None = None,
        weaker: int = 0,
    ) -> None:
        super().__init__(hits)
        self.query = query
        self.corrections = list(corrections)
        self.expansions = list(expansions)
        self.phrases = list(phrases)
        self.excluded = list(excluded)
        self.filters = filters or Filters()
        self.note = note
        self.total = len(self) if total is None else total
        self.weaker = weaker  # weaker matches beyond ``total`` (see retrieval.hybrid)

    def reading(self) -> dict[str, Any]:
        """How the query was read and what it matched, as the keywords that make another result
        of the same search (``SearchResults(other_hits, **results.reading())``)."""
        return {
            "query": self.query,
            "corrections": self.corrections,
            "expansions": self.expansions,
            "phrases": self.phrases,
            "excluded": self.excluded,
            "filters": self.filters,
            "note": self.note,
            "total": self.total,
            "weaker": self.weaker,
        }

    def to_dicts(self) -> list[dict[str, Any]]:
        """Each hit as a JSON-ready dict."""
        return [hit.to_dict() for hit in self]

    def to_frame(self) -> Any:
        """The hits as a pandas DataFrame (needs the ``notebook`` extra)."""
        import pandas as pd

        rows = []
        for hit in self:
            row = hit.to_dict()
            row["matched_terms"] = ", ".join(row["matched_terms"])
            row.pop("contributions", None)
            row.pop("matches", None)
            rows.append(row)
        return pd.DataFrame(rows)

    def __repr__(self) -> str:
        lines = [f"<SearchResults {len(self)} hits for {self.query!r}>"]
        lines.extend(f"  {hit!r}" for hit in self)
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        return hits_html(self)


def hits_html(hits: Iterable[Hit]) -> str:
    """A small HTML table of hits, with the snippet's matched words in bold (for notebooks)."""
    rows = []
    for hit in hits:
        snippet = _highlighted_html(hit.snippet, hit.highlights)
        terms = html.escape(", ".join(hit.matched_terms or hit.shared_terms))
        rows.append(
            "<tr>"
            f"<td>{hit.rank}</td><td>{hit.score:.3f}</td>"
            f"<td><b>{html.escape(hit.program.title)}</b>"
            + (" <i>(brief record)</i>" if hit.program.is_brief else "")
            + f"<br><code>{html.escape(hit.id)}</code></td>"
            f"<td>{html.escape(hit.program.agency)}<br>{html.escape(hit.program.place)}</td>"
            f"<td>{hit.program.award_year}</td>"
            f"<td>{snippet}<br><small>{terms}</small></td>"
            "</tr>"
        )
    head = (
        "<tr><th>#</th><th>score</th><th>program</th><th>agency / place</th><th>year</th>"
        "<th>why</th></tr>"
    )
    return f"<table>{head}{''.join(rows)}</table>"


def _highlighted_html(text: str, spans: Iterable[tuple[int, int]]) -> str:
    out, last = [], 0
    for start, end in sorted(spans):
        out.append(html.escape(text[last:start]))
        out.append(f"<b>{html.escape(text[start:end])}</b>")
        last = end
    out.append(html.escape(text[last:]))
    return "".join(out)


class SimilarResults(SearchResults):
    """Hits most like a record (``source``) or a text (``draft_words`` > 0).

    A draft's report (what the closest winners show that it does not, and the award criteria
    checklist) is ``drafts.DraftComparison``, a ``SimilarResults`` with those added.
    """

    def __init__(
        self,
        hits: Iterable[Hit] = (),
        *,
        source: Program | None = None,
        draft_words: int = 0,
        notices: Iterable[str] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(hits, **kwargs)
        self.source = source
        self.draft_words = draft_words
        self.notices = list(notices)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: what was compared and the hits (with ``shared_terms``)."""
        data: dict[str, Any] = {}
        if self.source is not None:
            data["source"] = {"id": self.source.id, "title": self.source.title}
        else:
            data["source"] = {"draft_words": self.draft_words}
        data["hits"] = self.to_dicts()
        data.update(self._report_dict())
        if self.expansions:
            data["expansions"] = [str(e) for e in self.expansions]
        if self.notices:
            data["notices"] = self.notices
        return data

    def _report_dict(self) -> dict[str, Any]:
        """What a subclass adds between the hits and the expansions in ``to_dict``."""
        return {}

    def __repr__(self) -> str:
        what = self.source.id if self.source is not None else f"a draft of {self.draft_words} words"
        lines = [f"<SimilarResults {len(self)} programs like {what}>"]
        lines.extend(f"  {hit!r}" for hit in self)
        return "\n".join(lines)
