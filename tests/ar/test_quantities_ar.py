"""Quantities, money and durations in Arabic news sentences."""

from __future__ import annotations

from typing import Any

import pytest

from cmcc_corpus.extract.components import span_offsets
from cmcc_corpus.extract.numbers import Word, find_numbers, number_lexicon, phrase_norms
from cmcc_corpus.extract.pipeline import annotate, get_pipeline
from cmcc_corpus.extract.profile import registered

Row = tuple[str, Any, str | None, str, str]  # label, value, unit, qualifier, evidence


def values(text: str) -> list[Row]:
    """(label, value, unit, qualifier, evidence) of every value span; evidence skips a proclitic."""
    doc = annotate("ar", text, "2025-11-25")
    rows = []
    for span in doc.spans["values"]:
        start, end = span_offsets(span)
        rows.append((span.label_, span._.value, span._.unit, span._.qualifier, doc.text[start:end]))
    return rows


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "أعلنت وزارة الدفاع الأميركية أن نحو 200 جندي سيعملون في مركز التنسيق المدني العسكري.",
            [("quantity", 200, "personnel", "about", "نحو 200 جندي")],
        ),
        (
            "وقالت واشنطن إنها سترسل ما يصل إلى 200 عسكري إلى إسرائيل.",
            [("quantity", 200, "personnel", "up_to", "ما يصل إلى 200 عسكري")],
        ),
        (
            "وتشارك في المركز 14 دولة إلى جانب عشرين منظمة غير حكومية.",
            [
                ("quantity", 14, "countries", "exact", "14 دولة"),
                ("quantity", 20, "ngos", "exact", "عشرين منظمة غير حكومية"),
            ],
        ),
        (
            "وتضم القوة الدولية المقترحة نحو عشرين ألف جندي من دول إسلامية.",
            [("quantity", 20000, "personnel", "about", "نحو عشرين ألف جندي")],
        ),
        (
            "وتعهدت إندونيسيا بإرسال أكثر من 8 آلاف عسكري، وأذربيجان بنحو ألفي جندي.",
            [
                ("quantity", 8000, "personnel", "more_than", "أكثر من 8 آلاف عسكري"),
                ("quantity", 2000, "personnel", "about", "نحو ألفي جندي"),
            ],
        ),
        (
            "ونشرت الولايات المتحدة ألف عسكري ومئتا جندي في القاعدة.",
            [
                ("quantity", 1000, "personnel", "exact", "ألف عسكري"),
                ("quantity", 200, "personnel", "exact", "مئتا جندي"),
            ],
        ),
        (
            "وأكد المتحدث أن خمسة وعشرين جنديا وصلوا، فيما وصل ثلاثة آلاف من الجنود لاحقا.",
            [
                ("quantity", 25, "personnel", "exact", "خمسة وعشرين جنديا"),
                ("quantity", 3000, "personnel", "exact", "ثلاثة آلاف من الجنود"),
            ],
        ),
        (
            "وأطلقت حماس سراح 20 رهينة على قيد الحياة، ودخلت قرابة ٦٠٠ شاحنة مساعدات.",
            [
                ("quantity", 20, "hostages", "exact", "20 رهينة"),
                ("quantity", 600, "trucks", "about", "قرابة ٦٠٠ شاحنة مساعدات"),
            ],
        ),
        ("وسلمت حماس رفات 4 رهائن إلى الصليب الأحمر.", [("quantity", 4, "bodies", "exact", "رفات 4 رهائن")]),
        ("وأفرجت حماس عن 20 أسيرا إسرائيليا.", [("quantity", 20, "hostages", "exact", "20 أسيرا")]),
    ],
)
def test_quantities(text: str, expected: list[Row]) -> None:
    assert values(text) == expected


def test_a_proclitic_is_not_part_of_the_evidence() -> None:
    assert values("وصل خمسة جنود وعشرون ضابطا.") == [
        ("quantity", 5, "personnel", "exact", "خمسة جنود"),
        ("quantity", 20, "personnel", "exact", "عشرون ضابطا"),
    ]


def test_a_conjunction_glued_to_digits_stays_in_the_span() -> None:
    doc = annotate("ar", "وصلت 14 دولة و20 منظمة غير حكومية.", "2025-11-25")
    spans = doc.spans["values"]
    assert [(s._.value, s._.unit) for s in spans] == [(14, "countries"), (20, "ngos")]
    assert doc.text[spans[1].start_char : spans[1].end_char] == "و20 منظمة غير حكومية"


def test_duals_and_running_totals() -> None:
    text = "وسلمت حماس جثتين إضافيتين، ليرتفع العدد إلى 10. وقتل جنديان في اشتباك."
    assert values(text) == [
        ("quantity", 2, "bodies", "exact", "جثتين"),
        ("quantity", 10, "bodies", "exact", "ليرتفع العدد إلى 10"),
        ("quantity", 2, "personnel", "exact", "جنديان"),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "وكشف أن المركز عبارة عن غرفة عمليات تضم عددا كبيرا من الدول الراعية.",
        "ويضم فريقا صغيرا وعددا قليلا من الضباط البريطانيين وعشرات الشاحنات.",
        "منذ إطلاقه في 17 أكتوبر/تشرين الأول، انخرط المركز في نشاط إعلامي واسع.",
        "وأفرجت إسرائيل عن نحو ألفي أسير فلسطيني.",
        "وأصيب أحد الجنود، وقال الأمين العام إن 10 اليوم قتلوا.",
        "وتدعم خطة من 20 نقطة وقف إطلاق النار.",
        "يمنح قانون حكومة ويلز لعام 2017 جمعية ويلز سلطة تغيير اسمها.",
    ],
)
def test_not_quantities(text: str) -> None:
    assert values(text) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "أعدت الحكومة خطة لإعادة الإعمار بقيمة 67 مليار دولار على مدى خمس سنوات.",
            [
                ("money", 67_000_000_000, "USD", "exact", "67 مليار دولار"),
                ("duration", "P5Y", None, "exact", "خمس سنوات"),
            ],
        ),
        (
            "وتعهدت قطر بنحو ملياري دولار وتركيا بـ500 مليون يورو.",
            [
                ("money", 2_000_000_000, "USD", "about", "نحو ملياري دولار"),
                ("money", 500_000_000, "EUR", "exact", "500 مليون يورو"),
            ],
        ),
    ],
)
def test_money(text: str, expected: list[Row]) -> None:
    assert values(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "قدر المفاوضون أن إنشاء المركز سيستغرق 17 يوما، لكنه افتتح بعد خمسة أيام فقط.",
            [("duration", "P17D", None, "exact", "17 يوما"), ("duration", "P5D", None, "exact", "خمسة أيام")],
        ),
        (
            "بعد عامين من الحرب، أعلنت هدنة لمدة 24 ساعة ثم هدنة لمدة أسبوعين.",
            [
                ("duration", "P2Y", None, "exact", "عامين"),
                ("duration", "PT24H", None, "exact", "24 ساعة"),
                ("duration", "P2W", None, "exact", "أسبوعين"),
            ],
        ),
        (
            "واستمرت الاشتباكات طوال اليوم، ثم توقفت لمدة ساعة ونصف.",
            [("duration", "P1D", None, "exact", "طوال اليوم"), ("duration", "PT1.5H", None, "exact", "مدة ساعة ونصف")],
        ),
        (
            "وبقي الجنود في المنطقة عاما كاملا بعد أكثر من ثلاثة أشهر من القتال.",
            [
                ("duration", "P1Y", None, "exact", "عاما كاملا"),
                ("duration", "P3M", None, "more_than", "أكثر من ثلاثة أشهر"),
            ],
        ),
        ("وستمتد المرحلة الأولى ٣٫٥ سنوات.", [("duration", "P3.5Y", None, "exact", "٣٫٥ سنوات")]),
    ],
)
def test_durations(text: str, expected: list[Row]) -> None:
    assert values(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "هاجمت سمكة قرش طفلا يبلغ من العمر 13 عامًا.",  # an age
        "وقال الناخب الذي يبلغ من العمر 62 عامًا وأحد سكان العاصمة إنه صوت.",
        "سجل هدفا في الدقيقة 89 يوم السبت.",  # the day of, not 89 days
        "لا يزال أحد أشهر الرؤساء في أمريكا اللاتينية.",  # one of the most famous
        "قال الأمين العام إن العام الماضي كان صعبا.",
    ],
)
def test_not_durations(text: str) -> None:
    assert values(text) == []


# -- the number reader -------------------------------------------------------------------

AR = number_lexicon(registered("")["numbers"], "ar")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("خمسة وعشرون", 25),
        ("عشرين ألف", 20_000),
        ("ألفي", 2000),
        ("8 آلاف", 8000),
        ("ألف", 1000),
        ("مئتا", 200),
        ("مائة وخمسون", 150),
        ("ثلاثمائة وعشرون ألفا", 320_000),
        ("ثلاث مئة وواحد وثلاثون", 331),
        ("مليون وألفين ومائتين", 1_002_200),
        ("اثنا عشر", 12),
        ("٢٠٠", 200),
        ("١٢٫٥", 12.5),
        ("٨٬٠٠٠", 8000),
        ("8 آلاف و500", 8500),
        ("واحد ونصف", 1.5),
    ],
)
def test_arabic_number_words(text: str, expected: float) -> None:
    finder = get_pipeline("ar").get_pipe("cmcc_quantities")
    doc = annotate("ar", text)
    (reading,) = finder.numbers(doc)
    assert reading.value == pytest.approx(expected)
    assert (reading.start, reading.end) == (0, len(doc))


def test_ambiguous_arabic_cardinals_need_a_counted_noun() -> None:
    assert values("قرأ خمس الكتاب") == []
    assert values("شاركت خمس دول") == [("quantity", 5, "countries", "exact", "خمس دول")]
    (reading,) = find_numbers([Word(phrase_norms("خمس")[0])], AR)
    assert reading.ambiguous
