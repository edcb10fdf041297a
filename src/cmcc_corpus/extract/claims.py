"""Claims: subject-predicate-value triples assembled sentence by sentence.

A predicate fires on one of its trigger words (predicates.yaml); its value is the nearest
mention of the right type in the sentence (a date, place, quantity with the right unit,
money, duration or organisation), and its subject the nearest entity of an allowed type,
else the entity the text was last about. "Five days after ... October 13" gives a derived
date; "By October 24" sets the claim's as-of date; cue words set its modality.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter
from collections.abc import Iterable, Iterator
from datetime import date, timedelta
from typing import NamedTuple

import numpy
from spacy.attrs import SENT_START
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span

from ..normalize import fold_text
from .profile import registered

_SENTENCE_END = frozenset({".", "!", "?", "؟"})
_MAX_SENTENCE_TOKENS = 200  # far beyond a real sentence; bounds the work on one that is not
_MODALITY_ORDER = ("denied", "expected", "reported", "possible", "confirmed")


class Item(NamedTuple):
    """A mention a claim can use: its span (and first token), its type for claims, and its value.

    A NamedTuple, as is _Trigger: tens are made per article, and a frozen dataclass costs
    several times more to build."""

    span: Span
    start: int
    type: str  # country, org, place, agreement, plan, resolution, date, quantity, money, duration
    value: object
    unit: str | None = None
    qualifier: str | None = None
    partial: bool = False


class _Trigger(NamedTuple):
    predicate: str
    start: int
    end: int
    ambiguous: bool


class ClaimFinder:
    """Puts claim spans in doc.spans["claims"], with `_.subject`, `_.predicate`, `_.value`..."""

    def __init__(self, nlp: Language, profile_key: str) -> None:
        profile = registered(profile_key)
        self.lang = "ar" if nlp.lang == "ar" else "en"
        self.predicates: dict = {k: v for k, v in (profile["predicates"] or {}).items() if isinstance(v, dict)}
        normalizer = nlp.get_pipe("cmcc_normalizer")

        def patterns(words: Iterable[str]) -> list[Doc]:
            return [normalizer(nlp.make_doc(str(w))) for w in words]

        self.matcher = PhraseMatcher(nlp.vocab, attr="NORM")
        for name, spec in self.predicates.items():
            triggers = spec.get("triggers") or {}
            ambiguous = set(triggers.get("ambiguous_aliases") or ())
            words = triggers.get(self.lang) or []
            self.matcher.add(f"p|{name}", patterns(w for w in words if w not in ambiguous))
            self.matcher.add(f"a|{name}", patterns(w for w in words if w in ambiguous))
            self.matcher.add(f"n|{name}", patterns((spec.get("negating") or {}).get(self.lang) or []))
        modality = (profile["hedges_and_modality"] or {}).get("modality") or {}
        for kind, cues in modality.items():
            skip = set(cues.get("ambiguous_aliases") or ())
            self.matcher.add(
                f"m|{kind}", patterns(w for w in cues.get(self.lang) or [] if w not in skip and "..." not in w)
            )
        mechanics = profile["claims"] or {}
        for direction, words in (mechanics.get("offsets") or {}).items():
            self.matcher.add(f"o|{direction}", patterns(words.get(self.lang) or []))
        self.matcher.add("asof", patterns((mechanics.get("as_of") or {}).get(self.lang) or []))
        self.matcher.add("pron", patterns((mechanics.get("pronouns") or {}).get(self.lang) or []))
        self.oblique = frozenset(
            fold_text(str(w)).lower() for w in (mechanics.get("oblique") or {}).get(self.lang) or ()
        )
        self.not_subjects = frozenset(mechanics.get("not_subjects") or ())
        self.licensing = frozenset(mechanics.get("licensing_predicates") or ())
        self.window = int(mechanics.get("licensing_window") or 8)
        led = mechanics.get("led_by") or {}
        self.led_after = frozenset(str(w).lstrip("-") for w in led.get("en_after") or ())
        self.led_before = frozenset(led.get("ar_before") or ())
        self.stands_for = {
            k: v["stands_for"]
            for k, v in (profile["places"] or {}).items()
            if isinstance(v, dict) and v.get("stands_for")
        }
        self.subject_kinds = {
            k: v.get("kind", "plan") for k, v in (profile["subjects"] or {}).items() if isinstance(v, dict)
        }
        self.org_kinds = {k: v.get("kind") for k, v in (profile["organizations"] or {}).items() if isinstance(v, dict)}
        self.place_kinds = {k: v.get("kind") for k, v in (profile["places"] or {}).items() if isinstance(v, dict)}

    def __call__(self, doc: Doc) -> Doc:
        items = self._items(doc)
        salience = Counter(i.value for i in items if i.type == "org")
        matches = sorted((doc.vocab.strings[m], s, e) for m, s, e in self.matcher(doc))
        matches.sort(key=lambda m: m[1])
        item_starts = [i.start for i in items]
        match_starts = [m[1] for m in matches]
        claims: dict[tuple, Span] = {}
        seen: list[Item] = []
        for sent in _sentences(doc):
            inside = items[bisect_left(item_starts, sent.start) : bisect_left(item_starts, sent.stop)]
            here = matches[bisect_left(match_starts, sent.start) : bisect_left(match_starts, sent.stop)]
            if not here:
                seen.extend(inside)
                continue
            for span in self._sentence_claims(doc, sent, inside, here, seen, salience):
                ext = span._  # one accessor object, not a new one per attribute
                key = (ext.subject, ext.predicate, str(ext.value), ext.unit)
                claims.setdefault(key, span)
            seen.extend(inside)
        doc.spans["claims"] = sorted(claims.values(), key=lambda s: s.start)
        return doc

    # -- what a sentence offers ---------------------------------------------------------

    def _items(self, doc: Doc) -> list[Item]:
        items: list[Item] = []
        for span in doc.spans.get("entities", ()):
            kind, value = span.label_, span._.value
            if kind == "subject":
                kind = self.subject_kinds.get(value, "plan")
            if kind == "country" and self._leads(doc, span):
                continue
            items.append(Item(span, span.start, kind, value))
            if kind == "place" and value in self.stands_for:
                items.append(Item(span, span.start, "country", self.stands_for[value]))
        for group in ("values", "dates"):
            for span in doc.spans.get(group, ()):
                ext = span._  # one accessor object, not a new one per attribute
                items.append(Item(span, span.start, span.label_, ext.value, ext.unit, ext.qualifier, ext.partial))
        return sorted(items, key=lambda i: i.start)

    def _leads(self, doc: Doc, span: Span) -> bool:
        """ "U.S.-led" / "بقيادة الولايات المتحدة": the country leads, it is not a member."""
        # Tokens, not a Span slice: this runs for every country named.
        after = {doc[i].norm_ for i in range(span.end, min(span.end + 2, len(doc)))}
        before = doc[span.start - 1].norm_ if span.start > 0 else ""
        return bool(self.led_after & after) or before in self.led_before

    def _sentence_claims(
        self,
        doc: Doc,
        sent: range,
        inside: list[Item],
        matches: list[tuple[str, int, int]],
        seen: list[Item],
        salience: Counter,
    ) -> Iterator[Span]:
        triggers = [_Trigger(k[2:], s, e, k.startswith("a|")) for k, s, e in matches if k[:2] in ("p|", "a|")]
        item_starts = {i.start for i in inside}  # an ambiguous trigger needs a mention right after it
        if all(t.ambiguous and t.end not in item_starts for t in triggers):
            return  # most sentences: no trigger, or only an "in" with no mention after it
        negated = {k[2:] for k, _, _ in matches if k.startswith("n|")}
        firm = [(k[2:], s, e) for k, s, e in matches if k.startswith("p|")]
        refers_back = any(k == "pron" for k, _, _ in matches)
        best: dict[tuple[str, int, str], tuple[int, Span]] = {}
        for trigger in _outermost(triggers):
            spec = self.predicates[trigger.predicate]
            if trigger.predicate in negated or (
                trigger.ambiguous
                and (trigger.end not in item_starts or not self._licensed(trigger, spec, firm, inside))
            ):
                continue
            for value in self._values(spec, trigger, inside, seen, salience):
                if trigger.ambiguous and value.start != trigger.end:
                    continue  # an ambiguous trigger only takes the value right after it
                for subject in self._subjects(doc, spec, trigger, inside, seen if refers_back else [], value):
                    claim = self._claim(doc, sent, trigger, subject, value, inside, matches)
                    # Several triggers reaching one value: the nearest trigger decides.
                    key = (
                        trigger.predicate,
                        value.start,
                        str(subject.value) if trigger.predicate == "candidate_for" else "",
                    )
                    distance = min(abs(value.start - trigger.end), abs(value.span.end - trigger.start))
                    if key not in best or distance < best[key][0]:
                        best[key] = (distance, claim)
        for _, claim in best.values():
            yield claim

    def _licensed(self, trigger: _Trigger, spec: dict, firm: list[tuple[str, int, int]], inside: list[Item]) -> bool:
        """An ambiguous trigger counts right before its value ("worth $67 billion"); before a
        place ("in", "في"), only shortly after an unambiguous trigger of a licensing predicate
        ("opened ... in Kiryat Gat") and where its own predicate has no unambiguous trigger."""
        value_type = _VALUE_TYPES.get(str(spec.get("value")), spec.get("value"))
        if not any(i.start == trigger.end and i.type in (value_type, "org") for i in inside):
            return False
        if value_type != "place":
            return True
        if any(p == trigger.predicate for p, _, _ in firm):
            return False
        for p, _, e in firm:
            places_between = [i for i in inside if i.type == "place" and e <= i.start < trigger.end]
            if p in self.licensing and 0 <= trigger.start - e <= self.window and not places_between:
                return True  # the first place after "opened", not every "in" that follows
        return False

    # -- values and subjects --------------------------------------------------------------

    def _values(
        self, spec: dict, trigger: _Trigger, inside: list[Item], seen: list[Item], salience: Counter
    ) -> list[Item]:
        kind = spec.get("value")
        if kind == "entity":
            kinds = set(spec.get("value_kinds") or ())
            fits = [i for i in inside if i.type == "org" and self.org_kinds.get(str(i.value)) in kinds]
            if fits:
                return [_nearest(fits, trigger)]
            if not spec.get("value_fallback"):
                return []
            ranked = [org for org, _ in salience.most_common() if self.org_kinds.get(str(org)) in kinds]
            anchor = next((i for i in reversed(seen) if i.type == "org" and i.value in ranked[:1]), None)
            return [anchor] if anchor else []
        # A date missing only its year (`XXXX-10-20`, no publication date) still makes a claim.
        fits = [
            i
            for i in inside
            if i.type == _VALUE_TYPES.get(str(kind), kind)
            and (not i.partial or str(i.value).startswith("XXXX-") and len(str(i.value)) == 10)
        ]
        if kind == "place" and spec.get("value_kinds"):
            fits = [i for i in fits if self.place_kinds.get(str(i.value)) in spec["value_kinds"]]
        if kind == "quantity":
            units = set(spec.get("units") or ())
            fits = [i for i in fits if i.unit in units]
            return [i for i in fits if i.start >= trigger.start] or fits[-1:]
        after = [i for i in fits if i.start >= trigger.end]
        return [_nearest(after or fits, trigger)] if (after or fits) else []

    def _subjects(
        self, doc: Doc, spec: dict, trigger: _Trigger, inside: list[Item], seen: list[Item], value: Item
    ) -> list[Item]:
        """The nearest allowed subject in the sentence (every listed country for
        candidate_for), else, when the sentence refers back, the last one before it."""
        allowed = set(spec.get("subjects") or ())
        fits = [i for i in inside if self._may_be_subject(doc, i, allowed, value)]
        if spec.get("subject_before"):
            fits = [i for i in fits if i.span.end <= trigger.start]
            seen = []
        if trigger.predicate == "candidate_for":
            return [i for i in fits if i.type == "country" and i.start < trigger.start]
        # English names the actor before the verb, Arabic (verb first) after it.
        preferred = [i for i in fits if (i.start < trigger.start) == (self.lang == "en")]
        if preferred or fits:
            return [_nearest(preferred or fits, trigger)]
        earlier = [i for i in seen if self._may_be_subject(doc, i, allowed, value)]
        # "the officers have joined": people refer back to their country before any body.
        return ([i for i in earlier if i.type == "country"] or earlier)[-1:]

    def _may_be_subject(self, doc: Doc, item: Item, allowed: set[str], value: Item) -> bool:
        if item.type not in allowed or item.span == value.span or item.value == value.value:
            return False
        if item.type == "org" and self.org_kinds.get(str(item.value)) in self.not_subjects:
            return False
        return item.start == 0 or fold_text(doc[item.start - 1].text).lower() not in self.oblique

    # -- the claim -------------------------------------------------------------------------

    def _claim(
        self,
        doc: Doc,
        sent: range,
        trigger: _Trigger,
        subject: Item,
        value: Item,
        inside: list[Item],
        matches: list[tuple[str, int, int]],
    ) -> Span:
        in_sentence = [x for x in (subject, value) if x.start in sent]
        # "Civil-Military Coordination Center (CMCC) is ...": quote the name, not ") is".
        in_sentence += [
            i
            for i in inside
            if i.value == subject.value
            and i.type == subject.type
            and 0 < subject.start - i.span.end <= 2
            and doc[i.span.end].text == "("
        ]
        start = min([trigger.start, *(x.span.start for x in in_sentence)])
        end = max([trigger.end, *(x.span.end for x in in_sentence)])
        claim = Span(doc, start, end, label="claim")
        ext = claim._  # one accessor object, not a new one per attribute
        ext.subject = str(subject.value)
        ext.predicate = trigger.predicate
        ext.value, ext.derived = self._derived(value, trigger, inside, matches)
        ext.unit = value.unit
        ext.qualifier = value.qualifier if value.type == "quantity" else None
        ext.modality = _modality(matches, trigger)
        ext.as_of = _as_of(matches, inside, sent)
        ext.rule = f"trigger:{doc[trigger.start : trigger.end].text}"
        ext.confidence = 0.7 if trigger.ambiguous else 0.85
        if start < claim.start or end > claim.end:
            ext.rule += " (context)"
        return claim

    def _derived(
        self, value: Item, trigger: _Trigger, inside: list[Item], matches: list[tuple[str, int, int]]
    ) -> tuple[object, bool]:
        """A date preceded by "<duration> after" is shifted by the duration (derived)."""
        if value.type != "date":
            return value.value, False
        for key, start, _ in matches:
            if not key.startswith("o|") or not trigger.end <= start < value.start:
                continue
            duration = next((i for i in inside if i.type == "duration" and i.span.end == start), None)
            shifted = _shift(str(value.value), str(duration.value) if duration else "", key == "o|after")
            if shifted:
                return shifted, True
        return value.value, False


_VALUE_TYPES = {"date": "date", "place": "place", "money": "money", "duration": "duration"}


def _outermost(triggers: Iterable[_Trigger]) -> list[_Trigger]:
    """Triggers not contained in a longer one ("potential participation" over "participation")."""
    found = list(triggers)
    if len(found) < 2:
        return found
    # One sweep over distinct spans by (start, -end), not a pairwise test: a sentence of a
    # 10 MB line can hold 10^5 triggers. A span is inside a longer one exactly when an
    # earlier span in this order reaches as far.
    kept: set[tuple[int, int]] = set()
    reach = -1
    for start, end in sorted({(t.start, t.end) for t in found}, key=lambda se: (se[0], -se[1])):
        if end > reach:
            kept.add((start, end))
        reach = max(reach, end)
    return [t for t in found if (t.start, t.end) in kept]


def _nearest(items: list[Item], trigger: _Trigger) -> Item:
    return min(
        items, key=lambda i: (min(abs(i.start - trigger.end), abs(i.span.end - trigger.start)), i.start < trigger.start)
    )


def _modality(matches: list[tuple[str, int, int]], trigger: _Trigger) -> str:
    cues = {k[2:] for k, s, _ in matches if k.startswith("m|") and s < trigger.end}
    return next((m for m in _MODALITY_ORDER if m in cues), "asserted")


def _as_of(matches: list[tuple[str, int, int]], inside: list[Item], sent: range) -> str | None:
    for key, _, end in matches:
        if key == "asof":
            found = next((i for i in inside if i.type == "date" and i.start == end and not i.partial), None)
            if found:
                return str(found.value)
    return None


def _shift(iso: str, duration: str, forward: bool) -> str | None:
    """`2025-10-13` shifted by `P5D` (days, weeks; months/years as 30/365 days are not exact:
    only D and W are applied)."""
    if len(iso) != 10 or not duration.startswith("P") or duration[-1] not in "DW":
        return None
    try:
        amount = float(duration[1:-1]) * (7 if duration[-1] == "W" else 1)
        day = date.fromisoformat(iso)
    except ValueError:
        return None
    return (day + timedelta(days=amount if forward else -amount)).isoformat()


def _sentences(doc: Doc) -> Iterator[range]:
    """The token ranges of the doc's sentences, an over-long one (a huge line without a full
    stop) in windows: a sentence's cost grows with the cube of its mentions, a window's is bounded."""
    for sent in _whole_sentences(doc):
        for start in range(sent.start, sent.stop, _MAX_SENTENCE_TOKENS):
            yield range(start, min(start + _MAX_SENTENCE_TOKENS, sent.stop))


def _whole_sentences(doc: Doc) -> Iterator[range]:
    """The doc's sentences when set (run.py sets them from the stored layout), else by punctuation."""
    if doc.has_annotation("SENT_START"):
        # Read from one array, as `doc.sents` reads them, without making a Span per sentence.
        starts = [0, *(numpy.flatnonzero(doc.to_array(SENT_START)[1:] == 1) + 1).tolist()]
        yield from map(range, starts, [*starts[1:], len(doc)])
        return
    start = 0
    for token in doc:
        if token.text in _SENTENCE_END or "\n" in token.text:
            if token.i + 1 > start:
                yield range(start, token.i + 1)
            start = token.i + 1
    if start < len(doc):
        yield range(start, len(doc))
