"""Our spaCy components, all registered here with `Language.factory`."""

from __future__ import annotations

from operator import itemgetter

import numpy
from spacy.attrs import NORM, ORTH
from spacy.language import Language
from spacy.strings import StringStore
from spacy.tokens import Doc, Span, Token

from ..normalize import fold, fold_text
from .claims import ClaimFinder
from .dates import DateFinder
from .gazetteer import Gazetteer
from .memo import StringMemo
from .people import PeopleFinder
from .pipeline import strip_proclitic
from .profile import registered
from .quantities import QuantityFinder

_CACHE_LIMIT = 200_000  # distinct token strings remembered per normalizer
CLITICS = "cmcc_clitics"  # doc.user_data key: token index -> proclitic length


class Normalizer:
    """Sets NORM (folded, lower-cased, Arabic proclitic removed) for every token.

    Works on arrays of string ids, not Token objects: NORM is written with one
    `from_array`, and proclitic lengths go to `doc.user_data` (read by `token._.clitic`).
    """

    def __init__(self, lang: str, profile_key: str) -> None:
        self.lang = lang
        self.profile_key = profile_key
        self.lexicon = registered(profile_key).arabic_lexicon if lang == "ar" else frozenset()
        self._ids = StringMemo(self._normalize_id, _CACHE_LIMIT)  # ORTH id -> (NORM id, proclitic length)

    def __call__(self, doc: Doc) -> Doc:
        if not len(doc):
            return doc
        # One lookup per token and one array built at the end: this runs on every token.
        found = list(map(self._ids.of(doc.vocab.strings).__getitem__, doc.to_array(ORTH).tolist()))
        norms = numpy.fromiter(map(itemgetter(0), found), dtype="uint64", count=len(found)).reshape(-1, 1)
        doc.from_array([NORM], norms)  # type: ignore[arg-type]  # a numpy array is what Ints2d is
        doc.user_data[CLITICS] = {i: f[1] for i, f in enumerate(found) if f[1]} if self.lang == "ar" else {}
        return doc

    def _normalize_id(self, strings: StringStore, orth: int) -> tuple[int, int]:
        norm, clitic = self._normalize(strings[orth])
        return strings.add(norm), clitic

    def _normalize(self, text: str) -> tuple[str, int]:
        folded = fold_text(text).lower()
        if self.lang != "ar":
            return folded, 0
        return strip_proclitic(folded, self.lexicon)


@Language.factory("cmcc_normalizer", default_config={"profile": ""})
def make_normalizer(nlp: Language, name: str, profile: str) -> Normalizer:
    """Factory of the normalizer component."""
    return Normalizer(nlp.lang or "en", profile)


@Language.factory("cmcc_gazetteer", default_config={"profile": ""})
def make_gazetteer(nlp: Language, name: str, profile: str) -> Gazetteer:
    """Factory of the country/organisation/place matcher (doc.spans["entities"])."""
    return Gazetteer(nlp, profile)


@Language.factory("cmcc_people", default_config={"profile": ""})
def make_people(nlp: Language, name: str, profile: str) -> PeopleFinder:
    """Factory of the person finder (doc.spans["people"])."""
    return PeopleFinder(nlp, profile)


@Language.factory("cmcc_quantities", default_config={"profile": ""})
def make_quantities(nlp: Language, name: str, profile: str) -> QuantityFinder:
    """Factory of the quantity, money and duration finder (doc.spans["values"])."""
    return QuantityFinder(nlp, profile)


@Language.factory("cmcc_dates", default_config={"profile": ""})
def make_dates(nlp: Language, name: str, profile: str) -> DateFinder:
    """Factory of the date finder (doc.spans["dates"])."""
    return DateFinder(nlp, profile)


@Language.factory("cmcc_claims", default_config={"profile": ""})
def make_claims(nlp: Language, name: str, profile: str) -> ClaimFinder:
    """Factory of the claim assembler (doc.spans["claims"]); runs last."""
    return ClaimFinder(nlp, profile)


def token_start(token: Token) -> int:
    """Character offset where a token's word starts, after any stripped proclitic."""
    if not token._.clitic:
        return token.idx
    return token.idx + fold(token.text).to_original(token._.clitic)


def span_offsets(span: Span) -> tuple[int, int]:
    """Character offsets of a span's evidence (an Arabic proclitic is not part of the quote)."""
    # `span[0]._.clitic`, read where the normalizer put it: this runs for every mention, and
    # most spans (every English one) start with no proclitic.
    if not span.doc.user_data.get(CLITICS, {}).get(span.start):
        return span.start_char, span.end_char
    return token_start(span[0]), span.end_char
