"""Bytes to text: BOMs, UTF-16/32, strict UTF-8 with a byte offset, and encoding hints."""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from .errors import InputError

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_ARABIC = re.compile(r"[\u0600-\u06ff]")
_LETTER = re.compile(r"[^\W\d_]")


@dataclass(frozen=True)
class DecodeOptions:
    """How to turn bytes into text: a forced encoding and the error policy."""

    encoding: str | None = None
    errors: str = "strict"


def decode(data: bytes, path: str, options: DecodeOptions = DecodeOptions()) -> str:
    """Decode file bytes to text, or raise InputError naming the reason and the fix."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return _decode_with(data[len(bom) :], codec, path, options.errors)
    if options.encoding:
        return _decode_with(data, options.encoding, path, options.errors)
    nul = data.find(0)
    if nul >= 0:
        raise InputError(path, f"binary file (NUL byte at offset {nul})")
    try:
        return data.decode("utf-8", errors="strict")
    except UnicodeDecodeError as exc:
        if options.errors != "strict":
            return data.decode("utf-8", errors=options.errors)
        raise InputError(path, _utf8_reason(data, exc)) from None


def _decode_with(data: bytes, codec: str, path: str, errors: str) -> str:
    try:
        return data.decode(codec, errors=errors)
    except LookupError:
        raise InputError(path, f"unknown encoding {codec!r}") from None
    except UnicodeDecodeError as exc:
        raise InputError(
            path, f"not valid {codec} at byte {exc.start} (try --errors replace)"
        ) from None


def _utf8_reason(data: bytes, exc: UnicodeDecodeError) -> str:
    """Explain a UTF-8 failure, suggesting cp1256 when the bytes read as Arabic there."""
    hint = "use --encoding ENCODING or --errors replace"
    text = data.decode("cp1256", errors="replace")
    letters = _LETTER.findall(text)
    if letters and len(_ARABIC.findall(text)) / len(letters) > 0.3:
        hint = "looks like Windows-1256 Arabic: use --encoding cp1256"
    return f"invalid UTF-8 at byte {exc.start} ({hint})"


def check_text(text: str, path: str) -> str:
    """Reject text that cannot be stored faithfully: lone surrogates and NUL characters."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise InputError(path, f"invalid Unicode (lone surrogate) at character {exc.start}") from None
    if "\x00" in text:
        raise InputError(path, f"NUL character at character {text.index(chr(0))}")
    return text
