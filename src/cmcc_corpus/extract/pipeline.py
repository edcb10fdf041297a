"""spaCy pipelines per language: `spacy.blank` plus our components, built once per process.

Components (registered with `Language.factory` in `components.py`) match on token
attributes: the normalizer sets `NORM` to the folded, lower-cased form (Arabic with a
proclitic removed when that yields a profile word) so the stored text and its offsets
are never touched.
"""

from __future__ import annotations

import gc
from collections.abc import Callable
from functools import cache

import spacy
from spacy.language import Language
from spacy.tokenizer import Tokenizer
from spacy.tokens import Doc, Span, Token
from spacy.util import compile_infix_regex, compile_prefix_regex, compile_suffix_regex

from .. import heap
from ..normalize import fold_text
from ..profile import data_file
from .profile import Profile, registered

PIPELINE_VERSION = "3"  # bump when extraction output changes, so `extract --all` is needed
COMPONENTS = ("cmcc_normalizer", "cmcc_gazetteer", "cmcc_people", "cmcc_quantities", "cmcc_dates", "cmcc_claims")

_FOLDED: dict[str, str] = {}

_BUILDS = {"before_reset": 0}  # pipelines built before the last reset_pipelines


def folded_text(text: str) -> str:
    """Folded, lower-cased text with clitics kept (remembered per process)."""
    found = _FOLDED.get(text)
    if found is None:
        found = fold_text(text).lower()
        if len(_FOLDED) < 200_000:
            _FOLDED[text] = found
    return found


def _folded(token: Token) -> str:
    return folded_text(token.text)


def _get_clitic(token: Token) -> int:
    return int(token.doc.user_data.get("cmcc_clitics", {}).get(token.i, 0))


def _set_clitic(token: Token, value: int) -> None:
    token.doc.user_data.setdefault("cmcc_clitics", {})[token.i] = value


if not Token.has_extension("folded"):
    Token.set_extension("folded", getter=_folded)
    # Characters of proclitic left out of the quote (set by the normalizer in doc.user_data).
    Token.set_extension("clitic", getter=_get_clitic, setter=_set_clitic)
    Doc.set_extension("published", default=None)  # ISO date, partial allowed: the reference date
    Doc.set_extension("source", default=None)  # the outlet, which corroborates its own name
    # Values found by our components, on the spans they put in doc.spans[...]:
    Span.set_extension("value", default=None)  # ISO date / number / ISO duration / canonical id
    Span.set_extension("unit", default=None)  # quantity unit (gold units) or ISO 4217 currency
    Span.set_extension("qualifier", default=None)  # exact, about, up_to, at_least, ...
    Span.set_extension("derived", default=False)
    Span.set_extension("partial", default=False)  # a date missing its year or day
    Span.set_extension("rule", default="")  # which rule produced it (evidence for analysts)
    Span.set_extension("confidence", default=1.0)
    Span.set_extension("en", default=None)  # English form of an Arabic person's name
    # Claims (doc.spans["claims"]): the span is the evidence, these are the triple.
    Span.set_extension("subject", default=None)
    Span.set_extension("predicate", default=None)
    Span.set_extension("modality", default="asserted")
    Span.set_extension("as_of", default=None)

# Arabic proclitics, longest first: conjunctions و ف, prepositions ب ل ك, and لل (ل + ال).
_PROCLITICS = (
    "وبال",
    "وال",
    "فال",
    "بال",
    "كال",
    "ولل",
    "فلل",
    "لل",
    "وب",
    "ول",
    "فب",
    "فل",
    "وك",
    "و",
    "ف",
    "ب",
    "ل",
    "ك",
)


def strip_proclitic(word: str, lexicon: frozenset[str]) -> tuple[str, int]:
    """The lexicon word under a proclitic (`للفاصل` -> `الفاصل`), and the clitic's length."""
    if word in lexicon:
        return word, 0
    return under_proclitic(word, lexicon)


def under_proclitic(word: str, lexicon: frozenset[str]) -> tuple[str, int]:
    """Like `strip_proclitic`, but a word of the lexicon is stripped too when the rest is one."""
    if len(word) < 3:
        return word, 0
    if word[0] in "وفبلك" and word[1:].replace(",", "").replace(".", "").isdigit():
        return word[1:], 1  # و20، ب200: a conjunction or preposition glued to a number
    for clitic in _PROCLITICS:
        if not word.startswith(clitic) or len(word) - len(clitic) < 2:
            continue
        rest = word[len(clitic) :]
        if clitic.endswith(("ال", "لل")):  # the article belongs to the word (لل: ل + ال)
            rest, kept = "ال" + rest, len(clitic) - 2
        else:
            kept = len(clitic)
        if rest in lexicon:
            return rest, kept
    return word, 0


def get_pipeline(lang: str, profile_key: str = "") -> Language:
    """The pipeline for `lang` ('ar' or anything else, read as English), built once."""
    return _pipeline("ar" if lang == "ar" else "en", profile_key)


def reset_pipelines() -> None:
    """Forget the built pipelines (and the vocabulary they grew); the next use builds anew."""
    _BUILDS["before_reset"] += _pipeline.cache_info().misses
    heap.release()  # a frozen pipeline would never be freed
    _pipeline.cache_clear()
    gc.collect()  # a pipeline and its components refer to each other


def pipelines_built() -> int:
    """How many pipelines this process has built."""
    return _BUILDS["before_reset"] + _pipeline.cache_info().misses


@cache  # behind get_pipeline: one key per pipeline, however the caller spells its arguments
def _pipeline(lang: str, profile_key: str) -> Language:
    with heap.loading():
        profile = registered(profile_key)
        nlp = blank(lang)
        import_components()
        for name in COMPONENTS:
            nlp.add_pipe(name, config={"profile": profile.key})
    return nlp


def annotate(lang: str, text: str, published: str | None = None, profile_key: str = "") -> Doc:
    """Run the whole pipeline over one text dated `published` (for tests and notebooks)."""
    nlp = get_pipeline(lang, profile_key)
    doc = nlp.make_doc(text)
    doc._.published = published
    return nlp(doc)


def import_components() -> None:
    """Register our factories (importing the module registers them with spaCy)."""
    from . import components  # noqa: F401


def blank(lang: str) -> Language:
    """`spacy.blank(lang)` with our tokenizer, built in place of spaCy's default one (building
    that one first and replacing it was a tenth of a second per pipeline)."""
    return spacy.blank(lang, config={"nlp": {"tokenizer": {"@tokenizers": _TOKENIZER}}})


_TOKENIZER = "cmcc_corpus.tokenizer.v1"


@spacy.registry.tokenizers(_TOKENIZER)
def _tokenizer_factory() -> Callable[[Language], Tokenizer]:
    return _tokenizer


def _tokenizer(nlp: Language) -> Tokenizer:
    """spaCy's tokenizer for the language, except: abbreviations stay whole (`Capt.`),
    `U.S.-led` splits, and so does `2025.` at a sentence end."""
    defaults = nlp.Defaults
    rules = dict(defaults.tokenizer_exceptions)
    if nlp.lang == "en":
        for abbr in data_file("layout")["abbreviations"]["en"]:
            for form in {abbr.capitalize() + ".", abbr.upper() + ".", abbr + "."}:
                if "." not in form[:-1]:
                    rules[form] = [{"ORTH": form}]
    infixes = [*(defaults.infixes or ()), r"(?<=\.)[-–](?=[A-Za-z\u0600-\u06ff])", r"[\[\]()]"]
    suffixes = [*(defaults.suffixes or ()), r"(?<=[0-9\u0660-\u0669\u06f0-\u06f9])\.", r"(?<=[\u0600-\u06ff])\."]
    return Tokenizer(
        nlp.vocab,
        rules=rules,
        prefix_search=compile_prefix_regex(defaults.prefixes).search if defaults.prefixes else None,
        suffix_search=compile_suffix_regex(suffixes).search,
        infix_finditer=compile_infix_regex(infixes).finditer,
        token_match=defaults.token_match,
        url_match=defaults.url_match,
    )


def profile_of(nlp: Language) -> Profile:
    """The profile a built pipeline's components use."""
    return registered(nlp.get_pipe("cmcc_normalizer").profile_key)  # type: ignore[attr-defined]
