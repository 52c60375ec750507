"""Programs similar to a record or to a draft proposal, with the themes they share.

Similarity is the cosine of TF-IDF vectors blended with the cosine in a latent semantic (LSA)
space, which helps when two texts describe the same thing in different words. The blend weight
was chosen on the evaluation in ``eval/drafts.yaml`` and ``eval/pairs.yaml`` (see the README).

The work is done by ``ProgramIndex.similar`` and ``ProgramIndex.similarity_matrix``; this module
keeps the functions and names that scripts use (imports go one way: this module uses the
index, the index never imports it).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from ..index.scoring import LSA_WEIGHT
from ..language.synonyms import Expansion
from ..records.filters import Filters
from .hits import SimilarResults
from .similar_programs import DRAFT_SYNONYM_WEIGHT, looks_like_id

if TYPE_CHECKING:
    from .program_index import ProgramIndex

__all__ = [
    "DRAFT_SYNONYM_WEIGHT",
    "LSA_WEIGHT",
    "SimilarResults",
    "blended_scores",
    "draft_weights",
    "looks_like_id",
    "row_weights",
    "similar",
    "similarity_matrix",
]


def row_weights(index: ProgramIndex, row: int) -> dict[int, float]:
    """A record's own (unit-length) TF-IDF vector, as column -> weight."""
    return index.record_weights(row)


def draft_weights(index: ProgramIndex, text: str) -> tuple[dict[int, float], list[Expansion]]:
    """The unit TF-IDF vector of a draft, synonyms of its words added at a lower weight."""
    return index.draft_weights(text)


def blended_scores(
    index: ProgramIndex, weights: Mapping[int, float], lsa_weight: float = LSA_WEIGHT
) -> np.ndarray:
    """TF-IDF cosine of every record with ``weights``, blended with the LSA cosine when built."""
    return index.blended_scores(weights, lsa_weight)


def similar(
    index: ProgramIndex,
    record_id_or_text: str,
    *,
    limit: int = 10,
    filters: Filters | None = None,
    lsa_weight: float = LSA_WEIGHT,
    **criteria: Any,
) -> SimilarResults:
    """The records most like a record (given its id) or a draft text (``ProgramIndex.similar``)."""
    return index.similar(
        record_id_or_text, limit=limit, filters=filters, lsa_weight=lsa_weight, **criteria
    )


def similarity_matrix(index: ProgramIndex) -> tuple[list[str], np.ndarray]:
    """Record ids and the n x n matrix of blended similarities between all records."""
    return index.similarity_matrix()
