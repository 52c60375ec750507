"""The one family of errors a user can cause.

Every error carries a message written for the person at the terminal: what is
wrong, where (file, line, field or argument) and how to fix it. The CLI turns
these into one line and an exit code; anything else is a bug.
"""

from __future__ import annotations


class ProgramFinderError(Exception):
    """Base class for problems caused by input: corpus files, queries, options, caches."""

    exit_code = 1


class CorpusError(ProgramFinderError):
    """The corpus folder is missing, empty, unreadable, or a record cannot be used."""


class RecordNotFoundError(ProgramFinderError):
    """No record has the requested id."""


class QueryError(ProgramFinderError):
    """A query, filter or option value cannot be used."""

    exit_code = 2


class CacheError(ProgramFinderError):
    """The index cache cannot be read or written."""


class DraftError(ProgramFinderError):
    """A draft proposal file cannot be read."""


class ModelError(ProgramFinderError):
    """The shipped sentence-embedding model is missing, damaged or cannot be run."""
