"""Invariants, checked on generated input (hypothesis), and fuzzing of the two parsers.

The fuzz targets run briefly in the normal suite; set PROGRAMFINDER_FUZZ_EXAMPLES (e.g. 20000)
to run them longer:  PROGRAMFINDER_FUZZ_EXAMPLES=20000 python -m pytest tests/test_properties.py
"""

from __future__ import annotations

import math
import os
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import programfinder
from programfinder.language.query import parse_query
from programfinder.language.text import Analyzer
from programfinder.records.parse import parse_record_text

FUZZ_EXAMPLES = int(os.environ.get("PROGRAMFINDER_FUZZ_EXAMPLES", "300"))
ANALYZER = Analyzer(stop_words=frozenset({"the", "of", "and"}))
INDEX = programfinder.open_index()
VOCABULARY_WORDS = sorted(INDEX.known_words_)[:2000]

any_text = st.text(alphabet=st.characters(codec="utf-8"), max_size=400)
query_text = st.one_of(
    any_text,
    st.lists(st.sampled_from(VOCABULARY_WORDS), min_size=1, max_size=6).map(" ".join),
    st.lists(
        st.one_of(st.sampled_from(VOCABULARY_WORDS), st.sampled_from(['"', "-", "'", "/", "“"])),
        max_size=8,
    ).map(" ".join),
)


@settings(max_examples=FUZZ_EXAMPLES, deadline=None)
@given(any_text)
def test_analyzer_never_raises_and_returns_terms(text: str) -> None:
    terms = ANALYZER(text)
    assert all(isinstance(t, str) and t for t in terms)
    assert ANALYZER(text) == terms  # deterministic


@settings(max_examples=FUZZ_EXAMPLES, deadline=None)
@given(any_text)
def test_query_parser_never_raises(text: str) -> None:
    parsed = parse_query(text)
    assert isinstance(parsed.text, str)
    assert all(isinstance(p, str) for p in (*parsed.phrases, *parsed.excluded))


@settings(
    max_examples=FUZZ_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    st.one_of(
        any_text,
        st.builds(lambda front, body: f"---\n{front}\n---\n{body}", any_text, any_text),
        st.builds(
            lambda key, value, body: f"---\nid: x\n{key}: {value}\n---\n{body}",
            st.sampled_from(["title", "award_year", "problem", "outcomes", "started", "id", "x"]),
            any_text,
            any_text,
        ),
    )
)
def test_front_matter_parser_never_raises(text: str) -> None:
    program, problems = parse_record_text(text, Path("fuzz.md"))
    assert program is not None or problems
    for problem in problems:
        assert str(problem)  # every problem can be shown


@settings(max_examples=150, deadline=None)
@given(query_text)
def test_search_results_sorted_finite_bounded_and_deterministic(query: str) -> None:
    try:
        first = INDEX.search(query, limit=10)
    except programfinder.QueryError:
        return  # an empty query is refused with a message (tested elsewhere)
    scores = [hit.score for hit in first]
    assert scores == sorted(scores, reverse=True)
    assert all(math.isfinite(s) and 0.0 <= s <= 1.0 for s in scores)
    second = INDEX.search(query, limit=10)
    assert [(h.id, h.score) for h in second] == [(h.id, h.score) for h in first]


@pytest.mark.parametrize("program", list(INDEX.programs), ids=lambda p: p.id)
def test_every_title_finds_its_record_in_the_top_three(program: programfinder.Program) -> None:
    assert program.id in [hit.id for hit in INDEX.search(program.title, limit=3)]


def test_every_record_is_its_own_nearest_neighbour() -> None:
    ids, matrix = INDEX.similarity_matrix()
    assert [ids[i] for i in np.argmax(matrix, axis=1)] == ids
    for program in list(INDEX.programs)[:20]:
        assert INDEX.similar(program.body, limit=1)[0].id == program.id
