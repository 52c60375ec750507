"""Reading record files: YAML front matter and the Markdown description, and the vocabulary."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .checks import (
    MAX_RECORD_BYTES,
    VOCABULARY_FILE,
    RecordChecker,
    Vocabulary,
    yaml_error_line,
    yaml_error_text,
)
from .problems import Problem
from .program import Program


def _yaml() -> Any:
    """PyYAML, imported on first use: a search served from the cache never parses YAML."""
    import yaml

    return yaml


def _safe_load(text: str) -> Any:
    yaml = _yaml()
    # The C loader is several times faster; it is optional in PyYAML builds. Both are "safe".
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def load_vocabulary(root: Path) -> tuple[Vocabulary, list[Problem]]:
    """The corpus's ``vocabulary.yaml`` (an empty vocabulary when there is none)."""
    path = root / VOCABULARY_FILE
    if not path.is_file():
        return Vocabulary(), []
    try:
        data = _safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, _yaml().YAMLError) as exc:
        line = yaml_error_line(exc)
        return Vocabulary(path=path), [
            Problem(
                "error",
                path,
                f"cannot read the tag vocabulary: {yaml_error_text(exc)}",
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
        line = yaml_error_line(exc)
        return None, [
            Problem(
                "error",
                path,
                f"malformed YAML in the front matter: {yaml_error_text(exc)}",
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
    checker = RecordChecker(path, front, fields)
    program = checker.build(body.strip(), body_line, vocabulary or Vocabulary())
    return program, checker.problems
