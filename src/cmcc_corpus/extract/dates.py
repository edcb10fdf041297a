"""Dates: explicit, numeric and relative to the publication date, in English and Arabic.

Two passes over token attributes, both built once per component from the profile data.
A PhraseMatcher on NORM (month and weekday names, day ordinals, date words, relative dates,
number words, duration units) and a Matcher of digit shapes tag each token with its word
class in `token._.date_tag` (later tokens of a phrase get the class plus `~`). A Matcher of
date grammar then runs over those tags; each match is read into an ISO value against
`doc._.published`, and of the readable matches that overlap the longest wins.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import spacy
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc, Span, Token
from spacy.util import filter_spans
from spacy.vocab import Vocab

from ..normalize import fold_text
from .pipeline import strip_proclitic
from .profile import Profile, registered

if not Token.has_extension("date_tag"):
    Token.set_extension("date_tag", default="")  # date word class (MON, DAY, ...), dates.py

_CLITIC = "(?:[وفبل])?"  # a proclitic glued to digits (و17 أكتوبر) is left out of the quote
_SHAPES = {
    "NUMDATE": r"(\d{1,4})([-/.])(\d{1,2})\2(\d{2,4})|(\d{1,2})/(\d{1,2}),(\d{2,4})",
    "DM": r"(\d{1,2})/(\d{1,2})",
    "NUM": r"(\d{1,4})(st|nd|rd|th)?[-./]?",
}
_PUNCT = {".": "P", "-": "P", "/": "P", ",": "C", "،": "C"}
_WORD_TAGS = {"on": "IN", "before": "BEFORE", "ago": "AGO", "after": "AFTER", "to": "TO",
              "from_now": "FROMNOW", "of": "OF", "the": "THE", "day": "DAYW", "year": "YW",
              "and": "AND", "month": "MW"}
_REL_TAGS = {"days": "RD", "weeks": "RW", "months": "RM", "years": "RY"}
# Connectors that may open or close a grammar match but are not part of the quote.
_EDGE = {"P", "C", "THE", "OF", "IN", "BEFORE", "AGO", "AFTER", "TO", "DAYW", "AND", "YW", "MW"}
_JOINERS = {"P", "C", "THE", "OF", "IN", "BEFORE", "TO", "AND"}  # never a date on their own
_COUNT = "NUM|DAY|UNIT|DAYW|YW|MW|AND|C"
# Rule -> patterns over date tags: `A|B` either tag, `?` optional, `+` repeated; an `en:` or
# `ar:` prefix limits a pattern to one language. Rules listed first win a tie.
_GRAMMAR = {
    "calendar": ["WD|WDX? C? MON P? THE? DAY C? OF? YW? YEAR?", "WD|WDX? C? MDAY C? YEAR?",
                 "YEAR P MDAY", "WD|WDX? C? THE? DAY P? OF? MW? MON P? C? OF? YW? YEAR?",
                 "WD|WDX? C? DAY P? OF? MW? MON MOD"],
    "numeric": ["NUMDATE", "DAY P DAY P DAY|YEAR", "YEAR P DAY P DAY", "DM",
                "DM C YEAR"],
    "range": ["DAY P|AND|TO|IN DAY P? OF? MW? MON", "MON DAY P|AND|TO|IN DAY",
              "ar:DAY DAY P? OF? MW? MON"],
    "nth_weekday": ["THE? DAY DAYW? WD|WDX OF|IN MW? MON|RM"],
    "day_of_month": ["THE? DAY OF RM"],
    "weekday_day": ["WD C? THE? IN? DAY"],
    "weekday": ["MOD? DAYW? WD MOD?", "MOD? DAYW WDX MOD?", "RW IN? DAYW? WD|WDX", "WD OF? RW"],
    "month": ["QUAL P? MW? MON C? YEAR?", "IN|BEFORE|AGO|AFTER MW? MON C? YEAR?",
              "MW? MON C? YEAR", "MW? MON MOD", "MOD MW? MON", "QUAL P? YEAR", "QYEAR"],
    "offset": [f"en:{_COUNT}+ AGO|FROMNOW", f"en:{_COUNT}+ IN|BEFORE RD",
               f"ar:AGO|AFTER {_COUNT}+ FROMNOW?", f"ar:{_COUNT}+ FROMNOW"],
    "period": ["RD", "RW", "RM", "RY", "QUAL P? RM|RY"],
}
_KEEP = {"offset": {"AGO", "AFTER", "FROMNOW", "DAYW", "YW", "MW"}}  # edges quoted by a rule


@dataclass(frozen=True)
class Item:
    """One tagged phrase: its date tag, value, NORM text and token range."""

    tag: str
    value: Any
    text: str
    start: int
    end: int


@dataclass(frozen=True)
class Reading:
    """What a date match means: ISO value (partial allowed), confidence, evidence tokens."""

    value: str
    partial: bool = False
    confidence: float = 0.9
    qualifier: str | None = None
    span: tuple[int, int] | None = None  # when not the whole match (a range, a year in words)


@dataclass(frozen=True)
class Ref:
    """The publication date as far as it is known."""

    year: int | None = None
    month: int | None = None
    day: date | None = None

    @classmethod
    def parse(cls, published: str | None) -> Ref:
        """Read an ISO date, possibly partial (`2025-10`, `2025`)."""
        m = re.match(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?", published or "")
        if not m:
            return cls()
        y, mo, d = int(m[1]), int(m[2] or 0), int(m[3] or 0)
        return cls(y, mo or None, _valid(y, mo, d) if d else None)

    @property
    def anchor(self) -> date | None:
        """The day a yearless date is placed near: the publication day, or mid-month."""
        if self.day or not (self.year and self.month):
            return self.day
        return date(self.year, self.month, 15)


class DateFinder:
    """Puts date spans (label `date`) with ISO values in doc.spans["dates"]."""

    def __init__(self, lang: str, profile_key: str) -> None:
        self.lang = lang
        self.profile_key = profile_key
        profile = registered(profile_key)
        self.vocab = Vocab()
        self.lexicon = profile.arabic_lexicon if lang == "ar" else frozenset()
        self.tokenizer = spacy.blank(lang).tokenizer  # phrases split as texts are ("Wed": We d)
        self.phrases: dict[tuple[str, ...], tuple[str, Any]] = {}
        self.ambiguous: set[str] = set()
        self._load_words(profile)
        self._load_days(profile)
        self.units = self._units(profile)
        numbers = profile["numbers"]
        self.number_words = {self._norm(w): int(n) for n, e in numbers["cardinals"].items()
                             for w in e.get(lang) or [] if " " not in w}
        self.number_words.update({self._norm(w): 1000 for w in numbers["scales"][1000].get(lang)})
        cues = profile["calendar"]["date_words"]
        blockers = profile["hedges_and_modality"].get("relative_blockers") or {}
        self.cues = {key: {self._norm(w) for w in cues.get(key, {}).get(lang) or []}
                     for key in ("on_numeric", "month_only")}
        self.blockers = {side: {self._norm(w) for w in blockers.get(side, {}).get(lang) or []}
                         for side in ("before", "after")}
        self.words = PhraseMatcher(self.vocab, attr="NORM")
        self.words.add("WORD", [self._phrase_doc(key) for key in self.phrases])
        self.shapes = self._shape_matcher()
        self.grammar = Matcher(self.vocab)
        for rule, patterns in _GRAMMAR.items():
            self.grammar.add(rule, [_pattern(p.split(":")[-1]) for p in patterns
                                    if ":" not in p or p.startswith(lang + ":")])

    # ---- the lexicon --------------------------------------------------------------------------

    def _tokens(self, phrase: str) -> tuple[str, ...]:
        """NORM of each token of a phrase, as the normalizer sets it (`Oct.` is one token)."""
        if phrase.endswith("."):
            return (phrase.lower(),)
        return self._norms(re.findall(r"\w+|[^\w\s]", phrase))

    def _norms(self, words: Iterable[str]) -> tuple[str, ...]:
        folded = (fold_text(w).lower() for w in words)
        return tuple(strip_proclitic(w, self.lexicon)[0] if self.lang == "ar" else w
                     for w in folded)

    def _norm(self, word: str) -> str:
        return " ".join(self._tokens(word))

    def _add(self, tag: str, value: Any, phrase: str, ambiguous: bool = False) -> None:
        split = self._norms(t.text for t in self.tokenizer(phrase))
        for key in {self._tokens(phrase), () if phrase.endswith(".") else split}:
            if key and key not in self.phrases:  # the class listed first wins a shared phrase
                self.phrases[key] = (tag, value)
                if ambiguous:
                    self.ambiguous.add(" ".join(key))

    def _names(self, entry: dict) -> list[tuple[str, bool]]:
        flagged = {fold_text(str(a)).lower() for a in entry.get("ambiguous_aliases") or []}
        return [(str(w), fold_text(str(w)).lower() in flagged) for w in entry.get(self.lang) or []]

    def _load_words(self, profile: Profile) -> None:
        """Date words, relative dates, month and weekday names, modifiers, month parts."""
        cal, hedges = profile["calendar"], profile["hedges_and_modality"]
        for mark, tag in _PUNCT.items():
            self._add(tag, None, mark)
        for key, tag in _WORD_TAGS.items():
            for word in (cal["date_words"].get(key) or {}).get(self.lang) or []:
                self._add(tag, key, word)
        for entry in hedges["relative_dates"]:
            unit = next(u for u in _REL_TAGS if u in entry)
            for word, amb in self._names(entry):
                self._add(_REL_TAGS[unit], entry[unit], word, amb)
        for n, entry in cal["months"].items():
            for word, amb in self._names(entry):
                self._add("MON", int(n), word, amb)
                if self.lang == "en":
                    self._add("MON", int(n), word + ".", amb)
        for n, entry in cal["weekdays"].items():
            for word, amb in self._names(entry):
                self._add("WDX" if amb else "WD", int(n), word)
                if self.lang == "en":
                    self._add("WDX", int(n), word + ".")
        for entry in hedges["weekday_modifiers"]:
            for word, _ in self._names(entry):
                self._add("MOD", entry["weeks"], word)
        for name, entry in cal["month_qualifiers"].items():
            for word, _ in self._names(entry):
                self._add("QUAL", name, word)

    def _load_days(self, profile: Profile) -> None:
        """Days of the month in words: ordinals, cardinals and their tens-unit compounds."""
        ordinals = {int(k): v.get(self.lang) or [] for k, v in
                    profile["calendar"]["day_ordinals"].items()}
        cards = {int(k): v.get(self.lang) or [] for k, v in profile["numbers"]["cardinals"].items()}
        for kind, table in (("ord", ordinals), ("card", cards)):
            for n, words in table.items():
                for word in words:
                    self._add("DAY" if 1 <= n <= 31 else "NUM", (n, kind), word)
            for n in [*range(21, 30), 31]:
                tens, unit = divmod(n, 10)
                for phrase in self._compounds(table.get(unit, []), table, cards, tens * 10):
                    self._add("DAY", (n, kind), phrase)
        if self.lang == "en":  # "a month ago"
            for word in profile["numbers"].get("en_scale_articles") or []:
                self._add("NUM", (1, "card"), word)

    def _compounds(self, units: list[str], table: dict, cards: dict, tens: int) -> list[str]:
        """`twenty-first`, `twenty one`; الحادي والعشرين, واحد وعشرين (و glued or apart)."""
        if self.lang == "en":
            return [f"{t}{sep}{u}" for t in cards.get(tens, []) for u in units
                    for sep in (" ", " - ")]
        return [f"{u}{sep}{t}" for u in units for t in table.get(tens, []) for sep in (" و", " و ")]

    def _units(self, profile: Profile) -> dict[str, tuple[str, int, bool]]:
        """NORM of a duration word -> (D/W/M/Y, count it stands for, usable without a number).

        Arabic duals carry their count (يومين = 2 days) and a singular stands for one (قبل
        شهر); a bare plural ("months ago", قبل أشهر) is vague, not a date.
        """
        units: dict[str, tuple[str, int, bool]] = {}
        for entry in profile["quantities"]["duration_units"].values():
            if entry.get("time") or entry.get("designator") not in ("D", "W", "M", "Y"):
                continue
            for field, count in ((self.lang, 1), (f"{self.lang}_dual", 2)):
                for i, word in enumerate(entry.get(field) or []):  # the singular comes first
                    times, bare = count * entry.get("multiplier", 1), i == 0 or count == 2
                    units.setdefault(self._norm(word), (entry["designator"], times, bare))
                    self._add("UNIT", None, word)
        return units

    def _phrase_doc(self, key: tuple[str, ...]) -> Doc:
        doc = Doc(self.vocab, words=list(key))
        for token, norm in zip(doc, key, strict=True):
            token.norm_ = norm
        return doc

    def _shape_matcher(self) -> Matcher:
        """Digit shapes; a month glued to a day (`Oct-2`, `28-نوفمبر`), a part (`mid-2024`)."""
        def names(tag: str) -> str:
            found = {k[0].rstrip(".") for k, v in self.phrases.items()
                     if v[0] == tag and len(k) == 1}
            return "|".join(sorted(map(re.escape, found), key=len, reverse=True))
        self.shape_res = {tag: re.compile(_CLITIC + f"(?:{rx})") for tag, rx in _SHAPES.items()}
        mon = names("MON")
        self.shape_res["MDAY"] = re.compile(
            rf"(?P<m1>{mon})[-/.]?(?P<d1>\d{{1,2}})|(?P<d2>\d{{1,2}})[-/.]?(?P<m2>{mon})")
        self.shape_res["QYEAR"] = re.compile(rf"(?P<q>{names('QUAL')})-(?P<y>\d{{4}})")
        matcher = Matcher(self.vocab)  # one regex for all shapes: one call per token
        shapes = "|".join(f"(?:{rx.pattern})" for rx in self.shape_res.values())
        matcher.add("SHAPE", [[{"NORM": {"REGEX": f"^(?:{shapes})$"}}]])
        return matcher

    # ---- tagging ------------------------------------------------------------------------------

    def _tag(self, doc: Doc) -> dict[int, Item]:
        """Set token._.date_tag on every date word of `doc`; its items by token index.

        Joiners (of, the, commas) are kept only within three tokens of another date word:
        in a long text they are everywhere and never a date on their own.
        """
        found = [(e - s, s, e, "WORD") for _, s, e in self.words(doc)]
        found += [(e - s, s, e, "SHAPE") for _, s, e in self.shapes(doc)]
        strings, norms = doc.vocab.strings, doc.to_array("NORM")
        items: dict[int, Item] = {}
        for _, start, end, label in sorted(found, key=lambda f: (-f[0], f[1])):  # longest first
            if any(i in items for i in range(start, end)):
                continue
            key = tuple(strings[int(n)] for n in norms[start:end])
            if (item := self._item(doc, key, start, label)) is not None:
                items.update(dict.fromkeys(range(start, end), item))
        near = {j for i, item in items.items() if item.tag not in _JOINERS
                for j in range(i - 3, i + 4)}
        items = {i: item for i, item in items.items() if i in near}
        for i, item in items.items():
            doc[i]._.date_tag = item.tag if i == item.start else item.tag + "~"
        return items

    def _runs(self, doc: Doc, items: dict[int, Item]) -> list[Span]:
        """Runs of tagged tokens holding more than joiners: the only places dates can be."""
        runs: list[list[int]] = []
        for i in sorted(items):
            if runs and runs[-1][-1] == i - 1:
                runs[-1].append(i)
            else:
                runs.append([i])
        return [doc[run[0]:run[-1] + 1] for run in runs
                if any(items[i].tag not in _JOINERS for i in run)]

    def _item(self, doc: Doc, key: tuple[str, ...], start: int, label: str) -> Item | None:
        text, end = " ".join(key), start + len(key)
        if label == "WORD":
            return Item(*self.phrases[key], text, start, end)
        label, m = next(((k, m) for k, rx in self.shape_res.items() if (m := rx.fullmatch(text))),
                        (label, None))
        if m is None:
            return None
        token = doc[start]
        if m.start(m.lastindex or 0) > 0 and not token._.clitic:  # و17: quote 17 only
            token._.clitic = len(token.text) - len(token.text.lstrip("وفبل"))
        return Item(*self._shape_value(label, m), text, start, end)

    def _shape_value(self, label: str, m: re.Match[str]) -> tuple[str, Any]:
        g, groups = m.groupdict(), [x for x in m.groups() if x]
        if label == "MDAY":
            return label, (self.phrases[(g["m1"] or g["m2"],)][1], int(g["d1"] or g["d2"]))
        if label == "QYEAR":
            return label, (self.phrases[(g["q"],)][1], int(g["y"]))
        numbers = [int(x) for x in groups if x.isdigit()]
        if label == "NUMDATE" and m.group(5) and numbers[0] <= 12:  # `08/12,2015`: US order
            numbers[:2] = numbers[1], numbers[0]
        if label in ("NUMDATE", "DM"):
            return label, tuple(numbers)
        n, digits, suffix = numbers[0], len(groups[0]), m.group(2)
        if digits == 4 and 1000 <= n <= 2999 and not suffix:
            return "YEAR", n
        if 1 <= n <= 31 and digits <= 2:
            return "DAY", (n, "suffix" if suffix else "digit")
        return "NUM", (n, "digit")

    # ---- matching and reading -----------------------------------------------------------------

    def __call__(self, doc: Doc) -> Doc:
        items, ref = self._tag(doc), Ref.parse(doc._.published)
        priority = {rule: i for i, rule in enumerate(_GRAMMAR)}
        found: dict[tuple[int, int] | None, tuple[int, str, Reading]] = {}
        matches = [(m, run.start + s, run.start + e) for run in self._runs(doc, items)
                   for m, s, e in self.grammar(run)]
        for match_id, start, end in matches:
            rule = self.vocab.strings[match_id]
            reading = self._read(doc, items, rule, start, end, ref)
            if reading and (reading.span not in found or priority[rule] < found[reading.span][0]):
                found[reading.span] = (priority[rule], rule, reading)  # ties: rule listed first
        spans = filter_spans([Span(doc, *key, label="date") for key in found if key])
        for span in spans:
            _, rule, reading = found[(span.start, span.end)]
            span._.value, span._.partial = reading.value, reading.partial
            span._.rule, span._.confidence = f"date:{rule}", reading.confidence
            span._.qualifier = reading.qualifier
        doc.spans["dates"] = spans
        return doc

    def _read(self, doc: Doc, items: dict[int, Item], rule: str, start: int, end: int,
              ref: Ref) -> Reading | None:
        """Read one grammar match: trim connectors, interpret, check it is not in a path."""
        if _tag_at(doc, start).endswith("~") or _tag_at(doc, end).endswith("~"):
            return None  # the match cuts a phrase in two
        parts = list(dict.fromkeys(items[i] for i in range(start, end) if i in items))
        edges = _EDGE - _KEEP.get(rule, set())
        while parts and parts[0].tag in edges:
            parts.pop(0)
        while parts and parts[-1].tag in edges:
            parts.pop()
        reading = getattr(self, f"_read_{rule}")(doc, parts, ref) if parts else None
        if reading is None:
            return None
        span = reading.span or (parts[0].start, parts[-1].end)
        return None if _glued(doc, doc[span[0]:span[1]]) else Reading(
            reading.value, reading.partial, reading.confidence, reading.qualifier, span)

    # ---- readers, one per rule ----------------------------------------------------------------

    def _read_calendar(self, doc: Doc, parts: list[Item], ref: Ref) -> Reading | None:
        """`Oct. 17, 2025`, `Fri Oct 17 2025`, `17 October`, 9 نوفمبر/تشرين الثاني, `Oct-2`."""
        mday, month, day = _one(parts, "MDAY"), _one(parts, "MON"), _one(parts, "DAY")
        if mday is not None:
            m, d = mday.value
        elif month and day and self._day_ok(doc, day, month):
            m, d = month.value, day.value[0]
        else:
            return None
        year, span = _one(parts, "YEAR"), None
        if year is None and (words := self._year_words(doc, parts[-1].end)):
            year, span = Item("YEAR", words[0], "", 0, 0), (parts[0].start, words[1])
        if month and not self._month_ok(doc, month, year is not None or self.lang == "ar"):
            return None
        if year is not None:
            full = _valid(year.value, m, d)
            return Reading(full.isoformat(), confidence=0.95, span=span) if full else None
        if self.lang == "en" and month and day and day.start > month.start and \
                self._cue(doc, parts[0].start, "month_only"):
            return None  # "In October 20 trucks entered"
        mod = _one(parts, "MOD")
        return _resolve_day(ref, m, d, _sign(mod.value) if mod else 0)

    def _day_ok(self, doc: Doc, day: Item, month: Item) -> bool:
        """Not `three October attacks`, nor الأسبوع الثاني من أكتوبر (an ordinal of a noun)."""
        kind = day.value[1]
        if self.lang == "en":
            return not (day.start < month.start and kind == "card")
        before = doc[day.start - 1] if day.start else None
        return kind not in ("ord", "card") or before is None or bool(before._.date_tag) \
            or not before.norm_.startswith("ال")

    def _month_ok(self, doc: Doc, month: Item, cued: bool) -> bool:
        """An ambiguous name (may, march, آب) needs a cue (a year...) or, in English, a capital."""
        return month.text not in self.ambiguous or cued or (
            self.lang == "en" and doc[month.start].text[:1].isupper())

    def _cue(self, doc: Doc, i: int, key: str) -> bool:
        """Whether the word before token `i` is one of the `key` cues of calendar.yaml."""
        before = [t.norm_ for t in doc[max(0, i - 3):i] if not t.is_space][-1:]
        return bool(before) and before[0] in self.cues[key]

    def _read_numeric(self, doc: Doc, parts: list[Item], ref: Ref) -> Reading | None:
        """`2025-11-24`, `2025/02/22`, `24/10/2025` (day first unless impossible), `on 22/04`."""
        seps = {p.text for p in parts if p.tag == "P"}
        spaced = any(t.whitespace_ for t in doc[parts[0].start:parts[-1].end - 1])
        if len(seps) > 1 or seps and spaced:  # `2025-11-24`, not `20 - 24`
            return None
        values = [v for p in parts if p.tag not in ("P", "C")
                  for v in (p.value if p.tag in ("NUMDATE", "DM") else (_n(p),))]
        if len(values) == 2:  # elsewhere `22/04` is a fraction, a score or 24/7
            if not self._cue(doc, parts[0].start, "on_numeric"):
                return None
            d, m = (values[1], values[0]) if values[1] > 12 >= values[0] else values
            return _resolve_day(ref, m, d, sure=0.7)
        if _one(parts, "C") and values[0] <= 12:  # `08/12, 2015` is US style: month first
            values[:2] = values[1], values[0]
        return _day_month_year(values, ref)

    def _read_range(self, doc: Doc, parts: list[Item], ref: Ref) -> Reading | None:
        """The other end of `20-24 October`, `between 20 and 24 October`, `October 20-24`."""
        days, month = [p for p in parts if p.tag == "DAY"], _one(parts, "MON")
        if len(days) != 2 or month is None or not self._month_ok(doc, month, self.lang == "ar"):
            return None
        if days[1].start == days[0].end and not doc[days[1].start].text.startswith("و"):
            return None  # بين 10 و17 أكتوبر: و glued to the second day joins the two
        day = days[0] if parts[0].tag == "DAY" else days[1]
        after = doc[day.end:day.end + 1]
        if after.text.isalpha() and not after[0]._.date_tag:
            return None  # "on October 13 and 20 people were killed"
        found = _resolve_day(ref, month.value, day.value[0])
        return Reading(found.value, found.partial, 0.8, span=(day.start, day.end)) \
            if found else None

    def _read_weekday(self, doc: Doc, parts: list[Item], ref: Ref) -> Reading | None:
        """`on Thursday`, `last Friday`, `next Monday`, الخميس الماضي, `Friday next week`."""
        day = next(p for p in parts if p.tag in ("WD", "WDX"))
        if ref.day is None or day.tag == "WDX" and doc[day.start]._.folded != day.text:
            return None  # no publication day; يوم واحد "one day" (واحد reads as و + أحد)
        if _ordinal(doc, parts[0].start - 1) or _ordinal(doc, parts[-1].end) or (
                doc[parts[-1].end:parts[-1].end + 1].text.lower() == "the"):
            return None  # "the second Sunday", الأحد الثاني, "Friday the 13th" (read elsewhere)
        week, mod = _one(parts, "RW"), next((p.value for p in parts if p.tag == "MOD"), None)
        ahead, back = (day.value - ref.day.weekday()) % 7, (ref.day.weekday() - day.value) % 7
        if week is not None:  # the weekday of the week named (weeks start on Monday)
            shift = timedelta(day.value - ref.day.weekday(), weeks=week.value)
        elif mod == 0:
            shift = timedelta(day.value - ref.day.weekday())
        else:  # last: strictly before; next: strictly after; bare: on or before publication
            shift = timedelta(ahead or 7) if mod and mod > 0 else -timedelta(back or 7 * bool(mod))
        bare = mod is None and week is None  # "on Thursday" may also be the coming one
        return Reading((ref.day + shift).isoformat(), confidence=0.75 if bare else 0.85)

    def _read_weekday_day(self, doc: Doc, parts: list[Item], ref: Ref) -> Reading | None:
        """`Thursday the 21st`, الخميس 21: the nearby month in which that day is that weekday."""
        day, anchor = _one(parts, "DAY"), ref.anchor
        if day is None or anchor is None:
            return None
        (n, kind), has = day.value, {p.tag for p in parts}
        if self.lang == "en" and kind == "digit" and "THE" not in has or self.lang == "ar" and (
                kind == "ord" and "IN" not in has or doc[day.end:day.end + 1].text.isalpha()):
            return None  # "Friday 20 people"; الأحد الثاني "the second Sunday"; الجمعة 24 ربيع
        months = (_shift(anchor.year, anchor.month, k) for k in (-1, 0, 1))
        near = [d for y, m in months if (d := _valid(y, m, n)) and d.weekday() == parts[0].value]
        best = min(near, key=lambda d: abs(d - anchor)) if near else None
        return Reading(best.isoformat(), confidence=0.8) if best else None

    def _read_nth_weekday(self, doc: Doc, parts: list[Item], ref: Ref) -> Reading | None:
        """`the first Friday of July`, أول يوم جمعة من الشهر المقبل."""
        day, month, rel = _one(parts, "DAY"), _one(parts, "MON"), _one(parts, "RM")
        wd = next(p.value for p in parts if p.tag in ("WD", "WDX"))
        ym = _nearest_month(ref, month.value, 0) if month else _relative_month(ref, rel)
        if ym is None or day is None or day.value[0] > 5:
            return None
        first = date(*ym, 1)
        found = first + timedelta((wd - first.weekday()) % 7, weeks=day.value[0] - 1)
        return Reading(found.isoformat(), confidence=0.8) if found.month == ym[1] else None

    def _read_day_of_month(self, doc: Doc, parts: list[Item], ref: Ref) -> Reading | None:
        """`the 20th of next month`, 20 من الشهر الجاري."""
        day, ym = _one(parts, "DAY"), _relative_month(ref, _one(parts, "RM"))
        found = _valid(*ym, day.value[0]) if day and ym else None
        return Reading(found.isoformat(), confidence=0.85) if found else None

    def _read_month(self, doc: Doc, parts: list[Item], ref: Ref) -> Reading | None:
        """`mid-October` (2025-10, mid), `October 2025`, `in May`, أكتوبر الماضي, `late 2024`."""
        qual, year, mod, month = (_one(parts, t) for t in ("QUAL", "YEAR", "MOD", "MON"))
        q = qual.value if qual else None
        if (qy := _one(parts, "QYEAR")) is not None:
            return Reading(str(qy.value[1]), True, 0.85, qy.value[0])
        if month is None:
            return Reading(str(year.value), True, 0.85, q) if year and qual else None
        if not self._month_ok(doc, month, bool(year or self.lang == "ar" and (qual or mod))):
            return None
        if year is not None:
            return Reading(f"{year.value}-{month.value:02d}", True, 0.9, q)
        ym = _nearest_month(ref, month.value, _sign(mod.value) if mod else 0)
        value = f"{ym[0]}-{ym[1]:02d}" if ym else f"XXXX-{month.value:02d}"
        return Reading(value, True, 0.8 if ym else 0.6, q)

    def _read_offset(self, doc: Doc, parts: list[Item], ref: Ref) -> Reading | None:
        """`two days ago`, قبل يومين, `1 month and 21 days ago`, `two days from tomorrow`."""
        tags, amounts, base = {p.tag for p in parts}, self._amounts(parts), _one(parts, "RD")
        if amounts is None or "AFTER" in tags and "FROMNOW" not in tags:
            return None  # بعد يومين من الهجوم counts from the attack, not from publication
        if parts[0].tag == "AGO" and _tag_at(doc, parts[-1].end) == "OF":
            return None  # قبل ثلاثة أيام من الانتخابات: before the election
        sign = -1 if tags & {"AGO", "BEFORE"} else 1
        sure = 0.6 if parts[0].text == "منذ" else 0.8  # منذ عامين is also "for two years"
        days, months = amounts["D"] + 7 * amounts["W"], amounts["M"] + 12 * amounts["Y"]
        if days or base:  # the finest unit named sets the precision
            if ref.day is None:
                return None
            start = _add_months(ref.day + timedelta(base.value if base else 0), sign * months)
            return Reading((start + timedelta(sign * days)).isoformat(), confidence=sure)
        if amounts["M"]:
            ym = _relative_month(ref, Item("RM", sign * months, "", 0, 0))
            return Reading(f"{ym[0]}-{ym[1]:02d}", True, sure) if ym else None
        return Reading(str(ref.year + sign * amounts["Y"]), True, sure) if ref.year else None

    def _amounts(self, parts: list[Item]) -> dict[str, int] | None:
        """Sum `1 month and 21 days` by designator; None unless every number has a unit."""
        total, count, seen = dict.fromkeys("DWMY", 0), None, False
        for p in parts:
            if p.tag in ("NUM", "DAY"):
                if count is not None:
                    return None
                count = _n(p)
            elif p.text in self.units:
                unit, inherent, bare = self.units[p.text]
                if count is None and not bare:
                    return None
                total[unit] += (count or 1) * inherent
                count, seen = None, True
            elif p.tag not in ("AND", "C", "AGO", "AFTER", "FROMNOW", "IN", "BEFORE", "RD"):
                return None
        return total if seen and count is None else None

    def _read_period(self, doc: Doc, parts: list[Item], ref: Ref) -> Reading | None:
        """`yesterday`, أمس; `last week` (ISO week), `last month` (2025-10), `early next year`."""
        rel, qual = parts[-1], _one(parts, "QUAL")
        q, k = (qual.value if qual else None), rel.value
        if rel.text in self.ambiguous and self._blocked(doc, rel):
            return None
        if rel.tag == "RD" and ref.day:
            return Reading((ref.day + timedelta(k)).isoformat(), confidence=0.9)
        if rel.tag == "RW" and ref.day:
            y, w, _ = (ref.day + timedelta(weeks=k)).isocalendar()
            return Reading(f"{y}-W{w:02d}", True, 0.7, q)
        if rel.tag == "RM" and (ym := _relative_month(ref, rel)):
            return Reading(f"{ym[0]}-{ym[1]:02d}", True, 0.7, q)
        return Reading(str(ref.year + k), True, 0.7, q) if rel.tag == "RY" and ref.year else None

    def _blocked(self, doc: Doc, item: Item) -> bool:
        """اليوم التالي "the next day", اليوم العالمي, "to this day": not today's date."""
        before = [t.norm_ for t in doc[max(0, item.start - 3):item.start] if not t.is_space][-1:]
        after = [t.norm_ for t in doc[item.end:item.end + 3] if not t.is_space][:1]
        return bool(set(before) & self.blockers["before"] or set(after) & self.blockers["after"])

    def _year_words(self, doc: Doc, i: int) -> tuple[int, int] | None:
        """A year in words after a date: `two thousand and eighteen`, ألفان وثمانية عشر."""
        while i < len(doc) and doc[i]._.date_tag in ("C", "OF"):
            i += 1
        values: list[int] = []
        j = i
        while j < len(doc) and ((n := self._number_word(doc[j].norm_)) is not None
                                or values and doc[j]._.date_tag == "AND"):
            values += [] if n is None else [n]
            j += 1
        while j > i and doc[j - 1]._.date_tag == "AND":
            j -= 1
        year = _year_value(values)
        return (year, j) if year else None

    def _number_word(self, norm: str) -> int | None:
        """Value of a number word; وواحد keeps its و (واحد itself reads as و + أحد)."""
        if norm not in self.number_words and norm[:1] == "و":
            norm = self._norm(norm[1:])
        return self.number_words.get(norm)


def _pattern(spec: str) -> list[dict[str, Any]]:
    """Matcher tokens for one grammar pattern: each tag set, then its phrase's later tokens."""
    tokens: list[dict[str, Any]] = []
    for part in spec.split():
        op, tags = part[-1] if part[-1] in "?+" else "", part.rstrip("?+").split("|")
        later = [t + "~" for t in tags]
        if op == "+":
            tokens.append({"_": {"date_tag": {"IN": tags + later}}, "OP": "+"})
            continue
        tokens.append({"_": {"date_tag": {"IN": tags}}, **({"OP": op} if op else {})})
        tokens.append({"_": {"date_tag": {"IN": later}}, "OP": "*"})
    return tokens


def _one(parts: list[Item], tag: str) -> Item | None:
    """The item tagged `tag`, if there is exactly one."""
    found = [p for p in parts if p.tag == tag]
    return found[0] if len(found) == 1 else None


def _n(item: Item) -> int:
    return int(item.value[0] if isinstance(item.value, tuple) else item.value)


def _tag_at(doc: Doc, i: int) -> str:
    return doc[i]._.date_tag if 0 <= i < len(doc) else ""


def _sign(x: int) -> int:
    return (x > 0) - (x < 0)


def _ordinal(doc: Doc, i: int) -> bool:
    """Whether token `i` is a day ordinal in words (first, الثاني)."""
    return 0 <= i < len(doc) and doc[i]._.date_tag == "DAY" and not doc[i].norm_[:1].isdigit()


def _glued(doc: Doc, span: Span) -> bool:
    """Whether a match is part of a URL, a file path or a longer word (`/2025/11/25/`)."""
    before = doc.text[span.start_char - 1] if span.start_char else " "
    after = doc.text[span.end_char] if span.end_char < len(doc.text) else " "
    return any(c in "/\\_" or c.isalnum() for c in (before, after))


def _valid(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _shift(year: int, month: int, months: int) -> tuple[int, int]:
    k = year * 12 + month - 1 + months
    return k // 12, k % 12 + 1


def _relative_month(ref: Ref, rel: Item | None) -> tuple[int, int] | None:
    """(year, month) of `last month`, `الشهر المقبل`: needs the publication month."""
    if rel is None or ref.year is None or ref.month is None:
        return None
    return _shift(ref.year, ref.month, rel.value)


def _add_months(d: date, months: int) -> date:
    y, m = _shift(d.year, d.month, months)
    return next(x for day in range(d.day, 0, -1) if (x := _valid(y, m, day)))  # 31 Mar - 1 month


def _day_month_year(values: list[int], ref: Ref) -> Reading | None:
    """Three numbers: year first when it has four digits, else day first unless impossible."""
    a, b, c = values
    if a >= 1000:
        y, m, d = a, b, c
    else:  # a two-digit year is this century unless that is 20 years past publication
        d, m, y = a, b, c if c >= 100 else 2000 + c if c <= (ref.year or 2030) - 1980 else 1900 + c
        if m > 12 >= d:
            d, m = m, d
    found, sure = _valid(y, m, d), a >= 1000 or a > 12 or b > 12 or a == b
    return Reading(found.isoformat(), confidence=0.9 if sure else 0.7) if found else None


def _resolve_day(ref: Ref, month: int, day: int, direction: int = 0, sure: float = 0.85
                 ) -> Reading | None:
    """A day without a year, in the year that puts it nearest the publication date."""
    if _valid(2000, month, day) is None:  # 2000 is a leap year: only impossible days fail
        return None
    if ref.year is None:
        return Reading(f"XXXX-{month:02d}-{day:02d}", True, 0.6)
    anchor = ref.anchor
    if anchor is None:
        found = _valid(ref.year, month, day)
        return Reading(found.isoformat(), confidence=sure) if found else None
    near = [d for y in range(ref.year - 4, ref.year + 5)  # Feb 29 needs a leap year
            if (d := _valid(y, month, day)) and (d - anchor).days * direction >= 0]
    return Reading(min(near, key=lambda d: abs(d - anchor)).isoformat(), confidence=sure) \
        if near else None


def _nearest_month(ref: Ref, month: int, direction: int) -> tuple[int, int] | None:
    """(year, month) of a month name nearest the publication month, past or future if told."""
    if ref.year is None:
        return None
    if ref.month is None:
        return ref.year, month
    here = ref.year * 12 + ref.month - 1
    near = [k for y in (ref.year - 1, ref.year, ref.year + 1) for k in [y * 12 + month - 1]
            if direction == 0 or (k - here) * direction > 0]
    best = min(near, key=lambda k: abs(k - here))
    return best // 12, best % 12 + 1


def _year_value(values: list[int]) -> int | None:
    """`2 1000 18` -> 2018, `1000 900 8 70` -> 1978, `19 70 8` -> 1978, `19 0 1` -> 1901."""
    if any(v >= 1000 for v in values):
        total = current = 0
        for v in values:
            if v == 1000 and current:
                total, current = total + current * 1000, 0
            elif v >= 1000:
                total += v
            else:
                current += v
        year = total + current
    elif len(values) >= 2 and 11 <= values[0] <= 29 and (values[1] == 0 or values[1] >= 10):
        year = values[0] * 100 + sum(values[1:])
    else:
        return None
    return year if 1000 <= year <= 2999 else None
