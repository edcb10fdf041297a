"""The date finder measured against Microsoft Recognizers-Text date specs (both languages).

Each spec case is read as a tiny article published on its reference day
(`Context.ReferenceDateTime`): `annotate(lang, Input, published=ref)`. Gold is the case's
resolved dates: a found value counts when it equals the past or the future resolution (news
reads the past one) or, for a date the spec leaves partial, its Timex. Precision and recall
of values are printed per language over every case.

The specs are written for an assistant's chat ("I went back for the 27"), so some gold
dates are rarely dates in news text, where the finder is meant to work. Those are listed in
`NOT_NEWS` with the reason and reported apart (the news scope); issue #3's target, precision
and recall of at least 0.80 in each language, is asserted over every case, and the news
scope must stay at least as good. The Arabic extractor spec measures evidence spans the
same way.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from cmcc_corpus.extract.components import span_offsets
from cmcc_corpus.extract.pipeline import annotate

RECOGNIZERS = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "recognizers"
if not RECOGNIZERS.is_dir():
    pytest.skip(f"{RECOGNIZERS} is not present", allow_module_level=True)

TARGET = 0.80  # issue #3: date precision and recall in each language, over every case
_ANCHORED = {
    "the next day",
    "next day",
    "last day",
    "the last day",
    "the day",
    "my day",
    "past day",
    "اليوم التالي",
    "اليوم الآتي",
    "اليوم الأخير",
    "آخر يوم",
    "يومي",
    "اليوم الماضي",
}
_BARE_DAY = re.compile(
    r"(?:(?:the|for|on|إلى|في|يوم)\s+|ل)?(?:\s*(?:\d{1,2}(?:st|nd|rd|th)?"
    r"|و?(?:ال|لل)?(?:حادي|حادية|ثاني|ثانية|عشرين|ثلاثين)))+"
)
# Why a gold date is not a date in news text, and how to recognise it (text, Timex).
NOT_NEWS: dict[str, Callable[[str, str], bool]] = {
    "a day of the month alone is a count in news ('rose to 27', للثاني)": lambda text, timex: bool(
        re.fullmatch(r"XXXX-XX-\d\d", timex) or _BARE_DAY.fullmatch(text)
    ),
    "two numbers joined by '.' or '-' are a decimal, a score or a range ('4.22', '22-4')": lambda text, timex: bool(
        re.fullmatch(r"\d{1,2}[.-]\d{1,2}", text)
    ),
    "a day counted from another ('the next day', اليوم التالي): news names that day first": lambda text, timex: (
        " ".join(text.lower().split()) in _ANCHORED
    ),
    "a vague count is not a date ('a few days ago', قبل بضعة أيام)": lambda text, timex: (
        "few" in text or "بضعة" in text
    ),
    "chat shorthand ('tmrw')": lambda text, timex: "tmrw" in text,
}


@dataclass
class Score:
    """Matches of found against gold, over every case and over the news scope."""

    found: int = 0
    gold: int = 0
    hits: int = 0
    news_found: int = 0
    news_gold: int = 0
    news_hits: int = 0
    misses: list[str] = field(default_factory=list)

    def add(self, case: str, found: list[Any], gold: list[tuple[set[Any], bool]]) -> None:
        """Match each found value (or span) to an unmatched gold it satisfies."""
        used: set[int] = set()
        for value in found:
            i = next((i for i, (ok, _) in enumerate(gold) if i not in used and value in ok), None)
            if i is not None:
                used.add(i)
            elif case:
                self.misses.append(f"extra {value!r} in {case!r}")
            in_news = i is None or gold[i][1]
            self.news_found += in_news
            self.news_hits += i is not None and in_news
        self.found, self.hits = self.found + len(found), self.hits + len(used)
        self.gold += len(gold)
        self.news_gold += sum(news for _, news in gold)
        self.misses += [
            f"missed {sorted(map(str, ok))} in {case!r}" for i, (ok, news) in enumerate(gold) if i not in used and news
        ]

    def line(self, label: str) -> str:
        """One printable summary line."""
        return (
            f"{label}: all cases P={_ratio(self.hits, self.found):.3f} "
            f"R={_ratio(self.hits, self.gold):.3f} ({self.hits}/{self.found}/{self.gold}); "
            f"news scope P={_ratio(self.news_hits, self.news_found):.3f} "
            f"R={_ratio(self.news_hits, self.news_gold):.3f}"
        )


def _ratio(a: int, b: int) -> float:
    return a / b if b else 1.0


def _news(text: str, timex: str = "") -> bool:
    return not any(rule(text, timex) for rule in NOT_NEWS.values())


def _cases(folder: str, name: str) -> list[dict[str, Any]]:
    return json.loads((RECOGNIZERS / folder / name).read_text(encoding="utf-8-sig"))


def _gold_values(case: dict[str, Any]) -> list[tuple[set[Any], bool]]:
    """Acceptable values of each resolved date; impossible dates (Feb 30) are not gold."""
    gold = []
    for result in case.get("Results", []):
        value = result["Value"]
        past = value.get("PastResolution", {}).get("date")
        if past is None or past.startswith("0001"):
            continue
        ok = {past, value.get("FutureResolution", {}).get("date")}
        ok |= {value["Timex"]} if "X" in value["Timex"] else set()
        gold.append((ok, _news(result["Text"], value["Timex"])))
    return gold


def _score_parser(lang: str, folder: str) -> Score:
    score = Score()
    for case in _cases(folder, "DateTime-DateParser.json"):
        ref = case["Context"]["ReferenceDateTime"][:10]
        doc = annotate(lang, case["Input"], published=ref)
        score.add(case["Input"], [s._.value for s in doc.spans["dates"]], _gold_values(case))
    return score


@pytest.mark.parametrize(("lang", "folder"), [("en", "English"), ("ar", "Arabic")])
def test_date_values_against_recognizers(lang: str, folder: str) -> None:
    score = _score_parser(lang, folder)
    print(score.line(f"{folder} DateParser values"))
    print("\n".join(score.misses))
    assert _ratio(score.hits, score.found) >= TARGET
    assert _ratio(score.hits, score.gold) >= TARGET
    assert _ratio(score.news_hits, score.news_found) >= TARGET
    assert _ratio(score.news_hits, score.news_gold) >= TARGET


def test_arabic_evidence_spans_against_recognizers() -> None:
    score = Score()
    for case in _cases("Arabic", "DateTime-DateExtractor.json"):
        ref = case.get("Context", {}).get("ReferenceDateTime", "2016-11-07")[:10]
        doc = annotate("ar", case["Input"], published=ref)
        gold = [({(r["Start"], r["Start"] + r["Length"])}, _news(r["Text"])) for r in case.get("Results", [])]
        score.add(case["Input"], [span_offsets(s) for s in doc.spans["dates"]], gold)
    print(score.line("Arabic DateExtractor spans"))
    print("\n".join(score.misses))
    assert _ratio(score.hits, score.found) >= 0.80
    assert _ratio(score.news_hits, score.news_gold) >= 0.75
