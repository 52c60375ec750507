"""Keyword search on the shipped corpus, as a user types it."""

from __future__ import annotations

import functools
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import programfinder
from programfinder.cli.app import app
from programfinder.language.query import Speller
from programfinder.retrieval.opening import open_index

ROUND_ROCK = "iacp-crime-prevention-2019-round-rock-pd"
DENVER = "iacp-crime-prevention-2021-denver-pd"
THAMES_VALLEY = "iacp-crime-prevention-2020-thames-valley-police"


def ranked_ids(query: str, **filters: object) -> list[str]:
    return [hit.id for hit in programfinder.search(query, limit=10, **filters)]


@pytest.mark.parametrize(
    ("query", "expected", "within"),
    [
        ("package theft", ROUND_ROCK, 1),
        ("co-responder mental health", DENVER, 1),
        ("porch pirates", ROUND_ROCK, 3),
        ("sexual assault nightlife", THAMES_VALLEY, 3),
        ("corresponder", DENVER, 3),
        ("clinicians riding with officers", DENVER, 3),
        ("parcels stolen from doorsteps", ROUND_ROCK, 3),
    ],
)
def test_finds_the_right_precedent(query: str, expected: str, within: int) -> None:
    ids = ranked_ids(query)
    assert expected in ids[:within], ids


def test_misspelling_is_corrected_and_reported() -> None:
    results = programfinder.search("corresponder")
    assert [(c.original, c.replacement) for c in results.corrections] == [
        ("corresponder", "co-responder")
    ]
    burglary = programfinder.search("burglery")
    assert burglary.corrections[0].replacement == "burglary"
    assert burglary, "the corrected query finds burglary programs"


_SPELLER_WORDS = sorted(open_index().known_words_)


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(_SPELLER_WORDS),
    st.lists(
        st.tuples(
            st.sampled_from(["insert", "delete", "replace"]),
            st.integers(0, 30),
            st.sampled_from("aeioulnrst-xz"),
        ),
        min_size=1,
        max_size=3,
    ),
)
def test_closest_word_is_what_difflib_finds(word: str, edits: list[tuple[str, int, str]]) -> None:
    """The speller stops comparing early (by difflib's own bound), yet finds exactly the word
    ``difflib.get_close_matches`` finds among the same candidates."""
    import difflib

    typo = list(word)
    for action, at, letter in edits:
        at %= len(typo) + 1
        if action == "insert":
            typo.insert(at, letter)
        elif typo and at < len(typo):
            typo[at : at + 1] = [] if action == "delete" else [letter]
    misspelt = "".join(typo)
    assume(len(misspelt) >= 2)
    speller = _shipped_speller()
    candidates = speller.candidates(misspelt)
    expected = difflib.get_close_matches(misspelt, candidates, n=1, cutoff=0.84)
    assert speller.closest(misspelt, 0.84) == (expected[0] if expected else None)


@functools.cache
def _shipped_speller() -> Speller:
    return Speller(frozenset(_SPELLER_WORDS))


def test_synonym_expansion_is_reported() -> None:
    results = programfinder.search("porch pirates")
    found = {e.found for e in results.expansions}
    assert "porch pirates" in found
    added = {term for e in results.expansions for term in e.added}
    assert "package theft" in added


def test_quoted_phrase_must_appear_in_order() -> None:
    assert ROUND_ROCK in ranked_ids('"package theft"')
    assert ROUND_ROCK not in ranked_ids('"theft package"')


def test_excluded_term_removes_records() -> None:
    assert ROUND_ROCK in ranked_ids("package theft")
    assert ROUND_ROCK not in ranked_ids("package theft -volunteers")


@pytest.mark.parametrize(
    ("filters", "check"),
    [
        ({"country": "UK"}, lambda p: p.country == "United Kingdom"),
        ({"award": "goldstein"}, lambda p: p.award_slug == "goldstein"),
        ({"since": 2015, "until": 2020}, lambda p: 2015 <= p.award_year <= 2020),
        ({"tags": ("domestic violence",)}, lambda p: "domestic violence" in p.tags),
    ],
)
def test_filters_combine_with_query(filters: dict[str, object], check: object) -> None:
    results = programfinder.search("violence", limit=50, **filters)
    assert results
    assert all(check(hit.program) for hit in results)  # type: ignore[operator]


def test_filters_only_lists_matching_programs() -> None:
    results = programfinder.search("", award="tilley", limit=100)
    corpus = programfinder.load_corpus()
    assert {h.id for h in results} == {p.id for p in corpus.filter(award="tilley")}


def test_scores_sorted_and_explained() -> None:
    results = programfinder.search("gun violence shootings", limit=10)
    scores = [h.score for h in results]
    assert scores == sorted(scores, reverse=True)
    for hit in results:
        assert 0 < hit.score <= 1
        assert hit.matched_terms
        assert sum(v for _, v in hit.contributions) == pytest.approx(hit.score, abs=1e-3)


def test_hit_repr_and_snippet_are_readable() -> None:
    hit = programfinder.search("package theft", limit=1)[0]
    assert repr(hit).startswith("<Hit #1 ")
    assert "Operation Front Porch" in repr(hit)
    assert "package" in hit.snippet.lower()
    start, end = hit.highlights[0]
    assert hit.snippet[start:end].lower().startswith(("package", "theft", "parcel", "stolen"))


def test_cli_search_table(runner: CliRunner) -> None:
    result = runner.invoke(app, ["search", "package", "theft", "--limit", "3"])
    assert result.exit_code == 0, result.output
    assert "Operation Front Porch" in result.output
    assert "Round Rock, Texas, United States" in result.output
    assert "matched:" in result.output


def test_cli_search_json(runner: CliRunner) -> None:
    result = runner.invoke(app, ["search", "co-responder mental health", "--json"])
    hits = json.loads(result.stdout)
    assert hits[0]["id"] == DENVER
    for key in ("id", "score", "title", "agency", "country", "award", "award_year", "snippet",
                "matched_terms"):  # fmt: skip
        assert key in hits[0]


def test_cli_search_explain(runner: CliRunner) -> None:
    result = runner.invoke(app, ["search", "package theft", "--explain", "--limit", "1"])
    assert "score = " in result.output


def test_cli_corrections_and_expansions_shown(runner: CliRunner) -> None:
    result = runner.invoke(app, ["search", "corresponder"])
    assert "Searched for 'co-responder'" in result.output
    result = runner.invoke(app, ["search", "porch pirates"])
    assert "Also searched for synonyms: porch pirates → " in result.output


@pytest.mark.parametrize("query", ["zzzqqqxxx", "the of and", "!!! ???"])
def test_no_hits_is_exit_0_with_advice(query: str, runner: CliRunner) -> None:
    result = runner.invoke(app, ["search", query])
    assert result.exit_code == 0
    assert "No programs found" in result.output
    assert "Try fewer or other words" in result.output


def test_empty_query_without_filters_is_an_error(runner: CliRunner) -> None:
    result = runner.invoke(app, ["search"])
    assert result.exit_code == 2
    assert "Empty query" in result.stderr


def test_index_rebuilt_when_corpus_changes(corpus_copy: Path) -> None:
    assert not open_index(corpus_copy).search("zeppelin hangar")
    record = corpus_copy / "iacp-crime-prevention" / f"{ROUND_ROCK}.md"
    record.write_text(
        record.read_text(encoding="utf-8") + "\nVolunteers met near the zeppelin hangar.\n",
        encoding="utf-8",
    )
    hits = open_index(corpus_copy).search("zeppelin hangar")
    assert hits[0].id == ROUND_ROCK
    assert "zeppelin hangar" in hits[0].matched_terms  # found by its new words, not by meaning
    assert all(not h.matched_terms for h in hits[1:])


def test_warm_search_does_not_import_scikit_learn(tmp_path: Path) -> None:
    code = (
        "import sys, programfinder; programfinder.search('package theft');"
        "print(sorted(m for m in ('sklearn', 'matplotlib', 'scipy') if m in sys.modules))"
    )
    env = {**os.environ}
    env.pop("PROGRAMFINDER_CORPUS", None)
    subprocess.run([sys.executable, "-c", code], env=env, check=True, capture_output=True)
    warm = subprocess.run(
        [sys.executable, "-c", code], env=env, check=True, capture_output=True, text=True
    )
    assert warm.stdout.strip() == "[]"


def test_rare_real_word_is_not_corrected_when_spelling_list_is_cut(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A corpus with more words than the spelling list keeps: a rare word that is in the corpus
    ("burglars", once) is searched as typed, not "corrected" to a frequent neighbour. The list
    is cut to its most frequent words and then loses the numbers among them, so it ends up
    shorter than the cap: that must not make it count as holding every corpus word."""
    from programfinder.index import build
    from programfinder.records.program import Program
    from programfinder.retrieval.program_index import ProgramIndex

    monkeypatch.setattr(build, "SPELLING_WORDS", 6)
    numbers = " ".join(str(2000 + i % 4) for i in range(40))
    records = [
        {
            "id": f"record-{n}",
            "title": f"Burglary program {n}",
            "agency": "Example Police Department",
            "country": "United States",
            "award": "Tilley Award",
            "award_year": 2010,
            "category": "winner",
            "problem": ["burglary"],
            "tactics": ["crime analysis"],
            "description": f"burglary burglary prevention {numbers} "
            + ("repeat burglars were tracked" if n == 2 else "homes were secured"),
        }
        for n in range(4)
    ]
    index = ProgramIndex.build([Program.from_dict(r) for r in records])
    assert not index.spelling_complete_
    assert len(index.known_words_) < 6  # the numbers were dropped from the cut list
    found = index.search("burglars")
    assert found.corrections == []
    assert found[0].program.id == "record-2"
    assert [(c.original, c.replacement) for c in index.search("burglery").corrections] == [
        ("burglery", "burglary")
    ]
