"""Parquet datasets: tasks write one file per shard and table; `load` brings them into a corpus
as ingest would have stored them; `compare` and `align` over a dataset (DuckDB) print what
they print over that corpus."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from cmcc_corpus.align.pairing import DEFAULT_THRESHOLD
from cmcc_corpus.align.service import align_corpus, stored_pairs
from cmcc_corpus.cli import cli
from cmcc_corpus.compare import CompareOptions, compare_corpus, evolving_predicates
from cmcc_corpus.extract.records import CLAIM_COLUMNS, MENTION_COLUMNS
from cmcc_corpus.ingest import IngestOptions, ingest, ingest_dataset
from cmcc_corpus.scale.dataset import DatasetError, prepare_dataset
from cmcc_corpus.scale.duck import align_dataset, compare_dataset
from cmcc_corpus.scale.load import load
from cmcc_corpus.store import Corpus
from test_parallel import MANIFEST, SAMPLES, dump, write_articles

OPTIONS = IngestOptions(manifest=MANIFEST, shard_size=4)


def files(directory: Path) -> dict[str, bytes]:
    return {str(p.relative_to(directory)): p.read_bytes() for p in sorted(directory.rglob("*.parquet"))}


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """One set of inputs three ways: ingested into a corpus, written as a dataset, and loaded."""
    base = tmp_path_factory.mktemp("dataset")
    write_articles(base / "generated", 14)
    inputs = [str(SAMPLES), str(base / "generated")]
    dataset = base / "ds"
    written = ingest_dataset(dataset, inputs, OPTIONS)
    with Corpus.open(base / "ingested.db", write=True) as corpus:
        ingested = ingest(corpus, inputs, OPTIONS)
    with Corpus.open(base / "loaded.db", write=True) as corpus:
        loaded = load(corpus, dataset, batch_size=7)
    return {
        "base": base,
        "inputs": inputs,
        "dataset": dataset,
        "written": written,
        "ingested": ingested,
        "loaded": loaded,
    }


def test_layout_names_and_columns(made: dict[str, Any]) -> None:
    dataset: Path = made["dataset"]
    info = json.loads((dataset / "dataset.json").read_text())
    assert info["schema"] == 1 and info["pipeline_version"] and info["profile"]
    names = {
        table: sorted(p.name for p in (dataset / table).iterdir()) for table in ("documents", "mentions", "claims")
    }
    assert names["documents"] == names["mentions"] == names["claims"] and len(names["documents"]) == 6  # 23 inputs / 4
    assert not list(dataset.rglob("*.tmp"))
    claims = pq.read_schema(dataset / "claims" / names["claims"][0]).names
    mentions = pq.read_schema(dataset / "mentions" / names["mentions"][0]).names
    assert claims == ["shard", "position", "doc_id", *CLAIM_COLUMNS]
    assert mentions == ["shard", "position", "doc_id", *MENTION_COLUMNS]
    assert made["written"].ingested == 20 and made["written"].rejected == 2  # duplicates are found at load


def test_rewriting_a_dataset_replaces_its_files(made: dict[str, Any], tmp_path: Path) -> None:
    before = files(made["dataset"])
    again = tmp_path / "again"
    ingest_dataset(again, made["inputs"], OPTIONS)
    ingest_dataset(again, made["inputs"], OPTIONS)  # a retried run: same names, replaced, never added
    after = files(again)
    assert sorted(after) == sorted(before)
    for name in after:  # claims and mentions carry no timestamps: byte for byte the same
        if not name.startswith("documents"):
            assert after[name] == before[name], name


def test_load_stores_exactly_what_ingest_stores(made: dict[str, Any]) -> None:
    base = made["base"]
    assert dump(base / "loaded.db") == dump(base / "ingested.db")
    assert (made["loaded"].ingested, made["loaded"].duplicates, made["loaded"].near_duplicates) == (
        made["ingested"].ingested,
        made["ingested"].duplicates,
        made["ingested"].near_duplicates,
    )


def test_compare_over_the_dataset_equals_compare_over_the_corpus(made: dict[str, Any]) -> None:
    options = CompareOptions(evolving=evolving_predicates())
    with Corpus.open(made["base"] / "ingested.db", write=True) as corpus:
        expected = compare_corpus(corpus, options)
    assert expected and {r["verdict"] for r in expected} >= {"conflict", "consistent"}
    assert compare_dataset(made["dataset"], options) == expected


def test_pairing_over_the_dataset_equals_align_over_the_corpus(made: dict[str, Any], tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    db.write_bytes((made["base"] / "ingested.db").read_bytes())
    with Corpus.open(db, write=True) as corpus:
        align_corpus(corpus)
        expected = stored_pairs(corpus)
    assert expected
    assert align_dataset(made["dataset"], DEFAULT_THRESHOLD) == expected


def test_commands_over_a_dataset(made: dict[str, Any], tmp_path: Path) -> None:
    runner = CliRunner()
    db = str(made["base"] / "loaded.db")
    over_corpus = runner.invoke(cli, ["--db", db, "compare", "--format", "json"], catch_exceptions=False)
    over_dataset = runner.invoke(cli, ["compare", "--dataset", str(made["dataset"]), "--format", "json"])
    assert over_dataset.exit_code == 0 and over_dataset.stdout == over_corpus.stdout
    gate = runner.invoke(cli, ["compare", "--dataset", str(made["dataset"]), "--fail-on", "conflict"])
    assert gate.exit_code == 1
    out = tmp_path / "ds"
    written = runner.invoke(cli, ["ingest", str(SAMPLES), "--manifest", str(MANIFEST), "--dataset", str(out)])
    assert written.exit_code == 0 and "ingested 5," in written.stdout
    loaded = runner.invoke(cli, ["--db", str(tmp_path / "c.db"), "load", str(out), "--format", "json"])
    assert loaded.exit_code == 0 and json.loads(loaded.stdout)["ingested"] == 5
    again = runner.invoke(cli, ["--db", str(tmp_path / "c.db"), "load", str(out)])
    assert again.exit_code == 0 and "ingested 0, duplicates 5" in again.stdout


def test_an_unfinished_shard_is_not_read(made: dict[str, Any], tmp_path: Path) -> None:
    dataset = tmp_path / "ds"
    ingest_dataset(dataset, [str(SAMPLES)], IngestOptions(manifest=MANIFEST, shard_size=2))
    complete = compare_dataset(dataset, CompareOptions())
    victim = sorted((dataset / "documents").iterdir())[0]
    lost = pq.read_metadata(victim).num_rows
    victim.unlink()  # a task killed after writing mentions and claims, before its documents
    with Corpus.open(tmp_path / "c.db", write=True) as corpus:
        summary = load(corpus, dataset)
    assert lost and summary.ingested == 5 - lost
    partial = compare_dataset(dataset, CompareOptions())
    assert partial != complete
    docs = {e["doc_id"] for r in partial for s in r["sides"] for e in s["evidence"]}
    conn = sqlite3.connect(tmp_path / "c.db")
    assert docs <= {r[0] for r in conn.execute("SELECT id FROM documents")}
    conn.close()


def test_a_directory_that_is_not_a_dataset_is_refused(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(DatasetError):
        prepare_dataset(tmp_path, "key")
    result = CliRunner().invoke(cli, ["--db", str(tmp_path / "c.db"), "load", str(tmp_path)])
    assert result.exit_code == 2 and "not a cmcc-corpus dataset" in result.stderr
    ok = tmp_path / "ds"
    prepare_dataset(ok, "one")
    with pytest.raises(DatasetError, match="other settings"):
        prepare_dataset(ok, "another")  # a profile change would mix extractions


def test_a_dataset_of_an_older_pipeline_loads_without_its_extraction(tmp_path: Path) -> None:
    dataset = tmp_path / "ds"
    ingest_dataset(dataset, [str(SAMPLES)], IngestOptions(manifest=MANIFEST))
    info = json.loads((dataset / "dataset.json").read_text())
    (dataset / "dataset.json").write_text(json.dumps({**info, "pipeline_version": "0"}))
    with Corpus.open(tmp_path / "c.db", write=True) as corpus:
        assert load(corpus, dataset).ingested == 5
        assert corpus.conn.execute("SELECT count(*) FROM extractions").fetchone()[0] == 0  # `extract` redoes them


def test_without_the_scale_extra_the_command_says_how_to_get_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "pyarrow" else real(name, *a))
    result = CliRunner().invoke(cli, ["ingest", str(SAMPLES), "--dataset", str(tmp_path / "ds")])
    assert result.exit_code == 2 and "pip install 'cmcc-corpus[scale]'" in result.stderr
    assert not (tmp_path / "ds").exists()
