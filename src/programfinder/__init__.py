"""programfinder: find precedent among award-winning crime-prevention programs.

Quick use from Python or a notebook::

    import programfinder
    corpus = programfinder.load_corpus()          # the shipped corpus
    corpus.get("iacp-crime-prevention-2021-denver-pd")
    corpus.filter(award="goldstein", since=2015)
"""

from __future__ import annotations

from .corpus import Corpus, Problem, load_corpus
from .errors import (
    CacheError,
    CorpusError,
    DraftError,
    ProgramFinderError,
    QueryError,
    RecordNotFoundError,
)
from .filters import Filters
from .model import Outcome, Program

__version__ = "0.1.0"

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
]
