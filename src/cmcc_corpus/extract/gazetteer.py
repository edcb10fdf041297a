"""Countries, organisations and places from the bilingual profile, matched on NORM.

One PhraseMatcher over token NORMs (folded, Arabic proclitics stripped) finds every
alias; rules from the profile's conventions then decide which matches count:
case-sensitive acronyms in English, blockers (longer names that are not this entity),
ambiguous aliases that need corroboration, and back-references ("the center") that
count only after their entity was named.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import NamedTuple

from spacy.attrs import NORM
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span, Token
from spacy.util import filter_spans

from ..normalize import fold_text
from .profile import registered

# Gazetteer files, the mention type they give, and the alias lists they hold.
SOURCES = (
    ("countries", "country", ("en", "en_demonyms", "ar", "ar_demonyms")),
    ("organizations", "org", ("en", "ar")),
    ("places", "place", ("en", "ar")),
    ("subjects", "subject", ("en", "ar")),
)
_LIST_JOINERS = frozenset({",", "،", "and", "or", "و", "او", "&"})


@dataclass(frozen=True)
class Alias:
    """One alias of one entity, with the rules that govern its matches."""

    type: str
    id: str
    text: str
    lang: str
    ambiguous: bool = False
    refers_back: bool = False
    blocker: bool = False

    @property
    def case_sensitive(self) -> bool:
        """English acronyms (US, UK, U.S.) must match their capitals exactly."""
        letters = [c for c in self.text if c.isalpha()]
        return self.lang == "en" and bool(letters) and all(c.isupper() for c in letters)


def aliases(profile_key: str) -> Iterator[Alias]:
    """Every alias in the profile's gazetteer files."""
    profile = registered(profile_key)
    for concern, kind, lists in SOURCES:
        for entity_id, entry in (profile[concern] or {}).items():
            if not isinstance(entry, dict):
                continue
            ambiguous = set(entry.get("ambiguous_aliases") or ())
            for field in lists:
                lang = field.split("_")[0]
                for text in entry.get(field) or ():
                    yield Alias(kind, str(entity_id), str(text), lang, str(text) in ambiguous)
            for lang, texts in (entry.get("refers_back") or {}).items():
                for text in texts or ():
                    yield Alias(kind, str(entity_id), str(text), lang, refers_back=True)
            for lang, texts in (entry.get("blockers") or {}).items():
                for text in texts or ():
                    yield Alias(kind, str(entity_id), str(text), lang, blocker=True)


class Gazetteer:
    """Puts country, org, place and subject spans in doc.spans["entities"]."""

    def __init__(self, nlp: Language, profile_key: str) -> None:
        self.lang = "ar" if nlp.lang == "ar" else "en"
        self.matcher = PhraseMatcher(nlp.vocab, attr="NORM")
        # One matcher key per entity and rule set, not one per alias: a key costs the matcher
        # far more than one more pattern under a key (43-95 ms per pipeline, now 19-42). What differs
        # between a key's aliases is their spelling, which only the English case test reads:
        # it finds the spellings by the NORMs matched.
        self.entries: dict[int, Alias] = {}  # match id -> an alias of the key (its text is not used)
        # (match id, NORMs) -> (tokens' texts, whether case-sensitive, where its capitals are)
        self.spellings: dict[tuple[int, tuple[int, ...]], list[tuple[tuple[str, ...], bool, tuple[int, ...]]]]
        self.spellings = defaultdict(list)
        places = registered(profile_key)["places"] or {}
        # A capital is corroborated by its country ("The United States ... Washington has").
        self.stands_for = {k: v.get("stands_for") for k, v in places.items() if isinstance(v, dict)}
        normalizer = nlp.get_pipe("cmcc_normalizer")
        patterns: dict[str, list[Doc]] = defaultdict(list)
        for alias in aliases(profile_key):
            if alias.lang != self.lang:
                continue
            key = f"{alias.type}|{alias.id}|{alias.ambiguous}|{alias.refers_back}|{alias.blocker}"
            match_id = nlp.vocab.strings.add(key)
            pattern = normalizer(nlp.make_doc(alias.text))
            self.entries.setdefault(match_id, alias)
            if self.lang == "en":  # Arabic has no case: its spellings would never be read
                shape = tuple(t.text for t in pattern)
                capitals = tuple(k for k, word in enumerate(shape) if word[:1].isupper())
                spelling = (shape, alias.case_sensitive, capitals)
                self.spellings[match_id, tuple(t.norm for t in pattern)].append(spelling)
            patterns[key].append(pattern)
        for key, docs in patterns.items():
            self.matcher.add(key, docs)

    def __call__(self, doc: Doc) -> Doc:
        found: list[tuple[Span, Alias]] = []
        matches = self.matcher(doc)
        norms = doc.to_array(NORM).tolist() if matches and self.lang == "en" else []
        for match_id, start, end in matches:
            span = Span(doc, start, end)
            if self.lang == "en" and not any(
                self._case_ok(doc, span, *spelling) for spelling in self.spellings[match_id, tuple(norms[start:end])]
            ):
                continue
            found.append((span, self.entries[match_id]))
        doc.spans["entities"] = list(self._resolve(doc, found))
        return doc

    @staticmethod
    def _case_ok(doc: Doc, span: Span, shape: tuple[str, ...], case_sensitive: bool, capitals: tuple[int, ...]) -> bool:
        """English: acronyms exactly; a capitalized alias word (at `capitals`) needs a capitalized token."""
        if case_sensitive:  # folded: a bidi or zero-width control inside "CMCC" changes nothing
            return tuple(fold_text(t.text) for t in span) == shape
        return not any(doc[span.start + k].text[:1].islower() for k in capitals)

    def _resolve(self, doc: Doc, found: list[tuple[Span, Alias]]) -> Iterator[Span]:
        blocked = [(s.start, s.end, a.id) for s, a in found if a.blocker]
        kept = [(s, a) for s, a in found if not a.blocker and not _inside(s, a.id, blocked)]
        by_type: dict[str, list[tuple[Span, Alias]]] = defaultdict(list)
        for span, alias in kept:
            by_type[alias.type].append((span, alias))
        firm = {a.id for _, a in kept if not a.ambiguous and not a.refers_back}
        accepted: list[_Reading] = []
        for _kind, items in by_type.items():
            longest = {(s.start, s.end) for s in filter_spans([s for s, _ in items])}
            items = [(s, a) for s, a in items if (s.start, s.end) in longest]
            accepted.extend(self._accept(doc, items, firm))
        for reading in _one_per_span(accepted):
            span, alias = reading.span, reading.alias
            out = Span(doc, span.start, span.end, label=alias.type, kb_id=alias.id)
            ext = out._  # each `out._` builds a new accessor object: set them all through one
            ext.value, ext.rule = alias.id, reading.rule
            ext.confidence = 1.0 if reading.rule == "gazetteer" else 0.8
            yield out

    def _accept(self, doc: Doc, items: list[tuple[Span, Alias]], firm: set[str]) -> Iterator[_Reading]:
        """Apply corroboration (ambiguous aliases) and antecedents (back-references)."""
        named: dict[str, list[int]] = defaultdict(list)  # entity -> where it is named outright
        for span, alias in sorted(items, key=lambda x: x[0].start):
            if not alias.ambiguous and not alias.refers_back:
                named[alias.id].append(span.start)
        entity_starts = {s.start for s, _ in items} | {s.end for s, _ in items}
        for span, alias in items:
            if alias.refers_back:
                seen = named.get(alias.id, [])
                k = bisect_left(seen, span.start)
                if k:  # named before: the nearest antecedent wins when several could be meant
                    yield _Reading(span, alias, "refers back", (_NAMED_HERE, seen[k - 1]))
            elif alias.ambiguous:
                stands_for = self.stands_for.get(alias.id)
                if alias.id in firm or stands_for in firm:
                    yield _Reading(span, alias, "gazetteer (corroborated)", (_NAMED_HERE, 0))
                elif self._corroborated(doc, span, alias, entity_starts):
                    yield _Reading(span, alias, "gazetteer (corroborated)", (_CONTEXT_ONLY, 0))
            else:
                yield _Reading(span, alias, "gazetteer", (_OWN_NAME, 0))

    def _corroborated(self, doc: Doc, span: Span, alias: Alias, entity_edges: set[int]) -> bool:
        """An ambiguous alias counts when the outlet is itself, it stands in a list of
        entities, or (English) it is capitalized where a common word would not be."""
        if doc._.source and fold_text(doc._.source).casefold() == fold_text(alias.id).casefold():
            return True
        if self._listed(doc, span, entity_edges):
            return True
        first = span[0]
        return self.lang == "en" and first.text[:1].isupper() and not _sentence_initial(first)

    @staticmethod
    def _listed(doc: Doc, span: Span, entity_edges: set[int]) -> bool:
        """An ambiguous alias in a list of entities ("Israel, Egypt, and Jordan") is corroborated."""
        i = span.start - 1
        while i >= 0 and doc[i].norm_ in _LIST_JOINERS:
            i -= 1
        if i < span.start - 1 and i + 1 in entity_edges:
            return True
        j = span.end
        while j < len(doc) and doc[j].norm_ in _LIST_JOINERS:
            j += 1
        return j > span.end and j in entity_edges


def _sentence_initial(token: Token) -> bool:
    if token.i == 0:
        return True
    previous = token.doc[token.i - 1]
    return previous.is_space or previous.text in {".", "!", "?", ":", '"', "“", "\n"}


def _inside(span: Span, entity_id: str, blocked: Iterable[tuple[int, int, str]]) -> bool:
    return any(b_start <= span.start and span.end <= b_end and entity_id == b_id for b_start, b_end, b_id in blocked)


# How strongly a reading is supported, strongest last: when one span reads as several
# entities ("Korea": North or South; Arabic عمان: Oman or Amman), the strongest reading wins,
# and a tie means the text does not say which is meant, so none is kept.
_CONTEXT_ONLY, _NAMED_HERE, _OWN_NAME = 1, 2, 3


class _Reading(NamedTuple):
    """One accepted entity for a span, with the rule that accepted it and how strongly."""

    span: Span
    alias: Alias
    rule: str
    support: tuple[int, int]  # (strength, position of the antecedent for back-references)


def _one_per_span(readings: list[_Reading]) -> Iterator[_Reading]:
    """At most one entity per span, in the order found: the best-supported reading, or none
    when two different entities are equally supported (a span's extension values are shared
    by every Span over the same characters, so two would also overwrite each other)."""
    at: dict[tuple[int, int], list[_Reading]] = defaultdict(list)
    for r in readings:
        at[(r.span.start, r.span.end)].append(r)
    chosen: set[int] = set()
    for rivals in at.values():
        best = max(rivals, key=lambda x: x.support)
        if len({(x.alias.type, x.alias.id) for x in rivals if x.support == best.support}) == 1:
            chosen.add(id(best))
    return (r for r in readings if id(r) in chosen)
