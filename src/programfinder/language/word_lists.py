"""The editable word lists kept next to the records (synonyms, everyday words, entry terms): which
file a corpus uses, and reading its YAML with an error that says where and what shape to use."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..errors import CorpusError


def word_list_path(corpus_root: Path, file_name: str) -> Path | None:
    """The corpus's own ``file_name``, else the shipped corpus's (if any)."""
    own = corpus_root / file_name
    if own.is_file():
        return own
    from ..records.corpus import shipped_corpus_path

    shipped = shipped_corpus_path() / file_name
    return shipped if shipped.is_file() else None


def read_word_list(path: Path, what: str, shape: str) -> Any:
    """The parsed YAML of a word list; ``CorpusError`` naming the file (and line) when it cannot
    be read. ``what`` names the list ("synonym list"), ``shape`` says how it must look."""
    import yaml

    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark is not None else str(path)
        raise CorpusError(
            f"{where}: cannot read the {what} ({exc.__class__.__name__}). {shape}"
        ) from exc
