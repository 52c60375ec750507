"""How a query reaches records through words the user did not type: the thesaurus, tag entry
terms and synonyms, and how each hit says which route it took."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import programfinder
from programfinder.cli.app import app
from programfinder.errors import CorpusError
from programfinder.language.entry_terms import ENTRY_TERMS_FILE, load_entry_terms
from programfinder.language.glossary import GLOSSARY_FILE, load_glossary
from programfinder.language.synonyms import phrase_stems
from programfinder.language.thesaurus import THESAURUS_FILE, Thesaurus, default_thesaurus
from programfinder.retrieval.opening import open_index
from tests.conftest import write_record

COLORADO_SPRINGS = "goldstein-2010-colorado-springs-pd"
BIKE_IDS = {"goldstein-2011-transport-for-london", "acvpa-2021-crime-stoppers-wa-bikelinc"}


# ---------------------------------------------------------------- thesaurus table
def test_thesaurus_table_is_sorted_by_bytes_and_well_formed() -> None:
    keys = []
    with THESAURUS_FILE.open("rb") as handle:
        for line in handle:
            key, _, rest = line.rstrip(b"\n").partition(b"\t")
            assert key and rest, line
            keys.append(key)
    assert keys == sorted(keys)
    assert len(keys) > 100_000


def test_thesaurus_licence_notice_ships_beside_it() -> None:
    notice = (THESAURUS_FILE.parent / "WORDNET-LICENSE.txt").read_text(encoding="utf-8")
    assert "WordNet 3.0 Copyright 2006 by Princeton University" in notice


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("youngsters", "juvenile"),  # plural found through the regular rules, broader term
        ("thieves", "stealer"),  # irregular plural, through WordNet's exception list
        ("burglar", "thief"),
        ("teenager", "adolescent"),
    ],
)
def test_thesaurus_finds_inflected_words(word: str, expected: str) -> None:
    words = {w for s in default_thesaurus().senses(word) for w in s.synonyms + s.broader}
    assert expected in words


def test_thesaurus_first_and_last_lines_and_unknown_words() -> None:
    thesaurus = default_thesaurus()
    with THESAURUS_FILE.open("rb") as handle:
        lines = handle.read().splitlines()
    first, last = (line.split(b"\t")[0].decode() for line in (lines[0], lines[-1]))
    assert thesaurus.base_forms(first) == [first]
    assert thesaurus.base_forms(last) == [last]
    assert thesaurus.senses("qzxqzx") == []
    assert thesaurus.senses("") == []


def test_missing_thesaurus_file_means_no_expansion(tmp_path: Path) -> None:
    assert Thesaurus(tmp_path / "absent.tsv").senses("youngster") == []


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40))
def test_thesaurus_lookup_never_raises(word: str) -> None:
    senses = default_thesaurus().senses(word)
    assert all(isinstance(s.synonyms, tuple) for s in senses)


# ---------------------------------------------------------------- routes of a hit
def test_tag_entry_term_reaches_the_tag_and_says_so() -> None:
    results = programfinder.search("rough sleepers", limit=5)
    assert COLORADO_SPRINGS in [h.id for h in results]
    assert any(e.via == "tag" and e.added == ("homelessness",) for e in results.expansions)
    hit = next(h for h in results if h.id == COLORADO_SPRINGS)
    routes = {(m.via, m.found) for m in hit.matches}
    assert ("tag", "rough sleepers") in routes


def test_every_record_with_the_tag_is_reached_by_an_entry_term() -> None:
    index = open_index()
    tagged = {p.id for p in index.programs if "homelessness" in p.problem}
    found = {h.id for h in programfinder.search("rough sleepers", limit=len(index))}
    assert tagged and tagged <= found


def test_thesaurus_route_is_reported_with_the_typed_word() -> None:
    # "stripling" is in no record and no hand-written list: only the thesaurus knows it
    results = programfinder.search("stripling", limit=10)
    assert any(e.via == "thesaurus" and e.found == "stripling" for e in results.expansions)
    matches = [m for h in results for m in h.matches]
    assert matches and all(m.via == "thesaurus" for m in matches)
    assert {m.found for m in matches} == {"stripling"}
    assert any(m.term.startswith(("adolescent", "juvenile")) for m in matches)


def test_typed_words_are_marked_typed() -> None:
    hit = programfinder.search("package theft", limit=1)[0]
    assert ("package theft", "typed") in {(m.term, m.via) for m in hit.matches}


def test_json_hit_lists_each_match_with_its_route(runner: CliRunner) -> None:
    result = runner.invoke(app, ["search", "rough sleepers", "--limit", "3", "--json"])
    assert result.exit_code == 0, result.output
    hits = json.loads(result.stdout)
    # a hit found by meaning alone has no matched word, so no "matches"
    routes = [(m["via"], m.get("from")) for h in hits for m in h.get("matches", [])]
    assert ("tag", "rough sleepers") in routes
    assert all(set(m) >= {"term", "via", "score"} for h in hits for m in h.get("matches", []))


def test_explain_says_how_each_word_was_reached(runner: CliRunner) -> None:
    result = runner.invoke(
        app, ["search", "rough sleepers", "--limit", "2", "--explain"], env={"COLUMNS": "250"}
    )
    assert result.exit_code == 0, result.output
    flat = " ".join(result.stdout.split())
    assert "Words that lead to a tag: rough sleepers → homelessness" in flat
    assert "how each word was reached:" in flat
    assert "('rough sleepers' is an" in flat


def test_expansions_weigh_less_than_typed_words() -> None:
    hit = programfinder.search("homelessness", limit=1)[0]
    typed = {m.term: m.score for m in hit.matches if m.via == "typed"}
    assert typed, hit.matches
    reached = programfinder.search("rough sleepers", limit=1)[0]
    assert reached.score < hit.score


# ---------------------------------------------------------------- the entry-term file
def test_own_corpus_uses_its_own_entry_terms(tmp_path: Path, shipped_corpus: Path) -> None:
    root = tmp_path / "own"
    root.mkdir()
    shutil.copy(shipped_corpus / "vocabulary.yaml", root / "vocabulary.yaml")
    write_record(root, "goldstein-2020-example-pd", title="Campus Burglary Project")
    (root / ENTRY_TERMS_FILE).write_text("problem:\n  burglary: [zorbling]\n", "utf-8")
    results = programfinder.search("zorbling", corpus=str(root))
    assert [h.id for h in results] == ["goldstein-2020-example-pd"]
    assert ("tag", ("burglary",)) in {(e.via, e.added) for e in results.expansions}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("problem: [a, b", "cannot read the entry-term list"),
        ("- just a list", "must have sections"),
        ("problem:\n  burglary: 12\n", "must be a list"),
    ],
)
def test_broken_entry_term_file_says_what_to_fix(
    tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / ENTRY_TERMS_FILE
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CorpusError, match=message):
        load_entry_terms(path)


def test_shipped_entry_terms_cover_every_tag(shipped_corpus: Path) -> None:
    import yaml

    vocabulary = yaml.safe_load((shipped_corpus / "vocabulary.yaml").read_text("utf-8"))
    terms = load_entry_terms(shipped_corpus / ENTRY_TERMS_FILE)
    tags = {tag for section in vocabulary.values() for tag in section}
    assert tags <= set(terms), tags - set(terms)
    assert all(len(terms[tag]) >= 5 for tag in tags)


# ---------------------------------------------------------------- the everyday-words glossary
def test_everyday_word_reaches_the_standard_word_and_says_so() -> None:
    results = programfinder.search("nicked pushbikes", limit=5)
    assert any(e.via == "glossary" for e in results.expansions)
    assert BIKE_IDS & {h.id for h in results[:3]}
    routes = {m.via for h in results for m in h.matches}
    assert "glossary" in routes


def test_glossary_points_one_way(tmp_path: Path, shipped_corpus: Path) -> None:
    root = tmp_path / "own"
    root.mkdir()
    shutil.copy(shipped_corpus / "vocabulary.yaml", root / "vocabulary.yaml")
    write_record(root, "goldstein-2020-example-pd", body="Cars were stolen from the car park.")
    (root / GLOSSARY_FILE).write_text("motors: [cars]\n", encoding="utf-8")
    assert [h.id for h in programfinder.search("motors", corpus=str(root))] == [
        "goldstein-2020-example-pd"
    ]
    expansions = programfinder.search("cars", corpus=str(root)).expansions
    assert not [e for e in expansions if e.via == "glossary"]


def test_phrase_with_a_stop_word_for_a_content_word_is_not_shortened() -> None:
    analyzer = open_index().analyzer
    assert phrase_stems("old bill", analyzer) == ()  # "bill" is a stop word: never just "old"
    assert phrase_stems("breaking and entering", analyzer) == ("break", "enter")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("coppers: [police", "cannot read the everyday-words glossary"),
        ("- coppers", "must map each word"),
        ("coppers: {a: b}\n", "must be a list"),
    ],
)
def test_broken_glossary_says_what_to_fix(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / GLOSSARY_FILE
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CorpusError, match=message):
        load_glossary(path)


def test_phrase_left_with_one_word_is_not_matched_on_that_word() -> None:
    analyzer = open_index().analyzer
    assert phrase_stems("the schemes", analyzer) == ()
    results = programfinder.search("buddy scheme for lags", limit=3)
    assert not [e for e in results.expansions if e.found == "the schemes"]


def test_glossary_forms_sharing_a_stem_use_the_form_typed() -> None:
    expansions = programfinder.search("lags coming out of the nick", limit=3).expansions
    found = [e.found for e in expansions if e.via == "glossary"]
    assert "nick" in found
    assert not {"nicked", "nicking"} & set(found)


def test_synonym_members_follow_the_same_phrase_rule() -> None:
    analyzer = open_index().analyzer
    # "con" is a stop word: "con artists" must not fire on every "artists"
    assert phrase_stems("con artists", analyzer) == ()
    expansions = programfinder.search("street artists", limit=3).expansions
    assert not [e for e in expansions if e.via == "synonym" and e.found == "con artists"]
    # a function word inside a long phrase does not stop it from matching
    full = "crime prevention through environmental design"
    assert phrase_stems(full, analyzer)
    found = programfinder.search(full, limit=3).expansions
    assert any(e.via == "synonym" and e.found == full for e in found)
