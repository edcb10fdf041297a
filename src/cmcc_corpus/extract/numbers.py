"""Reading numbers from token NORMs: digits, scales, English and Arabic number words.

Pure functions over `Word`s (a token's NORM plus two facts the NORM loses), driven by a
`NumberLexicon` built from numbers.yaml. `find_numbers` returns every `Reading` in a
sentence; the quantity finder decides which ones count something.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from itertools import compress
from typing import Any, NamedTuple, overload

from ..normalize import fold_text
from .memo import Memo

# A token's digits, with what is glued before ("$", "~", a proclitic) and after ("bn", "day").
_GLUED = re.compile(r"(?P<prefix>\D*?)(?P<num>\d[\d,،.]*\d|\d|\.\d+)(?P<suffix>\D*)")
_DIGIT = re.compile(r"\d")
_CLITICS = re.compile(r"[وفبلك]{1,2}")
_SYMBOLIC = re.compile(r"[^\w]+|[a-z.]{0,4}[$£€¥₪₺₼₸₽]")
_NORM_CACHE = 200_000  # distinct NORMs whose first check is remembered


class Word(NamedTuple):
    """One token as the reader sees it."""

    norm: str
    conj: bool = False  # an Arabic conjunction و was stripped from the front of the NORM
    glued: bool = False  # no space between this token and the one before


@dataclass(frozen=True)
class Reading:
    """A number found at tokens [start, end)."""

    start: int
    end: int
    value: float
    kind: str  # digits, words, fraction or vague (a valued vague phrase such as "a dozen")
    ambiguous: bool = False  # a lone word that is also something else (one, أحد, خمس)
    prefix: str = ""  # glued before the digits ("$", "~", "u.s.$", a proclitic)
    suffix: str = ""  # glued after the digits and not read as a scale ("day", "th")


@dataclass(frozen=True)
class NumberLexicon:
    """Number words of one language, keyed by tuples of NORMs."""

    lang: str
    cardinals: dict[tuple[str, ...], int]
    scales: dict[str, int]
    suffixes: dict[str, int]
    fractions: dict[tuple[str, ...], float]
    valued: dict[tuple[str, ...], float]
    articles: frozenset[str]
    joiners: frozenset[str]
    ambiguous: frozenset[str]
    longest: int = field(default=1)

    @cached_property
    def vocabulary(self) -> frozenset[str]:
        """Every single NORM that can be part of a number."""
        words = {w for table in (self.cardinals, self.fractions, self.valued) for k in table for w in k}
        return frozenset(words | set(self.scales) | self.joiners | self.articles)

    @cached_property
    def openers(self) -> frozenset[str]:
        """NORMs a number word or phrase can start with (a fast first check per token)."""
        firsts = {k[0] for table in (self.cardinals, self.fractions, self.valued) for k in table}
        return frozenset(firsts | self.articles)

    @cached_property
    def may_open(self) -> Memo[str, bool]:
        """Whether a NORM is an opener or holds a digit, remembered per NORM (tested on every token)."""
        return Memo(lambda norm: norm in self.openers or _DIGIT.search(norm) is not None, _NORM_CACHE)

    @cached_property
    def glued(self) -> Memo[str, tuple[str, float, str] | None]:
        """`split_glued` of a NORM, remembered per NORM (the reader asks it of every piece it tries)."""
        return Memo(split_glued, _NORM_CACHE)


@dataclass
class _Acc:
    """Running state while composing one number: finished scale groups plus the open group."""

    total: float = 0
    group: float = 0
    scale: float = math.inf
    last: str = ""
    digits: bool = False  # started with digits: English `and` then joins only a fraction


class Words(Sequence[Word]):
    """A document's tokens as `Word`s, kept as lists the reader indexes (making a `Word` at
    every look cost a third of its time; most tokens it never reads)."""

    def __init__(self, norms: list[str], glued: list[bool], replaced: dict[int, Word] | None = None) -> None:
        self.norms, self.glued, self.replaced = norms, glued, replaced or {}
        self.read = norms  # the NORM the reader sees: a replaced word's own (واحد where the NORM is احد)
        if self.replaced:
            self.read = list(norms)
            for i, word in self.replaced.items():
                self.read[i] = word.norm
        self.conj = {i for i, word in self.replaced.items() if word.conj}

    @classmethod
    def of(cls, words: Sequence[Word]) -> Words:
        """`words` as a `Words` (itself when it is one)."""
        if isinstance(words, Words):
            return words
        replaced = {i: w for i, w in enumerate(words) if w.conj}
        return cls([w.norm for w in words], [w.glued for w in words], replaced)

    def __len__(self) -> int:
        return len(self.norms)

    @overload
    def __getitem__(self, i: int) -> Word: ...
    @overload
    def __getitem__(self, i: slice) -> list[Word]: ...
    def __getitem__(self, i: int | slice) -> Word | list[Word]:
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self.norms)
        return self.replaced.get(i) or Word(self.norms[i], False, self.glued[i])


def as_word(norm: str, folded: str, glued: bool, lex: NumberLexicon) -> Word:
    """The reader's view of a token: its number word, with a conjunction و split off."""
    if folded in lex.vocabulary:
        return Word(folded, False, glued)
    if folded[:1] == "و" and folded[1:] in lex.vocabulary:
        return Word(folded[1:], True, glued)
    return Word(norm, False, glued)


def phrase_norms(phrase: str) -> tuple[str, ...]:
    """The NORMs of a data phrase as the tokenizer splits it (`twenty-five` -> 3 tokens)."""
    return tuple(re.findall(r"[^\s-]+|-", fold_text(str(phrase)).lower()))


def number_lexicon(data: dict[str, Any], lang: str) -> NumberLexicon:
    """Build the lexicon for `lang` ('ar' or 'en') from numbers.yaml."""
    side = "ar" if lang == "ar" else "en"
    cardinals = _table(data.get("cardinals", {}), side, int)
    fractions = _table(data.get("fractions", {}), side, float)
    valued = {
        phrase_norms(w): float(e["value"]) for e in data.get("vague", []) if "value" in e for w in e.get(side, [])
    }
    scales = {n[0]: int(v) for v, e in data.get("scales", {}).items() for n in map(phrase_norms, e.get(side, []))}
    suffixes = {
        fold_text(s).lower(): int(v) for v, e in data.get("scales", {}).items() for s in e.get(f"{side}_suffixes", [])
    }
    ambiguous = {
        n
        for e in data.get("cardinals", {}).values()
        for n in map(phrase_norms, e.get("ambiguous_aliases", []))
        if len(n) == 1
    }
    longest = max(len(k) for k in (*cardinals, *fractions, *valued)) if cardinals else 1
    return NumberLexicon(
        side,
        cardinals,
        scales,
        suffixes,
        fractions,
        valued,
        frozenset(fold_text(a).lower() for a in data.get(f"{side}_scale_articles", [])),
        frozenset(data.get(f"{side}_joiners", [])),
        frozenset(n[0] for n in ambiguous),
        longest,
    )


def _table(section: dict[Any, Any], side: str, cast: type) -> dict[tuple[str, ...], Any]:
    """Phrase NORMs -> value for one `value: {en: [...], ar: [...]}` section."""
    return {phrase_norms(w): cast(v) for v, e in section.items() for w in e.get(side, []) if w}


def parse_digits(text: str) -> float | None:
    """The value of a digit string: `8,000`, `3.5`, `.08`, `1,3` (decimal comma), `1،234`."""
    if "،" in text:  # the Arabic comma only ever groups thousands
        head, *groups = text.split("،")
        tail = groups[-1].replace(",", ".", 1) if groups else ""
        if not groups or any(len(g) != 3 for g in [*groups[:-1], tail.split(".")[0]]):
            return None
        text = head + "".join(groups[:-1]) + tail
    elif "," in text and "." in text:
        text = text.replace(",", "") if text.rfind(".") > text.rfind(",") else (text.replace(".", "").replace(",", "."))
    elif "," in text:
        head, *groups = text.split(",")
        if len(head) <= 3 and all(len(g) == 3 for g in groups) and head.isdigit():
            text = head + "".join(groups)
        elif len(groups) == 1:
            text = f"{head}.{groups[0]}"
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def split_glued(norm: str) -> tuple[str, float, str] | None:
    """(prefix, value, suffix) of a token holding digits, or None (`67bn` -> ('', 67, 'bn'))."""
    m = _GLUED.fullmatch(norm)
    if not m:
        return None
    prefix, suffix = m["prefix"], m["suffix"]
    if prefix and not (_CLITICS.fullmatch(prefix) or _SYMBOLIC.fullmatch(prefix)):
        return None  # `f16`, `scp-`: part of a name, not a number
    value = parse_digits(m["num"])
    return None if value is None else (prefix, value, suffix)


def find_numbers(words: Sequence[Word], lex: NumberLexicon) -> list[Reading]:
    """Every number in `words`, left to right, longest first, none overlapping."""
    found: list[Reading] = []
    end = 0
    words = Words.of(words)
    # One cheap test per token first (a loop in C): most tokens can start no number at all.
    norms = words.norms
    for i in compress(range(len(norms)), map(lex.may_open.__getitem__, norms)):
        if i < end:
            continue
        reading = read_number(words, i, lex)
        if reading is not None:
            found.append(reading)
            end = reading.end
    return found


def read_number(words: Words, i: int, lex: NumberLexicon) -> Reading | None:
    """The number starting at token `i`, composed as far as it goes, or None."""
    first = _atom(words, i, lex)
    if first is None:
        return None
    kind, value, end = first
    if kind == "vague":
        return Reading(i, end, _tidy(value), kind)
    if kind == "fraction":
        return _scaled_fraction(words, i, end, value, lex)
    acc = _Acc(digits=kind == "digits")
    prefix, suffix = "", ""
    if kind == "digits":
        prefix, _, suffix = lex.glued[words.read[i]] or ("", 0, "")
        scale = lex.suffixes.get(suffix) or lex.scales.get(suffix)
        if scale:  # `67bn`, `10k`, `4آلاف`
            kind, value, suffix = "big", value * scale, ""
    _extend(acc, kind, value, joined=False, lex=lex)
    if not suffix:
        end = _compose(words, end, acc, lex)
        suffix = _glued_word(words, end)
    single = end == i + 1 and words.read[i] in lex.ambiguous
    kind = "digits" if acc.digits else "words"
    return Reading(i, end, _tidy(acc.total + acc.group), kind, single, prefix, suffix)


def _scaled_fraction(words: Words, i: int, end: int, value: float, lex: NumberLexicon) -> Reading:
    """A fraction, times a scale right after it: `half a million`, `quarter million`."""
    read = words.read
    k = end + 1 if end < len(read) and read[end] in lex.articles else end
    if k < len(read) and read[k] in lex.scales:
        return Reading(i, k + 1, _tidy(value * lex.scales[read[k]]), "words")
    return Reading(i, end, _tidy(value), "fraction")


def _glued_word(words: Words, end: int) -> str:
    """A word glued to the end of a number (`29km` split by the tokenizer): not a count."""
    if end < len(words.read) and words.glued[end] and words.read[end].isalpha():
        return words.read[end]
    return ""


def _compose(words: Words, j: int, acc: _Acc, lex: NumberLexicon) -> int:
    """Extend `acc` with the pieces from `j` on; return where the number ends."""
    while j < len(words.read):
        k, joined = _joiner_at(words, j, lex)
        if k >= len(words.read):
            break
        norm = words.read[k]
        scale = lex.scales.get(norm) or (lex.suffixes.get(norm) if words.glued[k] or len(norm) > 1 else None)
        if scale and not joined and _apply_scale(acc, scale, joined):
            j = k + 1
            continue
        atom = _atom(words, k, lex, after=True)
        if atom is None or not _extend(acc, atom[0], atom[1], joined, lex):
            break
        j = atom[2]
    return j


def _joiner_at(words: Words, j: int, lex: NumberLexicon) -> tuple[int, bool]:
    """Where the next piece starts and whether a joiner (`and`, `-`, و) comes first."""
    j = _skip_spaces(words.read, j)
    if j < len(words.read) and words.read[j] in lex.joiners:
        return _skip_spaces(words.read, j + 1), True
    if j >= len(words.read):
        return j, False
    glued = lex.glued[words.read[j]]
    return j, j in words.conj or (glued is not None and glued[0] == "و")


def _skip_spaces(norms: list[str], j: int) -> int:
    """Past extra spaces inside a line (`fifty   two`)."""
    while j < len(norms) and not norms[j].strip() and "\n" not in norms[j]:
        j += 1
    return j


def _atom(words: Words, i: int, lex: NumberLexicon, after: bool = False) -> tuple[str, float, int] | None:
    """(kind, value, end) of the number piece at `i`: digits, a number word or phrase."""
    read = words.read
    if i >= len(read):
        return None
    norm = read[i]
    if not lex.may_open[norm]:
        return None
    glued = lex.glued[norm]
    if glued is not None:
        return ("digits", glued[1], i + 1) if not after or glued[0] in ("", "و") else None
    for size in range(min(lex.longest, len(read) - i), 0, -1):
        key = tuple(read[i : i + size])
        for table, kind in ((lex.valued, "vague"), (lex.fractions, "fraction")):
            if key in table and (kind == "fraction" or not after):
                return kind, table[key], i + size
        if key in lex.cardinals:
            return _cardinal_kind(lex.cardinals[key]), lex.cardinals[key], i + size
    if norm in lex.articles and i + 1 < len(read) and read[i + 1] in lex.scales:
        return "article", 1, i + 1
    return None


def _cardinal_kind(value: int) -> str:
    """The composition class of a cardinal: unit, teen, ten, hundreds or big."""
    if value < 10:
        return "unit"
    if value < 20:
        return "teen"
    if value < 100:
        return "ten"
    return "hundreds" if value < 1000 else "big"


def _extend(acc: _Acc, kind: str, value: float, joined: bool, lex: NumberLexicon) -> bool:
    """Add one piece to `acc` if the grammar allows it here; tell whether it did."""
    if not acc.last:  # the first piece
        if kind == "big":
            acc.total, acc.scale = value, _magnitude(value)
        else:
            acc.group = value
        acc.last = kind
        return True
    if kind == "fraction":
        return _add_fraction(acc, value, joined)
    if joined and acc.digits and lex.lang == "en" and not (acc.last == "hundreds" and value < 100):
        return False  # `$67 billion and 200 troops` are two numbers
    if not _fits(acc, kind, value, joined, lex):
        return False
    if kind == "big":
        acc.total, acc.scale = acc.total + value, _magnitude(value)
    else:
        acc.group += value
    acc.last = kind
    return True


def _apply_scale(acc: _Acc, value: float, joined: bool) -> bool:
    """Multiply the open group by a scale word (`24 thousand`, `ثلاثة آلاف`, `two hundred`)."""
    if joined or acc.group <= 0 or acc.last in ("scale", "big") or value >= acc.scale:
        return False
    if value == 100:
        if acc.group >= 100 or acc.last == "hundreds":
            return False
        acc.group, acc.last = acc.group * 100, "hundreds"
        return True
    acc.total, acc.group, acc.scale, acc.last = acc.total + acc.group * value, 0, value, "scale"
    return True


def _add_fraction(acc: _Acc, value: float, joined: bool) -> bool:
    """`one and a half`, `3 million and a half`, `ساعة ونصف`: a fraction after a joiner."""
    if not joined or acc.last in ("fraction", "article"):
        return False
    if acc.group == 0 and math.isfinite(acc.scale):  # `3 million and a half`
        acc.total += value * acc.scale
    else:
        acc.group += value
    acc.last = "fraction"
    return True


def _fits(acc: _Acc, kind: str, value: float, joined: bool, lex: NumberLexicon) -> bool:
    """Whether a number word or digits may follow what `acc` holds so far."""
    below = acc.group % 100
    after_scale = acc.last in ("hundreds", "scale", "big") and value < acc.scale
    if kind in ("unit", "teen", "ten"):
        if after_scale and below == 0:
            return joined or lex.lang == "en"
        if kind == "unit" and acc.last == "ten" and lex.lang == "en":
            return True  # twenty-five, twenty five, twenty and four
        return kind == "ten" and acc.last == "unit" and joined and lex.lang == "ar"
    if kind in ("hundreds", "big"):
        return acc.last in ("scale", "big") and acc.group == 0 and value < acc.scale and joined
    if kind == "digits":  # `4 thousand 3 hundred and 21`, `8 آلاف و500`
        return after_scale and below == 0 and (value < 100 or acc.group == 0) and (joined or acc.last != "hundreds")
    return False


def _magnitude(value: float) -> float:
    """The scale a big cardinal stands at (ألفين -> 1000, مليوني -> 1000000)."""
    return float(10 ** (3 * int(math.log10(value) // 3))) if value >= 1 else 1.0


def _tidy(value: float) -> float:
    """An int when the value is whole, so `8,000` reads as 8000 and `3.5` stays 3.5."""
    return int(value) if float(value).is_integer() else round(value, 6)


def fraction_tail(words: Words, i: int, lex: NumberLexicon) -> tuple[float, int] | None:
    """`and a half` / `ونصف` after a unit: (fraction, end) or None."""
    if i >= len(words.read):
        return None
    k, joined = (i + 1, True) if words.read[i] in lex.joiners else (i, i in words.conj)
    atom = _atom(words, k, lex, after=True)
    if not joined or atom is None or atom[0] != "fraction":
        return None
    return atom[1], atom[2]
