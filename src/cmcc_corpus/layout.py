"""Article layout: paragraphs (with their kind), sentences, title, byline, boilerplate.

Everything is expressed as character offsets into the stored text, which is never
altered: boilerplate is labelled and kept, not deleted.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

from .datelines import parse_dateline
from .normalize import Folded, fold, fold_text
from .profile import data_file

# Paragraph kinds that are part of the article (extraction reads these).
ARTICLE_KINDS = frozenset({"title", "kicker", "byline", "dateline", "heading", "body", "caption"})

_LINE = re.compile(r"[^\n]+")
_IMAGE = re.compile(r"!\[(?P<cap>.*)\]\((?P<url>[^)]*)\)\s*$")
_MD_HEADING = re.compile(r"#{1,6}\s+")
# YAML front matter opening a Markdown file: `---`, the YAML, `---` (group 1 is the YAML).
FRONT_MATTER = re.compile(r"---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|$)", re.S)
_MD_BLOCK_START = re.compile(r"(#{1,6}\s|[-*+]\s|\d+[.)]\s|!\[|>\s?)")
_WORD = re.compile(r"\w+")
_LEADING_SPACE = re.compile(r"\s*")


@dataclass(frozen=True)
class Paragraph:
    """A paragraph: its number (1-based), its span in the stored text and its kind."""

    n: int
    start: int
    end: int
    kind: str


@dataclass(frozen=True)
class Sentence:
    """A sentence: its number (1-based in the document), paragraph number and span."""

    n: int
    paragraph: int
    start: int
    end: int


@dataclass(frozen=True)
class Layout:
    """The structure found in one article's text."""

    paragraphs: tuple[Paragraph, ...]
    sentences: tuple[Sentence, ...]
    title: str | None
    words: int


@dataclass(frozen=True)
class _Rules:
    exact: frozenset[str]
    prefixes: tuple[str, ...]
    tokens: frozenset[str]
    min_commas: int
    max_item_words: int
    byline_prefixes: tuple[str, ...]
    byline_max_words: int
    heading_max_words: int
    kicker_max_words: int
    title_min_words: int
    title_max_chars: int
    sentence_end: str
    abbreviations: frozenset[str]

    @property
    def prefix_pattern(self) -> re.Pattern[str]:
        """A furniture prefix followed by ':' or the end of the line."""
        cached = self.__dict__.get("_prefix_pattern")
        if cached is None:
            alternatives = "|".join(re.escape(p) for p in sorted(self.prefixes, key=len, reverse=True))
            cached = re.compile(f"(?:{alternatives})(?::|$)")
            object.__setattr__(self, "_prefix_pattern", cached)
        return cached


@cache
def _rules() -> _Rules:
    bp, lay = data_file("boilerplate"), data_file("layout")

    def fold_all(words: list[str]) -> list[str]:
        return [fold_text(str(w)).lower() for w in words]

    return _Rules(
        exact=frozenset(fold_all(bp["exact"])),
        prefixes=tuple(fold_all(bp["prefixes"])),
        tokens=frozenset(fold_all(bp["tokens"])),
        min_commas=int(bp["keyword_line_min_commas"]),
        max_item_words=int(bp["keyword_line_max_words_per_item"]),
        byline_prefixes=tuple(fold_all(lay["byline_prefixes"]["en"] + lay["byline_prefixes"]["ar"])),
        byline_max_words=int(lay["byline_max_words"]),
        heading_max_words=int(lay["heading_max_words"]),
        kicker_max_words=int(lay["kicker_max_words"]),
        title_min_words=int(lay["title_min_words"]),
        title_max_chars=int(lay["title_max_chars"]),
        sentence_end="".join(lay["sentence_end"]),
        abbreviations=frozenset(fold_all(lay["abbreviations"]["en"] + lay["abbreviations"]["ar"])),
    )


def analyze(text: str, fmt: str = "txt", title: str | None = None, folded: Folded | None = None) -> Layout:
    """Find paragraphs, their kinds, sentences and the title of an article's text.

    `folded` is `fold(text)` when the caller already has it (it is not computed twice).
    """
    blocks = list(_blocks(text, fmt))
    kinds = _classify(text, blocks, fmt, folded or fold(text))
    paragraphs = []
    for n, ((start, end), kind) in enumerate(zip(blocks, kinds, strict=True), 1):
        if kind == "caption":
            start, end = _caption_span(text, start, end)
        paragraphs.append(Paragraph(n, start, end, kind))
    sentences = tuple(_sentences(text, paragraphs))
    found = next((text[p.start : p.end] for p in paragraphs if p.kind == "title"), None)
    if found and fmt == "md":
        found = _MD_HEADING.sub("", found, count=1)
    words = sum(len(_WORD.findall(text[p.start : p.end])) for p in paragraphs if p.kind in ARTICLE_KINDS)
    return Layout(tuple(paragraphs), sentences, title or found, words)


def _lines(text: str, start: int = 0, end: int | None = None) -> Iterator[tuple[int, int]]:
    """Spans of non-blank lines, trimmed of surrounding whitespace."""
    for m in _LINE.finditer(text, start, len(text) if end is None else end):
        line = m.group()
        stripped = line.strip()
        if stripped:
            lead = m.start() + len(line) - len(line.lstrip())
            yield lead, lead + len(stripped)


def _blocks(text: str, fmt: str) -> Iterator[tuple[int, int]]:
    """Paragraph spans: one per line, or per blank-line block for Markdown/hard-wrapped text."""
    lines = list(_lines(text))
    if fmt != "md" and not _hard_wrapped(text, lines):
        yield from lines
        return
    block: list[tuple[int, int]] = []
    front = _front_matter_end(text) if fmt == "md" else -1
    for span in lines:
        gap = block and (text.count("\n", block[-1][1], span[0]) >= 2 or block[-1][1] == front)
        starts_new = fmt == "md" and _MD_BLOCK_START.match(text, span[0]) is not None
        if block and (gap or starts_new or _is_image_line(text, block[-1])):
            yield block[0][0], block[-1][1]
            block = []
        block.append(span)
    if block:
        yield block[0][0], block[-1][1]


def _is_image_line(text: str, span: tuple[int, int]) -> bool:
    return text.startswith("![", span[0])


def _hard_wrapped(text: str, lines: list[tuple[int, int]]) -> bool:
    """True when text is wrapped at a fixed width: most lines continue on the next one."""
    if len(lines) < 4:
        return False
    lengths = [e - s for s, e in lines]
    continued = sum(
        1
        for (s, e), (s2, _) in zip(lines, lines[1:], strict=False)
        if text.count("\n", e, s2) == 1 and text[e - 1] not in ".!?؟:\"'”"
    )
    return max(lengths) <= 100 and continued >= 0.5 * len(lines)


def _classify(text: str, blocks: list[tuple[int, int]], fmt: str, folded: Folded) -> list[str]:
    rules = _rules()
    kinds = [_line_kind(text[s:e], folded.text[folded.to_folded(s) : folded.to_folded(e)], rules) for s, e in blocks]
    if fmt == "md" and blocks and text.startswith("---"):
        _mark_front_matter(text, blocks, kinds)
    _mark_title(text, blocks, kinds, rules)
    return kinds


def _line_kind(line: str, folded_line: str, rules: _Rules) -> str:
    image = _IMAGE.match(line)
    if image:
        return "caption" if image.group("cap").strip() else "boilerplate"
    folded = folded_line.lower().strip()
    words = folded.split()
    if folded.rstrip(":") in rules.exact or (words and all(w in rules.tokens for w in words)):
        return "boilerplate"
    if rules.prefix_pattern.match(folded):
        return "boilerplate"
    if _keyword_line(folded, rules):
        return "boilerplate"
    if parse_dateline(line) is not None:
        return "dateline"
    if len(words) <= rules.byline_max_words and (
        folded.endswith("|") or any(folded.startswith(p + " ") for p in rules.byline_prefixes)
    ):
        return "byline"
    if len(words) <= rules.heading_max_words and folded[-1:] not in rules.sentence_end + ",\"'":
        return "heading"
    return "body"


def _keyword_line(folded: str, rules: _Rules) -> bool:
    """A comma-separated list of short tags, e.g. 'Army, soldiers, officer, military'."""
    items = [i.strip() for i in folded.replace("،", ",").split(",")]
    return (
        len(items) > rules.min_commas
        and all(0 < len(i.split()) <= rules.max_item_words for i in items)
        and not any(c in folded for c in ".!?؟")
    )


def _front_matter_end(text: str) -> int:
    """Where the closing `---` of a Markdown file's front matter ends (-1: none), so the
    front matter is a block of its own even with no blank line after it."""
    m = FRONT_MATTER.match(text)
    return m.start() + len(m.group().rstrip()) if m else -1


def _mark_front_matter(text: str, blocks: list[tuple[int, int]], kinds: list[str]) -> None:
    end = _front_matter_end(text)
    for i, (s, _) in enumerate(blocks):
        if s < end:
            kinds[i] = "front_matter"


def _mark_title(text: str, blocks: list[tuple[int, int]], kinds: list[str], rules: _Rules) -> None:
    """The first substantial line near the top is the title; short lines before it are kickers."""
    for i, (s, e) in enumerate(blocks[:4]):
        if kinds[i] in ("boilerplate", "front_matter", "caption", "byline", "dateline"):
            continue
        line = text[s:e]
        n_words = len(line.split())
        final = line.rstrip()[-1:]
        if text.startswith("#", s) or (
            rules.title_min_words <= n_words and len(line) <= rules.title_max_chars and final not in rules.sentence_end
        ):
            kinds[i] = "title"
            for j in range(i):
                if kinds[j] == "heading" and len(text[blocks[j][0] : blocks[j][1]].split()) <= rules.kicker_max_words:
                    kinds[j] = "kicker"
            return
        if n_words > rules.kicker_max_words:
            return


def _caption_span(text: str, start: int, end: int) -> tuple[int, int]:
    m = _IMAGE.match(text, start, end)
    if not m:
        return start, end
    s, e = m.span("cap")
    inner = text[s:e]
    lead = len(inner) - len(inner.lstrip())
    return s + lead, s + len(inner.rstrip())


def _sentences(text: str, paragraphs: list[Paragraph]) -> Iterator[Sentence]:
    rules = _rules()
    boundary = re.compile(rf"[{re.escape(rules.sentence_end)}]+[\"'”’»)\]]*(?=\s+)")
    n = 0
    for p in paragraphs:
        if p.kind not in ARTICLE_KINDS:
            continue
        start = p.start
        for m in boundary.finditer(text, p.start, p.end):
            if _is_abbreviation(text, start, m.start(), m.group(), rules):
                continue
            nxt = text[m.end() : m.end() + 2].strip()[:1]
            if nxt.islower():
                continue
            n += 1
            yield Sentence(n, p.n, start, m.end())
            start = _LEADING_SPACE.match(text, m.end(), p.end).end()  # type: ignore[union-attr]
        if start < p.end:
            n += 1
            yield Sentence(n, p.n, start, p.end)


def _is_abbreviation(text: str, start: int, dot: int, mark: str, rules: _Rules) -> bool:
    """A period after an abbreviation or a single initial does not end a sentence."""
    if not mark.startswith("."):
        return False
    word = text[start:dot].rsplit(None, 1)[-1] if text[start:dot].strip() else ""
    word = word.lstrip("(\"'“")
    if len(word) == 1 and word.isalpha() and word.isupper():
        return True
    return fold_text(word).lower() in rules.abbreviations
