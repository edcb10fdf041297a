"""The Parquet dataset: one file per shard and table, written by workers, read by DuckDB and `load`.

    DIR/dataset.json              schema version, pipeline version, profile key
    DIR/documents/shard-<h>.parquet   articles (text, layout, metadata), one row each
    DIR/mentions/shard-<h>.parquet    their mentions (the columns of the corpus's table)
    DIR/claims/shard-<h>.parquet      their claims

`<h>` hashes the shard's sorted input paths, and every file is written under a temporary
name and renamed, so a retried task replaces its files instead of adding a second copy.
A shard's documents file is written last: its presence means the shard is complete.
Rows carry `shard` and `position` (the article's place in its shard) to tie mentions and
claims to their document copy; documents carry `shard_index`, the shard's place in its
run, so readers see articles in input order.
"""

from __future__ import annotations

import json
import os
import uuid
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import fields
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from ..article import Article
from ..errors import CorpusError
from ..extract.pipeline import PIPELINE_VERSION
from ..extract.records import CLAIM_COLUMNS, MENTION_COLUMNS, Claim, Extraction, Mention
from ..extract.storage import stored_number, stored_text  # one definition of how a value is stored
from ..layout import Paragraph, Sentence
from .shard import Prepared, Shard, ShardResult

SCHEMA_VERSION = 1
INFO = "dataset.json"
TABLES = ("documents", "mentions", "claims")
_NESTED = {"paragraphs": Paragraph, "sentences": Sentence}
_SCALARS = {"str": pa.string(), "int": pa.int64(), "float": pa.float64(), "bool": pa.bool_(), "Value": pa.string()}


class DatasetError(CorpusError):
    """A directory that is not (or not this kind of) dataset (exit 2)."""

    exit_code = 2


def _arrow(annotation: str) -> pa.DataType:
    """The Arrow type of a record field, from its annotation (`str | None` is a nullable string)."""
    return _SCALARS[annotation.split(" | ")[0]]


def _row_schema(record: type, columns: tuple[str, ...]) -> pa.Schema:
    types = {f.name: str(f.type) for f in fields(record)}
    keys = [("shard", pa.string()), ("position", pa.int64()), ("doc_id", pa.string())]
    return pa.schema(keys + [(c, pa.float64() if c == "value_num" else _arrow(types[c])) for c in columns])


def _document_schema() -> pa.Schema:
    cols: list[tuple[str, pa.DataType]] = [
        ("shard", pa.string()),
        ("position", pa.int64()),
        ("shard_index", pa.int64()),
        ("extracted", pa.bool_()),
    ]
    for f in fields(Article):
        if f.name in _NESTED:
            inner = [(g.name, _arrow(str(g.type))) for g in fields(_NESTED[f.name])]
            cols.append((f.name, pa.list_(pa.struct(inner))))
        elif f.name == "sketch":
            cols.append((f.name, pa.list_(pa.int64())))
        else:
            cols.append((f.name, _arrow(str(f.type))))
    return pa.schema(cols)


SCHEMAS = {
    "documents": _document_schema(),
    "mentions": _row_schema(Mention, MENTION_COLUMNS),
    "claims": _row_schema(Claim, CLAIM_COLUMNS),
}


# -- writing -------------------------------------------------------------------------------


def prepare_dataset(directory: Path, profile_key: str | None) -> None:
    """Create the directory layout and dataset.json; refuse a dataset made another way."""
    info = {"schema": SCHEMA_VERSION, "pipeline_version": PIPELINE_VERSION, "profile": profile_key}
    if (directory / INFO).exists():
        found = read_info(directory)
        if {k: found.get(k) for k in info} != info:
            raise DatasetError(
                f"{directory}: holds a dataset made with other settings ({found}); choose a new --dataset directory"
            )
    elif directory.exists() and any(directory.iterdir()):
        raise DatasetError(f"{directory}: is not empty and not a dataset; choose a new --dataset directory")
    for table in TABLES:
        (directory / table).mkdir(parents=True, exist_ok=True)
    if not (directory / INFO).exists():
        _replace(directory / INFO, lambda tmp: tmp.write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8"))


def read_info(directory: Path) -> dict[str, Any]:
    """dataset.json, checked."""
    try:
        info = json.loads((directory / INFO).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise DatasetError(f"{directory}: not a cmcc-corpus dataset (no readable {INFO}: {exc})") from None
    if not isinstance(info, dict) or info.get("schema") != SCHEMA_VERSION:
        raise DatasetError(f"{directory}: dataset schema {info.get('schema')!r} is not {SCHEMA_VERSION}")
    return info


def write_shard(directory: Path, shard: Shard, result: ShardResult) -> None:
    """Write one shard's three files (documents last, so a complete shard is one with documents)."""
    prepared = [item for item in result.items if isinstance(item, Prepared)]
    tables = {
        "mentions": _extraction_table(shard.name, prepared, "mentions", MENTION_COLUMNS),
        "claims": _extraction_table(shard.name, prepared, "claims", CLAIM_COLUMNS),
        "documents": _documents_table(shard, prepared),
    }
    for table, data in tables.items():
        path = directory / table / f"{shard.name}.parquet"
        path.parent.mkdir(parents=True, exist_ok=True)
        _replace(path, lambda tmp, data=data: pq.write_table(data, tmp))


def _replace(path: Path, write: Any) -> None:
    """Write to a temporary name beside `path`, then rename over it (atomic on one file system)."""
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _documents_table(shard: Shard, prepared: list[Prepared]) -> pa.Table:
    rows = []
    for position, item in enumerate(prepared):
        row: dict[str, Any] = {f.name: getattr(item.article, f.name) for f in fields(Article)}
        row["paragraphs"] = [vars(p) for p in item.article.paragraphs]
        row["sentences"] = [vars(s) for s in item.article.sentences]
        row.update(shard=shard.name, position=position, shard_index=shard.index, extracted=item.extraction is not None)
        rows.append(row)
    return pa.Table.from_pylist(rows, schema=SCHEMAS["documents"])


def _extraction_table(name: str, prepared: list[Prepared], table: str, columns: tuple[str, ...]) -> pa.Table:
    data: dict[str, list[Any]] = {c: [] for c in SCHEMAS[table].names}
    for position, item in enumerate(prepared):
        records = () if item.extraction is None else getattr(item.extraction, table)
        for record in records:
            data["shard"].append(name)
            data["position"].append(position)
            data["doc_id"].append(item.article.id)
            for c in columns:
                data[c].append(_column(record, c))
    return pa.Table.from_pydict(data, schema=SCHEMAS[table])


def _column(record: Mention | Claim, column: str) -> Any:
    """A record's value in a stored column (the value as text and, for numbers, as a number)."""
    if column == "value":
        return stored_text(record.value)
    if column == "value_num":
        return stored_number(record.value)
    return getattr(record, column)


# -- reading -------------------------------------------------------------------------------


def shard_files(directory: Path, table: str) -> list[Path]:
    """The complete shards' files of one table, sorted by name."""
    folder = directory / table
    names = sorted(p.name for p in (directory / "documents").glob("shard-*.parquet")) if folder.is_dir() else []
    return [folder / n for n in names if (folder / n).exists()]


def shards_in_order(directory: Path) -> list[str]:
    """Names of the complete shards in run order (shard index, then name)."""
    order = []
    for path in shard_files(directory, "documents"):
        index = pq.read_table(path, columns=["shard_index"]).column("shard_index").to_pylist()
        if index:
            order.append((index[0], path.stem))
    return [name for _, name in sorted(order)]


def read_shard(directory: Path, name: str) -> Iterator[Prepared]:
    """One shard's articles with their extraction, in input order."""
    documents = pq.read_table(directory / "documents" / f"{name}.parquet").to_pylist()
    extracted = {table: _by_position(directory / table / f"{name}.parquet") for table in ("mentions", "claims")}
    for row in documents:
        position = row["position"]
        extraction = None
        if row["extracted"]:
            mentions = tuple(_record(Mention, r) for r in extracted["mentions"].get(position, ()))
            claims = tuple(_record(Claim, r) for r in extracted["claims"].get(position, ()))
            extraction = Extraction(mentions, claims)
        yield Prepared(_article(row), extraction)


def _by_position(path: Path) -> dict[int, list[dict[str, Any]]]:
    grouped: dict[int, list[dict[str, Any]]] = defaultdict(list)
    if path.exists():
        for row in pq.read_table(path).to_pylist():
            grouped[row["position"]].append(row)
    return grouped


def _article(row: dict[str, Any]) -> Article:
    values = {f.name: row[f.name] for f in fields(Article)}
    for name, kind in _NESTED.items():
        values[name] = tuple(kind(**item) for item in row[name])
    values["sketch"] = tuple(row["sketch"])
    return Article(**values)


def _record(kind: type[Mention] | type[Claim], row: dict[str, Any]) -> Any:
    """A mention or claim back from its stored columns (the value as the corpus reads it)."""
    num = row.get("value_num")
    value = row["value"] if num is None else (int(num) if float(num).is_integer() else num)
    return kind(**{f.name: row[f.name] for f in fields(kind) if f.name != "value"}, value=value)
