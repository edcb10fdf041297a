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
# A charset declared in an HTML page's head: <meta charset>, <meta http-equiv ... charset=>,
# or an XML declaration. Looked for in the first bytes only, as browsers do (prescan).
_DECLARED = re.compile(
    rb"""<meta[^>]*?charset\s*=\s*["']?\s*([a-z0-9._:-]+)"""
    rb"""|<\?xml[^>]*?encoding\s*=\s*["']([a-z0-9._:-]+)""",
    re.I,
)
_PRESCAN = 4096
# WHATWG Encoding: these labels mean windows-1252 on the web.
_WEB_ALIASES = {"ascii": "cp1252", "iso8859-1": "cp1252", "latin-1": "cp1252"}
_LETTER = re.compile(r"[^\W\d_]")
# Archives are not an input format: their members are never unpacked, so no member name
# can reach the file system and no compression ratio can blow up memory.
_ARCHIVES = (
    (re.compile(rb"PK(\x03\x04|\x05\x06|\x07\x08)"), "a zip archive"),
    (re.compile(rb"\x1f\x8b\x08"), "a gzip file"),
    (re.compile(rb"BZh[1-9]1AY&SY"), "a bzip2 file"),
    (re.compile(rb"\xfd7zXZ\x00"), "an xz file"),
    (re.compile(rb"\x28\xb5\x2f\xfd"), "a zstd file"),
    (re.compile(rb"7z\xbc\xaf\x27\x1c"), "a 7z archive"),
    (re.compile(rb"Rar!\x1a\x07"), "a rar archive"),
)
_TAR_MAGIC = re.compile(rb"ustar[\x00 ]")


@dataclass(frozen=True)
class DecodeOptions:
    """How to turn bytes into text: a forced encoding and the error policy."""

    encoding: str | None = None
    errors: str = "strict"


def decode(data: bytes, path: str, options: DecodeOptions = DecodeOptions(), html: bool = False) -> str:
    """Decode file bytes to text, or raise InputError naming the reason and the fix.

    For HTML (`html=True`) that is not valid UTF-8, the charset the page declares is
    tried next (strictly), as a browser would; a declaration that does not fit the bytes
    is ignored, so a wrong one never beats valid UTF-8.
    """
    archive = archive_kind(data)
    if archive:
        raise InputError(path, f"{archive}: archives are not supported (unpack it and ingest the files)")
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
        declared = declared_charset(data) if html else None
        if declared:
            try:
                return data.decode(declared, errors="strict")
            except UnicodeDecodeError:
                pass
        raise InputError(path, _utf8_reason(data, exc)) from None


def archive_kind(data: bytes) -> str | None:
    """What kind of archive or compressed file `data` is, by its magic bytes, if any."""
    if _is_tar(data):
        return "a tar archive"
    return next((kind for magic, kind in _ARCHIVES if magic.match(data)), None)


def _is_tar(data: bytes) -> bool:
    """A tar header: the ustar magic, and a checksum that adds up (text never does both)."""
    if len(data) < 512 or not _TAR_MAGIC.match(data, 257):
        return False
    field = data[148:156].strip(b" \x00")
    try:
        checksum = int(field, 8)
    except ValueError:
        return False
    return checksum == sum(data[:148]) + 8 * 32 + sum(data[156:512])


def declared_charset(data: bytes) -> str | None:
    """The Python codec for the charset an HTML page declares, if any (UTF-* excluded)."""
    m = _DECLARED.search(data[:_PRESCAN])
    if not m:
        return None
    label = (m.group(1) or m.group(2)).decode("ascii").lower()
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    if name.startswith("utf"):  # UTF-8 already failed; a UTF-16/32 label in ASCII text is false
        return None
    return _WEB_ALIASES.get(name, name)


def _decode_with(data: bytes, codec: str, path: str, errors: str) -> str:
    try:
        return data.decode(codec, errors=errors)
    except LookupError:
        raise InputError(path, f"unknown encoding {codec!r}") from None
    except UnicodeDecodeError as exc:
        raise InputError(path, f"not valid {codec} at byte {exc.start} (try --errors replace)") from None


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
