"""Where built indexes are kept, and how a cached one is found, checked, built and replaced.

The cache lives in ``$PROGRAMFINDER_CACHE`` if set, else ``$XDG_CACHE_HOME/programfinder``, else
``~/.cache/programfinder``; never inside the corpus folder, so a read-only corpus works. Each
index is a folder named after a hash of the corpus content (every record file, the synonym list)
and of the index settings: editing any record makes a new key, so a stale index is never used.
A folder is written under a temporary name and renamed into place in one step, so a reader never
sees half an index, and two processes building at once both end with one valid index.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

from ..errors import CacheError, CorpusError
from ..language.entry_terms import entry_terms_path, load_entry_terms
from ..language.glossary import glossary_path, load_glossary
from ..language.synonyms import load_synonyms, synonyms_path
from ..records.corpus import check_corpus_path, record_files, resolve_corpus_path
from ..records.problems import Problem
from ..records.program import Program
from ..version import __version__
from .build import BuildSummary, Progress, build_index_folder
from .format import FORMAT_VERSION
from .vector_cache import SHIPPED_VECTORS, cache_file
from .vectors import MeaningProgress, VectorSettings

CACHE_ENV_VAR = "PROGRAMFINDER_CACHE"
# Identifies the default analyzer and field weights; bump when either changes.
INDEX_SETTINGS_ID = "english-snowball-stop-uni-bi-fields-v1"
KEEP_INDEXES = 8  # older index folders beyond this many are removed

Notice = Callable[[str], None]
#: What an index folder is opened as (the search layer passes ``ProgramIndex``).
Opened = TypeVar("Opened")
Opener = Callable[[Path], Opened]


def stderr_notice(message: str) -> None:
    print(f"note: {message}", file=sys.stderr)


def cache_root() -> Path:
    """The folder that holds cached indexes (see the module docstring)."""
    explicit = os.environ.get(CACHE_ENV_VAR)
    if explicit:
        return Path(explicit).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".cache"
    return base / "programfinder"


def corpus_key(corpus_root: Path) -> str:
    """A hash of everything the index is built from: record files, synonyms and settings.

    A folder is hashed byte for byte. A single JSONL/CSV file is identified by its path, size and
    modification time instead: hashing a multi-gigabyte file would add seconds to every query.
    """
    digest = hashlib.blake2b(digest_size=16)
    settings = f"{FORMAT_VERSION}|{INDEX_SETTINGS_ID}|{__version__}|{corpus_root.resolve()}"
    digest.update(settings.encode())
    folder = corpus_root if corpus_root.is_dir() else corpus_root.parent
    if corpus_root.is_file():
        stat = corpus_root.stat()
        digest.update(f"file|{stat.st_size}|{stat.st_mtime_ns}|{stat.st_ino}".encode())
        files: list[Path] = []
    else:
        try:
            files = record_files(corpus_root)
        except OSError as exc:
            raise CorpusError(f"Cannot read the corpus folder {corpus_root}: {exc}") from exc
    synonyms = synonyms_path(folder)
    entry_terms = entry_terms_path(folder)
    glossary = glossary_path(folder)
    vocabulary = folder / "vocabulary.yaml"
    extra = [
        p for p in (synonyms, entry_terms, glossary, vocabulary) if p is not None and p.is_file()
    ]
    root_prefix = str(corpus_root) + os.sep
    for path in [*files, *extra]:
        name = str(path)
        digest.update((name[len(root_prefix) :] if name.startswith(root_prefix) else name).encode())
        digest.update(b"\0")
        try:
            digest.update(path.read_bytes())
        except OSError:
            digest.update(b"<unreadable>")
        digest.update(b"\0")
    return digest.hexdigest()


def _writable_cache(notice: Notice) -> Path:
    root = cache_root()
    try:
        root.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=root, prefix=".probe-"):
            pass
        return root
    except OSError:
        fallback = (
            Path(tempfile.gettempdir())
            / f"programfinder-cache-{os.getuid() if hasattr(os, 'getuid') else 'user'}"
        )
        fallback.mkdir(parents=True, exist_ok=True)
        notice(
            f"cannot write the index cache at {root}; using {fallback} instead (set {CACHE_ENV_VAR} to choose)."
        )
        return fallback


def _prune(root: Path, keep: Path) -> None:
    folders = sorted(
        (p for p in root.glob("index-*") if p.is_dir() and p != keep),
        key=lambda p: p.stat().st_mtime,
        reverse=True,
    )
    for old in folders[KEEP_INDEXES - 1 :]:
        shutil.rmtree(old, ignore_errors=True)
    for stale in root.glob(".tmp-*"):
        try:
            if stale.stat().st_mtime < (Path(root).stat().st_mtime - 3600):
                shutil.rmtree(stale, ignore_errors=True)
        except OSError:
            pass


def build_and_save(
    corpus_root: Path,
    key: str,
    root: Path,
    open_folder: Opener[Opened],
    progress: Progress | None = None,
    *,
    semantic: bool | None = None,
    meaning_progress: MeaningProgress | None = None,
) -> tuple[Opened, BuildSummary]:
    """Build the index of ``corpus_root`` and store it atomically as ``root/index-<key>``.

    Records are streamed from the corpus: a million-line JSONL file is never held in memory.
    """
    from ..records.sources import checked_records, count_records

    problems: list[Problem] = []

    def records() -> Iterator[Program]:
        for program, found in checked_records(corpus_root):
            problems.extend(found)
            if program is not None:
                yield program

    final = root / f"index-{key}"
    staging = Path(tempfile.mkdtemp(prefix=".tmp-", dir=root))
    try:
        folder = corpus_root if corpus_root.is_dir() else corpus_root.parent
        try:
            summary = build_index_folder(
                records(),
                staging,
                expected_records=count_records(corpus_root),
                synonyms=load_synonyms(synonyms_path(folder)),
                entry_terms=load_entry_terms(entry_terms_path(folder)),
                glossary=load_glossary(glossary_path(folder)),
                problems=problems,
                corpus_root=corpus_root,
                key=key,
                progress=progress,
                semantic=semantic,
                vectors=VectorSettings(
                    cache_files=(SHIPPED_VECTORS, cache_file(root)),
                    save_to=cache_file(root),
                    progress=meaning_progress,
                ),
            )
        except ValueError as exc:  # no valid record at all
            details = f" First problem: {problems[0]}" if problems else ""
            raise CorpusError(f"No usable records in {corpus_root}.{details}") from exc
        try:
            os.rename(staging, final)
        except OSError:
            # Another process finished the same index first: theirs is as good as ours.
            if not (final / "index.json").is_file():
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    _prune(root, final)
    return open_folder(final), summary


def build_cached(
    corpus: str | os.PathLike[str] | None,
    open_folder: Opener[Opened],
    *,
    progress: Progress | None = None,
    notice: Notice = stderr_notice,
    semantic: bool | None = None,
    meaning_progress: MeaningProgress | None = None,
) -> tuple[Opened, BuildSummary]:
    """Build (or rebuild) the cached index of a corpus now, reporting progress. ``semantic``
    asks for record vectors whatever the corpus's size (see ``build_index_folder``)."""
    corpus_root = resolve_corpus_path(corpus)
    check_corpus_path(corpus_root)
    key = corpus_key(corpus_root)
    root = _writable_cache(notice)
    shutil.rmtree(root / f"index-{key}", ignore_errors=True)
    return build_and_save(
        corpus_root,
        key,
        root,
        open_folder,
        progress,
        semantic=semantic,
        meaning_progress=meaning_progress,
    )


def open_cached(
    corpus: str | os.PathLike[str] | None,
    open_folder: Opener[Opened],
    *,
    notice: Notice = stderr_notice,
) -> Opened:
    """The index of a corpus folder: loaded from the cache when the corpus is unchanged, else
    built and cached. ``corpus`` defaults to ``$PROGRAMFINDER_CORPUS`` or the shipped corpus.

    A damaged or foreign cache file is reported through ``notice`` and rebuilt.

    ``open_folder`` opens a folder (``ProgramIndex`` in the search layer); the ``CacheError``
    it raises for a damaged folder leads to a rebuild.
    """
    corpus_root = resolve_corpus_path(corpus)
    check_corpus_path(corpus_root)
    key = corpus_key(corpus_root)
    preferred = cache_root()
    index = _load_cached(preferred / f"index-{key}", open_folder, notice)
    if index is not None:
        return index
    root = _writable_cache(notice)
    if root != preferred:  # the fallback location may already hold it
        index = _load_cached(root / f"index-{key}", open_folder, notice)
        if index is not None:
            return index
    return build_and_save(corpus_root, key, root, open_folder)[0]


def _load_cached(folder: Path, open_folder: Opener[Opened], notice: Notice) -> Opened | None:
    if not (folder / "index.json").is_file():
        return None
    try:
        return open_folder(folder)
    except CacheError as exc:
        notice(f"the cached index was damaged and has been rebuilt ({exc}).")
        shutil.rmtree(folder, ignore_errors=True)
        return None
