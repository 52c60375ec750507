"""Reading the query string of a search or stats page, the same for an HTML page and its JSON
twin, and writing it back as links that add or remove one filter."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlencode

from ..errors import QueryError, echo
from ..language.query import MAX_QUERY_CHARS
from ..records.filters import Filters
from ..records.ordering import check_sort
from ..retrieval.ordering import default_sort

#: Hits per page.
PER_PAGE = 10
#: Pages beyond this are refused: "more" is for reading, not for dumping the corpus (the
#: exports give a whole result set).
MAX_PAGE = 50
#: The most hits one page (``limit``) may hold, and how deep pages may reach.
MAX_PER_PAGE = 100
MAX_DEPTH = MAX_PAGE * PER_PAGE
#: The most hits a JSON list of similar programs gives at once.
MAX_LIMIT = 50
MAX_TAGS = 10
MAX_VALUE_CHARS = 200
_YEAR = re.compile(r"[0-9]{1,4}")
_PAGE = re.compile(r"[0-9]{1,3}")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class BadParameter(QueryError):
    """A query-string value that cannot be used (shown as a 400 page)."""


@dataclass(frozen=True)
class SearchParams:
    """The state of a search page: the query, the filters and the page number."""

    q: str = ""
    award: str | None = None
    country: str | None = None
    tags: tuple[str, ...] = field(default_factory=tuple)
    evaluation: str | None = None
    setting: str | None = None
    year: int | None = None
    since: int | None = None
    until: int | None = None
    page: int = 1
    sort: str = ""
    limit: int = PER_PAGE

    @classmethod
    def parse(cls, query: Any, *, paged: bool = True) -> SearchParams:
        """Read a request's query parameters; ``BadParameter`` names the one that is wrong.

        ``query`` is a multi-dict (Starlette's ``QueryParams``): ``tag`` may repeat. Empty values
        count as absent, as an empty form field sends them.
        """
        tags = tuple(dict.fromkeys(_text(t, "tag") for t in query.getlist("tag") if t.strip()))
        if len(tags) > MAX_TAGS:
            raise BadParameter(f"tag: at most {MAX_TAGS} tags can be required at once.")
        params = cls(
            q=_text(query.get("q", ""), "q", MAX_QUERY_CHARS),
            award=_text(query.get("award", ""), "award") or None,
            country=_text(query.get("country", ""), "country") or None,
            tags=tags,
            evaluation=_text(query.get("evaluation", ""), "evaluation") or None,
            setting=_text(query.get("setting", ""), "setting") or None,
            year=_year(query.get("year", ""), "year"),
            since=_year(query.get("since", ""), "since"),
            until=_year(query.get("until", ""), "until"),
            page=_page(query.get("page", "")) if paged else 1,
            sort=_sort(query.get("sort", "")),
            limit=parse_limit(query.get("limit", ""), PER_PAGE, MAX_PER_PAGE)
            if paged
            else PER_PAGE,
        )
        params.filters()  # since after until: refused here, with the library's own message
        if (params.page - 1) * params.limit >= MAX_DEPTH:
            raise BadParameter(
                f"page {params.page} of {params.limit} hits reaches past the first "
                f"{MAX_DEPTH:,} results: narrow the search, or download the whole result set."
            )
        return params

    def filters(self) -> Filters:
        """The library's filters for these parameters."""
        try:
            return Filters(
                award=self.award,
                year=self.year,
                since=self.since,
                until=self.until,
                country=self.country,
                tags=self.tags,
                evaluation=self.evaluation,
                setting=self.setting,
            )
        except QueryError as exc:
            raise BadParameter(str(exc).replace("--", "")) from None

    @property
    def has_filters(self) -> bool:
        return self.filters().active

    @property
    def sort_by(self) -> str:
        """The order in effect: the one asked for, else relevance for a query and newest
        first for a listing."""
        return self.sort or default_sort(self.q)

    @property
    def empty(self) -> bool:
        """No query and no filter: the start page."""
        return not self.q.strip() and not self.has_filters

    def items(self) -> list[tuple[str, str]]:
        """The parameters that are set, in a fixed order (so that equal states have equal URLs)."""
        pairs: list[tuple[str, str]] = []
        if self.q:
            pairs.append(("q", self.q))
        for name in ("award", "country", "evaluation", "setting"):
            value = getattr(self, name)
            if value:
                pairs.append((name, value))
        pairs.extend(("tag", tag) for tag in self.tags)
        for name in ("year", "since", "until"):
            value = getattr(self, name)
            if value is not None:
                pairs.append((name, str(value)))
        if self.sort and self.sort != default_sort(self.q):
            pairs.append(("sort", self.sort))
        if self.limit != PER_PAGE:
            pairs.append(("limit", str(self.limit)))
        if self.page > 1:
            pairs.append(("page", str(self.page)))
        return pairs

    def query_string(self) -> str:
        """``?q=...&award=...`` or the empty string."""
        pairs = self.items()
        return "?" + urlencode(pairs) if pairs else ""

    def with_(self, **changes: Any) -> SearchParams:
        """These parameters with some changed, back on page 1 (unless ``page`` is given)."""
        changes.setdefault("page", 1)
        if "tag" in changes:
            tag = changes.pop("tag")
            changes["tags"] = self.tags if tag in self.tags else (*self.tags, tag)
        return replace(self, **changes)

    def without(self, name: str, value: str | None = None) -> SearchParams:
        """These parameters with one filter removed (one tag, when ``value`` is given)."""
        if name == "tag":
            return replace(self, tags=tuple(t for t in self.tags if t != value), page=1)
        changes: dict[str, Any] = {name: "" if name == "q" else None, "page": 1}
        return replace(self, **changes)

    def form_values(self) -> dict[str, str]:
        """The filters as a filter form shows them (the first tag only; a form has one)."""
        values = {
            name: str(value)
            for name in ("award", "country", "since", "until", "setting", "evaluation")
            if (value := getattr(self, name)) is not None
        }
        if self.tags:
            values["tag"] = self.tags[0]
        return values

    def active_filters(self) -> list[tuple[str, str, SearchParams]]:
        """(label, value, parameters without it) of each filter that is set, for "remove" links."""
        found: list[tuple[str, str, SearchParams]] = []
        for name, label in (
            ("award", "Award"),
            ("country", "Country"),
            ("evaluation", "Evaluation"),
            ("setting", "Setting"),
        ):
            value = getattr(self, name)
            if value:
                found.append((label, value, self.without(name)))
        found.extend(("Tag", tag, self.without("tag", tag)) for tag in self.tags)
        for name, label in (("year", "Year"), ("since", "From"), ("until", "Until")):
            value = getattr(self, name)
            if value is not None:
                found.append((label, str(value), self.without(name)))
        return found


def _text(value: str, name: str, limit: int = MAX_VALUE_CHARS) -> str:
    value = _CONTROL.sub("", value).strip()
    if len(value) > limit:
        raise BadParameter(f"{name}: at most {limit:,} characters, got {len(value):,}.")
    return value


def _year(value: str, name: str) -> int | None:
    value = value.strip()
    if not value:
        return None
    if not _YEAR.fullmatch(value):
        raise BadParameter(f"{name} must be a year as digits (e.g. 2015), got {echo(value)}.")
    return int(value)


def _sort(value: str) -> str:
    value = value.strip()
    if not value:
        return ""
    try:
        return check_sort(value)
    except QueryError as exc:
        raise BadParameter(str(exc).replace("--", "")) from None


def _page(value: str) -> int:
    value = value.strip()
    if not value:
        return 1
    if not _PAGE.fullmatch(value) or not 1 <= int(value) <= MAX_PAGE:
        raise BadParameter(f"page must be a whole number from 1 to {MAX_PAGE}, got {echo(value)}.")
    return int(value)


def parse_limit(value: str, default: int = 10, most: int = MAX_LIMIT) -> int:
    """A ``limit`` parameter: a whole number from 1 to ``most`` (``default`` when empty)."""
    value = value.strip()
    if not value:
        return default
    # the length first: int() of 5,000 digits is a ValueError of its own (a 500 before)
    if len(value) > 6 or not value.isascii() or not value.isdigit() or not 1 <= int(value) <= most:
        raise BadParameter(f"limit must be a whole number from 1 to {most}, got {echo(value)}.")
    return int(value)
