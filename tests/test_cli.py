"""Reading commands (`list`, `show`, `search`), output formats, help and exit codes."""

from __future__ import annotations

import csv
import io
import json

import click
import pytest

from cmcc_corpus.cli import cli

STABLE_FIELDS = {"id", "file", "lang", "source", "published", "title", "words"}


def test_list_json_has_stable_fields(ingested) -> None:  # type: ignore[no-untyped-def]
    result = ingested("list", "--format", "json")
    records = json.loads(result.stdout)
    assert len(records) == 5
    assert all(set(r) >= STABLE_FIELDS for r in records)
    assert {r["file"]: r["lang"] for r in records}["002_4acb3fe92059d304.txt"] == "ar"


def test_list_csv_and_filters(ingested) -> None:  # type: ignore[no-untyped-def]
    rows = list(csv.DictReader(io.StringIO(ingested("list", "--format", "csv", "--lang", "en").stdout)))
    assert len(rows) == 4 and {r["lang"] for r in rows} == {"en"}
    only = json.loads(ingested("list", "--format", "json", "--source", "Al-Fassel").stdout)
    assert sorted(r["lang"] for r in only) == ["ar", "en"]


def test_list_table_shows_titles(ingested) -> None:  # type: ignore[no-untyped-def]
    out = ingested("list").stdout
    assert "5 documents" in out and "Kazinform" in out and "UK sends military" in out


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("كريات غات", "002_4acb3fe92059d304.txt"),
        ("Kiryat Gat", "000_f0c207929c95f00c.txt"),
        ("كِرْيات غـات", "002_4acb3fe92059d304.txt"),  # diacritics and tatweel in the query
        ("مركز التنسيق المدني العسكري", "002_4acb3fe92059d304.txt"),
    ],
)
def test_search_either_language(ingested, query: str, expected: str) -> None:  # type: ignore[no-untyped-def]
    hits = json.loads(ingested("search", query, "--format", "json").stdout)
    assert [h["file"] for h in hits] == [expected]
    assert hits[0]["snippet"]


def test_search_with_fts_syntax_characters_is_safe(ingested) -> None:  # type: ignore[no-untyped-def]
    for query in ['"unbalanced', "NEAR(", "a OR", "*", "'; DROP TABLE documents; --"]:
        result = ingested("search", query, "--format", "json")
        assert result.exit_code == 0
    assert len(json.loads(ingested("list", "--format", "json").stdout)) == 5


def test_show_text_and_json(ingested, samples) -> None:  # type: ignore[no-untyped-def]
    out = ingested("show", "002_4acb3fe92059d304.txt").stdout
    assert "كريات غات" in out and "[2 title]" in out and "[5 byline]" in out
    record = json.loads(ingested("show", "000_f0c207929c95f00c.txt", "--format", "json").stdout)
    assert record["text"] == (samples / "000_f0c207929c95f00c.txt").read_text()
    assert len(record["paragraphs"]) == 24
    assert record["paragraphs"][3]["kind"] == "caption"


def test_show_visual_bidi_reorders_arabic(ingested) -> None:  # type: ignore[no-untyped-def]
    out = ingested("show", "002_4acb3fe92059d304.txt", "--bidi", "visual").stdout
    assert "تاغ تايرك" in out  # visual (left-to-right display) order for terminals without bidi


def test_show_unknown_document(ingested) -> None:  # type: ignore[no-untyped-def]
    result = ingested("show", "nonexistent")
    assert result.exit_code == 1
    assert "no document matches" in result.stderr


@pytest.mark.parametrize(
    "args", [["--bogus"], ["list", "--format", "xml"], ["show"], ["ingest"], ["ingest", "/no/such/file.txt"]]
)
def test_usage_errors_exit_2_and_create_nothing(run, db, args) -> None:  # type: ignore[no-untyped-def]
    result = run(*args)
    assert result.exit_code == 2
    assert not db.exists()


def test_reading_a_missing_corpus_exits_3(run, db) -> None:  # type: ignore[no-untyped-def]
    result = run("list")
    assert result.exit_code == 3
    assert "no corpus here yet" in result.stderr
    assert not db.exists()


def _commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = []
    for name, command in group.commands.items():
        found.append((*prefix, name))
        if isinstance(command, click.Group):
            found.extend(_commands(command, (*prefix, name)))
    return found


@pytest.mark.parametrize("path", _commands(cli))
def test_every_command_has_help(run, path: tuple[str, ...]) -> None:  # type: ignore[no-untyped-def]
    result = run(*path, "--help")
    assert result.exit_code == 0
    command = cli
    for name in path:
        command = command.commands[name]  # type: ignore[attr-defined]
    assert command.help and len(command.help.strip()) > 20
