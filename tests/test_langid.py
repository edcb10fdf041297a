"""Language identification: script first, function words next, langdetect last."""

from __future__ import annotations

from pathlib import Path

import pytest

from cmcc_corpus.langid import detect


@pytest.mark.parametrize(
    ("name", "lang"),
    [
        ("000_f0c207929c95f00c.txt", "en"),
        ("001_71d2b15bbf6c0817.txt", "en"),
        ("002_4acb3fe92059d304.txt", "ar"),
        ("003_a592e5e37fee6a75.txt", "en"),
        ("004_b0e036cefecd7514.txt", "en"),
    ],
)
def test_seeds(samples: Path, name: str, lang: str) -> None:
    guess = detect((samples / name).read_text())
    assert guess.lang == lang
    assert guess.confidence > 0.5
    assert guess.method in ("script", "function words")  # langdetect not needed here


def test_short_arabic_with_latin_acronyms_is_arabic() -> None:
    assert detect("مركز CMCC في كريات غات").lang == "ar"


def test_other_latin_languages_go_to_langdetect_repeatably() -> None:
    text = "Le centre de coordination civilo-militaire a ouvert ses portes à Kiryat Gat la semaine dernière."
    first, second = detect(text), detect(text)
    assert first == second
    assert first.lang == "fr" and first.method == "langdetect"


def test_persian_and_no_letters() -> None:
    assert detect("این یک متن فارسی است که گفتگو و چیزهای دیگر دارد").lang == "fa"
    assert detect("12345 ... 67").lang == "und"
