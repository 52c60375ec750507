"""The stored index: TF-IDF exactly as scikit-learn computes it, JSONL/CSV corpora, the build command."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

import programfinder
from programfinder.cli.app import app
from programfinder.index.format import FIELD_WEIGHTS
from programfinder.index.record_terms import weighted_term_counts


def test_tfidf_matches_scikit_learn_tfidftransformer() -> None:
    from scipy import sparse
    from sklearn.feature_extraction.text import TfidfTransformer

    index = programfinder.open_index()
    programs = list(index.programs)
    rows, cols, values = [], [], []
    for row, program in enumerate(programs):
        for term, count in weighted_term_counts(program, index.analyzer, FIELD_WEIGHTS).items():
            column = index.terms_.lookup(term)
            assert column is not None, term
            rows.append(row)
            cols.append(column)
            values.append(count)
    counts = sparse.csr_matrix((values, (rows, cols)), shape=(len(programs), len(index.terms_)))
    expected = TfidfTransformer(sublinear_tf=True, smooth_idf=True, norm="l2").fit_transform(counts)
    difference = abs(expected - index.document_matrix()).max()
    assert difference < 1e-5


def _export(tmp_path: Path, kind: str) -> Path:
    programs = list(programfinder.load_corpus())
    if kind == "jsonl":
        path = tmp_path / "records.jsonl"
        with path.open("w", encoding="utf-8") as handle:
            for program in programs:
                handle.write(json.dumps(program.to_dict()) + "\n")
        return path
    path = tmp_path / "records.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            [
                "id",
                "title",
                "agency",
                "country",
                "award",
                "award_year",
                "problem",
                "tactics",
                "body",
            ]
        )
        for p in programs:
            writer.writerow([p.id, p.title, p.agency, p.country, p.award, p.award_year,
                             "; ".join(p.problem), "; ".join(p.tactics), p.body])  # fmt: skip
    return path


@pytest.mark.parametrize("kind", ["jsonl", "csv"])
def test_single_file_corpus_searches_like_the_folder(
    kind: str, tmp_path: Path, runner: CliRunner
) -> None:
    path = _export(tmp_path, kind)
    result = runner.invoke(
        app, ["search", "package theft", "--limit", "1", "--json", "--corpus", str(path)]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)[0]["id"] == "iacp-crime-prevention-2019-round-rock-pd"
    listed = runner.invoke(app, ["list", "--json", "--corpus", str(path)])
    assert len(json.loads(listed.stdout)) == len(programfinder.load_corpus())


def test_broken_jsonl_lines_are_reported_by_line(tmp_path: Path, runner: CliRunner) -> None:
    path = _export(tmp_path, "jsonl")
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[4] = "{not json"
    record = json.loads(lines[9])
    record["award_year"] = "soon"
    lines[9] = json.dumps(record)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = runner.invoke(app, ["validate", "--corpus", str(path)])
    assert result.exit_code == 1
    assert "records.jsonl:5" in result.output and "not valid JSON" in result.output
    assert "records.jsonl:10" in result.output and "[award_year]" in result.output


def test_index_build_command_reports_what_it_built(tmp_path: Path, runner: CliRunner) -> None:
    result = runner.invoke(app, ["index", "build"], env={"PROGRAMFINDER_CACHE": str(tmp_path)})
    assert result.exit_code == 0, result.output
    assert f"Built: {len(programfinder.load_corpus())} records" in result.stdout
    assert "terms, built in" in result.stdout
    info = runner.invoke(
        app, ["index", "info", "--json"], env={"PROGRAMFINDER_CACHE": str(tmp_path)}
    )
    data = json.loads(info.stdout)
    assert data["records"] == len(programfinder.load_corpus())
    assert Path(data["folder"]).parent == tmp_path


def test_index_opens_memory_mapped() -> None:
    index = programfinder.open_index()
    assert isinstance(index.data_, np.memmap)
    assert index.rank("package theft", limit=1)[0][0] == "iacp-crime-prevention-2019-round-rock-pd"


@pytest.mark.parametrize("expected", ["small", "large"])
def test_build_over_worker_processes_gives_the_same_index(tmp_path: Path, expected: str) -> None:
    """Also for a corpus announced as large, where single words only are indexed and each
    batch is counted as a whole (``unigram_batch``)."""
    from programfinder.index.build import build_index_folder
    from programfinder.index.storage import load_npz

    programs = list(programfinder.load_corpus())
    expected_records = len(programs) if expected == "small" else 1_000_000
    folders = []
    for workers in (1, 2):
        folder = tmp_path / f"workers-{workers}"
        folder.mkdir()
        build_index_folder(programs, folder, expected_records=expected_records, workers=workers)
        folders.append(folder)
    one, two = (load_npz(f / "index.npz", mmap=False) for f in folders)
    assert one.keys() == two.keys()
    for name in one:
        assert np.array_equal(one[name], two[name]), name
    assert (folders[0] / "records.zlib").read_bytes() == (folders[1] / "records.zlib").read_bytes()


def test_batch_counts_equal_counts_record_by_record() -> None:
    """The batch-wise count of a large corpus's build gives each record the same field-weighted
    term counts, and the same word counts, as analysing the records one by one."""
    from collections import Counter

    from programfinder.index.batches import unigram_batch
    from programfinder.index.record_terms import record_segments, segment_term_counts
    from programfinder.language.text import Analyzer, english_stop_words
    from programfinder.records.program import Program

    analyzer = Analyzer(stop_words=english_stop_words(), ngram_range=(1, 1))
    odd = Program.from_dict(
        {
            "id": "odd-words",
            "title": "Co-responder co-responders: the CO-RESPONDER team",
            "agency": "Polizei München",
            "country": "Germany",
            "award": "European Crime Prevention Award",
            "award_year": 2020,
            "category": "winner",
            "problem": ["burglary"],
            "tactics": ["crime analysis"],
            "description": "Über 2,000 calls; 24/7 co-responder cover, 911 and covid-19 "
            "— the police's “hot-spot” patrols of-the-moment ran café-to-café.",
        }
    )
    programs = [*programfinder.load_corpus(), odd]
    segments = [record_segments(p) for p in programs]
    batch = unigram_batch(segments, analyzer, FIELD_WEIGHTS, [])
    words: Counter[str] = Counter()
    start = 0
    for row, parts in enumerate(segments):
        expected = segment_term_counts(parts, analyzer, FIELD_WEIGHTS, words)
        end = start + int(batch.lengths[row])
        found = {
            batch.terms[int(c)]: float(v)
            for c, v in zip(batch.columns[start:end], batch.values[start:end], strict=True)
        }
        assert found == {t: float(np.float32(v)) for t, v in expected.items()}, programs[row].id
        start = end
    assert start == len(batch.columns)
    assert batch.words == dict(words)
