"""Checking one record's fields: every problem is found and reported with its line and a fix,
and a record with no error becomes a ``Program``."""

from __future__ import annotations

import datetime as _dt
import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import echo
from .filters import EVALUATION_VALUES, SETTING_VALUES
from .problems import Problem, display_path
from .program import Outcome, Program

VOCABULARY_FILE = "vocabulary.yaml"
ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
#: A source address: http or https, a host, and no spaces.
WEB_ADDRESS = re.compile(r"^https?://[^\s/?#]+\S*$", re.IGNORECASE)
#: Ids are names for a path and an address; the longest in the shipped corpus has 66 characters.
MAX_ID_CHARS = 200
REQUIRED_FIELDS = ("id", "title", "agency", "country", "award", "award_year")
TEXT_FIELDS = (
    "id",
    "title",
    "agency",
    "country",
    "award",
    "city",
    "region",
    "category",
    "division",
    "source_url",
    "detail",
    "evaluation",
    "evaluator",
)
# Corpus files other than a folder of Markdown records (read by ``sources``).
LIST_FIELDS = ("problem", "tactics", "partners", "other_sources", "related", "setting")
COUNT_FIELDS = ("population", "officers")
KNOWN_FIELDS = (*TEXT_FIELDS, "award_year", "started", "outcomes", *LIST_FIELDS, *COUNT_FIELDS)
# Facts that tell whether a program would transfer (see corpus/README.md).
DETAIL_VALUES = ("brief",)
# Description length in words: a full record, and one marked `detail: brief`.
FULL_WORDS = (120, 400)
BRIEF_WORDS = (40, 119)
EARLIEST_YEAR = 1900
# Front matter is a handful of lines; a file this large is not a record and would be slow to parse.
MAX_RECORD_BYTES = 1_000_000


@dataclass(frozen=True)
class Vocabulary:
    """The controlled tag vocabulary of a corpus: tag -> meaning, for problems and tactics."""

    problem: Mapping[str, str] = field(default_factory=dict)
    tactics: Mapping[str, str] = field(default_factory=dict)
    path: Path | None = None

    def known(self, kind: str) -> Mapping[str, str]:
        """The tags allowed for ``kind`` (``"problem"`` or ``"tactics"``)."""
        return self.problem if kind == "problem" else self.tactics

    @property
    def is_empty(self) -> bool:
        return not self.problem and not self.tactics


class RecordChecker:
    """Checks the fields of one record and builds its ``Program`` when nothing is wrong."""

    def __init__(
        self, path: Path, front: str, fields: dict[Any, Any], record_line: int | None = None
    ) -> None:
        self.path = path
        self.front_lines = front.splitlines()
        self.fields = {str(k): v for k, v in fields.items()}
        self.problems: list[Problem] = []
        self.record_line = record_line  # a record on one line of a JSONL/CSV file

    def line_of(self, key: str) -> int | None:
        if self.record_line is not None:
            return self.record_line
        pattern = re.compile(rf"^{re.escape(key)}\s*:")
        for index, line in enumerate(self.front_lines):
            if pattern.match(line):
                return index + 2  # +1 for 1-based lines, +1 for the opening '---'
        return None

    def error(self, key: str | None, message: str, hint: str, line: int | None = None) -> None:
        where = self.record_line or (
            line if line is not None else (self.line_of(key) if key else None)
        )
        self.problems.append(Problem("error", self.path, message, hint, line=where, field=key))

    def warn(self, key: str | None, message: str, hint: str, line: int | None = None) -> None:
        where = self.record_line or (
            line if line is not None else (self.line_of(key) if key else None)
        )
        self.problems.append(Problem("warning", self.path, message, hint, line=where, field=key))

    def text(self, key: str) -> str | None:
        value = self.fields.get(key)
        if value is None or value == "":
            if key in REQUIRED_FIELDS:
                self.error(
                    key,
                    "missing required field.",
                    f"Add a line '{key}: ...' to the front matter.",
                    line=2,
                )
            return None
        if not isinstance(value, str):
            self.error(
                key,
                f"expected text, got {_describe(value)}.",
                f'Write it as text, e.g. {key}: "{value}".',
            )
            return None
        return value.strip()

    def year(self, key: str, required: bool) -> int | None:
        value = self.fields.get(key)
        if value is None or value == "":
            if required:
                self.error(
                    key,
                    "missing required field.",
                    f"Add a line '{key}: 2021' (the year as digits).",
                    line=2,
                )
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.error(
                key,
                f"expected a year as a whole number, got {_describe(value)}.",
                f"Write the year as digits, e.g. {key}: 2021.",
            )
            return None
        latest = _dt.date.today().year + 1
        if not EARLIEST_YEAR <= value <= latest:
            self.error(
                key,
                f"year {value} is out of range ({EARLIEST_YEAR}-{latest}).",
                "Check the year for a typo.",
            )
            return None
        return value

    def text_list(self, key: str) -> tuple[str, ...]:
        value = self.fields.get(key)
        if value is None:
            return ()
        if isinstance(value, str):  # a single tag written without brackets is still one tag
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.error(
                key,
                f"expected a list of text items, got {_describe(value)}.",
                f"Write it as a list, e.g. {key}: [first, second].",
            )
            return ()
        return tuple(v.strip() for v in value if v.strip())

    def count(self, key: str) -> int | None:
        value = self.fields.get(key)
        if value is None or value == "":
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            self.error(
                key,
                f"expected a whole number above 0, got {_describe(value)}.",
                f"Write the number as digits without commas, e.g. {key}: 35000.",
            )
            return None
        return value

    def choice(self, key: str, value: str | None, allowed: tuple[str, ...]) -> str | None:
        if value is None or value in allowed:
            return value
        close = difflib.get_close_matches(value, allowed, n=1, cutoff=0.5)
        suggestion = f"Did you mean '{close[0]}'? " if close else ""
        self.error(
            key,
            f"'{value}' is not one of: {', '.join(allowed)}.",
            f"{suggestion}Use one of the listed values, or leave the field out.",
        )
        return None

    def settings(self, values: tuple[str, ...]) -> tuple[str, ...]:
        for value in values:
            self.choice("setting", value, SETTING_VALUES)
        return tuple(v for v in values if v in SETTING_VALUES)

    def check_length(self, body: str, brief: bool, line: int) -> None:
        words = len(body.split())
        low, high = BRIEF_WORDS if brief else FULL_WORDS
        if not body or low <= words <= high:
            return
        if brief:
            hint = (
                "A brief record needs at least 40 words; say what the program did."
                if words < low
                else "The description is long enough for a full record: remove 'detail: brief'."
            )
        elif words < low:
            hint = (
                "Describe the problem, the response, the partners and the results, or mark the "
                "record 'detail: brief' when the public description is short."
            )
        else:
            hint = "Shorten it to the problem, the response, the partners and the results."
        self.warn(None, f"the description has {words} words (expected {low}-{high}).", hint, line)

    def outcomes(self) -> tuple[Outcome, ...]:
        value = self.fields.get("outcomes")
        if value is None:
            return ()
        hint = "Write each outcome as '- measure: ...' with 'value: ...' on the next line (see corpus/README.md)."
        if not isinstance(value, list):
            self.error(
                "outcomes", f"expected a list of measure/value pairs, got {_describe(value)}.", hint
            )
            return ()
        result = []
        for number, item in enumerate(value, start=1):
            if not isinstance(item, dict) or "measure" not in item or "value" not in item:
                self.error("outcomes", f"item {number} needs both 'measure' and 'value'.", hint)
                continue
            measure, figure = item["measure"], item["value"]
            if not isinstance(measure, str) or isinstance(figure, (dict, list)) or figure is None:
                self.error(
                    "outcomes",
                    f"item {number}: measure must be text and value a figure or text.",
                    hint,
                )
                continue
            result.append(Outcome(measure=measure.strip(), value=str(figure).strip()))
        return tuple(result)

    def check_tags(self, kind: str, tags: tuple[str, ...], vocabulary: Vocabulary) -> None:
        if vocabulary.is_empty:
            return
        allowed = vocabulary.known(kind)
        for tag in tags:
            if tag in allowed:
                continue
            close = difflib.get_close_matches(tag, list(allowed), n=2, cutoff=0.6)
            suggestion = f"Did you mean '{close[0]}'? " if close else ""
            where = display_path(vocabulary.path) if vocabulary.path else VOCABULARY_FILE
            self.warn(
                kind,
                f"tag '{tag}' is not in the vocabulary.",
                f"{suggestion}Use a listed tag, or add it to {where}.",
            )

    def build(self, body: str, body_line: int, vocabulary: Vocabulary) -> Program | None:
        for key in self.fields:
            if key not in KNOWN_FIELDS:
                close = difflib.get_close_matches(key, KNOWN_FIELDS, n=1, cutoff=0.6)
                hint = (
                    f"Did you mean '{close[0]}'?"
                    if close
                    else "Known fields are listed in corpus/README.md."
                )
                self.warn(key, "unknown field (ignored).", hint)
        values = {key: self.text(key) for key in TEXT_FIELDS}
        award_year = self.year("award_year", required=True)
        started = self.year("started", required=False)
        lists = {key: self.text_list(key) for key in LIST_FIELDS}
        counts = {key: self.count(key) for key in COUNT_FIELDS}
        detail = self.choice("detail", values["detail"], DETAIL_VALUES)
        evaluation = self.choice("evaluation", values["evaluation"], EVALUATION_VALUES)
        setting = self.settings(lists["setting"])
        if values["evaluator"] and evaluation not in ("independent evaluation", "controlled study"):
            self.warn(
                "evaluator",
                "an evaluator is named but the evaluation is not independent.",
                "Set 'evaluation: independent evaluation' (or 'controlled study'), or remove "
                "the evaluator.",
            )
        outcomes = self.outcomes()
        record_id = values["id"]
        if record_id is not None:
            if len(record_id) > MAX_ID_CHARS:
                self.error(
                    "id",
                    f"the id has {len(record_id)} characters; at most {MAX_ID_CHARS} are allowed.",
                    "Shorten it: award slug, year and agency are enough.",
                )
            elif not ID_PATTERN.match(record_id):
                self.error(
                    "id",
                    f"'{record_id}' is not a valid id.",
                    "Use lower-case letters, digits and hyphens only, e.g. goldstein-2022-university-of-cincinnati-pd.",
                )
            elif self.record_line is None and record_id != self.path.stem:
                self.error(
                    "id",
                    f"id '{record_id}' differs from the file name '{self.path.name}'.",
                    f"Rename the file to {record_id}.md, or set id: {self.path.stem}.",
                )
        url = values["source_url"]
        # An error, not a warning: a source is shown as a link and written into citations, and
        # javascript:, data: or file: there would be a trap for the reader who follows it.
        if url and not WEB_ADDRESS.match(url):
            self.error(
                "source_url",
                f"{echo(url)} is not a web address (http or https).",
                "Give the full address, starting with https://.",
            )
        for other in lists["other_sources"]:
            if not WEB_ADDRESS.match(other):
                self.error(
                    "other_sources",
                    f"{echo(other)} is not a web address (http or https).",
                    "List only full addresses, starting with https://.",
                )
        if not body:
            self.error(
                None,
                "the description (the text after the front matter) is empty.",
                "Write a few paragraphs describing the program below the closing '---'.",
                line=body_line,
            )
        self.check_length(body, detail == "brief", body_line)
        for kind in ("problem", "tactics"):
            self.check_tags(kind, lists[kind], vocabulary)
        if any(p.severity == "error" for p in self.problems):
            return None
        assert record_id is not None and award_year is not None  # guaranteed by the checks above
        return Program(
            id=record_id,
            title=values["title"] or "",
            agency=values["agency"] or "",
            country=values["country"] or "",
            award=values["award"] or "",
            award_year=award_year,
            body=body,
            city=values["city"],
            region=values["region"],
            category=values["category"],
            division=values["division"],
            problem=lists["problem"],
            tactics=lists["tactics"],
            partners=lists["partners"],
            outcomes=outcomes,
            started=started,
            source_url=url,
            other_sources=lists["other_sources"],
            related=lists["related"],
            detail=detail,
            evaluation=evaluation,
            evaluator=values["evaluator"],
            setting=setting,
            population=counts["population"],
            officers=counts["officers"],
            path=self.path,
        )


def check_record_fields(
    fields: dict[Any, Any],
    body: str,
    path: Path,
    line: int,
    vocabulary: Vocabulary | None = None,
) -> tuple[Program | None, list[Problem]]:
    """Check one record given as a mapping (a JSONL or CSV row at ``line`` of ``path``)."""
    checker = RecordChecker(path, "", fields, record_line=line)
    program = checker.build(body.strip(), line, vocabulary or Vocabulary())
    return program, checker.problems


def key_line(path: Path, key: str) -> int | None:
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    for index, line in enumerate(lines):
        if re.match(rf"^{re.escape(key)}\s*:", line):
            return index + 1
    return None


def yaml_error_line(exc: BaseException) -> int | None:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    return int(mark.line) if mark is not None else None


def yaml_error_text(exc: BaseException) -> str:
    problem = getattr(exc, "problem", None)
    context = getattr(exc, "context", None)
    if problem:
        return f"{problem}" + (f" ({context})" if context else "") + "."
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


def _describe(value: object) -> str:
    kind = {
        bool: "yes/no",
        int: "a number",
        float: "a number",
        str: "text",
        list: "a list",
        dict: "a mapping",
    }.get(type(value), type(value).__name__)
    shown = repr(value)
    if len(shown) > 40:
        shown = shown[:37] + "..."
    return f"{kind} {shown}"
