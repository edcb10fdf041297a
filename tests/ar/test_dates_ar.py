"""The date finder in Arabic news text: values and the exact evidence each is quoted from."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cmcc_corpus.extract.components import span_offsets
from cmcc_corpus.extract.pipeline import annotate

SAMPLES = Path(__file__).resolve().parents[2] / "data" / "samples"
PUBLISHED = "2025-11-25"  # a Tuesday


def found(text: str, published: str | None = PUBLISHED) -> list[tuple[str, str]]:
    """(quote, value) of every date found; the quote is sliced with the span's offsets."""
    doc = annotate("ar", text, published=published)
    return [(text[slice(*span_offsets(s))], s._.value) for s in doc.spans["dates"]]


def spans(text: str, published: str | None = PUBLISHED) -> list:
    doc = annotate("ar", text, published=published)
    return list(doc.spans["dates"])


def test_sample_002_dates_with_their_evidence() -> None:
    name = "002_4acb3fe92059d304.txt"
    rows = (SAMPLES / "manifest.jsonl").read_text(encoding="utf-8").splitlines()
    published = next(r["published"] for r in map(json.loads, rows) if r["file"] == name)
    doc = annotate("ar", (SAMPLES / name).read_text(encoding="utf-8"), published=published)
    got = [(doc.text[slice(*span_offsets(s))], s._.value, span_offsets(s)) for s in doc.spans["dates"]]
    assert got == [
        ("9 نوفمبر/تشرين الثاني", "2025-11-09", (351, 372)),
        ("17 أكتوبر/تشرين الأول", "2025-10-17", (762, 783)),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "منذ إطلاقه في 17 أكتوبر/تشرين الأول، انخرط المركز في نشاط إعلامي واسع.",
            [("17 أكتوبر/تشرين الأول", "2025-10-17")],
        ),
        ("وقّع الاتفاق في 9 تشرين الأول 2025 في شرم الشيخ.", [("9 تشرين الأول 2025", "2025-10-09")]),
        ("بدأ المركز عمله في ١٧ أكتوبر بحسب مسؤولين.", [("١٧ أكتوبر", "2025-10-17")]),
        ("وصلت القافلة في 5 تشرين 2 الجاري.", [("5 تشرين 2 الجاري", "2025-11-05")]),
        ("قال مسؤول أمريكي يوم الجمعة 17 أكتوبر إن القوة ستنتشر قريبا.", [("الجمعة 17 أكتوبر", "2025-10-17")]),
        ("الجمعة 17 أكتوبر 2025", [("الجمعة 17 أكتوبر 2025", "2025-10-17")]),
        ("بين 10 و١٧ أكتوبر دخلت مئات الشاحنات.", [("10", "2025-10-10"), ("١٧ أكتوبر", "2025-10-17")]),
        (
            "في الأول من نوفمبر والحادي والعشرين من أكتوبر",
            [("الأول من نوفمبر", "2025-11-01"), ("الحادي والعشرين من أكتوبر", "2025-10-21")],
        ),
        ("وأعلنت الوزارة بتاريخ 2025/11/24 أن المعبر أغلق.", [("2025/11/24", "2025-11-24")]),
        ("صدر القرار في 24-11-2025 وفي ٢٤/١١/٢٠٢٥", [("24-11-2025", "2025-11-24"), ("٢٤/١١/٢٠٢٥", "2025-11-24")]),
        ("قتل 20 شخصا في 17 أكتوبر الماضي.", [("17 أكتوبر الماضي", "2025-10-17")]),
    ],
)
def test_explicit_dates(text: str, expected: list[tuple[str, str]]) -> None:
    assert found(text) == expected


def test_a_clitic_is_not_part_of_the_quote() -> None:
    assert found("وصلت الشاحنات بالأمس ودخلت و17 أكتوبر") == [("الأمس", "2025-11-24"), ("17 أكتوبر", "2025-10-17")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("قال المتحدث أمس إن المحادثات مستمرة.", [("أمس", "2025-11-24")]),
        ("أعلن الجيش الثلاثاء عن انسحاب جزئي.", [("الثلاثاء", "2025-11-25")]),
        ("وقع الهجوم يوم الخميس الماضي.", [("الخميس الماضي", "2025-11-20")]),
        ("تصل القوة الأحد المقبل.", [("الأحد المقبل", "2025-11-30")]),
        ("يعقد الاجتماع الأسبوع المقبل يوم الجمعة.", [("الأسبوع المقبل يوم الجمعة", "2025-12-05")]),
        ("قبل يومين دخلت 600 شاحنة.", [("قبل يومين", "2025-11-23")]),
        ("تنتهي المهلة بعد غد.", [("بعد غد", "2025-11-27")]),
        ("في 20 من الشهر الجاري", [("20 من الشهر الجاري", "2025-11-20")]),
        ("في العشرين من الشهر المقبل", [("العشرين من الشهر المقبل", "2025-12-20")]),
    ],
)
def test_dates_relative_to_publication(text: str, expected: list[tuple[str, str]]) -> None:
    assert found(text) == expected


def test_a_bare_weekday_needs_the_publication_day() -> None:
    assert found("أعلن الجيش الثلاثاء عن انسحاب جزئي.", "2025-10") == []
    assert found("قال المتحدث أمس", None) == []


@pytest.mark.parametrize(
    ("text", "value", "qualifier"),
    [
        ("منذ منتصف أكتوبر", "2025-10", "mid"),
        ("في أواخر شهر أكتوبر", "2025-10", "late"),
        ("مطلع نوفمبر/تشرين الثاني", "2025-11", "early"),
        ("الشهر الماضي", "2025-10", None),
        ("أكتوبر 2025", "2025-10", None),
        ("العام الماضي", "2024", None),
    ],
)
def test_month_and_period_precision(text: str, value: str, qualifier: str | None) -> None:
    (span,) = spans(text)
    assert (span._.value, span._.qualifier, span._.partial) == (value, qualifier, True)


def test_last_october_in_an_october_article_is_a_year_back() -> None:
    assert found("في أكتوبر الماضي", "2025-10-17") == [("أكتوبر الماضي", "2024-10")]


def test_last_week_is_an_iso_week() -> None:
    (span,) = spans("الأسبوع الماضي")
    assert (span._.value, span._.partial) == ("2025-W47", True)


@pytest.mark.parametrize(
    "text",
    [
        "وخلال يوم واحد دخلت 600 شاحنة ولم يصب أحد.",  # واحد, أحد: not Sunday
        "في الأسبوع الثاني من أكتوبر وفي النصف الثاني من نوفمبر",  # not 2 October / 2 November
        "وصلت المساعدات في اليوم العالمي للطفل.",  # اليوم التالي: tests/test_extract_dates_context.py
        "قبل ثلاثة أيام من الانتخابات وبعد يومين من الهجوم",  # counted from an event
        "مارس الضغط على الأطراف، وقالت نيسان للسيارات.",  # a verb and a brand, not months
        "عاد إلى 27 منزلا، وارتفع العدد إلى 15.",
        "الصورة في /images/2025/11/25/52912-gaza.webp",
    ],
)
def test_not_dates(text: str) -> None:
    assert found(text) == []


def test_today_is_ambiguous_but_read_in_news() -> None:
    assert found("اليوم الثلاثاء 25 نوفمبر 2025، أعلن المركز.") == [
        ("اليوم", "2025-11-25"),
        ("الثلاثاء 25 نوفمبر 2025", "2025-11-25"),
    ]
