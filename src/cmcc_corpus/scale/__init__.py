"""Scale: shards of work behind serial, process-pool and Dask executors, Parquet datasets, DuckDB.

`shard` is the one function every executor runs (inputs in, plain records out);
`executors` runs it in this process, in a local process pool or on a Dask cluster;
`dataset` writes and reads the Parquet form (one file per shard and table); `duck`
compares claims and pairs translations over a dataset with DuckDB; `load` imports a
dataset into a SQLite corpus.
"""

from __future__ import annotations

import importlib.util

from ..errors import CorpusError


class ExtraMissing(CorpusError):
    """An optional dependency of the scale extra is not installed (exit 2)."""

    exit_code = 2


def require(*modules: str) -> None:
    """Fail with the install command when the scale extra (dask, pyarrow, duckdb) is missing."""
    missing = [m for m in modules if importlib.util.find_spec(m) is None]
    if missing:
        raise ExtraMissing(
            f"this needs {', '.join(missing)}, part of the scale extra: pip install 'cmcc-corpus[scale]'"
        )
