"""Quantities, money and durations: numbers attached to units, with hedges as qualifiers.

Numbers come from `numbers.py`; every other word list (units, fillers, hedges, currencies,
duration units, running-total cues) is in quantities.yaml and is matched on NORM with one
`PhraseMatcher` built per component. Spans go to `doc.spans["values"]`, labelled
`quantity`, `money` or `duration`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, replace
from itertools import compress, repeat
from typing import Any, NamedTuple

import numpy
import spacy
from spacy.attrs import NORM, ORTH, PREFIX, SPACY
from spacy.matcher import PhraseMatcher
from spacy.strings import StringStore, get_string_id
from spacy.tokens import Doc, Span

from ..normalize import fold_text
from .memo import StringMemo
from .numbers import (
    NumberLexicon,
    Reading,
    Word,
    Words,
    as_word,
    find_numbers,
    fraction_tail,
    number_lexicon,
)
from .pipeline import folded_text, strip_proclitic
from .profile import Profile, registered

_SENTENCE_ENDS = frozenset({".", "!", "?", "؟", ";", "؛"})
# Order of ISO 8601 designators: (in the time part, designator).
_ISO_ORDER = ((False, "Y"), (False, "M"), (False, "W"), (False, "D"), (True, "H"), (True, "M"), (True, "S"))
_AMBIGUOUS_CONFIDENCE = 0.5
_WORD_CACHE = 200_000  # distinct Arabic words whose hidden number word is remembered
_UNSEEN: tuple[str, bool] = ("", False)  # a word not yet in that cache (true, compared by identity)
_HIDING = "وؤ"  # first letters of a word that can hide a number word from its NORM (وعشرون)
_HIDING_IDS = tuple(get_string_id(letter) for letter in _HIDING)
_SENTENCE_REACH = 100  # tokens a running total looks back for the quantity it continues


class Mark(NamedTuple):
    """A cue phrase matched at tokens [start, end): its kind and the key it stands for."""

    start: int
    end: int
    kind: str  # unit, unit2, confirm, filler, qual, qual_after, sym, cur, dur, dur2, ...
    key: str
    ambiguous: bool


@dataclass(frozen=True)
class Found:
    """A value found in a doc, before it becomes a span."""

    label: str
    start: int
    end: int
    value: Any
    unit: str | None
    qualifier: str
    rule: str
    confidence: float
    parts: tuple[tuple[bool, str, float], ...] = ()  # duration: (time part, designator, amount)


class Marks:
    """The cue matches of one doc, indexed by where they start and where they end."""

    def __init__(self, marks: list[Mark]) -> None:
        self.starting: dict[int, list[Mark]] = defaultdict(list)
        self.ending: dict[int, list[Mark]] = defaultdict(list)
        for mark in sorted(marks, key=lambda m: m.start - m.end):  # longest first
            self.starting[mark.start].append(mark)
            self.ending[mark.end].append(mark)

    def at(self, i: int, *kinds: str) -> Mark | None:
        """The longest mark of one of `kinds` starting at token `i`."""
        for mark in self.starting.get(i, ()):
            if mark.kind in kinds:
                return mark
        return None

    def positions(self, *kinds: str) -> list[int]:
        """Token positions where a mark of one of `kinds` starts, in order."""
        return sorted(i for i, at in self.starting.items() if any(m.kind in kinds for m in at))

    def of(self, kind: str) -> list[Mark]:
        """Every mark of one kind, longest first at each position."""
        return [m for marks in self.starting.values() for m in marks if m.kind == kind]

    def before(self, i: int, *kinds: str) -> Mark | None:
        """The longest mark of one of `kinds` ending right before token `i`."""
        for mark in self.ending.get(i, ()):
            if mark.kind in kinds:
                return mark
        return None


class Cues:
    """Every cue phrase of quantities.yaml, plus country names as fillers, in one matcher."""

    def __init__(self, nlp: spacy.Language, profile: Profile) -> None:
        """`nlp`: the pipeline being built, whose tokenizer splits the phrases as it splits texts."""
        self.lang = "ar" if nlp.lang == "ar" else "en"
        self.lexicon = profile.arabic_lexicon if self.lang == "ar" else frozenset()
        self.matcher = PhraseMatcher(nlp.vocab, attr="NORM")
        self.labels: dict[int, tuple[str, str, bool]] = {}
        groups: dict[str, list[Doc]] = defaultdict(list)
        for kind, key, phrase, ambiguous in _phrases(self.lang, profile):
            label = f"{kind}|{key}|{int(ambiguous)}"
            groups[label].append(self._pattern(nlp, phrase))
            self.labels[nlp.vocab.strings.add(label)] = (kind, key, ambiguous)
        for label, docs in groups.items():
            self.matcher.add(label, docs)

    def norm(self, text: str) -> str:
        """The NORM our normalizer gives a token with this text."""
        folded = fold_text(text).lower()
        return strip_proclitic(folded, self.lexicon)[0] if self.lang == "ar" else folded

    def _pattern(self, nlp: spacy.Language, phrase: str) -> Doc:
        """A data phrase tokenized and normalized exactly like a text."""
        doc = nlp.make_doc(str(phrase))
        for token in doc:
            token.norm_ = self.norm(token.text)
        return doc

    def marks(self, doc: Doc) -> Marks:
        """Every cue match in `doc`."""
        return Marks([Mark(s, e, *self.labels[m]) for m, s, e in self.matcher(doc)])


def _phrases(lang: str, profile: Profile) -> Iterator[tuple[str, str, str, bool]]:
    """(kind, key, phrase, ambiguous) for every cue phrase of `lang`."""
    q = profile["quantities"]
    yield from _table(
        q.get("units", {}),
        lang,
        {lang: "unit", f"{lang}_dual": "unit2", f"{lang}_confirm_after": "confirm", f"{lang}_before": "unit_before"},
    )
    yield from _table(q.get("qualifiers", {}), lang, {lang: "qual", f"{lang}_after": "qual_after"})
    yield from _table(q.get("currencies", {}), lang, {"symbols": "sym", lang: "cur"})
    yield from _table(
        q.get("duration_units", {}), lang, {lang: "dur", f"{lang}_dual": "dur2", f"{lang}_definite": "dur_def"}
    )
    one = q.get("duration_one", {})
    yield from _table({"": one}, lang, {lang: "one", f"{lang}_after": "one_after"})
    for phrase in one.get("rates", {}).get(lang, []):
        yield "rate", "", phrase, False
    yield from _table({"": q.get("ages", {})}, lang, {lang: "age", f"{lang}_after": "age_after"})
    for phrase in q.get("fillers", {}).get(lang, []):
        yield "filler", "", phrase, False
    for phrase in q.get("totals", {}).get(lang, []):
        yield "total", "", phrase, False
    if lang == "en":  # "200 US troops", "14 Arab countries": names and demonyms as fillers
        for entry in profile["countries"].values():
            for phrase in [*entry.get("en", []), *entry.get("en_demonyms", [])]:
                yield "filler", "", phrase, False


def _table(section: dict[str, Any], lang: str, fields: dict[str, str]) -> Iterator[tuple[str, str, str, bool]]:
    """Phrases of a `key: {field: [...], ambiguous_aliases: [...]}` section, one kind per field."""
    for key, entry in section.items():
        flagged = set(entry.get("ambiguous_aliases", []) or [])
        for field, kind in fields.items():
            for phrase in entry.get(field, []) or []:
                yield kind, str(key), str(phrase), phrase in flagged


class QuantityFinder:
    """Puts quantity, money and duration spans in doc.spans["values"]."""

    def __init__(self, nlp: spacy.Language, profile_key: str) -> None:
        self.lang = "ar" if nlp.lang == "ar" else "en"
        self.profile_key = profile_key
        profile = registered(profile_key)
        self.lex: NumberLexicon = number_lexicon(profile["numbers"], self.lang)
        self._hidden: dict[int, tuple[str, bool] | None] = {}  # ORTH id -> number word behind a leading و
        # String id -> string, remembered (a StringStore decodes its bytes on every lookup).
        self._texts = StringMemo(StringStore.__getitem__, _WORD_CACHE)
        self.cues = Cues(nlp, profile)
        q = profile["quantities"]
        self.durations = {
            name: (bool(e.get("time")), e["designator"], e.get("multiplier", 1))
            for name, e in q.get("duration_units", {}).items()
        }
        self.glued_units = {
            self.cues.norm(w): name
            for name, e in q.get("duration_units", {}).items()
            for w in e.get(self.lang, [])
            if " " not in w
        }
        self.symbols = {
            self.cues.norm(s): code for code, e in q.get("currencies", {}).items() for s in e.get("symbols", [])
        }
        self.confirmable = {u for u, e in q.get("units", {}).items() if e.get(f"{self.lang}_confirm_after")}
        # The singular of each unit (يوم, عام): before a definite noun it is "the day of".
        self.singulars = {
            self.cues.norm(e[self.lang][0]) for e in q.get("duration_units", {}).values() if e.get(self.lang)
        }

    def __call__(self, doc: Doc) -> Doc:
        words = self.words(doc)
        marks = self.cues.marks(doc)
        readings = find_numbers(words, self.lex)
        found = [self._dual_unit(doc, m, marks) for m in marks.of("unit2")]
        for r in readings:
            if self._calendar_year(r, marks):
                continue
            hit = (
                self._money(r, marks)
                or self._duration(words, r, marks)
                or self._quantity(doc, r, marks)
                or self._total(doc, r, marks, found)
            )
            if hit is not None:
                found.append(hit)
        taken = {i for f in found for i in range(f.start, f.end)}
        found += self._bare_durations(doc, words, marks, taken, readings)
        found = _compounds(_without_overlaps(found), words.norms, self.lex)
        doc.spans["values"] = [self._span(doc, f) for f in found]
        return doc

    def _calendar_year(self, r: Reading, marks: Marks) -> bool:
        """`عام 2017`, `the year 2017`: a date, whatever follows it."""
        unit = marks.before(r.start, "dur")
        return unit is not None and unit.key == "year" and r.kind == "digits" and (1000 <= r.value <= 2200)

    def words(self, doc: Doc) -> Words:
        """The tokens of `doc` as the number reader sees them."""
        strings = doc.vocab.strings
        # Arrays and map(), not Token objects or a loop: this runs over every token of every article.
        if not len(doc):
            return Words([], [])
        table = doc.to_array([NORM, SPACY, PREFIX, ORTH] if self.lang == "ar" else [NORM, SPACY])
        norms: list[str] = list(map(self._texts.of(strings).__getitem__, table[:, 0].tolist()))
        glued = [False, *(table[:-1, 1] == 0).tolist()]
        replaced = {}
        if self.lang == "ar":  # only a leading و can hide a number word from the NORM (واحد -> احد, وعشرون)
            # ORTH ids of those tokens only (by their PREFIX, the first letter): making Python ints
            # of every token's 64-bit id would be most of this method's time.
            first = table[:, 2]
            at = numpy.flatnonzero((first == _HIDING_IDS[0]) | (first == _HIDING_IDS[1])).tolist()
            orth_ids = table[at, 3].tolist()
            found = list(map(self._hidden.get, orth_ids, repeat(_UNSEEN)))
            for k in compress(range(len(found)), found):  # a word not seen yet, or one hiding a number word
                word, i = found[k], at[k]
                if word is _UNSEEN:
                    word = self._hidden_word(strings, orth_ids[k], norms[i])
                if word is not None:
                    replaced[i] = Word(word[0], word[1], glued[i])
        return Words(norms, glued, replaced)

    def _hidden_word(self, strings: StringStore, orth: int, norm: str) -> tuple[str, bool] | None:
        """(number word, conjunction split off) of a token starting with و, else None (also when
        the reader sees its plain NORM); remembered per distinct word (the same words recur in
        every article)."""
        text = strings[orth]
        word = None
        if text[:1] in _HIDING:
            found = as_word(norm, folded_text(text) or norm, False, self.lex)
            word = None if (found.norm, found.conj) == (norm, False) else (found.norm, found.conj)
        if len(self._hidden) >= _WORD_CACHE:
            self._hidden.clear()
        self._hidden[orth] = word
        return word

    def numbers(self, doc: Doc) -> list[Reading]:
        """Every number read in `doc` (for measuring the reader)."""
        return find_numbers(self.words(doc), self.lex)

    # -- money -------------------------------------------------------------------------

    def _money(self, r: Reading, marks: Marks) -> Found | None:
        """`$67 billion`, `US$ 5m`, `67 مليار دولار`: a number with a currency."""
        if r.kind in ("fraction", "vague") or r.suffix:
            return None
        start, end, confidence = r.start, r.end, 0.95
        symbol = marks.before(r.start, "sym")
        if r.prefix in self.symbols:
            code = self.symbols[r.prefix]
        elif symbol is not None:
            code, start = symbol.key, symbol.start
        elif (after := marks.at(r.end, "cur", "sym")) is not None:
            code, end = after.key, after.end
            confidence = _AMBIGUOUS_CONFIDENCE if after.ambiguous else 0.9
        else:
            return None
        qualifier, start, end = _qualifier(marks, start, end, strict=False)
        return Found("money", start, end, r.value, code, qualifier, "money", confidence)

    # -- durations ---------------------------------------------------------------------

    def _duration(self, words: Words, r: Reading, marks: Marks) -> Found | None:
        """`17 days`, `five-year`, `3.5years`, `half an hour`, `two and a half hours`."""
        norms = words.norms  # token NORMs, read by index (a Token object per look costs more)
        if r.suffix:
            unit, end = self.glued_units.get(r.suffix), r.end
        else:
            k = r.end + (r.end < len(norms) and norms[r.end] == "-")
            if r.kind == "fraction" and k < len(norms) and norms[k] in self.lex.articles:
                k += 1  # half an hour
            mark = marks.at(k, "dur")
            unit, end = (mark.key, mark.end) if mark else (None, r.end)
        if unit is None or (r.prefix and r.prefix not in ("و",)) or not r.value:
            return None
        if self._age(norms, marks, r.start, end) or self._one_of(r) or self._idafa(norms, end):
            return None
        confidence = 0.5 if r.kind == "vague" else 0.6 if r.ambiguous else 0.9
        return self._make_duration(words, marks, unit, r.value, r.start, end, "duration", confidence)

    def _age(self, norms: list[str], marks: Marks, start: int, end: int) -> bool:
        """Whether a duration at [start, end) is someone's age (`a 13-year-old`)."""
        k = end + 1 if end < len(norms) and norms[end] == "-" else end
        return marks.before(start, "age") is not None or marks.at(k, "age_after") is not None

    def _one_of(self, r: Reading) -> bool:
        """Arabic أحد / إحدى before a noun is "one of" (a count of one is جندي واحد)."""
        return self.lang == "ar" and r.ambiguous and r.value == 1

    def _idafa(self, norms: list[str], end: int) -> bool:
        """`89 يوم السبت`: a singular unit before a definite noun is "the day of", no count."""
        return (
            self.lang == "ar" and end < len(norms) and norms[end - 1] in self.singulars and norms[end].startswith("ال")
        )

    def _make_duration(
        self,
        words: Words,
        marks: Marks,
        unit: str,
        count: float,
        start: int,
        end: int,
        rule: str,
        confidence: float,
    ) -> Found:
        """A duration of `count` units over [start, end), with `and a half` and a hedge."""
        tail = fraction_tail(words, end, self.lex)
        if tail is not None:
            count, end = count + tail[0], tail[1]
        time, designator, multiplier = self.durations[unit]
        parts = ((time, designator, count * multiplier),)
        qualifier, start, end = _qualifier(marks, start, end, strict=True)
        return Found("duration", start, end, iso_duration(parts), None, qualifier, rule, confidence, parts)

    def _bare_durations(
        self, doc: Doc, words: Words, marks: Marks, taken: set[int], readings: list[Reading]
    ) -> Iterator[Found]:
        """Durations with no number: duals (يومين), `an hour`, `all day`, `يوم كامل`."""
        for i in marks.positions("dur2", "one", "dur"):
            if i in taken:
                continue
            hit = self._dual(words, marks, i) or self._one(doc, words, marks, i, readings)
            if hit is not None and not taken.intersection(range(hit.start, hit.end)):
                taken.update(range(hit.start, hit.end))
                yield hit

    def _dual(self, words: Words, marks: Marks, i: int) -> Found | None:
        """An Arabic dual carries its count: يومين = P2D, عامين = P2Y."""
        dual = marks.at(i, "dur2")
        if dual is None:
            return None
        return self._make_duration(words, marks, dual.key, 2, i, dual.end, "dual", 0.85)

    def _one(self, doc: Doc, words: Words, marks: Marks, i: int, readings: list[Reading]) -> Found | None:
        """A bare unit with a cue of one: `an hour`, `another week`, لمدة ساعة, يوم كامل.

        An article just after a number (`readings`) is "per": `600 trucks a day`.
        """
        cue = marks.at(i, "one")
        if cue is None or marks.before(i, "rate") is not None:
            unit = marks.at(i, "dur")
            after = self._one_after(doc, marks, unit.end) if unit is not None else None
            if unit is None or after is None or marks.before(i, "age") is not None:
                return None
            return self._make_duration(words, marks, unit.key, 1, i, after, "one", 0.8)
        norms = words.norms
        k = cue.end + (cue.end < len(norms) and norms[cue.end] == "-")  # all-day
        unit = marks.at(k, "dur", *(("dur_def",) if self.lang == "ar" else ()))
        # Cheapest tests first: most cues ("a", "an") have no unit after them at all.
        if unit is None or (self.lang == "en" and norms[unit.end - 1][-1:] == "s"):  # a plural
            return None
        article = cue.end - cue.start == 1 and norms[i] in self.lex.articles
        if article and _after_number(doc, readings, i):
            return None
        end = self._one_after(doc, marks, unit.end) or unit.end  # لمدة أسبوع واحد
        return self._make_duration(words, marks, unit.key, 1, i, end, "one", 0.6 if article else 0.8)

    def _one_after(self, doc: Doc, marks: Marks, i: int) -> int | None:
        """End of كامل / واحد right after a unit; `وأحد` (and one of) folds alike but is not."""
        after = marks.at(i, "one_after")
        if after is None or any(c in doc[i].text for c in "أإ"):
            return None
        return after.end

    # -- quantities --------------------------------------------------------------------

    def _quantity(self, doc: Doc, r: Reading, marks: Marks) -> Found | None:
        """A number, optional fillers, a counted noun: `the remaining 20 living hostages`."""
        if r.kind in ("fraction", "vague") or r.suffix or r.prefix not in ("", "و", "~"):
            return None
        k = r.end
        hedge = marks.at(k, "qual_after")  # 200+ troops
        k = hedge.end if hedge is not None else k
        for _ in range(4):
            unit = marks.at(k, "unit")
            filler = marks.at(k, "filler") if unit is None else None
            if filler is None:
                break
            k = filler.end
        if unit is None or not self._counts(doc, r, unit, marks):
            return None
        qualifier, start, end = _qualifier(marks, r.start, unit.end, strict=False)
        whose = marks.before(start, "unit_before")  # the remains of four hostages
        if whose is not None:
            unit, start = unit._replace(key=whose.key), whose.start
        if hedge is not None and qualifier == "exact":
            qualifier = hedge.key
        if r.prefix == "~":
            qualifier = "about"
        confidence = 0.9 if r.kind == "digits" else 0.85
        if unit.ambiguous:
            confidence = _AMBIGUOUS_CONFIDENCE
        return Found("quantity", start, end, r.value, unit.key, qualifier, "count", confidence)

    def _counts(self, doc: Doc, r: Reading, unit: Mark, marks: Marks) -> bool:
        """Whether `unit` really is what the number counts."""
        if (r.ambiguous and unit.start != r.end) or self._one_of(r):
            return False  # `one of the soldiers`, أحد الجنود: "one of", not a count
        if unit.ambiguous and r.kind == "digits" and 1900 <= r.value <= 2100 and not r.prefix:
            return False  # `لعام 2017 جمعية`: a year before "assembly", not 2017 NGOs
        if unit.start == r.end and doc[unit.start].norm_.startswith("ال"):
            return False  # Arabic counts indefinite nouns: أحد الجنود is "one of the soldiers"
        if unit.ambiguous and unit.key in self.confirmable:
            near = (marks.at(j, "confirm") for j in (unit.end, unit.end + 1))
            return any(m is not None and m.key == unit.key for m in near)
        return True

    def _total(self, doc: Doc, r: Reading, marks: Marks, found: list[Found]) -> Found | None:
        """`two more bodies, raising the total to 10`: the total counts the same unit."""
        cue = marks.before(r.start, "total")
        if cue is None or r.kind in ("fraction", "vague") or r.suffix:
            return None
        first = _sentence_start(doc, cue.start)
        earlier = [f for f in found if f.label == "quantity" and f.start >= first and f.end <= cue.start]
        if not earlier:
            return None
        return Found("quantity", cue.start, r.end, r.value, earlier[-1].unit, "exact", "total", 0.7)

    def _dual_unit(self, doc: Doc, mark: Mark, marks: Marks) -> Found:
        """An Arabic dual counts two by itself: جثتين = 2 bodies."""
        qualifier, start, end = _qualifier(marks, mark.start, mark.end, strict=False)
        return Found("quantity", start, end, 2, mark.key, qualifier, "dual", 0.8)

    def _span(self, doc: Doc, found: Found) -> Span:
        """The span of a found value, with its extension attributes set."""
        span = Span(doc, found.start, found.end, label=found.label)
        span._.value, span._.unit, span._.qualifier = found.value, found.unit, found.qualifier
        span._.rule, span._.confidence = found.rule, found.confidence
        return span


def _qualifier(marks: Marks, start: int, end: int, strict: bool) -> tuple[str, int, int]:
    """(qualifier, start, end): a hedge right before `start` or right after `end` widens the span.

    `strict` (durations) ignores ambiguous hedges: "set to run over five years" is no
    `more_than`.
    """
    before = marks.before(start, "qual")
    if before is not None and not (strict and before.ambiguous):
        return before.key, before.start, end
    after = marks.at(end, "qual_after")
    if after is not None and not (strict and after.ambiguous):
        return after.key, start, after.end
    return "exact", start, end


def _after_number(doc: Doc, readings: list[Reading], i: int) -> bool:
    """Whether token `i` comes right after a number or at most two words after it
    (`$5m a year`, `600 trucks a day`): an article there means "per".

    Asked only of an article before a unit: a few Token reads, not a whole-doc array per doc.
    """
    return any(0 <= i - r.end <= 2 and all(doc[k].is_alpha for k in range(r.end, i)) for r in readings)


def _sentence_start(doc: Doc, i: int) -> int:
    """The first token of the sentence holding token `i` (looking back a bounded way)."""
    limit = max(0, i - _SENTENCE_REACH)
    while i > limit and doc[i - 1].norm_ not in _SENTENCE_ENDS and "\n" not in doc[i - 1].text:
        i -= 1
    return i


def _without_overlaps(found: list[Found]) -> list[Found]:
    """In text order; of two overlapping values the one starting first (then longer) stays."""
    kept: list[Found] = []
    for f in sorted(found, key=lambda f: (f.start, f.start - f.end)):
        if not kept or f.start >= kept[-1].end:
            kept.append(f)
    return kept


def iso_duration(parts: tuple[tuple[bool, str, float], ...]) -> str:
    """ISO 8601 duration of (time part, designator, amount) parts: `P1Y1M21D`, `PT1.5H`."""
    amounts: dict[tuple[bool, str], float] = defaultdict(float)
    for time, designator, amount in parts:
        amounts[(time, designator)] += amount
    date = "".join(f"{_amount(amounts[k])}{k[1]}" for k in _ISO_ORDER if not k[0] and k in amounts)
    clock = "".join(f"{_amount(amounts[k])}{k[1]}" for k in _ISO_ORDER if k[0] and k in amounts)
    return "P" + date + (f"T{clock}" if clock else "")


def _amount(value: float) -> str:
    """`17`, `3.5`: an ISO amount without a needless `.0`."""
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _compounds(found: list[Found], norms: list[str], lex: NumberLexicon) -> list[Found]:
    """Merge adjacent durations with different designators: `1 year 1 month 21 days`."""
    merged: list[Found] = []
    for f in found:
        prev = merged[-1] if merged else None
        if prev is not None and _joins(prev, f, norms, lex):
            parts = prev.parts + f.parts
            merged[-1] = replace(
                prev,
                end=f.end,
                value=iso_duration(parts),
                parts=parts,
                rule="compound",
                confidence=min(prev.confidence, f.confidence),
            )
        else:
            merged.append(f)
    return merged


def _joins(prev: Found, f: Found, norms: list[str], lex: NumberLexicon) -> bool:
    """Whether duration `f` continues duration `prev` (nothing or `and`, `,`, و between)."""
    if prev.label != "duration" or f.label != "duration":
        return False
    if {p[:2] for p in prev.parts} & {p[:2] for p in f.parts}:
        return False
    gap = norms[prev.end : f.start]
    return gap == [] or (len(gap) == 1 and gap[0] in lex.joiners and gap[0] != "-")
