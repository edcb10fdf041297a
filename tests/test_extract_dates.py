"""The date finder in English: the bundled samples and edge cases, checked value by value
with the exact evidence each date is quoted from."""

from __future__ import annotations

import json
import time
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cmcc_corpus.datelines import parse_dateline
from cmcc_corpus.extract.components import span_offsets
from cmcc_corpus.extract.pipeline import annotate

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "samples"
GOLD = Path(__file__).resolve().parents[1].parent / "shared" / "gold" / "seeds.gold.jsonl"
MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


def found(text: str, published: str | None = "2025-11-25", lang: str = "en") -> list[tuple]:
    """(quote, value) of every date found; the quote is sliced with the span's offsets."""
    doc = annotate(lang, text, published=published)
    return [(text[slice(*span_offsets(s))], s._.value) for s in doc.spans["dates"]]


def spans(text: str, published: str | None = "2025-11-25") -> list:
    """The date spans themselves (each keeps its doc alive)."""
    doc = annotate("en", text, published=published)
    return list(doc.spans["dates"])


def _manifest() -> dict[str, dict]:
    rows = (SAMPLES / "manifest.jsonl").read_text(encoding="utf-8").splitlines()
    return {r["file"]: r for r in map(json.loads, rows) if r}


# ---- the samples ------------------------------------------------------------------------

SAMPLE_DATES = {
    "000_f0c207929c95f00c.txt": [("November 9", "2025-11-09", 404), ("October 17", "2025-10-17", 880)],
    "001_71d2b15bbf6c0817.txt": [("October 13", "2025-10-13", 1495), ("October 24", "2025-10-24", 1510)],
    "003_a592e5e37fee6a75.txt": [],
    "004_b0e036cefecd7514.txt": [("Fri Oct 17 2025", "2025-10-17", 269)],
}


@pytest.mark.parametrize("name", sorted(SAMPLE_DATES))
def test_sample_dates_with_their_evidence(name: str) -> None:
    row = _manifest()[name]
    doc = annotate(row["lang"], (SAMPLES / name).read_text(encoding="utf-8"), row["published"])
    got = [(doc.text[slice(*span_offsets(s))], s._.value, span_offsets(s)[0]) for s in doc.spans["dates"]]
    assert got == SAMPLE_DATES[name]
    assert all(s.label_ == "date" and not s._.partial for s in doc.spans["dates"])


def test_samples_match_the_gold_exhaustively() -> None:
    if not GOLD.is_file():
        pytest.skip("../shared/gold is not present")
    gold: dict[str, set[str]] = {}
    for row in map(json.loads, GOLD.read_text(encoding="utf-8").splitlines()):
        if row.get("kind") == "mention" and row["type"] == "date":
            gold.setdefault(row["doc"], set()).add(row["value"])
    for name, row in _manifest().items():
        doc = annotate(row["lang"], (SAMPLES / name).read_text(encoding="utf-8"), row["published"])
        assert {s._.value for s in doc.spans["dates"]} == gold.get(name, set()), name


def test_a_date_in_the_image_path_is_not_a_mention() -> None:
    text = "aid on November 9. [Eyad Baba/AFP]](/gc1/images/2025/11/25/52912-gaza_aid-600_384.webp)"
    assert found(text) == [("November 9", "2025-11-09")]


def test_thursday_needs_the_publication_day() -> None:
    text = "Axios reported on Thursday that US officials had held talks."
    assert found(text, "2025-10") == []  # sample 001: published some day in October
    assert found(text, "2025-10-25") == [("Thursday", "2025-10-23")]


# ---- explicit and numeric forms ---------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Since its launch on October 17, the CMCC", [("October 17", "2025-10-17")]),
        ("The truce began Oct. 10, 2025, in Gaza.", [("Oct. 10, 2025", "2025-10-10")]),
        ("It was signed on 17 October 2025 in Sharm.", [("17 October 2025", "2025-10-17")]),
        ("Fri Oct 17 2025", [("Fri Oct 17 2025", "2025-10-17")]),
        ("Mon, 24 Nov 2025 09:00 GMT", [("Mon, 24 Nov 2025", "2025-11-24")]),
        ("the tenth of September", [("tenth of September", "2025-09-10")]),
        ("on January the twenty-first", [("January the twenty-first", "2026-01-21")]),
        ("by Oct-2", [("Oct-2", "2025-10-02")]),
        ("the 20th of June, two thousand", [("20th of June, two thousand", "2000-06-20")]),
        ("Updated 2025-11-24.", [("2025-11-24", "2025-11-24")]),
        ("Filed 2025/02/22 in Cairo", [("2025/02/22", "2025-02-22")]),
        ("on 24/10/2025 at noon", [("24/10/2025", "2025-10-24")]),
        ("on 10/24/2025", [("10/24/2025", "2025-10-24")]),  # day first is impossible
        ("on 03/04/2025", [("03/04/2025", "2025-04-03")]),  # day first
        ("met on 22/04", [("22/04", "2026-04-22")]),
    ],
)
def test_explicit_dates(text: str, expected: list[tuple[str, str]]) -> None:
    assert found(text) == expected


def test_the_year_comes_from_the_text_else_the_publication_date() -> None:
    assert found("on October 24", "2025-10") == [("October 24", "2025-10-24")]
    assert found("on October 24", "2025") == [("October 24", "2025-10-24")]
    assert found("talks on December 28", "2026-01-05") == [("December 28", "2025-12-28")]
    assert found("talks resume on January 5", "2025-12-20") == [("January 5", "2026-01-05")]


def test_without_a_publication_date_the_year_stays_unknown() -> None:
    (span,) = spans("on October 17", published=None)
    assert (span._.value, span._.partial) == ("XXXX-10-17", True)
    assert found("yesterday and on Thursday", None) == []


def test_evidence_extensions() -> None:
    (span,) = spans("The truce began Oct. 10, 2025, in Gaza.")
    assert (span.start_char, span.end_char) == (16, 29)
    assert span._.rule == "date:calendar" and 0.9 <= span._.confidence <= 1
    assert span._.qualifier is None and span._.derived is False


@pytest.mark.parametrize(
    ("text", "value", "qualifier"),
    [
        ("since mid-October", "2025-10", "mid"),
        ("in early November", "2025-11", "early"),
        ("by late October", "2025-10", "late"),
        ("the end of October", "2025-10", "late"),
        ("by the beginning of November.", "2025-11", "early"),
        ("in mid-2024", "2024", "mid"),
    ],
)
def test_parts_of_a_month(text: str, value: str, qualifier: str) -> None:
    (span,) = spans(text)
    assert (span._.value, span._.qualifier, span._.partial) == (value, qualifier, True)


def test_months_without_a_day() -> None:
    assert found("in October 2025 and in March") == [("October 2025", "2025-10"), ("March", "2026-03")]
    assert found("last October", "2025-10-17") == [("last October", "2024-10")]


# ---- relative to the publication day ----------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("said on Thursday", [("Thursday", "2025-11-20")]),  # 2025-11-25 is a Tuesday
        ("The UN said Sunday.", [("Sunday", "2025-11-23")]),
        ("said on Tuesday", [("Tuesday", "2025-11-25")]),
        ("yesterday", [("yesterday", "2025-11-24")]),
        ("today", [("today", "2025-11-25")]),
        ("the day after tomorrow", [("the day after tomorrow", "2025-11-27")]),
        ("next Monday", [("next Monday", "2025-12-01")]),
        ("last Friday", [("last Friday", "2025-11-21")]),
        ("last Tuesday", [("last Tuesday", "2025-11-18")]),
        ("on Friday next week", [("Friday next week", "2025-12-05")]),
        ("two days ago", [("two days ago", "2025-11-23")]),
        ("1 month and 21 days ago", [("1 month and 21 days ago", "2025-10-04")]),
        ("the 20th of next month", [("20th of next month", "2025-12-20")]),
        ("the first Friday of December", [("first Friday of December", "2025-12-05")]),
        ("Friday the 21st", [("Friday the 21st", "2025-11-21")]),
    ],
)
def test_relative_dates(text: str, expected: list[tuple[str, str]]) -> None:
    assert found(text) == expected


def test_periods_have_month_or_week_precision() -> None:
    last_month, last_week = spans("last month and last week")
    assert (last_month._.value, last_month._.partial) == ("2025-10", True)
    assert (last_week._.value, last_week._.partial) == ("2025-W47", True)
    assert found("a month ago, two years ago") == [("a month ago", "2025-10"), ("two years ago", "2023")]


def test_both_ends_of_a_range() -> None:
    assert found("between 20 and 24 October") == [("20", "2025-10-20"), ("24 October", "2025-10-24")]
    assert found("on October 20-24") == [("October 20", "2025-10-20"), ("24", "2025-10-24")]


# ---- what is not a date -----------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Trump's 20-point Gaza peace plan",
        "He was charged on 15 counts and won by 15.",
        "coverage 24/7 and 3/4 of the aid",
        "the ratio was 4.22 and the score 22-4",
        "See https://example.com/2025/11/24/story and /images/2025/11/25/x.webp",
        "They may 5 times refuse; the march 2 km long.",
        "It happened in the 21st century, on the second day of talks.",
        "Jan Egeland said. Sat in the room. The Sun reported.",
        "months ago, five days after the agreement",
        "To this day, nobody knows.",
    ],
)
def test_not_dates(text: str) -> None:
    assert found(text) == []


def test_a_count_after_a_month_is_not_its_day() -> None:
    assert found("In October 20 trucks entered Gaza.") == [("October", "2025-10")]
    assert found("On Friday 20 people were killed.") == [("Friday", "2025-11-21")]
    assert found("on October 13 and 20 people died") == [("October 13", "2025-10-13")]


# ---- properties -------------------------------------------------------------------------


@settings(max_examples=40, deadline=None)
@given(
    st.dates(min_value=date(1950, 1, 1), max_value=date(2049, 12, 31)),
    st.sampled_from(["{d} {M} {y}", "{M} {d}, {y}", "{y}-{m:02d}-{d:02d}", "{d:02d}/{m:02d}/{y}", "{a} {M} {d} {y}"]),
)
def test_any_written_date_reads_back(day: date, form: str) -> None:
    text = form.format(d=day.day, m=day.month, y=day.year, M=MONTHS[day.month - 1], a=day.strftime("%a"))
    assert found(f"It happened on {text}.") == [(text, day.isoformat())]


@pytest.mark.parametrize("line", ["Fri Oct 17 2025", "Published: 2025-10-17", "17 October 2025"])
def test_datelines_agree_with_the_dateline_parser(line: str) -> None:
    assert [value for _, value in found(line, None)] == [parse_dateline(line)]


def test_a_long_text_takes_linear_time() -> None:
    text = "On Thursday, October 16, 2025, talks resumed in Cairo, 20 km away. " * 1500
    start = time.perf_counter()
    assert {value for _, value in found(text)} == {"2025-10-16"}
    assert time.perf_counter() - start < 10  # about 1 s; a quadratic step takes minutes
