"""The relevance evaluation: figures held at the level reached, and ahead of the peers."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from programfinder.cli.app import app
from programfinder.retrieval.evaluation import (
    SystemScores,
    compare,
    load_judgements,
    ndcg_at_k,
    recall_at_k,
    reciprocal_rank,
)
from tests.conftest import REPO_ROOT

QUERIES = REPO_ROOT / "eval" / "queries.yaml"
BLIND_DEV = REPO_ROOT / "eval" / "blind-dev.yaml"
BLIND_TEST = REPO_ROOT / "eval" / "blind-test.yaml"
# The level reached when the evaluation was written (overall, all 50 queries). A change that
# lowers relevance fails here; raise these when an improvement lands.
# Recall@10 fell from 0.955 when the set was re-graded for the 173-record corpus: queries such as
# "recidivism" now have 15 relevant records, more than ten can show.
# Re-graded for the 254-record corpus (74 grades added for the third wave's records): nDCG@10
# 0.933, recall@10 0.847 by words alone; 0.913 and 0.811 with meaning (its synonym queries, jargon
# that the word lists know and the model does not, fell from 0.872 to 0.759: a cost measured and
# accepted for the gains on the blind sets).
FLOORS = {"ndcg@10": 0.91, "mrr": 0.98, "recall@10": 0.81}
# On the frozen blind test set (never tuned on): the figures reached, rounded down.
# Reached on 2026-12-07 with the 254-record corpus and the set grown for its third wave (342 test
# items; its new paraphrases share fewer words with their targets), words and meaning together:
# nDCG@10 0.780, hit@3 0.836, paraphrase nDCG@10 0.547 (by words alone: 0.703, 0.749, 0.315).
BLIND_TEST_FLOORS = {"ndcg@10": 0.78, "hit@3": 0.83, "paraphrase ndcg@10": 0.54}
# Kinds where the best peer is still ahead on the test set, and by how much at most (a target
# missed, not a goal): keyword queries trail bm25s by 0.007 (0.887 against 0.894).
BEHIND_BEST_PEER = {"keyword": 0.01}
KINDS = {"keyword", "question", "paraphrase", "misspelling", "place", "draft"}


@pytest.fixture(scope="module")
def systems() -> dict[str, dict[str, float]]:
    return {s.name: s.overall for s in compare(QUERIES)}


@pytest.fixture(scope="module")
def blind_test() -> dict[str, SystemScores]:
    return {s.name: s for s in compare(BLIND_TEST)}


def test_blind_sets_are_split_and_cover_every_kind() -> None:
    dev, test = load_judgements(BLIND_DEV), load_judgements(BLIND_TEST)
    assert len(dev) + len(test) >= 100
    assert {j.type for j in dev} == {j.type for j in test} == KINDS
    assert sum(j.type == "paraphrase" for j in dev + test) >= 20
    assert sum(j.type == "draft" for j in dev + test) >= 20
    assert not {j.query for j in dev} & {j.query for j in test}, "a query is in both halves"


def test_blind_test_floors(blind_test: dict[str, SystemScores]) -> None:
    ours = blind_test["programfinder"]
    assert ours.overall["ndcg@10"] >= BLIND_TEST_FLOORS["ndcg@10"]
    assert ours.overall["hit@3"] >= BLIND_TEST_FLOORS["hit@3"]
    assert ours.by_type["paraphrase"]["ndcg@10"] >= BLIND_TEST_FLOORS["paraphrase ndcg@10"]


def test_blind_test_no_kind_below_best_peer(blind_test: dict[str, SystemScores]) -> None:
    ours = blind_test["programfinder"]
    peers = [system for name, system in blind_test.items() if name != "programfinder"]
    for kind, figures in ours.by_type.items():
        best_peer = max(peer.by_type[kind]["ndcg@10"] for peer in peers)
        assert figures["ndcg@10"] >= best_peer - BEHIND_BEST_PEER.get(kind, 0.0), kind


def test_judgements_cover_every_query_type() -> None:
    judgements = load_judgements(QUERIES)
    assert len(judgements) >= 40
    assert {j.type for j in judgements} == {
        "keyword",
        "question",
        "misspelling",
        "synonym",
        "place",
    }


@pytest.mark.parametrize("metric", sorted(FLOORS))
def test_relevance_held(metric: str, systems: dict[str, dict[str, float]]) -> None:
    assert systems["programfinder"][metric] >= FLOORS[metric]


def test_blind_test_beats_the_model_alone(blind_test: dict[str, SystemScores]) -> None:
    """Meaning added to words beats meaning alone, overall and on lay paraphrases."""
    ours, model = blind_test["programfinder"], blind_test["model alone"]
    assert ours.overall["ndcg@10"] >= 1.05 * model.overall["ndcg@10"]
    assert ours.by_type["paraphrase"]["ndcg@10"] > model.by_type["paraphrase"]["ndcg@10"]


@pytest.mark.parametrize("peer", ["tfidf-default", "bm25s", "model alone"])
def test_beats_peers_on_ndcg(peer: str, systems: dict[str, dict[str, float]]) -> None:
    assert systems["programfinder"]["ndcg@10"] > systems[peer]["ndcg@10"]


def test_metrics_on_known_rankings() -> None:
    relevant = {"a": 2, "b": 1}
    assert ndcg_at_k(["a", "b", "c"], relevant) == pytest.approx(1.0)
    assert ndcg_at_k(["b", "a"], relevant) < 1.0
    assert ndcg_at_k(["x", "y"], relevant) == 0.0
    assert reciprocal_rank(["x", "b"], relevant) == 0.5
    assert recall_at_k(["a", "x"], relevant) == 0.5


def test_cli_eval_json(runner: CliRunner) -> None:
    result = runner.invoke(app, ["eval", "--queries", str(QUERIES), "--no-peers", "--json"])
    assert result.exit_code == 0, result.output
    (ours,) = json.loads(result.stdout)["sets"][str(QUERIES)]
    assert ours["name"] == "programfinder"
    assert set(ours["by_type"]) == {"keyword", "question", "misspelling", "synonym", "place"}


def test_cli_eval_missing_file(runner: CliRunner, tmp_path: object) -> None:
    result = runner.invoke(app, ["eval", "--queries", "nowhere.yaml"])
    assert result.exit_code == 1
    assert "No judgements file at nowhere.yaml" in result.stderr
