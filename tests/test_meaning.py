"""Reading meaning: the shipped model (its checksums, its vectors), record vectors in the index,
and search, similar programs and drafts ranked by words and meaning together."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

import programfinder
from programfinder.cli.app import app
from programfinder.errors import ModelError
from programfinder.index.vector_cache import SHIPPED_VECTORS, VectorCache, sequence_key
from programfinder.index.vectors import RecordVectorBuilder, VectorSettings
from programfinder.language.embedding import (
    MODEL_DIR,
    MODEL_SHA256,
    TextEncoder,
    check_model_files,
    sha256_of,
    shared_encoder,
)
from programfinder.retrieval.evaluation import baseline_text
from programfinder.retrieval.hybrid import WEAK_FLOOR, blend_for, weak_line
from tests.conftest import REPO_ROOT

REFERENCE = REPO_ROOT / "tests" / "data" / "embedding-reference.json"


# ------------------------------------------------------------------------------ the model
def test_shipped_model_files_match_their_checksums() -> None:
    model, _tokenizer = check_model_files()
    assert sha256_of(model) == MODEL_SHA256
    assert (MODEL_DIR / "LICENSE").read_text().lstrip().startswith("Apache License")
    assert "sha256" in (MODEL_DIR / "README.md").read_text()


def test_a_tampered_model_file_is_refused_before_it_is_loaded(tmp_path: Path) -> None:
    for name in ("model.onnx", "tokenizer.json"):
        shutil.copy(MODEL_DIR / name, tmp_path / name)
    with (tmp_path / "model.onnx").open("r+b") as handle:  # one byte changed
        handle.seek(1000)
        byte = handle.read(1)
        handle.seek(1000)
        handle.write(bytes([byte[0] ^ 1]))
    with pytest.raises(ModelError, match=r"damaged or was replaced.*Reinstall programfinder"):
        TextEncoder(tmp_path)


def test_a_missing_model_file_says_how_to_repair_it(tmp_path: Path) -> None:
    shutil.copy(MODEL_DIR / "model.onnx", tmp_path / "model.onnx")
    with pytest.raises(ModelError, match=r"tokenizer\.json is missing.*Reinstall"):
        TextEncoder(tmp_path)


def test_vectors_agree_with_the_stored_reference_and_with_the_upstream_model() -> None:
    """int8 arithmetic may differ a little from one CPU to another: cosines, not equality."""
    reference = json.loads(REFERENCE.read_text())["texts"]
    vectors = shared_encoder().encode([item["text"] for item in reference])
    for item, vector in zip(reference, vectors, strict=True):
        assert np.linalg.norm(vector) == pytest.approx(1.0, abs=1e-5)
        assert float(vector @ np.array(item["int8"])) >= 0.999, item["text"]
        assert float(vector @ np.array(item["fp32"])) >= 0.995, item["text"]


def test_same_meaning_in_other_words_is_closer_than_other_topics() -> None:
    clinicians, social_workers, parcels = shared_encoder().encode(
        [
            "clinicians riding with police officers to mental health calls",
            "social workers who go out with the police to people in crisis",
            "parcels stolen from doorsteps",
        ]
    )
    assert float(clinicians @ social_workers) > float(clinicians @ parcels) + 0.3


def test_long_text_is_read_in_overlapping_windows() -> None:
    encoder = shared_encoder()
    text = " ".join(f"sentence number {n} about burglary prevention." for n in range(200))
    windows = encoder.windows(encoder.token_ids([text])[0])
    assert len(windows) > 3
    assert all(len(w) <= 256 for w in windows)
    assert len(encoder.encode_windows(text)) == len(windows)
    assert len(encoder.encode_windows(text, limit=2)) == 2


# ------------------------------------------------------------------------ record vectors
def test_shipped_vectors_cover_every_shipped_record() -> None:
    """Fails after a shipped record is added or edited: run scripts/embed_shipped_corpus.py."""
    builder = RecordVectorBuilder(VectorSettings(cache_files=(SHIPPED_VECTORS,)))
    for row, program in enumerate(programfinder.load_corpus()):
        builder.add(row, program)
        builder.add_text(baseline_text(program))
    assert not builder.pending, (
        f"{len(builder.pending)} passages have no shipped vector: "
        "run python scripts/embed_shipped_corpus.py"
    )


def test_vector_cache_keeps_the_last_vector_of_a_key_and_saves_atomically(tmp_path: Path) -> None:
    keys = np.array([sequence_key([101, 7, 102]), sequence_key([101, 8, 102])], dtype=np.uint64)
    first = np.zeros((2, 384), dtype=np.float32)
    first[:, 0] = 1.0
    cache = VectorCache()
    cache.add(keys, first)
    assert cache.contains(int(keys[0]))
    path = tmp_path / "vectors.npz"
    cache.save(path)
    assert not list(tmp_path.glob(".tmp-*"))
    again = VectorCache([path])
    found, vectors = again.lookup(np.append(keys, np.uint64(12345)))
    assert found.tolist() == [True, True, False]
    assert vectors[0, 0] == 1.0


def test_a_damaged_vector_cache_is_ignored(tmp_path: Path) -> None:
    path = tmp_path / "vectors.npz"
    path.write_bytes(b"not an archive")
    assert len(VectorCache([path])) == 0


def test_index_holds_vectors_for_every_record() -> None:
    index = programfinder.open_index()
    assert index.has_meaning
    assert set(np.unique(index.passage_rows_)) == set(range(len(index)))
    assert set(np.unique(index.window_rows_)) == set(range(len(index)))
    assert index.meta["meaning"]["model"].startswith("all-MiniLM-L6-v2-int8")


def test_words_only_index_when_asked() -> None:
    programs = list(programfinder.load_corpus())[:5]
    index = programfinder.retrieval.program_index.ProgramIndex.build(programs, semantic=False)
    assert not index.has_meaning
    assert all(hit.meaning is None for hit in index.search("burglary"))


# ------------------------------------------------------------------------- the ranking
def test_a_lay_description_finds_the_program_by_meaning() -> None:
    hits = programfinder.search("drunks asking passers-by for spare change", limit=5)
    assert any("begging" in (h.program.body + h.title).lower() for h in hits[:3])
    assert hits[0].meaning is not None and hits[0].meaning > 0
    assert hits[0].passage


def test_hit_score_adds_up_from_words_and_meaning() -> None:
    for hit in programfinder.search("porch package theft", limit=5):
        assert sum(value for _, value in hit.contributions) == pytest.approx(hit.score, abs=2e-3)
        assert ("(meaning)", hit.meaning) in hit.contributions


def test_weaker_matches_come_last_and_are_counted_apart() -> None:
    results = programfinder.search("porch package theft", limit=50)
    flags = [hit.weak for hit in results]
    assert flags == sorted(flags)  # strong ones first
    assert results.total == flags.count(False)
    assert results.weaker >= flags.count(True)
    line = weak_line(results[0].score)
    assert all((h.score < line) == h.weak for h in results)


def test_weak_line_follows_the_best_hit_but_never_drops_below_the_floor() -> None:
    assert weak_line(0.0) == WEAK_FLOOR
    assert weak_line(0.9) > weak_line(0.5) > WEAK_FLOOR


def test_words_count_less_when_they_match_nothing_well() -> None:
    assert blend_for(np.array([0.5, 0.1])).word_weight > blend_for(np.array([0.1])).word_weight
    assert blend_for(np.zeros(3)).word_weight == 0.0


def test_gibberish_still_finds_nothing() -> None:
    results = programfinder.search("zxqvwy")
    assert not results
    assert "None of the query's words" in results.note


def test_similar_programs_and_drafts_read_meaning() -> None:
    by_record = programfinder.similar("iacp-crime-prevention-2021-denver-pd", limit=3)
    assert all(h.meaning is not None and h.passage for h in by_record)
    draft = programfinder.similar(
        "Nurses and social workers will answer emergency calls about people in a mental health "
        "crisis together with patrol officers.",
        limit=3,
    )
    assert "iacp-crime-prevention-2021-denver-pd" in [h.id for h in draft]


def test_json_hit_carries_the_meaning_part_and_passage(runner: CliRunner) -> None:
    result = runner.invoke(app, ["search", "kids smashing bus shelters", "--json", "--limit", "3"])
    assert result.exit_code == 0, result.output
    hits = json.loads(result.stdout)
    assert {"meaning", "passage", "weak"} <= set(hits[0])
