"""Opening the search index of a corpus: from the cache when the corpus is unchanged, else built
now (``index.cache`` keeps the folders; this module opens them as ``ProgramIndex``)."""

from __future__ import annotations

import os

from ..index.build import BuildSummary, Progress
from ..index.cache import Notice, build_cached, open_cached, stderr_notice
from ..index.vectors import MeaningProgress
from .program_index import ProgramIndex


def open_index(
    corpus: str | os.PathLike[str] | None = None, *, notice: Notice = stderr_notice
) -> ProgramIndex:
    """The index of a corpus folder or file: loaded from the cache when the corpus is unchanged,
    else built and cached. ``corpus`` defaults to ``$PROGRAMFINDER_CORPUS`` or the shipped corpus.

    A damaged or foreign cache file is reported through ``notice`` and rebuilt.

    Example:
        >>> index = open_index()
        >>> index.search("porch pirates", limit=3)  # doctest: +SKIP
    """
    return open_cached(corpus, ProgramIndex, notice=notice)


def build_index(
    corpus: str | os.PathLike[str] | None = None,
    *,
    progress: Progress | None = None,
    notice: Notice = stderr_notice,
    semantic: bool | None = None,
    meaning_progress: MeaningProgress | None = None,
) -> tuple[ProgramIndex, BuildSummary]:
    """Build (or rebuild) the cached index of a corpus now, reporting progress: ``progress``
    hears the records analysed, ``meaning_progress`` the passages read by the model. Record
    vectors are computed for a corpus of up to ``SEMANTIC_MAX_RECORDS`` records, or when
    ``semantic`` is True."""
    return build_cached(
        corpus,
        ProgramIndex,
        progress=progress,
        notice=notice,
        semantic=semantic,
        meaning_progress=meaning_progress,
    )
