"""Shared fixtures: the bundled samples, the read-only shared data, and an isolated corpus."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, settings

from cmcc_corpus.cli import cli
from cmcc_corpus.store import DB_ENV

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "data" / "samples"
SHARED = ROOT.parent / "shared"

# Property tests: a small profile for `make test` and CI (tests that set max_examples keep
# theirs); HYPOTHESIS_PROFILE=thorough for a long local run. No deadline: timings on a
# loaded 2-core runner say nothing about the code.
settings.register_profile("ci", max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("thorough", max_examples=2000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(autouse=True)
def _isolated_corpus(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test ever touches ./cmcc-corpus.db: the default corpus lives in tmp_path."""
    monkeypatch.setenv(DB_ENV, str(tmp_path / "default.db"))


@pytest.fixture
def samples() -> Path:
    return SAMPLES


@pytest.fixture
def manifest() -> dict[str, dict[str, str]]:
    rows = [json.loads(line) for line in (SAMPLES / "manifest.jsonl").read_text().splitlines() if line]
    return {r["file"]: r for r in rows}


@pytest.fixture
def shared() -> Path:
    if not SHARED.is_dir():
        pytest.skip("../shared is not present next to the repository")
    return SHARED


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "corpus.db"


class Run:
    """Invoke the CLI against one corpus and keep stdout/stderr apart."""

    def __init__(self, db: Path) -> None:
        self.db = db
        self.runner = CliRunner()

    def __call__(self, *args: str, input: str | bytes | None = None):  # noqa: A002 - click's name
        return self.runner.invoke(cli, ["--db", str(self.db), *args], input=input, catch_exceptions=False)


@pytest.fixture
def run(db: Path) -> Run:
    return Run(db)


@pytest.fixture
def ingested(run: Run, samples: Path) -> Run:
    result = run("ingest", str(samples), "--manifest", str(samples / "manifest.jsonl"))
    assert result.exit_code == 0, result.output
    return run
