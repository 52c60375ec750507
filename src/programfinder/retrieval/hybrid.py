"""Ranking by words and by meaning together.

Every record gets two scores for a query: its word score (the TF-IDF cosine of the query's words,
spelling fixes and related words, blended with the LSA space, as before) and its meaning score
(``index.dense``: how close its best passage and best window are to the query in the model's
space). They are added, the words weighted by ``WORD_WEIGHT``:

    score = (w * words + max(meaning, 0)) / (WORD_WEIGHT + 1)

where ``w`` is ``WORD_WEIGHT`` when the query's words matched some record well (the best word
score reaches ``FULL_WORD_MATCH``), and shrinks in proportion below that: when nothing shares the
query's words, they are probably the wrong words (a lay description of the problem), and meaning
leads. Scores stay in [0, 1]. The weights were chosen on the blind dev split (queries and drafts
apart); rank fusion (RRF) and a fixed linear blend of normalised scores were measured there too and
ranked worse (see the README).

A hit whose score is below ``WEAK_SHARE_OF_BEST`` of the best hit's (or below ``WEAK_FLOOR``) is a
*weaker match*: shown after the others, marked, and collapsed on the web page. The line was chosen
on the dev split among those that keep at least three quarters of the relevant hits of the top
ten above it, as the one that best separates relevant from other hits (F1); the README reports
the share of relevant hits above and below it on the test split.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from ..index.dense import MeaningScores, meaning_scores
from ..index.files import IndexFiles
from ..language.embedding import shared_encoder

#: A query or draft is read in at most this many windows (about 1,500 words): a long document
#: is represented by its beginning, and reading it costs at most a second.
MAX_QUERY_WINDOWS = 8
#: A query none of whose words occur in the corpus is answered by meaning alone only when the
#: closest record is at least this close: gibberish ("zxqvwy") comes to about 0.25-0.31, a real
#: question to 0.4 and more.
MEANING_ALONE_MIN = 0.35
#: How much the words count beside meaning, for a typed query and for a draft or a record.
WORD_WEIGHT = 1.5
DRAFT_WORD_WEIGHT = 2.0
#: A best word score at or above this counts the words fully (typical of a query whose words a
#: record uses); below it the words count in proportion.
FULL_WORD_MATCH = 0.3
#: A hit is a weaker match when its score is below this share of the best hit's score, or below
#: ``WEAK_FLOOR``; a record scoring below ``LISTED_SHARE_OF_BEST`` of the best is not listed.
WEAK_SHARE_OF_BEST = 0.65
WEAK_FLOOR = 0.15
LISTED_SHARE_OF_BEST = 0.4


@dataclass(frozen=True)
class Blend:
    """How a ranking combined words and meaning: the weight the words got, and the scales that
    turn each part into its share of a hit's score."""

    word_weight: float
    word_scale: float  # a word score times this is its share of the final score
    meaning_scale: float  # a meaning score times this is its share

    def combine(self, words: np.ndarray, meaning: np.ndarray) -> np.ndarray:
        """The final scores from the word and meaning scores of every record."""
        combined = self.word_scale * words + self.meaning_scale * np.maximum(meaning, 0.0)
        return np.asarray(combined, dtype=np.float32)


@dataclass(frozen=True)
class HitMeaning:
    """What meaning added to one hit: its share of the score, the record's word score before
    blending, the passage that matched best, and whether the hit is a weaker match."""

    share: float
    words: float
    word_scale: float
    passage: str
    weak: bool


def weak_line(best: float) -> float:
    """The score under which a hit is a weaker match, for a ranking whose best score is ``best``."""
    return max(WEAK_FLOOR, WEAK_SHARE_OF_BEST * best)


def listed_line(best: float) -> float:
    """The score under which a record is not listed at all, for a ranking whose best is ``best``."""
    return LISTED_SHARE_OF_BEST * best


def blend_for(words: np.ndarray, word_weight: float = WORD_WEIGHT) -> Blend:
    """The blend for one query, from its word scores (see the module's note)."""
    best = float(words.max()) if len(words) else 0.0
    weight = word_weight * min(1.0, best / FULL_WORD_MATCH)
    total = word_weight + 1.0
    return Blend(weight, weight / total, 1.0 / total)


# Queries this process has read. The first is read with the model's graph as it is (a command
# line asks one: optimising would cost 0.3 s for nothing); from the second on (a notebook, the
# web app), with the optimised graph, loaded once, whose runs are about twice as fast.
_queries_read = 0


@lru_cache(maxsize=256)
def query_vector(text: str) -> np.ndarray:
    """The unit vector of a query or draft: the mean of its windows' vectors (one for a text of up
    to 256 tokens), with the model loaded on first use. Remembered for the last few hundred
    texts: a page asks for the same query's hits and its facet counts."""
    global _queries_read
    _queries_read += 1
    # one short text: a second thread would only wait
    encoder = shared_encoder(1, optimize=_queries_read > 1)
    vectors = encoder.encode_windows(text, MAX_QUERY_WINDOWS)
    mean = vectors.mean(axis=0)
    return np.asarray(mean / max(float(np.linalg.norm(mean)), 1e-12), dtype=np.float32)


def meaning_of(index: IndexFiles, text: str) -> MeaningScores | None:
    """Every record's meaning score for ``text``, or None when the index holds no vectors."""
    if not index.has_meaning or not text.strip():
        return None
    return meaning_scores(index, query_vector(text))
