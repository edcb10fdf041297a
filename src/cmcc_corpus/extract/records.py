"""Records that flow out of extraction: mentions and claims, each with its evidence."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

Value = str | int | float

# Stored columns of mentions and claims (value_num holds the number of numeric values).
MENTION_COLUMNS = (
    "type",
    "value",
    "value_num",
    "unit",
    "qualifier",
    "en",
    "text",
    "start",
    "end",
    "sentence",
    "rule",
    "confidence",
    "derived",
    "partial",
)
CLAIM_COLUMNS = (
    "subject",
    "predicate",
    "value",
    "value_num",
    "unit",
    "qualifier",
    "derived",
    "modality",
    "as_of",
    "text",
    "start",
    "end",
    "sentence",
    "rule",
    "confidence",
)
# What a stored mention or claim record carries: its document's fields, then its columns.
MENTION_FIELDS = ("doc_id", "file", "lang", *(c for c in MENTION_COLUMNS if c != "value_num"))
CLAIM_FIELDS = ("doc_id", "file", "lang", "source", "published", *(c for c in CLAIM_COLUMNS if c != "value_num"))

MENTION_TYPES = ("country", "person", "org", "place", "date", "quantity", "money", "duration")


@dataclass(frozen=True)
class Mention:
    """Something an article mentions: an entity or a value, quoted with its offsets."""

    type: str
    value: Value
    text: str
    start: int
    end: int
    rule: str
    confidence: float = 1.0
    sentence: int | None = None
    unit: str | None = None
    qualifier: str | None = None
    en: str | None = None  # English form of an Arabic name
    derived: bool = False  # computed (e.g. "five days after October 13"), not stated
    partial: bool = False  # a date whose year or day could not be resolved

    def as_dict(self) -> dict[str, Any]:
        """Plain data for JSON output and storage."""
        return asdict(self)


@dataclass(frozen=True)
class Claim:
    """A subject-predicate-value triple an article asserts, quoted with its offsets."""

    subject: str
    predicate: str
    value: Value
    text: str
    start: int
    end: int
    rule: str
    confidence: float = 1.0
    sentence: int | None = None
    unit: str | None = None
    qualifier: str | None = None
    derived: bool = False
    modality: str = "asserted"  # asserted | expected | denied | reported
    as_of: str | None = None  # ISO date (partial allowed) the claim speaks for

    def as_dict(self) -> dict[str, Any]:
        """Plain data for JSON output and storage."""
        return asdict(self)


@dataclass(frozen=True)
class Extraction:
    """Everything extracted from one document."""

    mentions: tuple[Mention, ...]
    claims: tuple[Claim, ...]
