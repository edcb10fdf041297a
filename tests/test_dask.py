"""`--executor dask` on a real LocalCluster (two worker processes, loopback only): both workers
do work, each builds its pipelines once, and the results equal the serial path's."""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from cmcc_corpus.cli import cli
from cmcc_corpus.ingest import IngestOptions, ingest_dataset
from cmcc_corpus.scale.executors import DASK_LOG_LENGTH, DaskExecutor
from cmcc_corpus.scale.shard import WorkerContext
from test_parallel import MANIFEST, SAMPLES, dump, run_ingest, write_articles

distributed = pytest.importorskip("distributed", reason="the scale extra (dask) is not installed")


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """One cluster for the module: starting worker processes is the slow part."""
    scratch = tmp_path_factory.mktemp("dask-scratch")
    with distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address="127.0.0.1:0",  # a free port: never "8787 is already in use"
        local_directory=str(scratch),
        silence_logs=logging.ERROR,
    ) as local:
        yield local


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    folder = tmp_path_factory.mktemp("dask-inputs")
    write_articles(folder, 16)
    return [str(SAMPLES), str(folder)]


def test_dask_stores_what_one_process_stores(cluster: Any, inputs: list[str], tmp_path: Path) -> None:
    serial, _ = run_ingest(tmp_path / "serial.db", inputs, jobs=1, shard_size=3, batch_size=7)
    options = {"executor": "dask", "scheduler": cluster.scheduler_address, "shard_size": 3, "batch_size": 7}
    distributed_run, _ = run_ingest(tmp_path / "dask.db", inputs, **options)
    assert dump(tmp_path / "dask.db") == dump(tmp_path / "serial.db")
    assert distributed_run.as_dict() == serial.as_dict()
    workers = distributed_run.workers
    with distributed.Client(cluster) as client:
        pids = client.run(os.getpid)
    assert set(workers) == {f"{socket.gethostname()}:{pid}" for pid in pids.values()}  # both ran shards
    assert all(w["shards"] > 0 and w["pipelines_built"] == 2 for w in workers.values())  # built once each


def test_dask_writes_byte_identical_claims(cluster: Any, inputs: list[str], tmp_path: Path) -> None:
    ingest_dataset(tmp_path / "serial", inputs, IngestOptions(manifest=MANIFEST, shard_size=3))
    options = IngestOptions(manifest=MANIFEST, shard_size=3, executor="dask", scheduler=cluster.scheduler_address)
    summary = ingest_dataset(tmp_path / "dask", inputs, options)
    assert len(summary.workers) == 2
    for table in ("claims", "mentions"):
        serial = {p.name: p.read_bytes() for p in (tmp_path / "serial" / table).iterdir()}
        written = {p.name: p.read_bytes() for p in (tmp_path / "dask" / table).iterdir()}
        assert len(serial) == 8 and written == serial, table


def test_cli_with_a_scheduler_address(cluster: Any, tmp_path: Path) -> None:
    runner = CliRunner()
    db = str(tmp_path / "c.db")
    args = ["--db", db, "ingest", str(SAMPLES), "--manifest", str(MANIFEST), "--shard-size", "2"]
    result = runner.invoke(cli, [*args, "--executor", "dask", "--scheduler", cluster.scheduler_address])
    assert result.exit_code == 0, result.output
    assert "ingested 5," in result.stdout
    assert runner.invoke(cli, [*args, "--scheduler", cluster.scheduler_address]).exit_code == 2  # needs dask


def test_a_local_cluster_keeps_short_logs() -> None:
    """Dask logs each connection's last 1,000 messages, whole tasks and their shard paths included:
    memory that grew with the run. The cluster we start keeps DASK_LOG_LENGTH of them."""
    executor = DaskExecutor(1, WorkerContext(key="short-logs"), None)
    try:
        on_worker = executor.client.run(lambda dask_worker: dask_worker.state.stimulus_log.maxlen)
        on_scheduler = executor.client.run_on_scheduler(
            lambda dask_scheduler: [c.recent_message_log.maxlen for c in dask_scheduler.stream_comms.values()]
        )
    finally:
        executor.close(abort=False)
    assert list(on_worker.values()) == [DASK_LOG_LENGTH]
    assert on_scheduler == [DASK_LOG_LENGTH]
