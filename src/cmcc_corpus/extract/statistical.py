"""Optional: entities from a statistical spaCy pipeline the user installed (`--ner-model`)."""

from __future__ import annotations

from functools import cache

import spacy
from spacy.language import Language
from spacy.tokens import Doc, Span

from ..errors import CorpusError

# Statistical labels we take, and the mention type they become.
LABELS = {"PERSON": "person", "ORG": "org", "LOC": "place", "FAC": "place"}
GROUPS = {"person": "people", "org": "entities", "place": "entities"}


class ModelError(CorpusError):
    """The named statistical pipeline cannot be loaded (exit 2)."""

    exit_code = 2


@cache
def load_model(name: str) -> Language:
    """Load an installed spaCy pipeline once; never downloads anything."""
    try:
        return spacy.load(name, exclude=["lemmatizer", "textcat"])
    except OSError:
        raise ModelError(
            f"--ner-model {name}: no such spaCy pipeline is installed "
            "(install its package with pip, or leave --ner-model out)"
        ) from None


def merge_statistical(doc: Doc, name: str) -> None:
    """Add the model's PERSON/ORG/LOC/FAC entities that overlap none of ours."""
    ours = {i for group in ("entities", "people") for s in doc.spans.get(group, ()) for i in range(s.start, s.end)}
    found = load_model(name)(doc.text)
    for ent in found.ents:
        kind = LABELS.get(ent.label_)
        span = doc.char_span(ent.start_char, ent.end_char, alignment_mode="contract")
        if kind is None or span is None or any(i in ours for i in range(span.start, span.end)):
            continue
        mention = Span(doc, span.start, span.end, label=kind)
        mention._.value = ent.text
        mention._.rule = f"ner:{name}"
        mention._.confidence = 0.6
        group = GROUPS[kind]
        doc.spans[group] = [*doc.spans.get(group, ()), mention]
