"""Counts that show the breadth of a corpus: by award, year, decade, country, tag, how the effect
was measured and the setting."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from .program import Program


@dataclass(frozen=True)
class CorpusStats:
    """How many records there are, broken down several ways (most frequent first)."""

    records: int
    by_award: list[tuple[str, int]]
    by_year: list[tuple[int, int]]
    by_decade: list[tuple[str, int]]
    by_country: list[tuple[str, int]]
    by_problem: list[tuple[str, int]]
    by_tactic: list[tuple[str, int]]
    by_category: list[tuple[str, int]]
    by_evaluation: list[tuple[str, int]]
    by_setting: list[tuple[str, int]]
    brief: int

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict; each breakdown is a mapping in display order."""
        return {
            "records": self.records,
            "awards": len(self.by_award),
            "countries": len(self.by_country),
            "by_award": dict(self.by_award),
            "by_year": {str(year): n for year, n in self.by_year},
            "by_decade": dict(self.by_decade),
            "by_country": dict(self.by_country),
            "by_problem": dict(self.by_problem),
            "by_tactic": dict(self.by_tactic),
            "by_category": dict(self.by_category),
            "by_evaluation": dict(self.by_evaluation),
            "by_setting": dict(self.by_setting),
            "brief": self.brief,
        }


def _most_common(counter: Counter[str]) -> list[tuple[str, int]]:
    return sorted(counter.items(), key=lambda item: (-item[1], item[0].casefold()))


def corpus_stats(programs: Iterable[Program]) -> CorpusStats:
    """Count ``programs`` by award, year, decade, country, problem tag, tactic tag and category."""
    records = list(programs)
    years = Counter(p.award_year for p in records)
    decades = Counter(f"{p.award_year // 10 * 10}s" for p in records)
    return CorpusStats(
        records=len(records),
        by_award=_most_common(Counter(p.award for p in records)),
        by_year=sorted(years.items()),
        by_decade=sorted(decades.items()),
        by_country=_most_common(Counter(p.country for p in records)),
        by_problem=_most_common(Counter(tag for p in records for tag in p.problem)),
        by_tactic=_most_common(Counter(tag for p in records for tag in p.tactics)),
        by_category=_most_common(Counter(p.category or "unspecified" for p in records)),
        by_evaluation=_most_common(Counter(p.evaluation or "not stated" for p in records)),
        by_setting=_most_common(
            Counter(s for p in records for s in p.setting)
            + Counter("not stated" for p in records if not p.setting)
        ),
        brief=sum(p.is_brief for p in records),
    )
