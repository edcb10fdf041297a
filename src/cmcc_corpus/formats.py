"""Readers for every input format: plain text, Markdown, HTML, JSON and JSON Lines.

A reader turns decoded text into `Record`s (one per article) and reports a bad item as
an `InputError` in the stream, so one bad JSONL line never stops the other lines.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

import yaml

from .decode import check_text
from .errors import InputError
from .layout import FRONT_MATTER

FORMATS = ("txt", "md", "html", "json", "jsonl")
EXTENSIONS = {
    ".txt": "txt",
    ".text": "txt",
    ".md": "md",
    ".markdown": "md",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".json": "json",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
}
METADATA_FIELDS = ("title", "url", "published", "source", "lang")
_PARTIAL_DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?(?:[T ][\d:.+\-Z]*)?")
_ENTITY_DECL = re.compile(r"<!ENTITY", re.I)
# Deeper than this, JSON is refused before Python's recursion limit is anywhere near.
_MAX_JSON_DEPTH = 200
# Deeper than this, markup is refused before an HTML parser or extractor recurses into it.
_MAX_MARKUP_DEPTH = 5000
_TAG = re.compile(r"<(/?)([a-zA-Z][^\s/>]*)[^>]*?(/?)>")
# Elements that never nest: void elements, and those whose end tag HTML lets authors omit
# (an unclosed <p> or <li> is closed by the next one, not nested in it).
_NON_NESTING = frozenset(
    {
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "param",
        "source",
        "track",
        "wbr",
        "keygen",
        "p",
        "li",
        "dt",
        "dd",
        "tr",
        "td",
        "th",
        "thead",
        "tbody",
        "tfoot",
        "option",
        "optgroup",
        "colgroup",
        "caption",
        "rb",
        "rt",
        "rp",
    }
)


@dataclass(frozen=True)
class Record:
    """One article as read from an input, before analysis."""

    text: str
    path: str
    file: str
    format: str
    title: str | None = None
    url: str | None = None
    published: str | None = None
    source: str | None = None
    lang: str | None = None
    published_basis: str | None = None


def sniff(text: str) -> str:
    """Guess the format of text that came without a telling file name (e.g. stdin)."""
    head = text.lstrip()[:200].lower()
    if head.startswith("["):
        return "json"
    if head.startswith("{"):
        first, _, rest = text.strip().partition("\n")
        return "jsonl" if rest.strip() and _one_object_per_line(first) else "json"
    if head.startswith(("<!doctype html", "<html", "<?xml")) or "<body" in head or "<p>" in head:
        return "html"
    if head.startswith("---"):
        return "md"
    return "txt"


def _one_object_per_line(line: str) -> bool:
    try:
        return isinstance(json.loads(line), dict)
    except ValueError:
        return False


def read(text: str, path: str, file: str, fmt: str) -> Iterator[Record | InputError]:
    """Records found in one decoded input; bad items come as InputError in the stream."""
    reader = {"txt": _read_txt, "md": _read_md, "html": _read_html, "json": _read_json, "jsonl": _read_jsonl}[fmt]
    try:
        yield from reader(text, path, file)
    except InputError as exc:
        yield exc
    except RecursionError:
        yield InputError(path, "nesting too deep to parse")


def _read_txt(text: str, path: str, file: str) -> Iterator[Record]:
    yield Record(check_text(text, path), path, file, "txt")


def _read_md(text: str, path: str, file: str) -> Iterator[Record]:
    check_text(text, path)
    meta: dict[str, Any] = {}
    m = FRONT_MATTER.match(text)
    if m:
        try:
            loaded = yaml.safe_load(m.group(1))
        except yaml.YAMLError as exc:
            raise InputError(path, f"front matter is not valid YAML ({_first_line(exc)})") from None
        if isinstance(loaded, dict):
            meta = loaded
    record = Record(text, path, file, "md")
    yield _with_metadata(record, meta, "front matter")


def _read_html(text: str, path: str, file: str) -> Iterator[Record]:
    check_text(text, path)
    if _ENTITY_DECL.search(text):  # anywhere: a comment can push a DOCTYPE past any prefix
        raise InputError(path, "HTML declares DTD entities (refused: entity expansion attack)")
    _check_nesting(text, path)
    import trafilatura

    extracted = trafilatura.bare_extraction(
        text, with_metadata=True, include_comments=False, include_tables=True, favor_recall=True
    )
    doc: dict[str, Any] = {}
    if extracted is not None:
        doc = extracted if isinstance(extracted, dict) else extracted.as_dict()
    body = doc.get("text") or ""
    if not body.strip():
        raise InputError(path, "no article text found in the HTML")
    meta = {
        "title": doc.get("title"),
        "url": doc.get("url"),
        "published": doc.get("date"),
        "source": doc.get("sitename"),
        "lang": doc.get("language"),
    }
    yield _with_metadata(Record(body, path, file, "html"), meta, "HTML metadata")


def _check_nesting(text: str, path: str) -> None:
    """Refuse pathologically deep markup before a parser recurses into it.

    Tags are matched the way a forgiving parser does: an end tag closes everything opened
    since its start tag, a stray end tag is ignored, void and optional-end elements do not
    nest. Balanced deep nesting is caught as well as unclosed tags.
    """
    if text.count("<") <= _MAX_MARKUP_DEPTH:
        return
    stack: list[str] = []
    open_names: Counter[str] = Counter()
    for m in _TAG.finditer(text):
        closing, name, self_closing = m.group(1), m.group(2).lower(), m.group(3)
        if self_closing or name in _NON_NESTING:
            continue
        if closing:
            if open_names[name]:
                while stack:
                    top = stack.pop()
                    open_names[top] -= 1
                    if top == name:
                        break
            continue
        stack.append(name)
        open_names[name] += 1
        if len(stack) > _MAX_MARKUP_DEPTH:
            where = f"near character {m.start()}"
            raise InputError(path, f"markup nested deeper than {_MAX_MARKUP_DEPTH} levels {where}")


def _read_json(text: str, path: str, file: str) -> Iterator[Record | InputError]:
    data = _parse_json(text, path)
    items = data if isinstance(data, list) else [data]
    for i, item in enumerate(items):
        where = f"{path}[{i}]" if isinstance(data, list) else path
        try:
            yield _json_record(item, where, file, "json")
        except InputError as exc:
            yield exc


def _read_jsonl(text: str, path: str, file: str) -> Iterator[Record | InputError]:
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        where = f"{path}:{lineno}"
        try:
            yield _json_record(_parse_json(line, where), where, file, "jsonl")
        except InputError as exc:
            yield exc


def _parse_json(text: str, path: str) -> Any:
    depth = 0
    if text.count("[") + text.count("{") > _MAX_JSON_DEPTH:
        depth = _json_depth(text)
    if depth > _MAX_JSON_DEPTH:
        raise InputError(path, f"JSON nested deeper than {_MAX_JSON_DEPTH} levels")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(path, f"invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}") from None
    except RecursionError:
        raise InputError(path, "JSON nested too deeply") from None


def _json_depth(text: str) -> int:
    """Maximum bracket depth outside strings, without building anything."""
    depth = deepest = 0
    for m in re.finditer(r'"(?:[^"\\]|\\.)*"|[\[{]|[\]}]', text):
        tok = m.group()
        if tok in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif tok in "]}":
            depth -= 1
    return deepest


def _json_record(item: Any, where: str, file: str, fmt: str) -> Record:
    if not isinstance(item, dict):
        raise InputError(where, f'expected a JSON object with a "text" field, got {type(item).__name__}')
    text = item.get("text")
    if not isinstance(text, str):
        raise InputError(where, 'missing "text" field (a string)')
    record = Record(check_text(text, where), where, file, fmt)
    return _with_metadata(record, item, "JSON")


def _with_metadata(record: Record, meta: dict[str, Any], basis: str) -> Record:
    """Copy the known metadata fields onto a record, validating each."""
    values: dict[str, Any] = {}
    for field in METADATA_FIELDS:
        value = meta.get(field)
        if value is None or value == "":
            continue
        if isinstance(value, date):
            value = value.isoformat()
        if not isinstance(value, str | int | float):
            raise InputError(record.path, f"metadata field {field!r} must be a string")
        values[field] = check_text(str(value).strip(), record.path)
    if "published" in values:
        values["published"] = parse_partial_date(values["published"], record.path)
        values["published_basis"] = basis
    if "lang" in values:
        values["lang"] = values["lang"].lower()[:3].split("-")[0].split("_")[0]
    return replace(record, **values)


def parse_partial_date(value: str, path: str) -> str:
    """ISO 8601 date, possibly partial (`2025`, `2025-10`), from a metadata value."""
    m = _PARTIAL_DATE.fullmatch(value.strip())
    if not m:
        raise InputError(path, f"published: {value!r} is not an ISO 8601 date (e.g. 2025-10-17 or 2025-10)")
    year, month, day = m.groups()
    try:
        date(int(year), int(month or 1), int(day or 1))
    except ValueError:
        raise InputError(path, f"published: {value!r} is not a valid date") from None
    return "-".join(p for p in (year, month, day) if p)


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
