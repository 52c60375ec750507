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
    """No record has the requested id; ``suggestions`` are the closest ids, if any."""

    def __init__(self, message: str, suggestions: tuple[str, ...] | list[str] = ()) -> None:
        super().__init__(message)
        self.suggestions = tuple(suggestions)


class QueryError(ProgramFinderError):
    """A query, filter or option value cannot be used."""

    exit_code = 2


class CacheError(ProgramFinderError):
    """The index cache cannot be read or written."""


class DraftError(ProgramFinderError):
    """A draft proposal file cannot be read."""


class ModelError(ProgramFinderError):
    """The shipped sentence-embedding model is missing, damaged or cannot be run."""


#: The most characters of a user's input that a message repeats back.
ECHO_CHARS = 60


def echo(value: object, limit: int = ECHO_CHARS) -> str:
    """``value`` quoted for a message, cut to ``limit`` characters: a 100 KB id or query is
    not repeated back in full (``'xxxx…' (100,000 characters)``).

    Example:
        >>> echo("porch")
        "'porch'"
        >>> echo("x" * 1000, limit=4)
        "'xxxx…' (1,000 characters)"
    """
    text = str(value)
    if len(text) <= limit:
        return repr(text)
    return f"{text[:limit] + '…'!r} ({len(text):,} characters)"
