"""Reading date matches into ISO values, against the publication date.

`DateReaders` holds one reader per grammar rule of `dates.py`: each gets the tagged items of
one match (`Item`: tag, value, NORM text, tokens) and returns a `Reading` (value, precision,
confidence, qualifier), or None when the match is not a date after all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, NamedTuple

from spacy.tokens import Doc

DATE_TAGS = "cmcc_date_tags"  # doc.user_data key: token index -> date word class (MON, DAY, ...), set by dates.py

_PADDED = re.compile(r"(?<!\d)0\d")  # a zero-padded day or month: `22/04` is a date, `3/4` is not
_CLAUSE_END = frozenset(".,;:!?)\"'»”،؛؟")  # after a bare day: "on the 15th." but not "on 15 counts"


class Item(NamedTuple):
    """One tagged phrase: its date tag, value, NORM text and token range (a NamedTuple: tens
    are made per article, and a frozen dataclass costs several times more to build)."""

    tag: str
    value: Any
    text: str
    start: int
    end: int


@dataclass(frozen=True)
class Reading:
    """What a match means: ISO value (partial allowed; empty: no date here), confidence, evidence."""

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


class DateReaders:
    """The rule readers of the date finder, over the word lists it builds from the profile."""

    lang: str
    ambiguous: set[str]  # NORM of names that are also ordinary words (may, آب)
    units: dict[str, tuple[str, int, bool]]  # duration word -> (D/W/M/Y, count, bare ok)
    number_words: dict[str, int]  # single-word cardinals, for years written in words
    cues: dict[str, set[str]]  # calendar.yaml date_words: on_numeric, month_only, bare_day...
    blockers: dict[str, set[str]]  # hedges relative_blockers: before, after

    def _read_calendar(self, doc: Doc, parts: list[Item], ref: Ref) -> Reading | None:
        """`Oct. 17, 2025`, `Fri Oct 17 2025`, `17 October`, 9 نوفمبر/تشرين الثاني, `Oct-2`."""
        mday, month, day = _one(parts, "MDAY"), _one(parts, "MON"), _one(parts, "DAY")
        if mday is not None:
            m, d = mday.value
        elif month and day and self._day_ok(doc, day, month):
            m, d = month.value, day.value[0]
        else:
            return None
        year = _one(parts, "YEAR")
        y, span = (year.value if year else None), None
        if y is None and (words := self._year_words(doc, parts[-1].end)):
            y, span = words[0], (parts[0].start, words[1])  # the quote takes the words too
        if month and not self._month_ok(doc, month, y is not None or self.lang == "ar"):
            return None
        if y is not None:
            full = _valid(y, m, d)
            return Reading(full.isoformat(), confidence=0.95, span=span) if full else None
        if (
            self.lang == "en"
            and month
            and day
            and day.start > month.start
            and self._cue(doc, parts[0].start, "month_only")
        ):
            return None  # "In October 20 trucks entered"
        mod = _one(parts, "MOD")
        return _resolve_day(ref, m, d, _sign(mod.value) if mod else 0)

    def _day_ok(self, doc: Doc, day: Item, month: Item) -> bool:
        """Not `three October attacks`, nor الأسبوع الثاني من أكتوبر (an ordinal of a noun)."""
        kind = day.value[1]
        if self.lang == "en":
            return not (day.start < month.start and kind == "card")
        before = doc[day.start - 1] if day.start else None
        return (
            kind not in ("ord", "card")
            or before is None
            or bool(before._.date_tag)
            or not before.norm_.startswith("ال")
        )

    def _month_ok(self, doc: Doc, month: Item, cued: bool) -> bool:
        """An ambiguous name (may, march, آب) needs a cue (a year...) or, in English, a capital."""
        return month.text not in self.ambiguous or cued or (self.lang == "en" and doc[month.start].text[:1].isupper())

    def _cue(self, doc: Doc, i: int, key: str) -> bool:
        """Whether the word before token `i` is one of the `key` cues of calendar.yaml."""
        before = [t.norm_ for t in doc[max(0, i - 3) : i] if not t.is_space][-1:]
        return bool(before) and before[0] in self.cues[key]

    def _read_numeric(self, doc: Doc, parts: list[Item], ref: Ref) -> Reading | None:
        """`2025-11-24`, `2025/02/22`, `24/10/2025` (day first unless impossible), `on 22/04`."""
        seps = {p.text for p in parts if p.tag == "P"}
        spaced = any(t.whitespace_ for t in doc[parts[0].start : parts[-1].end - 1])
        if len(seps) > 1 or seps and spaced:  # `2025-11-24`, not `20 - 24`
            return None
        values = [
            v for p in parts if p.tag not in ("P", "C") for v in (p.value if p.tag in ("NUMDATE", "DM") else (_n(p),))
        ]
        if len(values) == 2:  # elsewhere `4/22` is a fraction, a score or 24/7; `22/04` is padded
            padded = _PADDED.search(doc[parts[0].start : parts[-1].end].text)
            if not padded and not self._cue(doc, parts[0].start, "on_numeric"):
                return None
            d, m = (values[1], values[0]) if values[1] > 12 >= values[0] else values
            return _resolve_day(ref, m, d, sure=0.7)
        last = parts[-1]
        if _one(parts, "C") and last.tag == "DAY" and (len(last.text) != 2 or not clause_end(doc, last.end)):
            return None  # `08/12, 15` ends with a two-digit year, `on 08/12, 15 people died` does not
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
        after = doc[day.end : day.end + 1]
        if after.text.isalpha() and not after[0]._.date_tag:
            return None  # "on October 13 and 20 people were killed"
        found = _resolve_day(ref, month.value, day.value[0])
        return Reading(found.value, found.partial, 0.8, span=(day.start, day.end)) if found else None

    def _read_weekday(self, doc: Doc, parts: list[Item], ref: Ref) -> Reading | None:
        """`on Thursday`, `last Friday`, `next Monday`, الخميس الماضي, `Friday next week`."""
        day = next(p for p in parts if p.tag in ("WD", "WDX"))
        if ref.day is None or day.tag == "WDX" and doc[day.start]._.folded != day.text:
            return None  # no publication day; يوم واحد "one day" (واحد reads as و + أحد)
        if (
            _ordinal(doc, parts[0].start - 1)
            or _ordinal(doc, parts[-1].end)
            or tag_at(doc, parts[-1].end) == "THE"
            and tag_at(doc, parts[-1].end + 1) == "DAY"
        ):
            return None  # "the second Sunday", الأحد الثاني, "Friday the 13th" (read elsewhere)
        week, mod = _one(parts, "RW"), next((p.value for p in parts if p.tag == "MOD"), None)
        wd, today = day.value, ref.day.weekday()
        if week is not None:  # that weekday of the week named (weeks start on Monday)
            shift = wd - today + 7 * week.value
        elif mod is None:  # on or before publication ("on Thursday" may be the coming one)
            shift = -((today - wd) % 7)
        elif mod < 0:  # last Friday: strictly before
            shift = -((today - wd) % 7 or 7)
        else:  # next Monday: strictly after; this Friday: in the publication week
            shift = (wd - today) % 7 or 7 if mod > 0 else wd - today
        sure = 0.75 if mod is None and week is None else 0.85
        return Reading((ref.day + timedelta(shift)).isoformat(), confidence=sure)

    def _read_weekday_day(self, doc: Doc, parts: list[Item], ref: Ref) -> Reading | None:
        """`Thursday the 21st`, الخميس 21: the nearby month in which that day is that weekday."""
        day, anchor = _one(parts, "DAY"), ref.anchor
        if day is None or anchor is None:
            return None
        (n, kind), has = day.value, {p.tag for p in parts}
        if (
            self.lang == "en"
            and kind == "digit"
            and "THE" not in has
            or self.lang == "ar"
            and (kind == "ord" and "IN" not in has or doc[day.end : day.end + 1].text.isalpha())
        ):
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
        if day is None or ym is None:
            return None
        found = _valid(*ym, day.value[0])  # the 31st of a 30-day month: no date, nor its month
        return Reading(found.isoformat(), confidence=0.85) if found else Reading("")

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
        if parts[0].tag == "AGO" and tag_at(doc, parts[-1].end) in ("OF", "YEAR"):
            return None  # قبل ثلاثة أيام من الانتخابات: before the election; منذ عام 1994: since 1994
        sign = -1 if tags & {"AGO", "BEFORE"} else 1
        sure = 0.6 if parts[0].text == "منذ" else 0.8  # منذ عامين is also "for two years"
        if any(isinstance(p.value, tuple) and p.value[1] == "few" for p in parts):
            sure = 0.4  # "a few days ago" is read as three days back
        days, months = amounts["D"] + 7 * amounts["W"], amounts["M"] + 12 * amounts["Y"]
        if days or base:  # the finest unit named sets the precision
            if ref.day is None:
                return None
            start = _add_months(ref.day + timedelta(base.value if base else 0), sign * months)
            return Reading((start + timedelta(sign * days)).isoformat(), confidence=sure)
        if amounts["M"]:
            ym = _relative_month(ref, sign * months)
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
        before = [t.norm_ for t in doc[max(0, item.start - 3) : item.start] if not t.is_space][-1:]
        after = [t.norm_ for t in doc[item.end : item.end + 3] if not t.is_space][:1]
        return bool(set(before) & self.blockers["before"] or set(after) & self.blockers["after"])

    def _year_words(self, doc: Doc, i: int) -> tuple[int, int] | None:
        """A year in words after a date: `two thousand and eighteen`, ألفان وثمانية عشر."""
        while i < len(doc) and doc[i]._.date_tag in ("C", "OF"):
            i += 1
        values: list[int] = []
        j = i
        while j < len(doc) and (
            (n := self.number_words.get(doc[j].norm_)) is not None or values and doc[j]._.date_tag == "AND"
        ):
            if n is not None:
                values.append(n)
            j += 1
        while j > i and doc[j - 1]._.date_tag == "AND":
            j -= 1
        year = _year_value(values)
        return (year, j) if year else None


def _one(parts: list[Item], tag: str) -> Item | None:
    """The item tagged `tag`, if there is exactly one."""
    found = [p for p in parts if p.tag == tag]
    return found[0] if len(found) == 1 else None


def _n(item: Item) -> int:
    """The number an item stands for (a day, a count)."""
    return int(item.value[0] if isinstance(item.value, tuple) else item.value)


def clause_end(doc: Doc, end: int) -> bool:
    """Whether the text ends, or a clause mark comes, right after token `end - 1`."""
    after = next((t for t in doc[end:] if not t.is_space), None)
    return after is None or after.text[0] in _CLAUSE_END or doc[end - 1].text[-1] in _CLAUSE_END


def tag_at(doc: Doc, i: int) -> str:
    """The date tag of token `i`, empty outside the doc."""
    return doc.user_data.get(DATE_TAGS, {}).get(i, "") if 0 <= i < len(doc) else ""


def _sign(x: int) -> int:
    return (x > 0) - (x < 0)


def _ordinal(doc: Doc, i: int) -> bool:
    """Whether token `i` is a day ordinal in words (first, الثاني)."""
    return 0 <= i < len(doc) and doc[i]._.date_tag == "DAY" and not doc[i].norm_[:1].isdigit()


def _valid(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _shift(year: int, month: int, months: int) -> tuple[int, int]:
    k = year * 12 + month - 1 + months
    return k // 12, k % 12 + 1


def _relative_month(ref: Ref, rel: Item | int | None) -> tuple[int, int] | None:
    """(year, month) `rel` months from publication (`last month`, الشهر المقبل)."""
    if rel is None or ref.year is None or ref.month is None:
        return None
    return _shift(ref.year, ref.month, rel if isinstance(rel, int) else rel.value)


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


def _resolve_day(ref: Ref, month: int, day: int, direction: int = 0, sure: float = 0.85) -> Reading | None:
    """A day without a year, in the year that puts it nearest the publication date."""
    if _valid(2000, month, day) is None:  # 2000 is a leap year: only impossible days fail
        return None
    if ref.year is None:
        return Reading(f"XXXX-{month:02d}-{day:02d}", True, 0.6)
    anchor = ref.anchor
    if anchor is None:
        found = _valid(ref.year, month, day)
        return Reading(found.isoformat(), confidence=sure) if found else None
    near = [
        d
        for y in range(ref.year - 4, ref.year + 5)  # Feb 29 needs a leap year
        if (d := _valid(y, month, day)) and (d - anchor).days * direction >= 0
    ]
    return Reading(min(near, key=lambda d: abs(d - anchor)).isoformat(), confidence=sure) if near else None


def _nearest_month(ref: Ref, month: int, direction: int) -> tuple[int, int] | None:
    """(year, month) of a month name nearest the publication month, past or future if told."""
    if ref.year is None:
        return None
    if ref.month is None:
        return ref.year, month
    here = ref.year * 12 + ref.month - 1
    near = [
        k
        for y in (ref.year - 1, ref.year, ref.year + 1)
        for k in [y * 12 + month - 1]
        if direction == 0 or (k - here) * direction > 0
    ]
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
