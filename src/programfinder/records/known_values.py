"""Telling a typo from a filter that finds nothing: an award, country or tag that no program
has ("Untied States") is named as unknown, with the closest values that are known.

Example:
    >>> known = KnownValues(awards=("Tilley Award",), countries=("United States",), tags=())
    >>> check_known(Filters(country="Untied States"), known)
    Traceback (most recent call last):
    ...
    programfinder.records.known_values.UnknownFilterValue: --country 'Untied States' is not the country of any program. Did you mean: United States?
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass

from ..errors import QueryError, echo
from .awards import AWARD_SHORT_NAMES, award_slug, slugify
from .filters import COUNTRY_ALIASES, Filters, award_matches, normalize_country
from .program import Program

_WHAT = {"award": "an award of any program", "country": "the country of any program"}


class UnknownFilterValue(QueryError):
    """A filter value no program has; ``suggestions`` are the closest known values, each as
    the filter takes it (an award's slug, a country's name, a tag)."""

    def __init__(self, name: str, value: str, suggestions: list[str], shown: list[str]) -> None:
        what = _WHAT.get(name, "a tag of any program")
        hint = f" Did you mean: {', '.join(shown)}?" if shown else ""
        super().__init__(f"--{name} {echo(value)} is not {what}.{hint}")
        self.name = name
        self.value = value
        self.suggestions = suggestions


@dataclass(frozen=True)
class KnownValues:
    """The awards, countries and tags a corpus holds (as its records spell them)."""

    awards: tuple[str, ...] | list[str]
    countries: tuple[str, ...] | list[str]
    tags: tuple[str, ...] | list[str]

    @classmethod
    def of(cls, programs: Iterable[Program]) -> KnownValues:
        """The values of ``programs``, each once, in the order first met."""
        awards: dict[str, None] = {}
        countries: dict[str, None] = {}
        tags: dict[str, None] = {}
        for program in programs:
            awards[program.award] = None
            countries[program.country] = None
            tags.update(dict.fromkeys(program.tags))
        return cls(tuple(awards), tuple(countries), tuple(tags))


def check_known(filters: Filters, known: KnownValues) -> None:
    """``UnknownFilterValue`` for the first award, country or tag of ``filters`` that no
    program has (with up to three close known values); nothing when all are known."""
    if filters.award and not any(award_matches(filters.award, a) for a in known.awards):
        raise _unknown_award(filters.award, known.awards)
    if filters.country:
        names = {normalize_country(c): c for c in known.countries}
        if normalize_country(filters.country) not in names:
            # the aliases count as spellings of a known country ("Britian" -> "britain")
            spellings = dict(names)
            for alias, country in COUNTRY_ALIASES.items():
                if country in names:
                    spellings.setdefault(alias, names[country])
            found = _close(normalize_country(filters.country), spellings)
            raise UnknownFilterValue("country", filters.country, found, found)
    have = {t.casefold(): t for t in known.tags}
    for tag in filters.tags:
        if tag.casefold().strip() not in have:
            found = _close(tag.casefold().strip(), have)
            raise UnknownFilterValue("tag", tag, found, found)


def _close(wanted: str, spellings: dict[str, str], n: int = 3) -> list[str]:
    """The known values (``spellings``' values) whose spelling is closest to ``wanted``."""
    close = difflib.get_close_matches(wanted, list(spellings), n=n + 3, cutoff=0.6)
    return list(dict.fromkeys(spellings[c] for c in close))[:n]


def _unknown_award(wanted: str, awards: Iterable[str]) -> UnknownFilterValue:
    """The closest awards by slug, short name or full name, offered as slugs."""
    spellings: dict[str, str] = {}
    for award in awards:
        slug = award_slug(award)
        spellings[slug] = slug
        spellings[slugify(award)] = slug
        spellings[slugify(AWARD_SHORT_NAMES.get(slug, award))] = slug
    found = _close(slugify(wanted), spellings)
    return UnknownFilterValue("award", wanted, found, found)
