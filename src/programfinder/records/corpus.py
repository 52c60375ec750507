"""Reading the corpus: record files -> validated ``Program`` objects, with every problem found.

A record is a Markdown file with YAML front matter (see ``corpus/README.md``). Loading never
stops at the first problem: each file is checked completely and every problem is reported with
its file, line and field. Records with errors are left out of the loaded corpus; warnings
(unknown keys, tags outside the vocabulary) do not stop a record from loading.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import CorpusError, RecordNotFoundError, echo
from .checks import ID_PATTERN, MAX_ID_CHARS, Vocabulary, key_line
from .filters import Filters
from .problems import Problem
from .program import Program

ENV_VAR = "PROGRAMFINDER_CORPUS"
FILE_SUFFIXES = (".jsonl", ".ndjson", ".csv")


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
        """The record with this id (upper case read as lower case); ``RecordNotFoundError``
        (with the closest ids) otherwise."""
        record_id = normalize_record_id(record_id)
        by_id: dict[str, Program] = self._by_id  # type: ignore[attr-defined]
        if record_id in by_id:
            return by_id[record_id]
        raise not_found(record_id, self.closest_ids(record_id))

    def closest_ids(self, record_id: str, n: int = 3) -> list[str]:
        """The ids most like ``record_id``, for "did you mean" suggestions."""
        return closest_ids(record_id, self.ids, n)

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
    if len(record_id or "") > MAX_ID_CHARS or not ID_PATTERN.match(record_id or ""):
        raise RecordNotFoundError(
            f"{echo(record_id)} is not a record id: ids are lower-case letters, digits and "
            f"hyphens (at most {MAX_ID_CHARS} characters), e.g. "
            "iacp-crime-prevention-2021-denver-pd. Run `programfinder list` to see them."
        )


def normalize_record_id(text: str) -> str:
    """The id a person meant: spaces around it dropped and upper case read as lower case
    (``"IACP-Crime-Prevention-2021-Denver-PD"``); ``RecordNotFoundError`` if it is not of the
    id form (a sentence, a path), so that it never touches a path or reads as a draft."""
    record_id = (text or "").strip()
    if record_id.isascii():  # str.lower() of other scripts can make new ASCII letters
        record_id = record_id.lower()
    check_record_id(record_id)
    return record_id


def closest_ids(record_id: str, ids: Iterable[str], n: int = 3) -> list[str]:
    """The ``n`` ids most like ``record_id``: close spellings, else ids that contain it."""
    every = list(ids)
    close = difflib.get_close_matches(record_id, every, n=n, cutoff=0.5)
    if not close:  # a partial id such as "denver" should still find its record
        close = [i for i in every if record_id.lower() in i][:n]
    return close


def not_found(record_id: str, suggestions: list[str]) -> RecordNotFoundError:
    """The error for an id that no record has, naming the closest ones."""
    hint = (
        "Did you mean: " + ", ".join(suggestions) + "?"
        if suggestions
        else "Run `programfinder list` to see the ids."
    )
    return RecordNotFoundError(f"No program with id {echo(record_id)}. {hint}", suggestions)


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
                        line=key_line(program.path, "related"),
                        field="related",
                    )
                )
    return problems
