"""The manifest index: rows looked up by file name without holding them in memory."""

from __future__ import annotations

import json
import pickle
import tracemalloc
from pathlib import Path

import pytest

from cmcc_corpus import manifest as manifest_module
from cmcc_corpus.manifest import Manifest, ManifestError


def _write(path: Path, rows: list[dict[str, str]], bom: bool = False) -> Path:
    text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    return path


ROWS = [
    {"file": "a/one.txt", "lang": "en", "source": "first", "published": "2025-10-17"},
    {"file": "b/one.txt", "lang": "ar", "source": "second"},
    {"file": "two.txt", "source": "الجزيرة"},
    {"file": "a/one.txt", "lang": "en", "source": "later row wins"},
]


def test_lookup_by_path_as_written_then_by_base_name(tmp_path: Path) -> None:
    m = Manifest.load(_write(tmp_path / "m.jsonl", ROWS, bom=True))
    assert m.get("a/one.txt").source == "later row wins"  # type: ignore[union-attr]
    assert m.get("b/one.txt").lang == "ar"  # type: ignore[union-attr]
    assert m.get("one.txt").source == "first"  # base name: the first row that has it
    assert m.get("two.txt").source == "الجزيرة"  # type: ignore[union-attr]
    assert m.get("a/one.txt").published is None  # the later row has no date  # type: ignore[union-attr]
    assert m.get("three.txt") is None and m.get(None) is None and Manifest().get("two.txt") is None


def test_hash_collisions_are_told_apart_by_the_row(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(manifest_module, "_hash", lambda key: 7)  # every key collides
    m = Manifest.load(_write(tmp_path / "m.jsonl", ROWS))
    assert [m.get(k).source for k in ("a/one.txt", "b/one.txt", "one.txt", "two.txt")] == [  # type: ignore[union-attr]
        "later row wins",
        "second",
        "first",
        "الجزيرة",
    ]
    assert m.get("zzz.txt") is None


def test_a_worker_gets_a_picklable_copy_that_reads_the_file_itself(tmp_path: Path) -> None:
    m = Manifest.load(_write(tmp_path / "m.jsonl", ROWS))
    assert m.get("two.txt") is not None  # opens the file in this process
    copy = pickle.loads(pickle.dumps(m))
    assert copy.get("b/one.txt").source == "second"  # type: ignore[union-attr]


def test_memory_is_a_few_bytes_per_row_not_the_rows(tmp_path: Path) -> None:
    rows = [{"file": f"{i:04d}/doc_{i:07d}.txt", "lang": "en", "source": f"outlet {i % 50}"} for i in range(20_000)]
    path = _write(tmp_path / "big.jsonl", rows)
    tracemalloc.start()
    m = Manifest.load(path)
    held = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    assert len(m) == 20_000 and m.get("doc_0012345.txt").source == "outlet 45"  # type: ignore[union-attr]
    assert held < 100 * 20_000  # a dict of the rows held about 560 bytes a row


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b'{"file": "a.txt"}\nnot json\n', "m.jsonl:2: invalid JSON"),
        (b'{"file": "a.txt"}\n[1, 2]\n', "m.jsonl:2: each line of a manifest must be a JSON object"),
        (b'{"lang": "en"}\n', 'm.jsonl:1: each row needs a "file" field'),
        (b'{"file": "a.txt", "published": "someday"}\n', "m.jsonl:1"),
        (b'{"file": "a.txt"}\n\xff\xfe\n', "m.jsonl:2: cannot read manifest"),
    ],
)
def test_every_row_is_validated_up_front(tmp_path: Path, content: bytes, reason: str) -> None:
    (tmp_path / "m.jsonl").write_bytes(content)
    with pytest.raises(ManifestError, match=reason):
        Manifest.load(tmp_path / "m.jsonl")


def test_an_unreadable_manifest_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(ManifestError, match="missing.jsonl: cannot read manifest"):
        Manifest.load(tmp_path / "missing.jsonl")


def test_a_manifest_rewritten_during_the_run_is_a_clear_error(tmp_path: Path) -> None:
    path = _write(tmp_path / "m.jsonl", ROWS)
    m = Manifest.load(path)
    path.write_text("[]\n" * 100)  # the rows moved: the indexed byte ranges now hold other text
    with pytest.raises(ManifestError, match="changed during the run"):
        m.get("two.txt")
