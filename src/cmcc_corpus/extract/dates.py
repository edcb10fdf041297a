"""Dates: explicit, numeric and relative to the publication date, in English and Arabic."""

from __future__ import annotations

from spacy.tokens import Doc


class DateFinder:
    """Puts date spans in doc.spans["dates"] (stub: to be built)."""

    def __init__(self, lang: str, profile_key: str) -> None:
        self.lang = lang
        self.profile_key = profile_key

    def __call__(self, doc: Doc) -> Doc:
        doc.spans["dates"] = []
        return doc
