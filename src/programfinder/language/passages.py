"""Cutting a description into sentences and into passages of a few sentences: the pieces whose
meaning is compared with a query, and that a hit shows as the passage that matched best."""

from __future__ import annotations

import re

# A full stop, question or exclamation mark ends a sentence when a capital, a digit or an opening
# quote or bracket follows: "St. Paul" and "3.5%" stay whole.
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"'(\[]?[A-Z0-9])")
#: A passage gathers whole sentences up to about this many words: long enough to say one thing
#: in context, short enough to show as the reason for a hit (chosen on the blind dev split).
PASSAGE_WORDS = 60


def sentences(text: str) -> list[str]:
    """The sentences of a description (paragraph breaks and full stops end a sentence)."""
    result: list[str] = []
    for paragraph in re.split(r"\n\s*\n", text):
        flat = " ".join(paragraph.split())
        result.extend(s.strip() for s in _SENTENCE_END.split(flat) if s.strip())
    return result


def shortened(text: str, limit: int) -> str:
    """``text`` cut at a word boundary to at most ``limit`` characters, with "…" when cut."""
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


def first_sentence(text: str) -> str:
    """The first sentence of a description, or "" (what a listing shows of each record)."""
    found = sentences(text)
    return found[0] if found else ""


def passages(title: str, body: str, words: int = PASSAGE_WORDS) -> list[str]:
    """The title and the body's sentences, gathered in order into passages of at most ``words``
    words (a longer sentence is a passage of its own)."""
    result: list[str] = []
    current = ""
    for sentence in [title.strip(), *sentences(body)]:
        if not sentence:
            continue
        joined = f"{current} {sentence}".strip()
        if current and len(joined.split()) > words:
            result.append(current)
            current = sentence
        else:
            current = joined
    if current:
        result.append(current)
    return result


def record_text(title: str, body: str) -> str:
    """A record's text as one piece, for reading in windows: its title, then its description."""
    return f"{title.strip()}. {body.strip()}" if title.strip() else body.strip()
