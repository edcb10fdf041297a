"""`ingest` end to end on the samples and on every input format."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

import pytest

from cmcc_corpus import sources
from cmcc_corpus.cli import cli
from cmcc_corpus.errors import InputError


def docs(db: Path) -> list[tuple[str, str, str | None, str | None]]:
    conn = sqlite3.connect(db)
    return conn.execute("SELECT file, lang, published, source FROM documents ORDER BY file").fetchall()


def test_samples_with_manifest(ingested, db: Path, manifest: dict) -> None:  # type: ignore[no-untyped-def]
    rows = docs(db)
    assert [r[1] for r in rows] == ["en", "en", "ar", "en", "en"]
    assert [r[2] for r in rows] == [manifest[r[0]]["published"] for r in rows]
    assert [r[3] for r in rows] == [manifest[r[0]]["source"] for r in rows]


def test_second_run_adds_nothing(ingested, db: Path, samples: Path) -> None:  # type: ignore[no-untyped-def]
    result = ingested("ingest", str(samples), "--manifest", str(samples / "manifest.jsonl"), "--format", "json")
    assert result.exit_code == 0
    summary = json.loads(result.stdout)
    assert summary["ingested"] == 0 and summary["duplicates"] == 5 and summary["rejected"] == 0
    assert len(docs(db)) == 5


def test_without_manifest_languages_and_dateline_are_detected(run, db: Path, samples: Path) -> None:  # type: ignore[no-untyped-def]
    result = run("ingest", str(samples))
    assert result.exit_code == 0, result.output
    assert "manifest" in result.stderr  # the manifest lying in the folder is passed over, with a hint
    rows = {r[0]: r for r in docs(db)}
    assert [rows[f][1] for f in sorted(rows)] == ["en", "en", "ar", "en", "en"]
    assert rows["004_b0e036cefecd7514.txt"][2] == "2025-10-17"  # "Fri Oct 17 2025" in the text
    assert rows["000_f0c207929c95f00c.txt"][2] is None  # a date in an image path is not a dateline


def test_same_text_under_another_name_is_a_duplicate(ingested, db: Path, samples: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    copy = tmp_path / "renamed.txt"
    original = (samples / "001_71d2b15bbf6c0817.txt").read_text()
    copy.write_text(original.replace("\n", "\r\n"), newline="")  # CRLF: same normalized text
    result = ingested("ingest", str(copy))
    assert result.exit_code == 0
    assert "duplicates 1" in result.stdout
    assert len(docs(db)) == 5


def test_near_duplicate_is_linked_not_merged(ingested, db: Path, samples: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    edited = tmp_path / "republished.txt"
    text = (samples / "001_71d2b15bbf6c0817.txt").read_text()
    edited.write_text(
        text.replace("14 countries", "15 countries").replace("Israel has expressed", "Israel had expressed")
    )
    result = ingested("ingest", str(edited), "--format", "json")
    assert json.loads(result.stdout)["near_duplicates"] == 1
    assert len(docs(db)) == 6
    shown = json.loads(ingested("show", "republished.txt", "--format", "json").stdout)
    assert shown["near_duplicates"][0]["score"] >= 90


def test_markdown_front_matter(run, db: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    md = tmp_path / "story.md"
    md.write_text(
        "---\ntitle: CMCC opens\nurl: https://example.org/a\npublished: 2025-10-18\nsource: Example\nlang: en\n---\n"
        "# CMCC opens in Kiryat Gat\n\nThe center opened on Friday with partners from many countries.\n"
    )
    assert run("ingest", str(md)).exit_code == 0
    row = (
        sqlite3.connect(db)
        .execute("SELECT title, url, published, published_basis, source, lang FROM documents")
        .fetchone()
    )
    assert row == ("CMCC opens", "https://example.org/a", "2025-10-18", "front matter", "Example", "en")


def test_html_main_text_and_meta(run, db: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    page = tmp_path / "page.html"
    body = " ".join(["The coordination center in Kiryat Gat brings together partners from many countries."] * 6)
    page.write_text(
        "<html><head><title>Site | CMCC</title><meta property='article:published_time' content='2025-10-24T08:00:00Z'>"
        "<meta property='og:site_name' content='Example News'></head><body><nav>Home News Sport</nav>"
        "<script>document.write('evil')</script><style>p{}</style>"
        f"<article><h1>CMCC at full speed</h1><p onclick='x()'>{body}</p>"
        "</article><footer>Copyright</footer></body></html>"
    )
    assert run("ingest", str(page)).exit_code == 0
    title, published, source, text = (
        sqlite3.connect(db).execute("SELECT title, published, source, text FROM documents").fetchone()
    )
    assert published == "2025-10-24" and source == "Example News"
    assert "Kiryat Gat" in text and "evil" not in text and "Copyright" not in text and "p{}" not in text
    assert title


def test_json_list_and_jsonl_with_a_bad_line(run, db: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "batch.json").write_text(
        json.dumps(
            [
                {
                    "text": "First article about the CMCC in Kiryat Gat and its partners.",
                    "lang": "en",
                    "published": "2025-10",
                },
                {"text": "المقال الثاني عن مركز التنسيق المدني العسكري في كريات غات.", "source": "Al-Fassel"},
            ]
        )
    )
    (tmp_path / "feed.jsonl").write_text(
        json.dumps({"text": "Third article, line one, about troops and the force in Gaza."})
        + "\n"
        + "{not json\n"
        + json.dumps({"title": "no text here"})
        + "\n"
        + json.dumps({"text": "Fourth article on line four about Egypt and Qatar mediation."})
        + "\n"
    )
    result = run("ingest", str(tmp_path / "batch.json"), str(tmp_path / "feed.jsonl"))
    assert result.exit_code == 1
    assert f"{tmp_path / 'feed.jsonl'}:2: invalid JSON" in result.stderr
    assert f'{tmp_path / "feed.jsonl"}:3: missing "text" field' in result.stderr
    rows = sqlite3.connect(db).execute("SELECT path, lang, published, source FROM documents ORDER BY path").fetchall()
    assert [r[0] for r in rows] == [
        f"{tmp_path / 'batch.json'}[0]",
        f"{tmp_path / 'batch.json'}[1]",
        f"{tmp_path / 'feed.jsonl'}:1",
        f"{tmp_path / 'feed.jsonl'}:4",
    ]
    assert rows[1][1] == "ar" and rows[1][3] == "Al-Fassel" and rows[0][2] == "2025-10"


def test_stdin_and_glob(run, db: Path, samples: Path) -> None:  # type: ignore[no-untyped-def]
    text = (samples / "002_4acb3fe92059d304.txt").read_text()
    assert run("ingest", "-", input=text.encode()).exit_code == 0
    assert run("ingest", str(samples / "00[34]_*.txt")).exit_code == 0
    files = [r[0] for r in docs(db)]
    assert files == ["003_a592e5e37fee6a75.txt", "004_b0e036cefecd7514.txt", "<stdin>"]


def test_lang_option_overrides_detection(run, db: Path, samples: Path) -> None:  # type: ignore[no-untyped-def]
    run("ingest", str(samples / "003_a592e5e37fee6a75.txt"), "--lang", "fr")
    assert docs(db)[0][1] == "fr"


def test_corpus_location_env_var(tmp_path: Path, samples: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from click.testing import CliRunner

    target = tmp_path / "from-env.db"
    monkeypatch.setenv("CMCC_CORPUS_DB", str(target))
    result = CliRunner().invoke(cli, ["ingest", str(samples / "003_a592e5e37fee6a75.txt")])
    assert result.exit_code == 0 and target.exists()


def test_a_summary_lists_documents_only_when_asked(db: Path, samples: Path) -> None:
    """A text summary is counts: a run of 100,000 need not hold a record per document."""
    from cmcc_corpus.ingest import IngestOptions, ingest
    from cmcc_corpus.store import Corpus

    options = IngestOptions(manifest=samples / "manifest.jsonl", extract=False, list_documents=False)
    with Corpus.open(db, write=True) as corpus:
        quiet = ingest(corpus, [str(samples)], options)
        again = ingest(corpus, [str(samples)], IngestOptions(manifest=samples / "manifest.jsonl", extract=False))
    assert quiet.ingested == 5 and quiet.documents == []
    assert again.duplicates == 5 and sorted(d.status for d in again.documents) == ["duplicate"] * 5


def test_a_file_that_grew_after_its_size_was_read_is_read_whole_or_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """read_bytes asks for the size fstat gave; what the file grew by since is read too."""
    path = tmp_path / "growing.txt"
    path.write_bytes(b"x" * 1000)
    real_fstat = os.fstat

    def stale_fstat(fd: int) -> os.stat_result:
        st = real_fstat(fd)
        return os.stat_result((st.st_mode, *tuple(st)[1:6], 10, *tuple(st)[7:]))  # 10 bytes then

    monkeypatch.setattr(sources.os, "fstat", stale_fstat)
    inp = sources.Input(str(path), str(path), "txt")
    assert sources.read_bytes(inp, max_bytes=5000) == b"x" * 1000
    with pytest.raises(InputError, match="larger than --max-bytes"):
        sources.read_bytes(inp, max_bytes=500)
