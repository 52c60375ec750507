"""Pruned top-k (``Scorer.top``) against the exhaustive ranking, on a generated Zipf corpus.

The pruned pass must return the same records and the same scores as scoring every posting and
ranking with ``top_rows``; queries are drawn across the whole frequency range, common words
included (their lists span most records, so blocks are skipped and lists probed).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from programfinder.index import arrays, pruning, scoring
from programfinder.records.program import Program
from programfinder.retrieval.program_index import ProgramIndex

SYLLABLES = ["ka", "lo", "mi", "nu", "pe", "ra", "si", "vu", "ze", "bar", "cor", "den", "fal"]
WORDS = 3_000
RECORDS = 2_500


def _word(rank: int) -> str:
    parts, value = [], rank + 1
    while value:
        value, digit = divmod(value, len(SYLLABLES))
        parts.append(SYLLABLES[digit])
    return "".join(parts) + "x"  # never an English stop word


def _programs() -> list[Program]:
    rng = np.random.default_rng(7)
    weights = 1.0 / np.arange(1, WORDS + 1) ** 1.07
    cumulative = np.cumsum(weights / weights.sum())

    def text(count: int) -> str:
        ranks = np.minimum(np.searchsorted(cumulative, rng.random(count)), WORDS - 1)
        return " ".join(_word(int(r)) for r in ranks)

    programs = []
    for number in range(RECORDS):
        record = {
            "id": f"synthetic-{number:05d}",
            "title": text(int(rng.integers(3, 8))),
            "agency": "Example Police Department",
            "country": "United States",
            "award": "Herman Goldstein Award for Excellence in Problem-Oriented Policing",
            "award_year": 2000 + number % 20,
            "category": "winner",
            "problem": ["burglary"],
            "tactics": ["crime analysis"],
            "description": text(int(rng.integers(20, 120))),
        }
        programs.append(Program.from_dict(json.loads(json.dumps(record))))
    return programs


@pytest.fixture(scope="module", params=["threshold", "pruned"])
def index(request: pytest.FixtureRequest) -> ProgramIndex:
    """The generated corpus with impact prefixes on every list of 64 postings or more: deep
    enough for the threshold algorithm to finish ("threshold"), or so shallow that it runs out
    and the block-pruned pass takes over ("pruned")."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(arrays, "IMPACT_MIN", 64)
        patch.setattr(arrays, "IMPACT_DEPTH", 1024 if request.param == "threshold" else 16)
        built = ProgramIndex.build(_programs(), semantic=False)  # the words' pruned paths
    built.prefixes = request.param  # type: ignore[attr-defined]
    return built


@pytest.fixture(autouse=True)
def always_prune(monkeypatch: pytest.MonkeyPatch) -> None:
    # the generated corpus is small: make every query take the pruned path
    monkeypatch.setattr(scoring, "SMALL_QUERY_POSTINGS", 0)
    monkeypatch.setattr(pruning, "LONG_LIST", 64)


def _exhaustive(
    index: ProgramIndex, weights: dict[int, float], limit: int, exclude: list[int]
) -> list[tuple[int, float]]:
    scores = index.score(weights)
    mask = np.ones(len(scores), dtype=bool)
    mask[exclude] = False
    return [(row, float(scores[row])) for row in index.top_rows(scores, mask, limit)]


# ranks drawn log-uniformly: each order of magnitude of frequency as likely, the top words often
ranks = st.floats(min_value=0.0, max_value=math.log(WORDS)).map(lambda x: int(math.exp(x)) - 1)
queries = st.lists(ranks, min_size=1, max_size=6).map(lambda r: " ".join(_word(i) for i in r))
common_queries = st.lists(st.integers(0, 20), min_size=1, max_size=4).map(
    lambda r: " ".join(_word(i) for i in r)
)


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.one_of(queries, common_queries), st.integers(1, 40))
def test_pruned_top_k_equals_exhaustive(index: ProgramIndex, query: str, limit: int) -> None:
    weights = index.query_weights(query)
    assert index.top(weights, limit) == _exhaustive(index, weights, limit, [])


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.integers(0, RECORDS - 1), st.integers(1, 15))
def test_pruned_record_neighbours_equal_exhaustive(
    index: ProgramIndex, row: int, limit: int
) -> None:
    weights = index.record_weights(row)
    assert index.top(weights, limit, exclude=[row]) == _exhaustive(index, weights, limit, [row])


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(ranks, min_size=50, max_size=250), st.integers(1, 20))
def test_pruned_drafts_equal_exhaustive(index: ProgramIndex, draft: list[int], limit: int) -> None:
    weights = index.query_weights(" ".join(_word(i) for i in draft))
    assert index.top(weights, limit) == _exhaustive(index, weights, limit, [])


def test_each_index_takes_the_path_it_is_built_for(index: ProgramIndex) -> None:
    """Common-word queries: answered from the impact prefixes alone when they are deep enough,
    by the block-pruned pass when they run out; either way exactly the exhaustive ranking."""
    answered: list[bool] = []
    original = index._threshold_top

    def recording(*args: object) -> object:
        found = original(*args)  # type: ignore[arg-type]
        answered.append(found is not None)
        if found is not None:
            assert len(found[0]) < RECORDS // 2  # read far fewer records than the lists hold
        return found

    index._threshold_top = recording  # type: ignore[method-assign,assignment]
    try:
        for words in ([0, 1], [0, 1, 2], [1, 3], [2, 5, 8], [0, 4, 9, 11]):
            weights = index.query_weights(" ".join(_word(i) for i in words))
            assert index.top(weights, 10) == _exhaustive(index, weights, 10, [])
    finally:
        del index._threshold_top
    deep = index.prefixes == "threshold"  # type: ignore[attr-defined]
    assert all(answered) if deep else not all(answered)


@pytest.mark.parametrize("index", ["pruned"], indirect=True)
def test_pruning_skips_postings_of_common_words(index: ProgramIndex) -> None:
    """A rare word beside the most common one, on the index whose prefixes run out: the
    common list is probed, not read whole."""
    rare = next(
        _word(r)
        for r in range(WORDS - 1, 0, -1)
        if (c := index.terms_.lookup(index.analyzer(_word(r))[0])) is not None
        and 20 <= index.indptr_[c + 1] - index.indptr_[c] < 200
    )
    weights = index.query_weights(f"{_word(0)} {rare}")
    read: list[int] = []
    original = index._kept_postings

    def counting(*args: object) -> np.ndarray:
        positions = original(*args)  # type: ignore[arg-type]
        read.append(len(positions))
        return positions

    index._kept_postings = counting  # type: ignore[method-assign]
    try:
        assert index.top(weights, 10) == _exhaustive(index, weights, 10, [])
    finally:
        del index._kept_postings
    common = index.terms_.lookup(index.analyzer(_word(0))[0])
    assert common is not None
    assert sum(read) < index.indptr_[common + 1] - index.indptr_[common]


def test_quantised_values_stay_close_to_exact(index: ProgramIndex) -> None:
    for row in (0, 17, RECORDS - 1):
        for column, exact in index.record_weights(row).items():
            assert abs(index.value(row, column) - exact) <= float(index.scale_[column]) / 65535


def test_index_folder_holds_the_matrix_once(index: ProgramIndex) -> None:
    files = {p.name for p in Path(index.folder).iterdir()}
    assert files == {"index.json", "index.npz", "records.zlib"}
    assert index.data_.dtype == np.uint16
    assert "row_data" not in index.meta


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(words=st.lists(ranks, min_size=1, max_size=250))
def test_compiled_kernel_scores_equal_numpy_scores(
    index: ProgramIndex, words: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Exhaustive scores through scipy's compiled kernel (many postings) are bit for bit the
    scores of numpy's scatter-add: the pruned passes rely on it."""
    assert scoring._product_kernel() is not None  # else the fast route is not tested here
    weights = index.query_weights(" ".join(_word(i) for i in words))
    monkeypatch.setattr(scoring, "SPARSE_PRODUCT_POSTINGS", 10**12)
    by_numpy = index.score(weights)
    monkeypatch.setattr(scoring, "SPARSE_PRODUCT_POSTINGS", 0)
    by_kernel = index.score(weights)
    assert by_kernel.dtype == by_numpy.dtype == np.float32
    assert np.array_equal(by_kernel, by_numpy)
