"""Dates that only their context makes dates, in English and Arabic: a day of the month alone,
an ordinal weekday without a month, a day counted from another, chat shorthand, vague counts,
padded numeric days; and the news look-alikes that must stay numbers."""

from __future__ import annotations

import pytest

from cmcc_corpus.extract.components import span_offsets
from cmcc_corpus.extract.pipeline import annotate

PUBLISHED = "2025-11-25"  # a Tuesday; 1 November 2025 is a Saturday


def found(text: str, lang: str = "en", published: str | None = PUBLISHED) -> list[tuple[str, str]]:
    """(quote, value) of every date found; the quote is sliced with the span's offsets."""
    doc = annotate(lang, text, published=published)
    return [(text[slice(*span_offsets(s))], s._.value) for s in doc.spans["dates"]]


def rules(text: str, lang: str = "en") -> list[tuple[str, float]]:
    """(rule, confidence) of every date found."""
    doc = annotate(lang, text, published=PUBLISHED)
    return [(s._.rule, s._.confidence) for s in doc.spans["dates"]]


# ---- a day of the month alone: the publication month ------------------------------------


@pytest.mark.parametrize(
    ("lang", "text", "expected"),
    [
        ("en", "Talks resume on the 15th.", [("15th", "2025-11-15")]),
        ("en", "The vote is set for the 27th, officials said.", [("27th", "2025-11-27")]),
        ("en", "I'll go back on 15", [("15", "2025-11-15")]),
        ("en", "I went back for the 27 .", [("27", "2025-11-27")]),
        ("en", "I went back for the twenty second", [("twenty second", "2025-11-22")]),
        ("en", "I went back for the thirty.", [("thirty", "2025-11-30")]),
        ("en", "The curfew lasts until the first.", [("first", "2025-11-01")]),
        ("ar", "يعقد الاجتماع في 15.", [("15", "2025-11-15")]),
        ("ar", "عدت يوم 27", [("27", "2025-11-27")]),
        ("ar", "عدت إلى الحادي والعشرين", [("الحادي والعشرين", "2025-11-21")]),
        ("ar", "عدت للثاني والعشرين", [("للثاني والعشرين", "2025-11-22")]),
        ("ar", "عدت للثلاثين", [("للثلاثين", "2025-11-30")]),
    ],
)
def test_a_bare_day_is_a_day_of_the_publication_month(lang: str, text: str, expected: list) -> None:
    assert found(text, lang) == expected


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("en", "The death toll rose to 27."),
        ("en", "He was charged on 15 counts and won by 15."),
        ("en", "They met on the 27th floor for the 27th anniversary."),
        ("en", "between the 3rd and the 5th of the series"),
        ("en", "The curfew lasts until the 31st."),  # November has 30 days
        ("en", "on thirty."),  # a cardinal in words needs "the"
        ("ar", "ارتفع عدد القتلى إلى 27."),
        ("ar", "عاد إلى 27 منزلا، وأقيم المعرض في 15 دولة."),
        ("ar", "في القرن الحادي والعشرين."),
        ("ar", "فاز باللقب للثانية على التوالي، واحتل المركز الثاني."),
    ],
)
def test_numbers_that_are_not_bare_days(lang: str, text: str) -> None:
    assert found(text, lang) == []


def test_a_bare_day_needs_the_publication_month() -> None:
    assert found("Talks resume on the 15th.", published="2025") == []
    assert found("Talks resume on the 15th.", published=None) == []
    assert rules("Talks resume on the 15th.") == [("date:bare_day", 0.6)]


def test_a_longer_reading_of_the_day_wins() -> None:
    assert found("Talks resume on the 15th of December.") == [("15th of December", "2025-12-15")]
    assert found("from 20 to 24 October") == [("20", "2025-10-20"), ("24 October", "2025-10-24")]


# ---- ordinal weekdays without a month ---------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "text", "expected"),
    [
        ("en", "I'll go back second Sunday", [("second Sunday", "2025-11-09")]),
        ("en", "The march is planned for the first Sunday.", [("first Sunday", "2025-11-02")]),
        ("en", "I'll go back third Tuesday", [("third Tuesday", "2025-11-18")]),
        ("ar", "سأعود يوم الأحد الثاني", [("الأحد الثاني", "2025-11-09")]),
        ("ar", "سأعود الثلاثاء الثالث", [("الثلاثاء الثالث", "2025-11-18")]),
    ],
)
def test_an_ordinal_weekday_is_in_the_publication_month(lang: str, text: str, expected: list) -> None:
    assert found(text, lang) == expected


def test_an_arabic_ordinal_weekday_of_a_named_month() -> None:
    text = "يعقد الاجتماع يوم الأحد الأول من الشهر المقبل."  # not the 1st of December
    assert found(text, "ar") == [("الأحد الأول من الشهر المقبل", "2025-12-07")]


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("en", "Protesters rallied for a second Sunday."),
        ("en", "Protesters rallied for the second Sunday in a row."),
        ("en", "It was the sixth Sunday."),
        ("ar", "تظاهروا للأحد الثاني على التوالي."),
    ],
)
def test_ordinal_weekdays_that_count(lang: str, text: str) -> None:
    assert found(text, lang) == []


# ---- a day counted from another ---------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "text", "expected"),
    [
        (
            "en",
            "He was arrested on Monday and released the next day.",
            [("Monday", "2025-11-24"), ("the next day", "2025-11-25")],
        ),
        (
            "en",
            "Talks began on October 3. The following day, both sides walked out.",
            [("October 3", "2025-10-03"), ("The following day", "2025-10-04")],
        ),
        (
            "en",
            "On Monday the talks stalled; the next day they resumed, and the following day they ended.",
            [("Monday", "2025-11-24"), ("the next day", "2025-11-25"), ("the following day", "2025-11-26")],
        ),
        (
            "ar",
            "اعتقل يوم الاثنين وأفرج عنه في اليوم التالي.",
            [("الاثنين", "2025-11-24"), ("اليوم التالي", "2025-11-25")],
        ),
    ],
)
def test_the_next_day_counts_from_the_last_day_named(lang: str, text: str, expected: list) -> None:
    assert found(text, lang) == expected


def test_with_no_day_named_the_next_day_counts_from_publication() -> None:
    assert found("He was released the next day.") == [("the next day", "2025-11-26")]
    assert found("وفي اليوم التالي وصلت المساعدات", "ar") == [("اليوم التالي", "2025-11-26")]
    assert found("The deal was signed the previous day.") == [("the previous day", "2025-11-24")]
    assert rules("He was released the next day.") == [("date:anchored", 0.5)]
    assert found("He was released the next day.", published=None) == []
    assert found("on October 3, 2025 and the next day", published=None)[-1] == ("the next day", "2025-10-04")


def test_a_next_day_or_two_is_vague() -> None:
    assert found("In the next day or two, aid will arrive.") == []
    assert found("في اليوم التالي أو بعده", "ar") == []


# ---- shorthand, vague counts, numeric days ----------------------------------------------


def test_chat_shorthand() -> None:
    assert found("I'll see you tmrw.") == [("tmrw", "2025-11-26")]
    assert found("I'll go back the day after tmrw") == [("the day after tmrw", "2025-11-27")]


def test_a_few_is_three_with_a_low_confidence() -> None:
    assert found("who did I email a few days ago?") == [("a few days ago", "2025-11-22")]
    assert found("قبل بضعة أيام", "ar") == [("قبل بضعة أيام", "2025-11-22")]
    assert found("few months ago") == [("few months ago", "2025-08")]
    assert rules("a few days ago") == [("date:offset", 0.4)]
    assert found("a few days after the attack") == found("بعد بضعة أيام من الهجوم", "ar") == []


def test_a_year_after_since_is_not_a_count_of_years() -> None:
    assert found("أغلق المعبر منذ عام 2003، ثم فتح.", "ar") == []
    assert found("أغلق المعبر منذ عام.", "ar") == [("منذ عام", "2024")]


@pytest.mark.parametrize(
    ("lang", "text", "expected"),
    [
        ("en", "I'll go back 22/04", [("22/04", "2026-04-22")]),  # zero-padded: a date without "on"
        ("ar", "سأعود 22/04", [("22/04", "2026-04-22")]),
        ("en", "I'll go back 08/12,15", [("08/12,15", "2015-08-12")]),
        ("ar", "سأعود 08/12, 15", [("08/12, 15", "2015-08-12")]),
        ("en", "on 08/12, 15 people died", [("08/12", "2025-12-08")]),  # 15 is a count, not a year
        ("en", "I'll go back 4/22 with 3/4 of the aid", []),  # unpadded, no cue
    ],
)
def test_numeric_days(lang: str, text: str, expected: list) -> None:
    assert found(text, lang) == expected


def test_an_impossible_day_of_this_month_is_no_date_at_all() -> None:
    assert found("I went back 31st of this month") == []
    assert found("لقد عدت إلى الحادي والثلاثين من هذا الشهر", "ar") == []
    assert found("on the 30th of this month") == [("30th of this month", "2025-11-30")]
