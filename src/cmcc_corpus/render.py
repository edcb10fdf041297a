"""Rendering records for people (rich tables) and programs (JSON, CSV).

Text from articles is untrusted: control and bidi characters are escaped before they
reach a terminal, and rich markup in article text is never interpreted.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TextIO

from rich import box
from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

# C0/C1 controls (but tab and newline), DEL, bidi embeddings/overrides/isolates/marks,
# and line/paragraph separators: printed as visible escapes, never emitted raw.
_UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069\u2028\u2029]")
_ARABIC = re.compile(r"[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufefc]")
_LATIN = re.compile(r"[A-Za-z]")


def escape(text: str, keep_newlines: bool = False) -> str:
    """Make untrusted text safe for a terminal: controls and bidi marks become escapes."""
    if not keep_newlines:
        text = text.replace("\n", " ").replace("\t", " ")
    return _UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def is_rtl(text: str) -> bool:
    """True when Arabic letters outnumber Latin ones."""
    return len(_ARABIC.findall(text)) > len(_LATIN.findall(text))


def bidi_mode(choice: str, stream: TextIO) -> str:
    """Resolve `--bidi auto`: terminals that do their own bidi get logical order."""
    if choice != "auto":
        return choice
    if not stream.isatty():
        return "logical"
    if os.environ.get("VTE_VERSION") or os.environ.get("KONSOLE_VERSION"):
        return "logical"
    if os.environ.get("TERM_PROGRAM") in {"Apple_Terminal", "mlterm"}:
        return "logical"
    return "logical" if os.environ.get("TMUX") else "visual"


def display_line(text: str, mode: str) -> str:
    """Escape a line and, for terminals without bidi support, reorder it visually."""
    safe = escape(text)
    if mode == "visual" and _ARABIC.search(safe):
        from bidi import get_display

        return str(get_display(safe))
    return safe


def write_json(records: Iterable[Mapping[str, Any]] | Mapping[str, Any], out: TextIO) -> None:
    """Records as a JSON document (a list, or one object), UTF-8 unescaped but terminal-safe."""
    data = records if isinstance(records, Mapping) else list(records)
    out.write(json_text(data, indent=2))
    out.write("\n")


def json_text(data: Any, indent: int | None = None) -> str:
    """JSON with UTF-8 left readable, except what could act on a terminal.

    json already escapes C0 controls; DEL, C1 controls (a raw U+009B is a CSI to some
    terminals), bidi controls and line separators are escaped here too. They can only
    occur inside strings, so the document still decodes to exactly the same values.
    """
    return _UNSAFE.sub(_json_escape, json.dumps(data, ensure_ascii=False, indent=indent))


def _json_escape(m: re.Match[str]) -> str:
    return f"\\u{ord(m.group()):04x}"


def write_csv(records: Iterable[Mapping[str, Any]], fields: Sequence[str], out: TextIO) -> None:
    """Records as CSV with a header row."""
    writer = csv.DictWriter(out, fieldnames=list(fields), extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for record in records:
        writer.writerow({k: _csv_value(v) for k, v in record.items()})


def _csv_value(value: Any) -> Any:
    if isinstance(value, list | dict | tuple):
        return json.dumps(value, ensure_ascii=False)
    return value


def table(
    records: Iterable[Mapping[str, Any]],
    columns: Sequence[tuple[str, str]],
    title: str | None = None,
    wrap: Sequence[str] = (),
    width: int = 80,
    flex: Sequence[str] = ("title", "kind", "examples"),
) -> Table:
    """A rich table of records; `columns` pairs a field with its heading.

    Columns named in `wrap` fold long values over lines; `title` (or, when wrapping, the
    wrapped columns) take the width the others leave; the others stay on one line, cut
    with an ellipsis past 16 characters.
    """
    rows = [{f: _cell_text(r.get(f)) for f, _ in columns} for r in records]
    flexible = set(wrap) or {f for f, _ in columns if f in flex}
    widths = {field: min(max([len(r[field]) for r in rows] + [len(heading)]), 14) for field, heading in columns}
    spare = width - 3 * len(columns) - sum(w for f, w in widths.items() if f not in flexible)
    for field in flexible:
        widths[field] = max(spare // len(flexible), 12)
    # The title is Text, not a str: rich would read "[/]" in a search query as markup.
    caption = Text(escape(title)) if title is not None else None
    t = Table(title=caption, show_lines=bool(wrap), header_style="bold", box=box.SIMPLE_HEAD, show_edge=False)
    for field, heading in columns:
        t.add_column(
            heading, width=widths[field], overflow="fold" if field in wrap else "ellipsis", no_wrap=field not in wrap
        )
    for row in rows:
        t.add_row(*(_cell(row[f]) for f, _ in columns))
    return t


def _cell_text(value: Any) -> str:
    return "" if value is None else escape(str(value))


def _cell(value: str) -> Text:
    return Text(value, justify="right" if is_rtl(value) else "left")


def render_to_string(renderable: Any, width: int = 120) -> str:
    """Render to plain text (for tests and non-terminal output)."""
    buf = io.StringIO()
    Console(file=buf, width=width, force_terminal=False, color_system=None).print(renderable)
    return buf.getvalue()


MENTION_COLUMNS = (
    ("type", "type"),
    ("value", "value"),
    ("unit", "unit"),
    ("qualifier", "qualifier"),
    ("text", "quote"),
    ("start", "start"),
    ("rule", "rule"),
)
MENTION_STYLES = {
    "country": "bold green",
    "person": "bold magenta",
    "org": "bold cyan",
    "place": "bold blue",
    "date": "bold yellow",
    "quantity": "bold red",
    "money": "bold red",
    "duration": "yellow",
}


def annotated(text: str, start: int, end: int, mentions: Iterable[Mapping[str, Any]]) -> Text:
    """A paragraph [start, end) of the stored text with its mentions styled (escaped safely)."""
    inside = sorted(
        (m for m in mentions if start <= m["start"] and m["end"] <= end), key=lambda m: (m["start"], -m["end"])
    )
    out, pos = Text(), start
    for m in inside:
        if m["start"] < pos:
            continue  # nested in a mention already styled
        out.append(escape(text[pos : m["start"]]))
        out.append(escape(text[m["start"] : m["end"]]), style=MENTION_STYLES.get(m["type"], "bold"))
        pos = m["end"]
    out.append(escape(text[pos:end]))
    return out


def mention_legend() -> Text:
    """A one-line key to the mention colours."""
    return Text.assemble(*((f" {kind} ", style) for kind, style in MENTION_STYLES.items()))


def claim_value(record: Mapping[str, Any]) -> str:
    """A claim's value with its unit and qualifier, as a person reads it."""
    value = f"{record['value']}"
    if record.get("unit"):
        value += f" {record['unit']}"
    if record.get("qualifier") and record["qualifier"] != "exact":
        value += f" ({record['qualifier']})"
    if record.get("derived"):
        value += " [derived]"
    return value


def claims_view(records: Sequence[Mapping[str, Any]]) -> Group:
    """Claims grouped by document: the triple on one line, its quote indented below."""
    lines: list[Text] = []
    current = None
    for r in records:
        if r["file"] != current:
            current = r["file"]
            lines.append(
                Text.assemble(
                    (escape(current), "bold underline"),
                    escape(f"  {r.get('source') or ''} {r.get('published') or ''}"),
                )
            )
        modality = "" if r.get("modality") in (None, "asserted") else f"  [{r['modality']}]"
        lines.append(
            Text.assemble(
                "  ",
                (escape(str(r["subject"])), "bold"),
                " · ",
                escape(str(r["predicate"])),
                " · ",
                (escape(claim_value(r)), "green"),
                escape(f"  as of {r.get('as_of') or '?'}{modality}"),
            )
        )
        quote = Text(f"      “{escape(r['text'])}”", style="dim")
        lines.append(quote)
    return Group(*lines)
