"""programfinder: find precedent among award-winning crime-prevention programs.

Quick use from Python or a notebook::

    import programfinder
    corpus = programfinder.load_corpus()          # the shipped corpus
    corpus.get("iacp-crime-prevention-2021-denver-pd")
    corpus.filter(award="goldstein", since=2015)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .errors import (
    CacheError,
    CorpusError,
    DraftError,
    ProgramFinderError,
    QueryError,
    RecordNotFoundError,
)
from .records.corpus import Corpus
from .records.filters import Filters
from .records.problems import Problem
from .records.program import Outcome, Program
from .records.sources import load_corpus
from .version import __version__

if TYPE_CHECKING:
    import numpy as np

    from .retrieval.hits import SearchResults
    from .retrieval.program_index import ProgramIndex
    from .retrieval.similarity import SimilarResults


__all__ = [
    "CacheError",
    "Corpus",
    "CorpusError",
    "DraftError",
    "Filters",
    "Outcome",
    "Problem",
    "Program",
    "ProgramFinderError",
    "QueryError",
    "RecordNotFoundError",
    "__version__",
    "load_corpus",
    "open_index",
    "search",
    "similar",
    "similarity_matrix",
]


def open_index(corpus: str | None = None) -> ProgramIndex:
    """The search index of a corpus folder (default: the shipped corpus), cached on disk."""
    from .retrieval.opening import open_index as _open_index

    return _open_index(corpus)


def search(
    query: str, *, limit: int = 10, corpus: str | None = None, **filters: Any
) -> SearchResults:
    """Search the shipped corpus (or ``corpus``) in one call.

    Example:
        >>> hits = search("package theft", limit=3)
        >>> hits[0].id
        'iacp-crime-prevention-2019-round-rock-pd'
    """
    return open_index(corpus).search(query, limit=limit, **filters)


def similar(
    record_id_or_text: str, *, limit: int = 10, corpus: str | None = None, **filters: Any
) -> SimilarResults:
    """Programs most like a record (by id) or like a draft text, in one call.

    Example:
        >>> similar("iacp-crime-prevention-2021-denver-pd", limit=3)[0].shared_terms  # doctest: +SKIP
        ('crisis', 'mental health', ...)
    """
    from .drafts.comparison import compare_draft
    from .retrieval.program_index import looks_like_id

    index = open_index(corpus)
    if looks_like_id(record_id_or_text):
        return index.similar(record_id_or_text, limit=limit, **filters)
    return compare_draft(index, record_id_or_text, limit=limit, **filters)


def similarity_matrix(corpus: str | None = None) -> tuple[list[str], np.ndarray]:
    """Record ids and the matrix of similarities between every pair of records."""
    return open_index(corpus).similarity_matrix()
