"""Datelines: a line that is a date (and little else) dates the article."""

from __future__ import annotations

import pytest

from cmcc_corpus.datelines import find_dateline, parse_dateline


@pytest.mark.parametrize(
    ("line", "iso"),
    [
        ("Fri Oct 17 2025", "2025-10-17"),
        ("2025-11-24", "2025-11-24"),
        ("date 2025-11-24", "2025-11-24"),
        ("Published: October 17, 2025 10:32 GMT", "2025-10-17"),
        ("Updated 3 November 2025", "2025-11-03"),
        ("الجمعة 17 أكتوبر/تشرين الأول 2025", "2025-10-17"),
        ("تاريخ النشر: ١٧ تشرين الأول ٢٠٢٥", "2025-10-17"),
        ("2025/02/22", "2025-02-22"),
    ],
)
def test_datelines(line: str, iso: str) -> None:
    assert parse_dateline(line) == iso


@pytest.mark.parametrize(
    "line",
    [
        "Oct 17 2025 was the day the center opened",
        "Security",
        "2025-13-01",
        "February 30, 2025",
        "Since its launch on October 17, the CMCC has engaged",
    ],
)
def test_not_datelines(line: str) -> None:
    assert parse_dateline(line) is None


def test_find_dateline_looks_at_top_and_bottom() -> None:
    lines = ["Headline", *["body text line"] * 20, "Posted: 2025-11-02"]
    assert find_dateline(lines) == "2025-11-02"
