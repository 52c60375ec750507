"""What the web app holds for its lifetime: the index, the templates, and counts that do not
change while it runs (the corpus is read-only)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import anyio
import anyio.to_thread
import numpy as np
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape

from ..drafts.documents import plural
from ..drafts.report import ReportSource
from ..records.awards import award_slug
from ..records.corpus import (
    closest_ids,
    is_shipped_corpus,
    normalize_record_id,
    not_found,
    shipped_corpus_path,
)
from ..records.filters import EVALUATION_VALUES, SETTING_VALUES, Filters
from ..records.known_values import KnownValues, check_known
from ..records.program import Program
from ..records.stats import CorpusStats, corpus_stats
from ..retrieval.facets import Facets, count_facets
from ..retrieval.program_index import ProgramIndex
from ..version import __version__

T = TypeVar("T")
#: "Did you mean" ids are looked for among at most this many records.
SUGGEST_MAX_RECORDS = 50_000
TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"


class WebState:
    """The index and everything derived from it once.

    The library's index is used by one thread at a time (its record store shares one file
    handle), so every call into it goes through ``run``, which hands it to a worker thread
    behind a limiter of one: the event loop stays free to read uploads and serve static files.
    Several processes (``--workers``) give parallelism.
    """

    def __init__(self, index: ProgramIndex) -> None:
        self.index = index
        self.limiter = anyio.CapacityLimiter(1)
        self.templates = make_environment()
        self._stats: dict[Filters, CorpusStats] = {}
        self._all_facets: Facets | None = None
        self._ids: list[str] | None = None
        self._known: KnownValues | None = None
        self._choices: dict[str, list[tuple[str, str]]] | None = None
        root = index.corpus_root
        self.corpus_name = (
            "the shipped corpus"
            if root is None or is_shipped_corpus(root) or root == shipped_corpus_path()
            else f"your corpus ({root.name})"
        )
        # Ready before the first request: the spelling index is built by the first query, and
        # the start page's counts are counted once.
        index.rank("crime prevention", limit=1)
        self.all_facets()

    async def run(self, function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """``function(*args, **kwargs)`` on the index's thread."""
        call = functools.partial(function, *args, **kwargs)
        return await anyio.to_thread.run_sync(call, limiter=self.limiter)

    def find_program(self, text: str) -> Program:
        """The record whose id ``text`` is (upper case read as lower case). Anything not shaped
        like an id, or an id no record has, is ``RecordNotFoundError`` (a 404) naming the
        closest ids: an id route takes only ids, never a sentence to compare."""
        record_id = normalize_record_id(text)
        row = self.index.row_of(record_id)
        if row is None:
            raise not_found(record_id, closest_ids(record_id, self.all_ids()))
        return self.index.programs[row]

    def all_ids(self) -> list[str]:
        """Every record id, listed once (none above SUGGEST_MAX_RECORDS: too slow to compare)."""
        if self._ids is None:
            count = len(self.index)
            self._ids = (
                [self.index.record_id(row) for row in range(count)]
                if count <= SUGGEST_MAX_RECORDS
                else []
            )
        return self._ids

    def checked(self, filters: Filters) -> Filters:
        """``filters``, once every award, country and tag in them is one some program has
        (``UnknownFilterValue``, a 400 naming the closest known values, otherwise)."""
        if self._known is None:
            index = self.index
            self._known = KnownValues(index.awards, index.countries, index.tags)
        check_known(filters, self._known)
        return filters

    def report_source(self) -> ReportSource:
        """What a draft report is made with: today, this version and this corpus."""
        return ReportSource(
            corpus=self.corpus_name,
            records=len(self.index),
            fingerprint=self.index.key[:12],
        )

    def choices(self) -> dict[str, list[tuple[str, str]]]:
        """The values a filter form offers, as (value, label): awards (by slug, full name),
        countries, settings and evaluations, each sorted by label."""
        if self._choices is None:
            index = self.index
            self._choices = {
                "award": sorted(((award_slug(a), a) for a in index.awards), key=lambda c: c[1]),
                "country": sorted((c, c) for c in index.countries),
                "setting": [(v, v) for v in SETTING_VALUES],
                "evaluation": [(v, v) for v in EVALUATION_VALUES],
                "tag": sorted((t, t) for t in index.tags),
            }
        return self._choices

    def all_facets(self) -> Facets:
        """Facet counts of the whole corpus (the start page), counted once."""
        if self._all_facets is None:
            self._all_facets = count_facets(self.index, np.arange(len(self.index)))
        return self._all_facets

    def stats(self, filters: Filters) -> CorpusStats:
        """Counts of the records passing ``filters`` (remembered: the corpus does not change)."""
        found = self._stats.get(filters)
        if found is None:
            rows = np.flatnonzero(self.index.filter_mask(filters))
            found = corpus_stats(self.index.programs[int(r)] for r in rows)
            if len(self._stats) > 64:
                self._stats.clear()
            self._stats[filters] = found
        return found


def make_environment() -> Environment:
    """Jinja templates that escape everything unless a filter below says it made safe HTML."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["marked"] = marked
    env.filters["paragraphs"] = paragraphs
    env.filters["number"] = lambda n: f"{n:,}"
    env.filters["plural"] = plural
    env.globals["version"] = __version__
    return env


def marked(text: str, spans: list[list[int]] | list[tuple[int, int]]) -> Markup:
    """``text`` escaped, with the (start, end) spans wrapped in ``<mark>``."""
    out: list[str] = []
    last = 0
    for start, end in sorted((int(s), int(e)) for s, e in spans):
        if start < last or end > len(text):
            continue
        out.append(str(escape(text[last:start])))
        out.append(f"<mark>{escape(text[start:end])}</mark>")
        last = end
    out.append(str(escape(text[last:])))
    return Markup("".join(out))


def paragraphs(text: str) -> list[str]:
    """The paragraphs of a description, each on one line."""
    return [" ".join(p.split()) for p in text.split("\n\n") if p.strip()]
