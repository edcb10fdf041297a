"""Language identification: the script decides where it can; langdetect (seeded) otherwise."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from .profile import data_file

_ARABIC_LETTER = re.compile(r"[\u0620-\u064a\u066e-\u06d3\u06fa-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufefc]")
_LATIN_LETTER = re.compile(r"[A-Za-z\u00c0-\u024f]")
_LATIN_WORD = re.compile(r"[A-Za-z]+")
# langdetect is slow on long texts and gains nothing past a few thousand characters.
_SAMPLE = 5000


@dataclass(frozen=True)
class LangGuess:
    """A language code, a confidence in [0, 1] and how it was decided."""

    lang: str
    confidence: float
    method: str


@cache
def _words() -> tuple[frozenset[str], float, str, str]:
    data = data_file("language")
    return (
        frozenset(data["english_function_words"]),
        float(data["english_min_share"]),
        str(data["persian_letters"]),
        str(data["urdu_letters"]),
    )


def detect(text: str) -> LangGuess:
    """Guess the language of `text` from its script, its function words, then langdetect."""
    sample = text[:_SAMPLE]
    arabic = len(_ARABIC_LETTER.findall(sample))
    latin = len(_LATIN_LETTER.findall(sample))
    letters = arabic + latin
    if letters == 0:
        return LangGuess("und", 0.0, "no letters")
    if arabic / letters >= 0.6:
        return _arabic_script(sample, arabic / letters)
    if latin / letters >= 0.6:
        function_words, min_share, _, _ = _words()
        words = [w.lower() for w in _LATIN_WORD.findall(sample)]
        share = sum(w in function_words for w in words) / max(len(words), 1)
        if share >= min_share and len(words) >= 8:
            return LangGuess("en", round(min(1.0, 0.5 + share * 2) * latin / letters, 3), "function words")
    return _langdetect(sample)


def _arabic_script(sample: str, share: float) -> LangGuess:
    _, _, persian, urdu = _words()
    if sum(sample.count(c) for c in urdu) >= 3:
        return LangGuess("ur", round(share, 3), "script")
    if sum(sample.count(c) for c in persian) >= 3:
        return LangGuess("fa", round(share, 3), "script")
    return LangGuess("ar", round(share, 3), "script")


def _langdetect(sample: str) -> LangGuess:
    from langdetect import DetectorFactory, detect_langs
    from langdetect.lang_detect_exception import LangDetectException

    DetectorFactory.seed = 0  # repeatable results run to run
    try:
        best = detect_langs(sample)[0]
    except LangDetectException:
        return LangGuess("und", 0.0, "langdetect failed")
    return LangGuess(best.lang, round(best.prob, 3), "langdetect")
