"""Names across scripts: a rough romanization of Arabic and a consonant skeleton of both
scripts, so `Donald Trump` and `دونالد ترامب` (or `Kavanaugh` and `كافانو`) compare."""

from __future__ import annotations

import re
from functools import lru_cache

from rapidfuzz import fuzz

from ..normalize import fold_text

# One Latin rendering per Arabic letter (after folding: hamza forms are already bare).
_ROMAN = str.maketrans(
    {
        "ا": "a",
        "ب": "b",
        "ت": "t",
        "ث": "t",
        "ج": "j",
        "ح": "h",
        "خ": "k",
        "د": "d",
        "ذ": "d",
        "ر": "r",
        "ز": "z",
        "س": "s",
        "ش": "s",
        "ص": "s",
        "ض": "d",
        "ط": "t",
        "ظ": "z",
        "ع": "",
        "غ": "g",
        "ف": "f",
        "ق": "k",
        "ك": "k",
        "ل": "l",
        "م": "m",
        "ن": "n",
        "ه": "h",
        "و": "w",
        "ي": "y",
        "ء": "",
        "پ": "b",
        "چ": "j",
        "ڤ": "f",
        "گ": "g",
    }
)
# English spellings folded onto what Arabic can write.
_LATIN = (
    ("ph", "f"),
    ("th", "t"),
    ("sh", "s"),
    ("ch", "s"),
    ("kh", "k"),
    ("gh", "g"),
    ("dh", "d"),
    ("ck", "k"),
    ("x", "ks"),
    ("p", "b"),
    ("v", "f"),
    ("c", "k"),
    ("q", "k"),
    ("g", "j"),
)
_VOWELS = re.compile(r"[aeiouh']+")
_GLIDES = re.compile(r"(?<=.)[yw]+")  # y and w are vowels but at the start of a word
_DOUBLE = re.compile(r"(.)\1+")
_ARABIC_ARTICLE = re.compile(r"(?<![\w])ال(?=\w{2})")
_LATIN_ARTICLE = re.compile(r"\b(?:al|el)-")
MATCH = 75  # rapidfuzz ratio (0-100) at which two skeletons name the same person


@lru_cache(maxsize=50_000)
def skeleton(name: str) -> str:
    """Consonant skeleton of a name in either script, words kept apart by spaces."""
    text = _ARABIC_ARTICLE.sub("", fold_text(name).lower())
    text = _LATIN_ARTICLE.sub("", text).translate(_ROMAN)
    for latin, folded in _LATIN:
        text = text.replace(latin, folded)
    words = [_DOUBLE.sub(r"\1", _GLIDES.sub("", _VOWELS.sub("", w))) for w in re.split(r"[\s\-]+", text)]
    return " ".join(w for w in words if w)


def same_name(a: str, b: str) -> bool:
    """Whether two names (in any scripts) plausibly name the same person."""
    sa, sb = skeleton(a), skeleton(b)
    return bool(sa and sb) and fuzz.ratio(sa, sb) >= MATCH


def matched_share(english: list[str], arabic: list[str]) -> float | None:
    """Share of the smaller list's names found in the other list; None when a side has none."""
    if not english or not arabic:
        return None
    small, large = (english, arabic) if len(english) <= len(arabic) else (arabic, english)
    return sum(any(same_name(n, m) for m in large) for n in small) / len(small)
