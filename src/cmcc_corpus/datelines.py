"""Publication dates written in the article itself: datelines such as `Fri Oct 17 2025`."""

from __future__ import annotations

import re
from datetime import date
from functools import cache

from .normalize import fold_text
from .profile import data_file

_DIGIT = re.compile(r"\d")
_ISO = r"(?P<y>\d{4})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})"
# What may remain on a dateline besides the date: a time, a zone, separators.
_LEFTOVER = re.compile(
    r"(\d{1,2}:\d{2}(:\d{2})?\s*(am|pm|ص|م)?|gmt|utc|[+-]\d{2}:?\d{2}|[a-z]{3,4}t|[|,.:;/\-–—()\s])*"
)


def _alternation(names: list[str]) -> str:
    folded = sorted({fold_text(str(n)).lower() for n in names}, key=len, reverse=True)
    return "|".join(re.escape(n).replace(r"\ ", r"\s+") for n in folded)


@cache
def month_names() -> dict[str, int]:
    """Folded, lower-cased month names of both languages mapped to month numbers."""
    months = data_file("calendar")["months"]
    return {
        fold_text(str(name)).lower(): int(k) for k, v in months.items() for lang in ("en", "ar") for name in v[lang]
    }


@cache
def _patterns() -> tuple[re.Pattern[str], ...]:
    cal = data_file("calendar")
    month = _alternation(list(month_names()))
    weekday = _alternation([n for v in cal["weekdays"].values() for lang in ("en", "ar") for n in v[lang]])
    label = _alternation([n for lang in ("en", "ar") for n in cal["dateline_labels"][lang]])
    head = rf"^(?:(?:{label})\s*[:\-]?\s*)?(?:(?:{weekday})\.?,?\s*)?"
    return (
        re.compile(head + _ISO),
        re.compile(head + rf"(?P<mn>{month})\.?\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y>\d{{4}})"),
        re.compile(head + rf"(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<mn>{month})\.?,?\s+(?P<y>\d{{4}})"),
    )


def parse_dateline(line: str) -> str | None:
    """ISO date of a line that is a dateline (a date and little else), or None."""
    if len(line) > 120 or not _DIGIT.search(line):  # cheap checks before folding
        return None
    folded = fold_text(line).lower().strip()
    if not folded or len(folded) > 80:
        return None
    for pattern in _patterns():
        m = pattern.match(folded)
        if m and _LEFTOVER.fullmatch(folded[m.end() :]):
            groups = m.groupdict()
            month = int(groups["m"]) if groups.get("m") else _month(groups["mn"])
            return _iso(int(m.group("y")), month, int(m.group("d")))
    return None


def _month(name: str) -> int:
    return month_names()[re.sub(r"\s+", " ", name)]


def _iso(year: int, month: int, day: int) -> str | None:
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


def find_dateline(lines: list[str], window: int = 8) -> str | None:
    """The first dateline among the first and last `window` lines of an article."""
    for line in lines[:window] + lines[-window:]:
        found = parse_dateline(line)
        if found:
            return found
    return None
