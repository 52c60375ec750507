"""Filters by award, year, country and tag, shared by listing, search and similar programs."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..errors import ECHO_CHARS, QueryError, echo
from .awards import award_slug, slugify

if TYPE_CHECKING:
    from .program import Program

# The values of the facts that tell whether a program would transfer (validated by the record
# checker, stored as codes in the index, filtered here).
EVALUATION_VALUES = (
    "none reported",
    "agency figures",
    "independent evaluation",
    "controlled study",
)
SETTING_VALUES = ("urban", "suburban", "rural", "regional", "national", "online", "custodial")


def evaluation_code(evaluation: str | None) -> int:
    """The index's code of an evaluation value: its position, -1 when not stated."""
    return EVALUATION_VALUES.index(evaluation) if evaluation in EVALUATION_VALUES else -1


def setting_bits(settings: Iterable[str]) -> int:
    """The index's code of a record's settings: bit i set for ``SETTING_VALUES[i]``."""
    return sum(1 << i for i, value in enumerate(SETTING_VALUES) if value in set(settings))


# Names people type for a country, mapped to the full English names records use.
COUNTRY_ALIASES: dict[str, str] = {
    "us": "united states",
    "usa": "united states",
    "u.s.": "united states",
    "u.s.a.": "united states",
    "united states of america": "united states",
    "america": "united states",
    "uk": "united kingdom",
    "u.k.": "united kingdom",
    "great britain": "united kingdom",
    "britain": "united kingdom",
    "uae": "united arab emirates",
    "holland": "netherlands",
    "the netherlands": "netherlands",
}


def normalize_country(name: str) -> str:
    """A country name folded for comparison, with common short forms expanded."""
    folded = " ".join(name.casefold().split())
    return COUNTRY_ALIASES.get(folded, folded)


@dataclass(frozen=True)
class Filters:
    """Which records to keep. Every criterion that is set must match; tags must all be present.

    ``award`` matches an award's folder slug (``goldstein``), its full name, or any part of it
    (``"community policing"``), ignoring case.

    Example:
        >>> Filters(award="goldstein", since=2015, tags=("burglary",))
        Filters(award='goldstein', year=None, since=2015, until=None, country=None, tags=('burglary',))
    """

    award: str | None = None
    year: int | None = None
    since: int | None = None
    until: int | None = None
    country: str | None = None
    tags: tuple[str, ...] = field(default_factory=tuple)
    evaluation: str | None = None
    setting: str | None = None

    def __post_init__(self) -> None:
        raw_tags: object = self.tags
        # a single tag passed as a string is one tag, not a sequence of letters
        tags = (raw_tags,) if isinstance(raw_tags, str) else tuple(self.tags)
        object.__setattr__(self, "tags", tags)
        for name in ("year", "since", "until"):
            value = getattr(self, name)
            if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
                raise QueryError(
                    f"--{name} must be a year as digits (e.g. 2021), got {echo(value)}."
                )
        for name, allowed in (("evaluation", EVALUATION_VALUES), ("setting", SETTING_VALUES)):
            value = getattr(self, name)
            if value is None:
                continue
            folded = " ".join(str(value).casefold().replace("-", " ").split())
            if folded not in allowed:
                raise QueryError(f"--{name} {echo(value)} is not one of: {', '.join(allowed)}.")
            object.__setattr__(self, name, folded)
        if self.since is not None and self.until is not None and self.since > self.until:
            raise QueryError(
                f"--since {self.since} is after --until {self.until}: no year can match. "
                "Swap the two years."
            )

    @property
    def active(self) -> bool:
        """True when at least one criterion is set."""
        return any(
            v not in (None, ())
            for v in (
                self.award,
                self.year,
                self.since,
                self.until,
                self.country,
                self.tags,
                self.evaluation,
                self.setting,
            )
        )

    def matches(self, program: Program) -> bool:
        """True when ``program`` meets every criterion."""
        if self.year is not None and program.award_year != self.year:
            return False
        if self.since is not None and program.award_year < self.since:
            return False
        if self.until is not None and program.award_year > self.until:
            return False
        if self.country and normalize_country(program.country) != normalize_country(self.country):
            return False
        if self.award and not award_matches(self.award, program.award):
            return False
        if self.evaluation and program.evaluation != self.evaluation:
            return False
        if self.setting and self.setting not in program.setting:
            return False
        if self.tags:
            have = {t.casefold() for t in program.tags}
            if not all(t.casefold().strip() in have for t in self.tags):
                return False
        return True

    def describe(self) -> str:
        """The criteria as the CLI options that would set them: ``--award goldstein --since 2015``."""
        parts = []
        for name in ("award", "year", "since", "until", "country", "evaluation", "setting"):
            value = getattr(self, name)
            if value is not None:
                parts.append(f"--{name} {_shown(value)}")
        parts.extend(f"--tag {_shown(t)}" for t in self.tags)
        return " ".join(parts)


def _shown(value: object) -> str:
    """An option value as typed, quoted when it has spaces, cut when it is long."""
    text = str(value)
    if len(text) > ECHO_CHARS or " " in text:
        return echo(text)
    return text


def award_matches(wanted: str, award: str) -> bool:
    """True when ``wanted`` names ``award`` by its folder slug, full name or part of the name."""
    wanted_slug = slugify(wanted)
    if not wanted_slug:
        return True
    return wanted_slug in award_slug(award) or wanted_slug in slugify(award)
