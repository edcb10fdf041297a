"""Readers of dates that only their context makes dates, against the publication date.

A day of the month alone ("on the 15th", للثاني والعشرين), an ordinal weekday without a
month ("second Sunday") and a day counted from another ("the next day") are everyday
numbers and phrases in news ("rose to 27", "for a second Sunday in a row", "the next day of
talks"): each reader here checks the words around the match (calendar.yaml `date_words`)
before it reads one.

A bare day is read in the publication month. A reporter names the month of any other day
("on October 27"), so a day standing alone is one of the month the article is dated in,
earlier or later than the publication day alike (Recognizers-Text's future reading, and
its only reading in Arabic); a past-tense verb does not move it back a month because a
blank pipeline cannot tell tense, and "on the 27th" in a November 7 article announcing a
vote is as common as one recounting a match.
"""

from __future__ import annotations

from datetime import date, timedelta

from spacy.tokens import Doc, Token

from .date_readers import Item, Reading, Ref, _one, _valid, clause_end


class ContextReaders:
    """The readers of bare days, ordinal weekdays and anchored days."""

    lang: str
    cues: dict[str, set[str]]  # calendar.yaml date_words, by key

    def _read_bare_day(self, doc: Doc, parts: list[Item], ref: Ref) -> Reading | None:
        """`on 15`, `for the 27th`, `by the second.`, في 15, يوم 27, للثاني والعشرين."""
        day = parts[0]
        if len(parts) != 1 or ref.year is None or ref.month is None or not clause_end(doc, day.end):
            return None
        if not self._bare_cue(doc, day):
            return None
        found = _valid(ref.year, ref.month, day.value[0])
        return Reading(found.isoformat(), confidence=0.6) if found else None

    def _bare_cue(self, doc: Doc, day: Item) -> bool:
        """Whether a `bare_day` word (then maybe `the`) or, for a day in words, a `bare_ordinal`
        word stands before the day. Digits alone need an `on_numeric` word ("on 15"), a
        cardinal in words needs `the` ("for the thirty")."""
        kind, token = day.value[1], doc[day.start]
        if kind == "ord" and any(len(c) == 1 and token._.folded.startswith(c * 2) for c in self.cues["bare_ordinal"]):
            return True  # للثاني: ل glued to the article
        before, the = _cue_word(doc, day.start)
        if before is None or kind == "card" and not the:
            return False
        if kind == "digit" and not the:  # "on 15", في 15; but "won by 15" is a margin
            return before.norm_ in self.cues["on_numeric"]
        words = self.cues["bare_day"] | (self.cues["bare_ordinal"] if kind == "ord" else set())
        return before.norm_ in words

    def _read_ordinal_weekday(self, doc: Doc, parts: list[Item], ref: Ref) -> Reading | None:
        """`second Sunday`, الأحد الثاني: that weekday of the publication month, no month named."""
        day, weekday = _one(parts, "DAY"), _one(parts, "WD")
        if day is None or weekday is None or ref.year is None or ref.month is None:
            return None
        n, kind = day.value
        if kind not in ("ord", "suffix") or n > 5 or not clause_end(doc, parts[-1].end):
            return None
        before, _ = _cue_word(doc, parts[0].start)
        if before is not None and before.norm_ in self.cues["count"]:
            return None  # "for a second Sunday"
        first = date(ref.year, ref.month, 1)
        found = first + timedelta((weekday.value - first.weekday()) % 7, weeks=n - 1)
        return Reading(found.isoformat(), confidence=0.7) if found.month == ref.month else None

    def _read_anchored(self, doc: Doc, parts: list[Item], ref: Ref) -> Reading | None:
        """`the next day`, اليوم التالي, counted here from the publication day; the finder
        counts it from the last day named before it instead, when there is one."""
        after = _next(doc, parts[-1].end)
        if after is not None and after.norm_ in self.cues["vague_after"]:
            return None  # "in the next day or two"
        value = (ref.day + timedelta(parts[0].value)).isoformat() if ref.day else ""
        return Reading(value, confidence=0.5)


def _cue_word(doc: Doc, i: int) -> tuple[Token | None, bool]:
    """The word before token `i`, past an English "the" (`on the 15th`); whether one was passed."""
    before = _previous(doc, i)
    if before is None or before.norm_ != "the":
        return before, False
    return _previous(doc, before.i), True


def _previous(doc: Doc, i: int) -> Token | None:
    """The token before token `i`, skipping whitespace."""
    j = i - 1
    while j >= 0 and doc[j].is_space:
        j -= 1
    return doc[j] if j >= 0 else None


def _next(doc: Doc, i: int) -> Token | None:
    """Token `i` or the first one after it that is not whitespace."""
    while i < len(doc) and doc[i].is_space:
        i += 1
    return doc[i] if i < len(doc) else None
