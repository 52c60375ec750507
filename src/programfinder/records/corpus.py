"""Reading the corpus: record files -> validated ``Program`` objects, with every problem found.

A record is a Markdown file with YAML front matter (see ``corpus/README.md``). Loading never
stops at the first problem: each file is checked completely and every problem is reported with
its file, line and field. Records with errors are left out of the loaded corpus; warnings
(unknown keys, tags outside the vocabulary) do not stop a record from loading.
"""

from __future__ import annotations

import datetime as _dt
import difflib
import os
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from ..errors import CorpusError, RecordNotFoundError
from .filters import EVALUATION_VALUES, SETTING_VALUES, Filters
from .program import Outcome, Program

ENV_VAR = "PROGRAMFINDER_CORPUS"
VOCABULARY_FILE = "vocabulary.yaml"
ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
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
FILE_SUFFIXES = (".jsonl", ".ndjson", ".csv")
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


def _yaml() -> Any:
    """PyYAML, imported on first use: a search served from the cache never parses YAML."""
    import yaml

    return yaml


def _safe_load(text: str) -> Any:
    yaml = _yaml()
    # The C loader is several times faster; it is optional in PyYAML builds. Both are "safe".
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a corpus file: where, what, and how to fix it."""

    severity: Severity
    path: Path
    message: str
    hint: str = ""
    line: int | None = None
    field: str | None = None

    @property
    def location(self) -> str:
        """``file:line`` (or just ``file``), relative to the working folder where possible."""
        shown = display_path(self.path)
        return f"{shown}:{self.line}" if self.line else shown

    def __str__(self) -> str:
        where = f"{self.location}: "
        what = f"{self.field}: {self.message}" if self.field else self.message
        return where + what + (f" {self.hint}" if self.hint else "")

    def to_json(self) -> dict[str, Any]:
        """A dict for storing the problem (with the full path); see ``from_json``."""
        return {
            "severity": self.severity,
            "path": str(self.path),
            "message": self.message,
            "hint": self.hint,
            "line": self.line,
            "field": self.field,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Problem:
        """The problem stored by ``to_json``."""
        return cls(
            severity=data["severity"],
            path=Path(data["path"]),
            message=data["message"],
            hint=data.get("hint", ""),
            line=data.get("line"),
            field=data.get("field"),
        )

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict for output (the file as a user would type it)."""
        return {
            "severity": self.severity,
            "file": display_path(self.path),
            "line": self.line,
            "field": self.field,
            "message": self.message,
            "hint": self.hint,
        }


def display_path(path: Path) -> str:
    """A path as a user would type it: relative to the working folder when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


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


@dataclass(frozen=True)
class Corpus:
    """The loaded records of one corpus folder, newest first, plus the problems found on the way.

    Example:
        >>> corpus = load_corpus()
        >>> len(corpus) > 0
        True
        >>> [p.id for p in corpus.filter(award="goldstein", since=2020)][:1]  # doctest: +SKIP
        ['goldstein-2022-university-of-cincinnati-pd']
    """

    root: Path
    programs: tuple[Program, ...]
    problems: tuple[Problem, ...] = ()
    vocabulary: Vocabulary = field(default_factory=Vocabulary)
    files_checked: int = 0

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", {p.id: p for p in self.programs})

    def __len__(self) -> int:
        return len(self.programs)

    def __iter__(self) -> Iterator[Program]:
        return iter(self.programs)

    def __contains__(self, record_id: object) -> bool:
        return record_id in self._by_id  # type: ignore[attr-defined]

    @property
    def ids(self) -> list[str]:
        """Every record id, in corpus order."""
        return [p.id for p in self.programs]

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    def get(self, record_id: str) -> Program:
        """The record with this id; ``RecordNotFoundError`` (with the closest ids) otherwise."""
        check_record_id(record_id)
        by_id: dict[str, Program] = self._by_id  # type: ignore[attr-defined]
        if record_id in by_id:
            return by_id[record_id]
        close = self.closest_ids(record_id)
        hint = (
            "Did you mean: " + ", ".join(close) + "?"
            if close
            else "Run `programfinder list` to see the ids."
        )
        raise RecordNotFoundError(f"No program with id '{record_id}'. {hint}")

    def closest_ids(self, record_id: str, n: int = 3) -> list[str]:
        """The ids most like ``record_id``, for "did you mean" suggestions."""
        ids = self.ids
        close = difflib.get_close_matches(record_id, ids, n=n, cutoff=0.5)
        if not close:  # a partial id such as "denver" should still find its record
            close = [i for i in ids if record_id.lower() in i][:n]
        return close

    def to_frame(self) -> Any:
        """The records as a pandas DataFrame, one row per program (needs the ``notebook`` extra)."""
        import pandas as pd

        rows = []
        for p in self.programs:
            rows.append(
                {
                    "id": p.id,
                    "title": p.title,
                    "agency": p.agency,
                    "city": p.city,
                    "region": p.region,
                    "country": p.country,
                    "award": p.award_short,
                    "award_year": p.award_year,
                    "decade": f"{p.award_year // 10 * 10}s",
                    "category": p.category,
                    "problem": list(p.problem),
                    "tactics": list(p.tactics),
                    "partners": len(p.partners),
                    "outcomes": len(p.outcomes),
                    "words": len(p.body.split()),
                    "brief": p.is_brief,
                    "evaluation": p.evaluation,
                    "setting": list(p.setting),
                    "population": p.population,
                    "officers": p.officers,
                }
            )
        return pd.DataFrame(rows)

    def filter(self, filters: Filters | None = None, **criteria: Any) -> list[Program]:
        """The records that match ``filters`` (or the same criteria as keywords), newest first."""
        active = filters if filters is not None else Filters(**criteria)
        return [p for p in self.programs if active.matches(p)]


def check_record_id(record_id: str) -> None:
    """Refuse an id that is not of the strict id form, before it can touch a path."""
    if not ID_PATTERN.match(record_id or ""):
        raise RecordNotFoundError(
            f"'{record_id}' is not a record id: ids are lower-case letters, digits and hyphens, "
            "e.g. iacp-crime-prevention-2021-denver-pd. Run `programfinder list` to see them."
        )


# The package folder: the wheel puts the shipped corpus inside it, a checkout three levels up.
_PACKAGE = Path(__file__).resolve().parents[1]


def shipped_corpus_path() -> Path:
    """The corpus that ships with the package (package data in a wheel, ``corpus/`` in a checkout)."""
    packaged = _PACKAGE / "corpus"
    if packaged.is_dir():
        return packaged
    return _PACKAGE.parents[1] / "corpus"


def resolve_corpus_path(path: str | os.PathLike[str] | None = None) -> Path:
    """The corpus folder to use: ``path``, else ``$PROGRAMFINDER_CORPUS``, else the shipped one."""
    if path is not None and str(path) != "":
        return Path(path).expanduser()
    from_env = os.environ.get(ENV_VAR, "")
    if from_env:
        return Path(from_env).expanduser()
    return shipped_corpus_path()


def is_shipped_corpus(path: Path) -> bool:
    """True when ``path`` is the package's own corpus inside an installed package."""
    packaged = _PACKAGE / "corpus"
    return packaged.is_dir() and path.resolve() == packaged


def record_files(root: Path) -> list[Path]:
    """Every record file below ``root``: ``*.md`` except READMEs and hidden folders, sorted."""
    # os.walk on strings: this runs before every search (the cache key), and pathlib's parsing
    # of each of thousands of paths cost more than reading the files.
    found: list[tuple[str, ...]] = []
    for folder, subfolders, names in os.walk(root):
        subfolders[:] = [name for name in subfolders if not name.startswith(".")]
        relative = os.path.relpath(folder, root)
        parts = () if relative == os.curdir else tuple(relative.split(os.sep))
        found.extend(
            (*parts, name)
            for name in names
            if name.endswith(".md") and not name.startswith(".") and name.lower() != "readme.md"
        )
    found.sort()  # by parts, as Path objects sort
    return [root.joinpath(*parts) for parts in found]


def check_corpus_path(root: Path) -> None:
    """Raise ``CorpusError`` unless ``root`` is a folder with record files, or a JSONL/CSV file."""
    if not root.exists():
        raise CorpusError(
            f"Corpus folder not found: {root}. Pass --corpus with a folder of record files "
            f"(.md) or a .jsonl/.csv file, or unset {ENV_VAR} to use the shipped corpus."
        )
    if root.is_file():
        if root.suffix.lower() not in FILE_SUFFIXES:
            raise CorpusError(
                f"The corpus must be a folder of record files (.md) or a .jsonl or .csv file, not {root}."
            )
        return
    try:
        files = record_files(root)
    except OSError as exc:
        raise CorpusError(f"Cannot read the corpus folder {root}: {exc.strerror or exc}.") from exc
    if not files:
        raise CorpusError(
            f"No records in {root}: it holds no .md record files. "
            "See corpus/README.md for the format, or `programfinder add` to write one."
        )


def load_vocabulary(root: Path) -> tuple[Vocabulary, list[Problem]]:
    """The corpus's ``vocabulary.yaml`` (an empty vocabulary when there is none)."""
    path = root / VOCABULARY_FILE
    if not path.is_file():
        return Vocabulary(), []
    try:
        data = _safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, _yaml().YAMLError) as exc:
        line = _yaml_error_line(exc)
        return Vocabulary(path=path), [
            Problem(
                "error",
                path,
                f"cannot read the tag vocabulary: {_yaml_error_text(exc)}",
                "Fix the file (a mapping of problem: and tactics: tags); tags are not checked until then.",
                line=line + 1 if line is not None else None,
            )
        ]
    data = data if isinstance(data, dict) else {}

    def tags(kind: str) -> dict[str, str]:
        raw = data.get(kind) or {}
        if isinstance(raw, list):
            return {str(tag): "" for tag in raw}
        return {str(tag): str(meaning or "") for tag, meaning in dict(raw).items()}

    return Vocabulary(problem=tags("problem"), tactics=tags("tactics"), path=path), []


def split_front_matter(text: str) -> tuple[str, str, int] | None:
    """Split a record into (front matter, body, line number where the body starts), or None."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != "---":
        return None
    for index in range(1, len(lines)):
        if lines[index].rstrip() in ("---", "..."):
            return "".join(lines[1:index]), "".join(lines[index + 1 :]), index + 2
    return None


def parse_record_file(
    path: Path, vocabulary: Vocabulary | None = None
) -> tuple[Program | None, list[Problem]]:
    """Read and check one record file: the ``Program`` (None if it has errors) and every problem."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        return None, [
            Problem(
                "error",
                path,
                f"cannot read the file: {exc.strerror or exc}.",
                "Check that the file exists and you may read it.",
            )
        ]
    if len(data) > MAX_RECORD_BYTES:
        return None, [
            Problem(
                "error",
                path,
                f"the file is {len(data):,} bytes; a record is at most {MAX_RECORD_BYTES:,}.",
                "Is this really a record? Move it out of the corpus folder.",
            )
        ]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return None, [
            Problem(
                "error",
                path,
                f"the file is not UTF-8 text (byte 0x{data[exc.start]:02x} cannot be decoded).",
                'Save it as UTF-8 in your editor ("Save with encoding: UTF-8").',
                line=line,
            )
        ]
    return parse_record_text(text, path, vocabulary)


def parse_record_text(
    text: str, path: Path, vocabulary: Vocabulary | None = None
) -> tuple[Program | None, list[Problem]]:
    """Check the text of one record; see ``parse_record_file``."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    parts = split_front_matter(text)
    if parts is None:
        return None, [
            Problem(
                "error",
                path,
                "no front matter: a record starts with a line '---', then its fields, then '---'.",
                "See corpus/README.md for a complete example.",
                line=1,
            )
        ]
    front, body, body_line = parts
    try:
        fields = _safe_load(front)
    except _yaml().YAMLError as exc:
        line = _yaml_error_line(exc)
        return None, [
            Problem(
                "error",
                path,
                f"malformed YAML in the front matter: {_yaml_error_text(exc)}",
                "Check indentation and quote text that contains ':' or '#'.",
                line=line + 2 if line is not None else None,
            )
        ]
    if fields is None:
        fields = {}
    if not isinstance(fields, dict):
        return None, [
            Problem(
                "error",
                path,
                "the front matter must be 'key: value' lines.",
                "See corpus/README.md for a complete example.",
                line=2,
            )
        ]
    checker = _RecordChecker(path, front, fields)
    program = checker.build(body.strip(), body_line, vocabulary or Vocabulary())
    return program, checker.problems


class _RecordChecker:
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
            if not ID_PATTERN.match(record_id):
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
        if url and not re.match(r"^https?://", url):
            self.warn(
                "source_url",
                f"'{url}' is not a web address.",
                "Give the full address, starting with https://.",
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
    checker = _RecordChecker(path, "", fields, record_line=line)
    program = checker.build(body.strip(), line, vocabulary or Vocabulary())
    return program, checker.problems


def _related_problems(programs: Iterable[Program]) -> list[Problem]:
    known = {p.id for p in programs}
    problems = []
    for program in programs:
        for other in program.related:
            if other not in known and program.path is not None:
                problems.append(
                    Problem(
                        "warning",
                        program.path,
                        f"related id '{other}' is not in the corpus.",
                        "Check the id, or remove it from 'related'.",
                        line=_key_line(program.path, "related"),
                        field="related",
                    )
                )
    return problems


def _key_line(path: Path, key: str) -> int | None:
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    for index, line in enumerate(lines):
        if re.match(rf"^{re.escape(key)}\s*:", line):
            return index + 1
    return None


def _yaml_error_line(exc: BaseException) -> int | None:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    return int(mark.line) if mark is not None else None


def _yaml_error_text(exc: BaseException) -> str:
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
