"""Where records come from: a folder of Markdown records, or one JSON Lines or CSV file.

A large collection (every program report of a state, a national evaluation library) is easier
to keep as one file than as a million files. Both file kinds hold the same fields as the
Markdown front matter, plus the description in ``body`` (or ``description``); they are read one
line at a time, so building an index never holds the whole file in memory.

JSON Lines: one JSON object per line. CSV: a header row of field names; list fields
(``problem``, ``tactics``, ``partners``, ``other_sources``, ``related``) separated by ``;``;
``outcomes`` as ``measure: value`` pairs separated by ``;`` (or a JSON list).
"""

from __future__ import annotations

import csv
import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..errors import CorpusError
from .checks import LIST_FIELDS, Vocabulary, check_record_fields, key_line
from .corpus import (
    FILE_SUFFIXES,
    Corpus,
    _related_problems,
    check_corpus_path,
    record_files,
    resolve_corpus_path,
)
from .parse import load_vocabulary, parse_record_file
from .problems import Problem, display_path
from .program import Program

__all__ = ["FILE_SUFFIXES", "checked_records", "count_records", "iter_records", "load_corpus"]
_IGNORED_KEYS = ("place", "path")  # written by our own exports; derived, not data


def count_records(path: Path) -> int:
    """How many records a corpus holds (lines of a file, record files of a folder), cheaply."""
    if path.is_dir():
        return len(record_files(path))
    lines = 0
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 24), b""):
            lines += block.count(b"\n")
    if path.suffix.lower() == ".csv":
        lines -= 1  # the header
    return max(lines, 0)


def iter_records(path: Path) -> Iterator[tuple[Program | None, list[Problem]]]:
    """Each record of a corpus folder or file with its problems (None when it is broken)."""
    if path.is_dir():
        vocabulary, problems = load_vocabulary(path)
        if problems:
            yield None, problems
        for file in record_files(path):
            yield parse_record_file(file, vocabulary)
        return
    vocabulary, problems = load_vocabulary(path.parent)
    if problems:
        yield None, problems
    if path.suffix.lower() == ".csv":
        yield from _iter_csv(path, vocabulary)
    else:
        yield from _iter_jsonl(path, vocabulary)


def checked_records(path: Path) -> Iterator[tuple[Program | None, list[Problem]]]:
    """``iter_records`` plus the checks across records: a repeated id is an error naming both."""
    first_place: dict[str, Path] = {}
    for program, problems in iter_records(path):
        if program is not None and program.id in first_place:
            where = program.path or path
            problems = [
                *problems,
                Problem(
                    "error",
                    where,
                    f"duplicate id '{program.id}': {display_path(first_place[program.id])} has the same id.",
                    "Give one of the two records a different id (and file name).",
                    line=key_line(where, "id") if where.suffix == ".md" else None,
                    field="id",
                ),
            ]
            yield None, problems
            continue
        if program is not None:
            first_place[program.id] = program.path or path
        yield program, problems


def _from_mapping(
    fields: dict[str, Any], path: Path, line: int, vocabulary: Vocabulary
) -> tuple[Program | None, list[Problem]]:
    body = fields.pop("body", None)
    if body is None:
        body = fields.pop("description", "")
    for key in _IGNORED_KEYS:
        fields.pop(key, None)
    if not isinstance(body, str):
        body = ""
    return check_record_fields(fields, body, path, line, vocabulary)


def _iter_jsonl(
    path: Path, vocabulary: Vocabulary
) -> Iterator[tuple[Program | None, list[Problem]]]:
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            if not raw.strip():
                continue
            try:
                data = json.loads(raw.decode("utf-8-sig" if number == 1 else "utf-8"))
            except UnicodeDecodeError:
                yield (
                    None,
                    [
                        _line_problem(
                            path, number, "the line is not UTF-8 text.", "Save the file as UTF-8."
                        )
                    ],
                )
                continue
            except json.JSONDecodeError as exc:
                yield (
                    None,
                    [
                        _line_problem(
                            path,
                            number,
                            f"not valid JSON ({exc.msg} at column {exc.colno}).",
                            'Each line must be one JSON object: {"id": ..., "title": ..., ...}.',
                        )
                    ],
                )
                continue
            if not isinstance(data, dict):
                yield (
                    None,
                    [
                        _line_problem(
                            path,
                            number,
                            "the line is not a JSON object.",
                            "Write one {...} object per line.",
                        )
                    ],
                )
                continue
            yield _from_mapping(data, path, number, vocabulary)


def _split_list(value: str) -> list[str]:
    return [part.strip() for part in value.split(";") if part.strip()]


def _csv_outcomes(value: str) -> Any:
    if value.strip().startswith("["):
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value
    outcomes = []
    for part in _split_list(value):
        measure, _, figure = part.partition(":")
        outcomes.append({"measure": measure.strip(), "value": figure.strip()})
    return outcomes


def _iter_csv(path: Path, vocabulary: Vocabulary) -> Iterator[tuple[Program | None, list[Problem]]]:
    csv.field_size_limit(min(sys.maxsize, 1 << 30))
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
        reader = csv.DictReader(handle)
        with handle:
            for row in reader:
                number = reader.line_num
                fields: dict[str, Any] = {
                    k.strip(): v for k, v in row.items() if k and v not in (None, "")
                }
                for key in LIST_FIELDS:
                    if key in fields:
                        fields[key] = _split_list(str(fields[key]))
                if "outcomes" in fields:
                    fields["outcomes"] = _csv_outcomes(str(fields["outcomes"]))
                for key in ("award_year", "started"):
                    value = str(fields.get(key, "")).strip()
                    if value.isdigit():
                        fields[key] = int(value)
                yield _from_mapping(fields, path, number, vocabulary)
    except UnicodeDecodeError:
        yield (
            None,
            [_line_problem(path, None, "the file is not UTF-8 text.", "Save it as UTF-8 CSV.")],
        )
    except csv.Error as exc:
        yield (
            None,
            [
                _line_problem(
                    path,
                    None,
                    f"malformed CSV ({exc}).",
                    "Check quoting of fields that contain commas.",
                )
            ],
        )


def _line_problem(path: Path, line: int | None, message: str, hint: str) -> Problem:
    return Problem("error", path, message, hint, line=line)


def load_corpus(path: str | os.PathLike[str] | None = None) -> Corpus:
    """Load and check every record below ``path`` (default: ``$PROGRAMFINDER_CORPUS`` or the shipped corpus).

    Raises ``CorpusError`` when the folder is missing or holds no record files. Problems in single
    records do not raise: they are collected in ``Corpus.problems`` and the broken records are
    left out.

    Example:
        >>> corpus = load_corpus()
        >>> corpus.get("iacp-crime-prevention-2019-round-rock-pd").title
        'Operation Front Porch'
    """
    root = resolve_corpus_path(path)
    check_corpus_path(root)
    vocabulary = load_vocabulary(root if root.is_dir() else root.parent)[0]
    programs: list[Program] = []
    problems: list[Problem] = []
    seen = 0
    for program, record_problems in checked_records(root):
        seen += 1
        problems.extend(record_problems)
        if program is not None:
            programs.append(program)
    if root.is_file() and not programs and not problems:
        raise CorpusError(f"No records in {root}: the file is empty.")
    problems.extend(_related_problems(programs))
    programs.sort(key=lambda p: (-p.award_year, p.award, p.title.casefold(), p.id))
    return Corpus(
        root=root,
        programs=tuple(programs),
        problems=tuple(problems),
        vocabulary=vocabulary,
        files_checked=len(record_files(root)) if root.is_dir() else seen,
    )
