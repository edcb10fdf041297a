"""People: known figures from the profile, and names found by cues in either language.

A name starts at a given name from the profile (Arabic has no capitals to go by), right
after a title ("Capt.", "الخبير العسكري"), in a byline, or in a photo credit, and runs
over name-like tokens. Later short references ("Hawkins", "وذكرت السعدي") resolve to the
full name the article used first.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

import numpy
from spacy.attrs import IS_SPACE, NORM, ORTH
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span, Token

from ..normalize import fold_text
from ..profile import data_file
from .profile import registered

# Harakat and tatweel only: unlike NORM, alef maqsura stays distinct (على "on" is not علي).
_LIGHT = re.compile("[\u064b-\u065f\u0670\u0640]")
_MAX_NAME = 4
_BYLINE_REACH = 6  # a byline's "|" comes within this many tokens of its first name word
_STOP = frozenset(".,;:!?،؛؟|/()[]\"'“”‘’«»—–-\n")


_ALEFS = str.maketrans("أإآٱ", "اااا")


@lru_cache(maxsize=100_000)
def light(text: str) -> str:
    """Diacritics and tatweel removed, alef forms unified, nothing else folded."""
    return _LIGHT.sub("", text).translate(_ALEFS).lower()


@dataclass(frozen=True)
class _Lists:
    given: frozenset[str]
    particles: frozenset[str]
    not_names: frozenset[str]
    speech: frozenset[str]
    function: frozenset[str] = frozenset()


class PeopleFinder:
    """Puts person spans in doc.spans["people"], `_.value` the full name, `_.en` its English form."""

    def __init__(self, nlp: Language, profile_key: str) -> None:
        self.lang = "ar" if nlp.lang == "ar" else "en"
        data = registered(profile_key)["people"] or {}
        lang = self.lang
        self.lists = _Lists(
            given=frozenset(light(n) for n in (data.get("given_names") or {}).get(lang, ())),
            particles=frozenset(light(n) for n in (data.get("name_particles") or {}).get(lang, ())),
            not_names=frozenset(
                light(n)
                for n in [*(data.get("not_names") or {}).get(lang, ()), *data_file("layout")["byline_prefixes"][lang]]
            ),
            speech=frozenset(fold_text(n).lower() for n in (data.get("speech_verbs") or {}).get(lang, ())),
            function=frozenset(light(n) for n in (data.get("function_words") or {}).get(lang, ())),
        )
        given = self.lists.given
        self.given_flag = nlp.vocab.add_flag(lambda text: light(text) in given)
        # Besides a given name, what may start a name: in English a capital (IS_TITLE or
        # IS_UPPER as one flag: every attribute is one more pass of `to_array`), in Arabic
        # the first word of a line (the word after whitespace).
        capital = nlp.vocab.add_flag(lambda text: text.istitle() or text.isupper()) if lang == "en" else IS_SPACE
        self.start_attrs = [ORTH, capital, self.given_flag]
        self.bracket, self.bar = nlp.vocab.strings.add("["), nlp.vocab.strings.add("|")
        normalizer = nlp.get_pipe("cmcc_normalizer")
        self.titles = PhraseMatcher(nlp.vocab, attr="NORM")
        self.titles.add("title", [normalizer(nlp.make_doc(t)) for t in (data.get("titles") or {}).get(lang, ())])
        self.known = PhraseMatcher(nlp.vocab, attr="NORM")
        self.known_names: dict[int, tuple[str, str]] = {}
        for name, entry in (data.get("known") or {}).items():
            ambiguous = set(entry.get("ambiguous_aliases") or ())
            aliases = [a for a in entry.get(lang) or () if a not in ambiguous]
            if not aliases:
                continue
            key = nlp.vocab.strings.add(f"person|{name}")
            display = name if lang == "en" else str((entry.get("ar") or [name])[0])
            self.known_names[key] = (display, str(name))
            self.known.add(f"person|{name}", [normalizer(nlp.make_doc(a)) for a in aliases])

    def __call__(self, doc: Doc) -> Doc:
        taken = _token_set(doc.spans.get("entities", ()))
        found = list(self._known(doc)) + list(self._cued(doc, taken))
        found = _longest(found)
        found += list(self._later_references(doc, found, taken))
        doc.spans["people"] = sorted(found, key=lambda s: s.start)
        return doc

    def _known(self, doc: Doc) -> Iterator[Span]:
        for match_id, start, end in self.known(doc):
            if self.lang == "en" and not doc[start].text[:1].isupper():
                continue
            display, english = self.known_names[match_id]
            yield _person(doc, start, end, display, english, "known person", 1.0)

    def _cued(self, doc: Doc, taken: set[int]) -> Iterator[Span]:
        titles = self.titles(doc)
        title_ends = {end for _, _, end in titles}
        in_title = {i for _, start, end in titles for i in range(start, end)}
        for i in self._candidates(doc, title_ends):
            token = doc[i]
            if token.i in taken or token.i in in_title or not self._starts_name(token, token.i in title_ends):
                continue
            end = self._name_end(doc, token.i, taken, forced=token.i in title_ends or _credit(token))
            if end - token.i >= 2 or (end > token.i and token.i in title_ends and self.lang == "en"):
                yield _person(doc, token.i, end, _name_text(doc[token.i : end]), None, "name cue", 0.8)

    def _candidates(self, doc: Doc, title_ends: set[int]) -> list[int]:
        """Token indexes that may start a name, found on arrays (not Token objects):
        English capitalized words; Arabic given names; anything after a title, "[" or "|"."""
        if not len(doc):
            return []
        # Whole-array tests (numpy), not a loop over tokens: this runs over every token.
        orth, mark, given = doc.to_array(self.start_attrs).T
        if self.lang == "en":
            starts = mark
        else:  # a given name or the word after whitespace; Arabic bylines: the first word of a line ending in "|"
            starts = given.copy()
            starts[1:] |= mark[:-1]
            starts[0] = 1
        # Outside a title, a name starts with a given name, a credit ("[" before) or a byline
        # ("|" within the next words): the same test `_starts_name` makes, on whole arrays.
        bar = orth == self.bar
        opener = bar | (orth == self.bracket)
        if not opener.any():  # most texts: no credit, no byline: given names only
            starts &= given
        else:
            after_opener = numpy.zeros_like(starts)
            after_opener[1:] = opener[:-1]
            bars = numpy.concatenate(([0], numpy.cumsum(bar)))
            at = numpy.arange(len(doc))
            near_bar = bars[numpy.minimum(at + _BYLINE_REACH, len(doc))] > bars[at]
            starts = (starts | after_opener) & (given | after_opener | near_bar)
        found = title_ends.union(numpy.flatnonzero(starts).tolist())
        return sorted(i for i in found if i < len(doc))  # a title may be the last token

    def _starts_name(self, token: Token, after_title: bool) -> bool:
        if self.lang == "en" and not token.text[:1].isupper():
            return False
        word = light(token.text)
        if word in self.lists.not_names or word in self.lists.function:
            return False
        if self.lang == "ar" and token._.clitic and word not in self.lists.given:
            return False
        return after_title or word in self.lists.given or _credit(token) or _byline(token)

    def _name_end(self, doc: Doc, start: int, taken: set[int], forced: bool) -> int:
        """Index past the last name-like token from `start` (at most four name words)."""
        end, words = start, 0
        while end < len(doc) and words < _MAX_NAME and end not in taken:
            token = doc[end]
            if token.text in _STOP or token.is_space or token.like_num:
                if token.text == "-" and end > start and light(doc[end - 1].text) in self.lists.particles:
                    end += 1  # al-Saadi: the hyphen after a particle belongs to the name
                    continue
                break
            if end > start and not self._continues(token, forced):
                break
            end += 1
            words += light(token.text) not in self.lists.particles
        return end

    def _continues(self, token: Token, forced: bool) -> bool:
        word = light(token.text)
        if word in self.lists.not_names or fold_text(token.text).lower() in self.lists.speech:
            return False
        if word in self.lists.function or (self.lang == "ar" and token._.clitic):
            return False  # "جو أليفا لنادي": a preposition glued to the next word ends the name
        if self.lang == "en":
            return token.text[:1].isupper() or word in self.lists.particles
        if forced or word in self.lists.given or word in self.lists.particles:
            return True
        return word.startswith("ال") and word.endswith("ي") and len(word) > 4  # nisba: السعدي

    def _later_references(self, doc: Doc, found: list[Span], taken: set[int]) -> Iterator[Span]:
        """A surname alone refers to the full name found earlier in the article."""
        surnames = {light(s[-1].text): s for s in found if len(s) >= 2}
        if not surnames:
            return
        by_norm = {doc[s.end - 1].norm for s in surnames.values()}
        covered = _token_set(found)
        for i, norm in enumerate(doc.to_array(NORM).tolist()):
            if norm not in by_norm:
                continue  # NORM is coarser than `light`: a cheap first filter
            token = doc[i]
            full = surnames.get(light(token.text))
            if full is None or token.i in covered or token.i in taken or token.i < full.start:
                continue
            if self.lang == "en" and not token.text[:1].isupper():
                continue
            if self.lang == "ar" and not self._spoken_of(doc, token):
                continue
            yield _person(doc, token.i, token.i + 1, full._.value, full._.en, "later reference", 0.7)

    def _spoken_of(self, doc: Doc, token: Token) -> bool:
        """Arabic short references need a speech verb just before ("وأردف علي")."""
        before = doc[max(token.i - 2, 0) : token.i]
        return any(t.norm_ in self.lists.speech or t._.folded in self.lists.speech for t in before)


def _person(doc: Doc, start: int, end: int, value: str, english: str | None, rule: str, confidence: float) -> Span:
    span = Span(doc, start, end, label="person")
    ext = span._  # one accessor object, not a new one per attribute
    ext.value, ext.en, ext.rule, ext.confidence = value, english, rule, confidence
    return span


def _name_text(span: Span) -> str:
    return re.sub(r"\s+", " ", span.text).strip()


def _credit(token: Token) -> bool:
    """First word of a photo credit: `[Eyad Baba/AFP]`."""
    return (
        token.i > 0
        and token.doc[token.i - 1].text == "["
        and any(t.text == "/" for t in token.doc[token.i : token.i + 6])
    )


def _byline(token: Token) -> bool:
    """First word of a byline line ending in `|` ("By Noureddine Omar |", "نور الدين عمر |")."""
    doc = token.doc
    line_start = token.i == 0 or doc[token.i - 1].is_space or doc[token.i - 1].norm_ in {"by", "بقلم"}
    return line_start and any(t.text == "|" for t in doc[token.i : token.i + _BYLINE_REACH])


def _token_set(spans: object) -> set[int]:
    return {i for s in spans for i in range(s.start, s.end)}  # type: ignore[attr-defined]


def _longest(spans: list[Span]) -> list[Span]:
    spans = sorted(spans, key=lambda s: (-(s.end - s.start), s.start))
    kept: list[Span] = []
    used: set[int] = set()
    for span in spans:
        if not any(i in used for i in range(span.start, span.end)):
            kept.append(span)
            used.update(range(span.start, span.end))
    return kept
