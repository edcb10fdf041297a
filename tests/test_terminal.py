"""No terminal injection: article content never reaches a terminal as control or bidi characters.

Articles, titles, outlets, URLs and file names carry escape sequences (clear screen, set
the window title, a C1 CSI), carriage returns, backspaces and bidi overrides. Every
command that prints them, in every human format and in JSON, prints visible escapes
(`\\u001b`, `\\u202e`) instead; the corpus still stores them verbatim.
"""

from __future__ import annotations

import json
import re
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from click.testing import CliRunner

from cmcc_corpus.cli import cli

# What must never be printed raw: C0 controls but newline and tab, DEL, C1 controls, bidi
# marks, embeddings, overrides and isolates, and the Unicode line/paragraph separators.
UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069\u2028\u2029]")
CLEAR = "\x1b[2J\x1b[H"  # clear the screen, cursor home
TITLE = "\x1b]0;pwned\x07"  # set the terminal window title
CSI = "\x9b31m"  # a C1 control sequence introducer
TRICKS = "\r\x08\x7f\u2028"

HOSTILE_EN = (
    f"Officials{CLEAR} in Gaza said the United\u202e States has committed up to 200{TITLE} troops to the"
    f" CMCC{CSI} in Kiryat Gat.{TRICKS} The CMCC opened on October 17, 2025, officials said.\n"
)
CONFLICTING_EN = (
    "A second outlet reports that the CMCC\u2067 opened on October 18, 2025 in Kiryat Gat,"
    f" and that the United States has committed up to 200 troops{CLEAR}.\n"
)
HOSTILE_AR = (
    "\u202bقال المتحدث\u202c إن \u202eمركز التنسيق المدني العسكري\u202c في كريات غات"
    f" افتتح في ١٧ أكتوبر ٢٠٢٥{TITLE} بحضور ممثلين عن الولايات المتحدة.\n"
)
EVIL_NAME = f"evil{CLEAR}\u202ename.txt"


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("terminal")
    (base / "first.json").write_text(
        json.dumps(
            {
                "title": f"Evil{TITLE} title\u202e reversed",
                "source": f"Evil{CSI}News{CLEAR}",
                "url": f"https://example.org/{TRICKS}a",
                "published": "2025-10-20",
                "text": HOSTILE_EN,
            }
        )
    )
    (base / "second.txt").write_text(CONFLICTING_EN)
    (base / EVIL_NAME).write_text(HOSTILE_AR)
    db = base / "c.db"
    result = CliRunner().invoke(cli, ["--db", str(db), "ingest", "--jobs", "1", str(base)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return db


def run(db: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["--db", str(db), *args], catch_exceptions=False)
    return result.exit_code, result.stdout + result.stderr


def assert_safe(output: str) -> None:
    leaked = sorted({f"U+{ord(c):04X}" for c in UNSAFE.findall(output)})
    assert not leaked, f"raw control or bidi characters printed: {leaked}\n{output!r}"


def test_the_corpus_stores_the_hostile_characters_verbatim(corpus: Path) -> None:
    with closing(sqlite3.connect(corpus)) as conn:
        texts = {row[0] for row in conn.execute("SELECT text FROM documents")}
        sources = {row[0] for row in conn.execute("SELECT source FROM documents")}
        quotes = [row[0] for row in conn.execute("SELECT text FROM claims")]
    assert texts == {HOSTILE_EN, CONFLICTING_EN, HOSTILE_AR}
    assert f"Evil{CSI}News{CLEAR}" in sources
    assert any(UNSAFE.search(q) for q in quotes), quotes  # the hostile characters reach claim quotes


COMMANDS = [
    ("list",),
    ("list", "--format", "json"),
    ("show", "first.json"),
    ("show", "first.json", "--bidi", "visual"),
    ("show", "first.json", "--annotate"),
    ("show", "first.json", "--format", "json"),
    ("show", EVIL_NAME),
    ("show", EVIL_NAME, "--bidi", "visual"),
    ("search", "Kiryat Gat"),
    ("search", "مركز التنسيق"),
    ("search", f"CMCC{CLEAR}", "--format", "json"),
    ("entities",),
    ("entities", "--format", "json"),
    ("claims",),
    ("claims", "--format", "json"),
    ("compare",),
    ("compare", "--all"),
    ("compare", "--format", "markdown"),
    ("compare", "--format", "json"),
    ("compare", "--format", "jsonl"),
    ("compare", "--format", "sarif"),
    ("show", f"no-such{CLEAR}\u202edoc"),  # the error message quotes what was asked for
]


@pytest.mark.parametrize("args", COMMANDS, ids=[" ".join(a).encode("unicode_escape").decode() for a in COMMANDS])
def test_output_never_carries_raw_control_or_bidi_characters(corpus: Path, args: tuple[str, ...]) -> None:
    code, output = run(corpus, *args)
    assert code in (0, 1), output
    assert output.strip()
    assert_safe(output)


def test_the_hostile_characters_are_shown_as_visible_escapes(corpus: Path) -> None:
    _, shown = run(corpus, "show", "first.json")
    for escaped in ("\\u001b[2J", "\\u001b]0;pwned\\u0007", "\\u009b31m", "\\u202e", "\\u000d", "\\u0008"):
        assert escaped in shown, escaped
    _, claims = run(corpus, "claims")
    assert "\\u202e" in claims and "Evil\\u009b31mNews" in claims
    _, compared = run(corpus, "compare")
    assert "CONFLICT" in compared and "\\u2067" in compared
    code, as_json = run(corpus, "compare", "--format", "json")
    assert code == 0
    quotes = [ev["quote"] for r in json.loads(as_json) for side in r["sides"] for ev in side["evidence"]]
    assert any("\u2067" in q for q in quotes)  # JSON escapes them, and still decodes to the real text


def test_rejected_inputs_with_hostile_names_are_reported_escaped(tmp_path: Path) -> None:
    (tmp_path / f"bad{CLEAR}\u202e.txt").write_bytes(b"not \xff text")
    (tmp_path / f"empty{TITLE}.json").write_text('{"text": "   "}')
    result = CliRunner().invoke(cli, ["--db", str(tmp_path / "c.db"), "ingest", "--jobs", "1", str(tmp_path)])
    assert result.exit_code == 1
    assert_safe(result.stdout + result.stderr)
    assert "bad\\u001b[2J\\u001b[H\\u202e.txt: invalid UTF-8" in result.stderr
    assert "empty\\u001b]0;pwned\\u0007.json: no text" in result.stderr


MARKUP = ["[/]", "[bold red]crossing[/bold red]", "[link=file:///etc/passwd]x[/link]", "\\[escaped]"]


@pytest.mark.parametrize("value", MARKUP)
def test_rich_markup_typed_or_stored_is_printed_literally(corpus: Path, value: str, tmp_path: Path) -> None:
    code, searched = run(corpus, "search", value)
    assert code == 0, searched
    assert f"for {value!r}" in searched  # the title quotes the query as typed
    code, listed = run(corpus, "list", "--source", value)
    assert code == 0 and "0 documents" in listed
    code, shown = run(corpus, "show", value)
    assert code == 1 and value in shown and "internal error" not in shown
    (tmp_path / "m.json").write_text(
        json.dumps({"title": value, "source": value, "text": "The crossing opened today."})
    )
    ingested = CliRunner().invoke(
        cli, ["--db", str(tmp_path / "c.db"), "ingest", "--jobs", "1", str(tmp_path / "m.json")]
    )
    assert ingested.exit_code == 0, ingested.output
    listed = CliRunner().invoke(cli, ["--db", str(tmp_path / "c.db"), "list"]).stdout
    assert value[:10] in listed
