"""Quantities, money and durations: numbers attached to units, with hedges as qualifiers."""

from __future__ import annotations

from spacy.tokens import Doc


class QuantityFinder:
    """Puts quantity, money and duration spans in doc.spans["values"] (stub: to be built)."""

    def __init__(self, lang: str, profile_key: str) -> None:
        self.lang = lang
        self.profile_key = profile_key

    def __call__(self, doc: Doc) -> Doc:
        doc.spans["values"] = []
        return doc
