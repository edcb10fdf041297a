"""`--jobs`: a pool of worker processes reads and extracts, the parent alone writes, and the
corpus is row for row what one process stores; Ctrl-C and kill -9 leave no worker behind."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import psutil
import pytest
from click.testing import CliRunner

from cmcc_corpus.cli import cli
from cmcc_corpus.extract.service import Extractor
from cmcc_corpus.ingest import IngestOptions, IngestSummary, ingest
from cmcc_corpus.scale.executors import MAX_AHEAD, PoolExecutor, _ordered, open_executor
from cmcc_corpus.scale.shard import Input, Shard, WorkerContext, process_shard, shards, worker_id
from cmcc_corpus.sources import Skipped
from cmcc_corpus.store import Corpus

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "data" / "samples"
MANIFEST = SAMPLES / "manifest.jsonl"

# Every table ingest writes (documents are read with their rowid, minus ingested_at), in
# storage order, with what differs between two runs by design (timestamps) left out.
DUMPS = {
    "documents": None,
    "paragraphs": "SELECT * FROM paragraphs ORDER BY doc_id, n",
    "sentences": "SELECT * FROM sentences ORDER BY doc_id, n",
    "sketches": "SELECT * FROM sketches ORDER BY key, doc_id",
    "near_duplicates": "SELECT * FROM near_duplicates ORDER BY doc_id, other_id",
    "mentions": "SELECT * FROM mentions ORDER BY id",
    "claims": "SELECT * FROM claims ORDER BY id",
    "extractions": "SELECT doc_id, pipeline_version, profile FROM extractions ORDER BY doc_id",
}


def dump(db: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row ingest wrote, in storage order (rowids included), minus timestamps."""
    conn = sqlite3.connect(db)
    try:
        columns = [r[1] for r in conn.execute("PRAGMA table_info(documents)") if r[1] != "ingested_at"]
        documents = f"SELECT rowid, {', '.join(columns)} FROM documents ORDER BY rowid"
        return {table: conn.execute(sql or documents).fetchall() for table, sql in DUMPS.items()}
    finally:
        conn.close()


def write_articles(folder: Path, count: int) -> list[Path]:
    """Variants of the samples (each a new text that re-publishes a sample, so near-duplicates
    get linked), an empty file and undecodable bytes (both rejected), and a renamed copy."""
    folder.mkdir(parents=True, exist_ok=True)
    sources = sorted(SAMPLES.glob("*.txt"))
    paths = []
    for i in range(count):
        source = sources[i % len(sources)]
        text = source.read_text(encoding="utf-8")
        if source.name.startswith("002"):  # the Arabic sample
            extra = f"\n\nتحديث {i}: قال مسؤولون إن {10 + i} شاحنة دخلت غزة في {1 + i % 28} أكتوبر 2025.\n"
        else:
            extra = f"\n\nUpdate {i}: officials said {10 + i} trucks entered Gaza on October {1 + i % 28}, 2025.\n"
        path = folder / f"gen_{i:03d}.txt"
        path.write_text(text + extra, encoding="utf-8")
        paths.append(path)
    (folder / "gen_empty.txt").write_text("  \n")
    (folder / "gen_latin1.txt").write_bytes("caf\xe9 au lait".encode("latin-1"))
    (folder / "gen_zcopy.txt").write_text(sources[0].read_text(encoding="utf-8"), encoding="utf-8")
    return paths


def run_ingest(db: Path, inputs: list[str], **options: Any) -> tuple[IngestSummary, list[tuple[str, str]]]:
    events: list[tuple[str, str]] = []

    def on_event(kind: str, item: object) -> None:
        article = getattr(item, "article", None)
        events.append((kind, str(getattr(article, "path", None) or getattr(item, "path", None) or item)))

    with Corpus.open(db, write=True) as corpus:
        summary = ingest(corpus, inputs, IngestOptions(manifest=MANIFEST, **options), on_event)
    return summary, events


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The same inputs ingested by one process and by a pool of two (small shards and batches,
    so shards, batches and in-flight windows all cross each other)."""
    base = tmp_path_factory.mktemp("parallel")
    write_articles(base / "generated", 24)
    inputs = [str(SAMPLES), str(base / "generated")]
    out: dict[str, Any] = {"inputs": inputs, "base": base}
    for jobs in (1, 2):
        db = base / f"jobs{jobs}.db"
        out[jobs] = (db, *run_ingest(db, inputs, jobs=jobs, shard_size=3, batch_size=7))
    return out


def test_jobs_2_stores_exactly_what_jobs_1_stores(runs: dict[str, Any]) -> None:
    one, two = dump(runs[1][0]), dump(runs[2][0])
    assert len(one["documents"]) == 29 and one["mentions"] and one["claims"] and one["near_duplicates"]
    for table in DUMPS:
        assert one[table] == two[table], table


def test_summaries_rejections_and_progress_events_are_the_same(runs: dict[str, Any]) -> None:
    (_, s1, e1), (_, s2, e2) = runs[1], runs[2]
    assert s1.as_dict() == s2.as_dict()
    assert (s2.ingested, s2.duplicates, s2.rejected) == (29, 1, 2)
    assert [r["path"].rsplit("/", 1)[-1] for r in s2.rejections] == ["gen_empty.txt", "gen_latin1.txt"]
    assert e1 == e2
    assert sum(kind == "input" for kind, _ in e2) == 32  # every input read is announced, once


def test_the_pool_did_the_work_and_built_pipelines_once_per_worker(runs: dict[str, Any]) -> None:
    serial, pool = runs[1][1].workers, runs[2][1].workers
    assert list(serial) == [worker_id()]  # --jobs 1: all in this process
    # Which worker takes which shard is up to the pool (one may start a little later).
    assert 1 <= len(pool) <= 2 and worker_id() not in pool
    assert sum(w["shards"] for w in pool.values()) == 11  # 32 inputs, 3 per shard
    assert all(w["pipelines_built"] == 2 for w in pool.values())  # both languages, once, at start


def test_reingesting_through_the_cli_with_a_pool_adds_nothing(runs: dict[str, Any]) -> None:
    db = runs[2][0]
    before = dump(db)
    args = ["--db", str(db), "ingest", *runs["inputs"], "--manifest", str(MANIFEST), "--jobs", "2"]
    result = CliRunner().invoke(cli, [*args, "--shard-size", "3", "--format", "json"])
    assert result.exit_code == 1  # two inputs rejected, each named on stderr
    lines = [line.rsplit("/", 1)[-1] for line in result.stderr.splitlines()]
    assert len(lines) == 2 and lines[0] == "gen_empty.txt: no text (empty or whitespace only)"
    assert lines[1].startswith("gen_latin1.txt: invalid UTF-8 at byte 3")
    summary = json.loads(result.stdout)
    assert (summary["ingested"], summary["duplicates"], summary["rejected"]) == (0, 30, 2)
    assert dump(db) == before


def test_a_task_does_not_extract_what_is_stored(runs: dict[str, Any]) -> None:
    context = WorkerContext("t", profile=Extractor().profile, corpus=str(runs[2][0]))
    sample = str(SAMPLES / "000_f0c207929c95f00c.txt")
    items = process_shard(next(shards([Input(sample, sample, "txt")], 5)), context).items
    assert [type(i).__name__ for i in items] == ["Read", "Prepared"]
    assert items[1].extraction is None  # type: ignore[union-attr]  # looked up read-only, not extracted
    fresh = process_shard(next(shards([Input(sample, sample, "txt")], 5)), WorkerContext("u", profile=context.profile))
    assert fresh.items[1].extraction is not None  # type: ignore[union-attr]


def test_extract_with_a_pool_stores_what_one_process_stores(runs: dict[str, Any], tmp_path: Path) -> None:
    dbs = []
    for jobs in (1, 2):
        db = tmp_path / f"x{jobs}.db"
        run_ingest(db, runs["inputs"][:1], jobs=1, extract=False)
        with Corpus.open(db, write=True) as corpus:
            assert Extractor().rerun(corpus, jobs=jobs, chunk=2) == 5
        dbs.append(dump(db))
    assert dbs[0]["mentions"] and dbs[0]["mentions"] == dbs[1]["mentions"]
    assert dbs[0]["claims"] == dbs[1]["claims"] and dbs[0]["extractions"] == dbs[1]["extractions"]


def test_a_single_shard_runs_here_without_a_pool(tmp_path: Path) -> None:
    summary, _ = run_ingest(tmp_path / "c.db", [str(SAMPLES)], jobs=2)
    assert summary.ingested == 5 and list(summary.workers) == [worker_id()]


@pytest.mark.parametrize(("shard_size", "started"), [(50, False), (2, True)])
def test_the_fork_server_starts_before_spacy_loads_only_when_a_pool_will_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, shard_size: int, started: bool
) -> None:
    """Five samples are one shard of 50 (run here: no fork server) or three of 2 (a pool: its
    server is started before this process loads the extractor, so the two imports overlap)."""
    import cmcc_corpus.ingest as ingest_module

    calls: list[str] = []

    class Stop(Exception):
        pass

    def extractor(options: IngestOptions) -> None:
        calls.append("extractor")
        raise Stop

    monkeypatch.setattr(ingest_module, "start_fork_server", lambda: calls.append("fork server"))
    monkeypatch.setattr(ingest_module, "_extractor", extractor)
    with Corpus.open(tmp_path / "c.db", write=True) as corpus, pytest.raises(Stop):
        ingest(corpus, [str(SAMPLES)], IngestOptions(jobs=2, shard_size=shard_size))
    assert calls == (["fork server", "extractor"] if started else ["extractor"])


def test_shards_keep_order_and_stdin_reads_here() -> None:
    found = [Input(f"f{i}", f"f{i}", "txt") for i in range(5)]
    found.insert(2, Input("<stdin>", None, None))
    found.append(Skipped("m", "a manifest"))  # type: ignore[arg-type]
    got = list(shards(found, 2))
    assert [[e.path for e in s.entries] for s in got] == [["f0", "f1"], ["<stdin>"], ["f2", "f3"], ["f4", "m"]]
    assert [s.index for s in got] == [0, 1, 2, 3] and [s.local for s in got] == [False, True, False, False]
    assert all(os.path.isabs(e.fs_path) for s in got for e in s.entries if isinstance(e, Input) and e.fs_path)
    # The name hashes the sorted paths: the same inputs always make the same files.
    assert (
        Shard(0, (Input("b", "b", None), Input("a", "a", None))).name
        == Shard(9, (Input("a", "x", None), Input("b", "y", None))).name
    )
    assert got[0].name != got[2].name


def test_at_most_two_tasks_per_worker_are_in_flight() -> None:
    pulled, taken, peak = [0], [0], [0]

    def tasks() -> Iterator[int]:
        for i in range(40):
            pulled[0] += 1
            peak[0] = max(peak[0], pulled[0] - taken[0])
            yield i

    def submit(task: int) -> Future[int]:
        future: Future[int] = Future()
        future.set_result(task * 10)
        return future

    results = []
    for result in _ordered(submit, tasks(), window=4, failed=RuntimeError):
        taken[0] += 1
        results.append(result)
    assert results == [i * 10 for i in range(40)]
    assert peak[0] == 4  # memory stays flat: never more than the window outstanding


def test_a_pool_keeps_a_batch_of_shards_ahead_but_a_bounded_number() -> None:
    """Workers go on while the parent writes a batch; what it holds stays bounded."""
    context = WorkerContext(key="window")
    assert PoolExecutor(2, context).window == 4
    assert PoolExecutor(2, context, ahead=10).window == 14
    with open_executor("processes", 2, context, ahead=10_000) as executor:
        assert isinstance(executor, PoolExecutor) and executor.window == 4 + MAX_AHEAD


# -- signals: real processes ----------------------------------------------------------------


def _start(db: Path, folder: Path) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "cmcc_corpus", "--db", str(db), "ingest", str(folder)]
    command += ["--jobs", "2", "--shard-size", "1", "--batch-size", "5", "--no-progress"]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)


def _workers(proc: subprocess.Popen[str], timeout: float = 60.0) -> list[psutil.Process]:
    """The pool's worker processes (children of the fork server), once both are running."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = [p for p in psutil.Process(proc.pid).children(recursive=True) if _is_worker(p)]
        if len(found) >= 2:
            return found
        if proc.poll() is not None:
            break
        time.sleep(0.1)
    pytest.fail(f"no pool workers appeared (exit {proc.poll()})")


def _is_worker(process: psutil.Process) -> bool:
    try:
        return "forkserver" in " ".join(process.parent().cmdline())
    except (psutil.Error, AttributeError):
        return False


def _stored(db: Path) -> int:
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
        try:
            return int(conn.execute("SELECT count(*) FROM documents").fetchone()[0])
        finally:
            conn.close()
    except sqlite3.Error:
        return 0


def _gone(processes: list[psutil.Process], timeout: float = 15.0) -> bool:
    _, alive = psutil.wait_procs(processes, timeout=timeout)
    return not [p for p in alive if p.status() != psutil.STATUS_ZOMBIE]


@pytest.mark.slow
def test_ctrl_c_stops_the_workers_rolls_back_and_exits_130(tmp_path: Path) -> None:
    write_articles(tmp_path / "in", 300)
    db = tmp_path / "c.db"
    proc = _start(db, tmp_path / "in")
    try:
        family = _workers(proc)
        deadline = time.monotonic() + 60
        while _stored(db) == 0 and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.05)
        family = [*family, *psutil.Process(proc.pid).children(recursive=True)]
        os.killpg(proc.pid, signal.SIGINT)  # what a terminal sends to the whole foreground group
        _, stderr = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 130, stderr
    assert "interrupted" in stderr and "Traceback" not in stderr
    assert _gone(family)
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    stored = conn.execute("SELECT count(*) FROM documents").fetchone()[0]
    extracted = conn.execute("SELECT count(*) FROM extractions").fetchone()[0]
    conn.close()
    assert 0 < stored < 301 and stored % 5 == 0 and extracted == stored  # whole batches, with their extraction


@pytest.mark.slow
def test_workers_exit_when_the_parent_is_killed(tmp_path: Path) -> None:
    write_articles(tmp_path / "in", 60)
    proc = _start(tmp_path / "c.db", tmp_path / "in")
    family: list[psutil.Process] = []
    try:
        family = [*_workers(proc), *psutil.Process(proc.pid).children(recursive=True)]
        proc.kill()  # kill -9 of the parent alone: nothing of it runs, no cleanup
        proc.communicate(timeout=10)
        assert _gone(family), "workers outlived a killed parent"
    finally:
        for p in family:
            if p.is_running():
                p.kill()


@pytest.mark.slow
def test_ctrl_c_while_the_fork_server_starts_prints_no_traceback(tmp_path: Path) -> None:
    """Ctrl-C while the pool's fork server is still importing spaCy: one clean line, exit 130."""
    write_articles(tmp_path / "in", 60)
    for attempt in range(3):  # on a busy machine the run may end before we see its pool start
        proc = _start(tmp_path / f"c{attempt}.db", tmp_path / "in")
        try:
            if _pool_started(proc):
                os.killpg(proc.pid, signal.SIGINT)
                _, stderr = proc.communicate(timeout=60)
                break
            proc.communicate(timeout=60)
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
    else:
        pytest.fail("the ingest ended three times before its worker pool was seen starting")
    assert proc.returncode == 130, stderr
    assert "Traceback" not in stderr and "KeyboardInterrupt" not in stderr, stderr


def _pool_started(proc: subprocess.Popen[str]) -> bool:
    """Wait until the ingest has a child process (its fork server, the pool's first); False if it ended first."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            if psutil.Process(proc.pid).children(recursive=True):
                return True
        except psutil.Error:
            return False
        time.sleep(0.005)
    return False

