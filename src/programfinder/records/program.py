"""The typed record of one award-winning program."""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .awards import award_short_name, award_slug

#: How each evaluation value reads beside a hit ("none reported" alone would read as if no
#: outcomes were reported, which the outcome count says separately).
EVIDENCE_LABELS = {"none reported": "effect not measured"}


@dataclass(frozen=True, slots=True)
class Outcome:
    """One measured result, with the figure kept exactly as the source states it."""

    measure: str
    value: str


@dataclass(frozen=True, slots=True)
class Program:
    """One award-winning (or finalist) crime-prevention program from the corpus.

    Example:
        >>> from programfinder import load_corpus
        >>> denver = load_corpus().get("iacp-crime-prevention-2021-denver-pd")
        >>> denver.agency
        'Denver Police Department'
    """

    id: str
    title: str
    agency: str
    country: str
    award: str
    award_year: int
    body: str
    city: str | None = None
    region: str | None = None
    category: str | None = None
    division: str | None = None
    problem: tuple[str, ...] = ()
    tactics: tuple[str, ...] = ()
    partners: tuple[str, ...] = ()
    outcomes: tuple[Outcome, ...] = ()
    started: int | None = None
    source_url: str | None = None
    other_sources: tuple[str, ...] = ()
    related: tuple[str, ...] = ()
    detail: str | None = None
    evaluation: str | None = None
    evaluator: str | None = None
    setting: tuple[str, ...] = ()
    population: int | None = None
    officers: int | None = None
    path: Path | None = field(default=None, compare=False)

    @property
    def is_brief(self) -> bool:
        """True for a record marked ``detail: brief``: its public description is short."""
        return self.detail == "brief"

    @property
    def tags(self) -> tuple[str, ...]:
        """Problem tags followed by tactic tags."""
        return self.problem + self.tactics

    @property
    def place(self) -> str:
        """City, region and country, as far as they are known: ``"Denver, Colorado, United States"``."""
        return ", ".join(part for part in (self.city, self.region, self.country) if part)

    @property
    def evaluation_text(self) -> str:
        """How the effect was measured, with the evaluator when known: ``"independent
        evaluation (Griffith University)"``; empty when the source does not say."""
        if not self.evaluation:
            return ""
        return f"{self.evaluation} ({self.evaluator})" if self.evaluator else self.evaluation

    @property
    def evidence(self) -> str:
        """Whether outcomes were reported and how the effect was measured, at a glance:
        ``"agency figures · 3 outcomes reported"``, ``"effect not measured · no outcomes
        reported"``; only the outcomes when the sources do not say how."""
        count = len(self.outcomes)
        outcomes = (
            "no outcomes reported"
            if not count
            else f"{count} outcome{'s' if count != 1 else ''} reported"
        )
        measured = EVIDENCE_LABELS.get(self.evaluation or "", self.evaluation or "")
        return f"{measured} · {outcomes}" if measured else outcomes

    @property
    def award_slug(self) -> str:
        """The award's short folder name, e.g. ``"goldstein"``."""
        return award_slug(self.award)

    @property
    def award_short(self) -> str:
        """A short label for the award, for narrow columns."""
        return award_short_name(self.award)

    def summary(self) -> dict[str, Any]:
        """The fields a listing or a hit shows, JSON-ready."""
        return {
            "id": self.id,
            "title": self.title,
            "agency": self.agency,
            "place": self.place,
            "country": self.country,
            "award": self.award,
            "award_year": self.award_year,
            "category": self.category,
            "problem": list(self.problem),
            "tactics": list(self.tactics),
            "evaluation": self.evaluation,
            "setting": list(self.setting),
            "outcomes_reported": len(self.outcomes),
            "evidence": self.evidence,
            "brief": self.is_brief,
            "source_url": self.source_url,
        }

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict of every field (``path`` as a string, ``place`` added)."""
        return {
            "id": self.id,
            "title": self.title,
            "agency": self.agency,
            "city": self.city,
            "region": self.region,
            "country": self.country,
            "place": self.place,
            "award": self.award,
            "award_year": self.award_year,
            "category": self.category,
            "division": self.division,
            "problem": list(self.problem),
            "tactics": list(self.tactics),
            "partners": list(self.partners),
            "outcomes": [{"measure": o.measure, "value": o.value} for o in self.outcomes],
            "started": self.started,
            "source_url": self.source_url,
            "other_sources": list(self.other_sources),
            "related": list(self.related),
            "detail": self.detail,
            "evaluation": self.evaluation,
            "evaluator": self.evaluator,
            "setting": list(self.setting),
            "population": self.population,
            "officers": self.officers,
            "description": self.body,
            "path": str(self.path) if self.path else None,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Program:
        """The record of a dict written by ``to_dict`` (``description`` or ``body`` for the text)."""
        return cls(
            id=data["id"],
            title=data["title"],
            agency=data["agency"],
            country=data["country"],
            award=data["award"],
            award_year=int(data["award_year"]),
            body=data["body"] if "body" in data else data["description"],
            city=data.get("city"),
            region=data.get("region"),
            category=data.get("category"),
            division=data.get("division"),
            problem=tuple(data.get("problem", ())),
            tactics=tuple(data.get("tactics", ())),
            partners=tuple(data.get("partners", ())),
            outcomes=tuple(Outcome(o["measure"], o["value"]) for o in data.get("outcomes", ())),
            started=data.get("started"),
            source_url=data.get("source_url"),
            other_sources=tuple(data.get("other_sources", ())),
            related=tuple(data.get("related", ())),
            detail=data.get("detail"),
            evaluation=data.get("evaluation"),
            evaluator=data.get("evaluator"),
            setting=tuple(data.get("setting", ())),
            population=data.get("population"),
            officers=data.get("officers"),
            path=Path(data["path"]) if data.get("path") else None,
        )

    def __repr__(self) -> str:
        return f"<Program {self.id}: {self.title!r} ({self.agency}, {self.award_year})>"

    def _repr_html_(self) -> str:
        """A readable card for notebooks: heading, facts, outcomes, description, source."""
        esc = html.escape
        facts = [
            ("Agency", self.agency),
            ("Place", self.place),
            (
                "Award",
                f"{self.award}, {self.award_year}"
                + (f" ({self.category})" if self.category else ""),
            ),
            ("Problem", ", ".join(self.problem)),
            ("Tactics", ", ".join(self.tactics)),
            ("Partners", "; ".join(self.partners)),
            ("Evaluation", self.evaluation_text),
            ("Setting", ", ".join(self.setting)),
            ("Detail", "brief record: the public description is short" if self.is_brief else ""),
        ]
        rows = "".join(
            f"<tr><th style='text-align:left'>{esc(k)}</th><td style='text-align:left'>{esc(v)}</td></tr>"
            for k, v in facts
            if v
        )
        outcomes = "".join(
            f"<li>{esc(o.measure)}: <b>{esc(o.value)}</b></li>" for o in self.outcomes
        )
        body = "".join(f"<p>{esc(' '.join(p.split()))}</p>" for p in self.body.split("\n\n"))
        source = f"<p><small>Source: {esc(self.source_url)}</small></p>" if self.source_url else ""
        return (
            f"<div><h4>{esc(self.title)} <code>{esc(self.id)}</code></h4><table>{rows}</table>"
            + (f"<ul>{outcomes}</ul>" if outcomes else "")
            + body
            + source
            + "</div>"
        )
