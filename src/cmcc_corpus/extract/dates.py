"""Dates: explicit, numeric and relative to the publication date, in English and Arabic.

Two passes over token attributes, both built once per component from the profile data
(calendar.yaml, hedges_and_modality.yaml, numbers.yaml, quantities.yaml). A PhraseMatcher
on NORM (phrases of several words) and a lookup per NORM id (one word, digit shapes) tag
date words with their class in `token._.date_tag` (a phrase's later tokens get the class
plus `~`). A Matcher of date
grammar then runs over those tags, only where a date word is; `date_readers.py` reads each
match into an ISO value against `doc._.published` (`date_context.py` the matches only their
context makes dates: "on the 15th", "second Sunday", "the next day"). Of readable matches
that overlap, the longest wins; a day counted from another is then counted from the last
day found before it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace
from datetime import date, timedelta
from itertools import compress
from typing import Any

from spacy.attrs import NORM
from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.strings import StringStore
from spacy.tokens import Doc, Span, Token
from spacy.util import filter_spans
from spacy.vocab import Vocab

from ..normalize import fold_text
from .date_context import ContextReaders
from .date_readers import DATE_TAGS, DateReaders, Item, Reading, Ref, tag_at
from .memo import StringMemo
from .pipeline import strip_proclitic
from .profile import Profile, registered

if not Token.has_extension("date_tag"):
    # Read from one dict per doc (see tag_at): setting an extension on each tagged token is slow.
    Token.set_extension("date_tag", getter=lambda t: tag_at(t.doc, t.i))

_CLITIC = "(?:[وفبل])?"  # a proclitic glued to digits (و17 أكتوبر) is left out of the quote
_DIGIT = re.compile(r"\d")
_WORD_CACHE = 200_000  # distinct NORM ids whose one-word reading is remembered
_FULL_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_SHAPES = {
    "NUMDATE": r"(\d{1,4})([-/.])(\d{1,2})\2(\d{2,4})|(\d{1,2})/(\d{1,2}),(\d{2,4})",
    "DM": r"(\d{1,2})/(\d{1,2})",
    "NUM": r"(\d{1,4})(st|nd|rd|th)?[-./]?",
}
_PUNCT = {".": "P", "-": "P", "/": "P", ",": "C", "،": "C"}
_WORD_TAGS = {
    "on": "IN",
    "before": "BEFORE",
    "ago": "AGO",
    "after": "AFTER",
    "to": "TO",
    "from_now": "FROMNOW",
    "of": "OF",
    "the": "THE",
    "day": "DAYW",
    "year": "YW",
    "and": "AND",
    "month": "MW",
}
_REL_TAGS = {"days": "RD", "weeks": "RW", "months": "RM", "years": "RY"}
# Connectors that may open or close a grammar match but are not part of the quote.
_EDGE = {"P", "C", "THE", "OF", "IN", "BEFORE", "AGO", "AFTER", "TO", "DAYW", "AND", "YW", "MW"}
_JOINERS = {"P", "C", "THE", "OF", "IN", "BEFORE", "TO", "AND"}  # never a date on their own
_COUNT = "NUM|DAY|UNIT|DAYW|YW|MW|AND|C"
# Rule -> patterns over date tags: `A|B` either tag, `?` optional, `+` repeated; an `en:` or
# `ar:` prefix limits a pattern to one language. Rules listed first win a tie.
_GRAMMAR = {
    "calendar": [
        "WD|WDX? C? MON P? THE? DAY C? OF? YW? YEAR?",
        "WD|WDX? C? MDAY C? YEAR?",
        "YEAR P MDAY",
        "WD|WDX? C? THE? DAY P? OF? MW? MON P? C? OF? YW? YEAR?",
        "WD|WDX? C? DAY P? OF? MW? MON MOD",
    ],
    "numeric": ["NUMDATE", "DAY P DAY P DAY|YEAR", "YEAR P DAY P DAY", "DM", "DM C YEAR", "DM C DAY"],
    "range": ["DAY P|AND|TO|IN DAY P? OF? MW? MON", "MON DAY P|AND|TO|IN DAY", "ar:DAY DAY P? OF? MW? MON"],
    "nth_weekday": ["THE? DAY DAYW? WD|WDX OF|IN MW? MON|RM", "ar:WD DAY OF MW? MON|RM"],
    "day_of_month": ["THE? DAY OF RM"],
    "weekday_day": ["WD C? THE? IN? DAY"],
    "weekday": ["MOD? DAYW? WD MOD?", "MOD? DAYW WDX MOD?", "RW IN? DAYW? WD|WDX", "WD OF? RW"],
    "month": [
        "QUAL P? MW? MON C? YEAR?",
        "IN|BEFORE|AGO|AFTER MW? MON C? YEAR?",
        "MW? MON C? YEAR",
        "MW? MON MOD",
        "MOD MW? MON",
        "QUAL P? YEAR",
        "QYEAR",
    ],
    "offset": [
        f"en:{_COUNT}+ AGO|FROMNOW",
        f"en:{_COUNT}+ IN|BEFORE RD",
        f"ar:AGO|AFTER {_COUNT}+ FROMNOW?",
        f"ar:{_COUNT}+ FROMNOW",
    ],
    "period": ["RD", "RW", "RM", "RY", "QUAL P? RM|RY"],
    "ordinal_weekday": ["en:DAY WD", "ar:WD DAY"],
    "anchored": ["ANCH"],
    "bare_day": ["DAY"],
}
_KEEP = {"offset": {"AGO", "AFTER", "FROMNOW", "DAYW", "YW", "MW"}}  # edges quoted by a rule
_EDGES = {rule: _EDGE - _KEEP.get(rule, set()) for rule in _GRAMMAR}  # edges trimmed from a rule's match
_PRIORITY = {rule: i for i, rule in enumerate(_GRAMMAR)}
_GRAMMAR_CACHE = 50_000  # distinct tag sequences remembered per pipeline (a few hundred occur in practice)
_Found = dict[tuple[int, int] | None, tuple[int, str, Reading]]  # span -> (priority, rule, reading)
_Word = tuple[str, Any, str, bool]  # a one-word reading: tag, value, NORM text, whether a proclitic is left out


class DateFinder(DateReaders, ContextReaders):
    """Puts date spans (label `date`) with ISO values in doc.spans["dates"]."""

    def __init__(self, nlp: Language, profile_key: str) -> None:
        lang = self.lang = nlp.lang or "en"
        self.profile_key = profile_key
        profile = registered(profile_key)
        self.vocab = Vocab()
        self.lexicon = profile.arabic_lexicon if lang == "ar" else frozenset()
        self.tokenizer = nlp.tokenizer  # the pipeline's own: splits phrases as it splits texts
        self.phrases: dict[tuple[str, ...], tuple[str, Any]] = {}
        self.ambiguous: set[str] = set()
        self._load_words(profile)
        self._load_days(profile)
        self.units = self._units(profile)
        numbers = profile["numbers"]
        self.number_words = {
            key: int(n)
            for n, e in numbers["cardinals"].items()
            for w in e.get(lang) or []
            if " " not in w
            for key in (self._norm(w), "و" + fold_text(w))
        }  # وواحد
        self.number_words.update({self._norm(w): 1000 for w in numbers["scales"][1000].get(lang)})
        cues = profile["calendar"]["date_words"]
        blockers = profile["hedges_and_modality"].get("relative_blockers") or {}
        self.cues = {
            key: {self._norm(w) for w in cues.get(key, {}).get(lang) or []}
            for key in ("on_numeric", "month_only", "bare_day", "bare_ordinal", "count", "vague_after")
        }
        self.blockers = {
            side: {self._norm(w) for w in blockers.get(side, {}).get(lang) or []} for side in ("before", "after")
        }
        # A phrase of one word is looked up by its NORM id (see _tag); the matcher finds the longer ones.
        self.words = PhraseMatcher(self.vocab, attr="NORM")
        self.words.add("WORD", [self._phrase_doc(key) for key in self.phrases if len(key) > 1])
        self._joiner_norms = frozenset(
            self.vocab.strings.add(k[0]) for k, v in self.phrases.items() if len(k) == 1 and v[0] in _JOINERS
        )
        self.shape_res = self._shape_res()
        self._one_word = StringMemo(self._one_word_entry, _WORD_CACHE)
        self.grammar = Matcher(self.vocab)
        self._grammar_cache: dict[tuple[str, ...], list[tuple[str, int, int]]] = {}
        self._readers = {rule: getattr(self, f"_read_{rule}") for rule in _GRAMMAR}
        for rule, patterns in _GRAMMAR.items():
            self.grammar.add(
                rule, [_pattern(p.split(":")[-1]) for p in patterns if ":" not in p or p.startswith(lang + ":")]
            )

    # ---- the lexicon --------------------------------------------------------------------------

    def _tokens(self, phrase: str) -> tuple[str, ...]:
        """NORM of each token of a phrase, as the normalizer sets it (`Oct.` is one token)."""
        if phrase.endswith("."):
            return (phrase.lower(),)
        return self._norms(re.findall(r"\w+|[^\w\s]", phrase))

    def _norms(self, words: Iterable[str]) -> tuple[str, ...]:
        """Fold and lower-case words; strip an Arabic proclitic where the normalizer would."""
        folded = (fold_text(w).lower() for w in words)
        return tuple(strip_proclitic(w, self.lexicon)[0] if self.lang == "ar" else w for w in folded)

    def _norm(self, word: str) -> str:
        """NORM of a phrase as one string (`كانون 2`)."""
        return " ".join(self._tokens(word))

    def _add(self, tag: str, value: Any, phrase: str, ambiguous: bool = False) -> None:
        """Register a phrase as split by our regex and by spaCy's tokenizer ("Wed": We d)."""
        split = self._norms(t.text for t in self.tokenizer(phrase))
        for key in {self._tokens(phrase), () if phrase.endswith(".") else split}:
            if key and key not in self.phrases:  # the class listed first wins a shared phrase
                self.phrases[key] = (tag, value)
                if ambiguous:
                    self.ambiguous.add(" ".join(key))

    def _names(self, entry: dict) -> list[tuple[str, bool]]:
        """An entry's names in our language, each with whether it is an ambiguous alias."""
        flagged = {fold_text(str(a)).lower() for a in entry.get("ambiguous_aliases") or []}
        return [(str(w), fold_text(str(w)).lower() in flagged) for w in entry.get(self.lang) or []]

    def _load_words(self, profile: Profile) -> None:
        """Date words, relative dates, month and weekday names, modifiers, month parts."""
        cal, hedges = profile["calendar"], profile["hedges_and_modality"]
        for mark, tag in _PUNCT.items():
            self._add(tag, None, mark)
        for key, tag in _WORD_TAGS.items():
            for word in (cal["date_words"].get(key) or {}).get(self.lang) or []:
                self._add(tag, key, word)
        for entry in cal.get("anchored_days") or []:
            for word, _ in self._names(entry):
                self._add("ANCH", entry["days"], word)
        for entry in [*hedges["relative_dates"], *(cal.get("relative_shorthand") or [])]:
            unit = next(u for u in _REL_TAGS if u in entry)
            for word, amb in self._names(entry):
                self._add(_REL_TAGS[unit], entry[unit], word, amb)
        for n, entry in cal["months"].items():
            for word, amb in self._names(entry):
                self._add("MON", int(n), word, amb)
                if self.lang == "en":
                    self._add("MON", int(n), word + ".", amb)
        for n, entry in cal["weekdays"].items():
            for word, amb in self._names(entry):
                self._add("WDX" if amb else "WD", int(n), word)
                if self.lang == "en":
                    self._add("WDX", int(n), word + ".")
        for entry in hedges["weekday_modifiers"]:
            for word, _ in self._names(entry):
                self._add("MOD", entry["weeks"], word)
        for name, entry in cal["month_qualifiers"].items():
            for word, _ in self._names(entry):
                self._add("QUAL", name, word)

    def _load_days(self, profile: Profile) -> None:
        """Days of the month in words: ordinals, cardinals and their tens-unit compounds."""
        ordinals = {int(k): v.get(self.lang) or [] for k, v in profile["calendar"]["day_ordinals"].items()}
        cards = {int(k): v.get(self.lang) or [] for k, v in profile["numbers"]["cardinals"].items()}
        for kind, table in (("ord", ordinals), ("card", cards)):
            for n, words in table.items():
                for word in words:
                    self._add("DAY" if 1 <= n <= 31 else "NUM", (n, kind), word)
            for n in [*range(21, 30), 31]:
                tens, unit = divmod(n, 10)
                for phrase in self._compounds(table.get(unit, []), table, cards, tens * 10):
                    self._add("DAY", (n, kind), phrase)
        for n, entry in (profile["calendar"].get("vague_counts") or {}).items():
            for word in entry.get(self.lang) or []:
                self._add("NUM", (int(n), "few"), word)
        if self.lang == "en":  # "a month ago"
            for word in profile["numbers"].get("en_scale_articles") or []:
                self._add("NUM", (1, "card"), word)

    def _compounds(self, units: list[str], table: dict, cards: dict, tens: int) -> list[str]:
        """`twenty-first`, `twenty one`; الحادي والعشرين, واحد وعشرين (و glued or apart)."""
        if self.lang == "en":
            return [f"{t}{sep}{u}" for t in cards.get(tens, []) for u in units for sep in (" ", " - ")]
        return [f"{u}{sep}{t}" for u in units for t in table.get(tens, []) for sep in (" و", " و ")]

    def _units(self, profile: Profile) -> dict[str, tuple[str, int, bool]]:
        """NORM of a duration word -> (D/W/M/Y, count it stands for, usable without a number).

        Arabic duals carry their count (يومين = 2 days) and a singular stands for one (قبل
        شهر); a bare plural ("months ago", قبل أشهر) is vague, not a date.
        """
        units: dict[str, tuple[str, int, bool]] = {}
        for entry in profile["quantities"]["duration_units"].values():
            if entry.get("time") or entry.get("designator") not in ("D", "W", "M", "Y"):
                continue
            for field, count in ((self.lang, 1), (f"{self.lang}_dual", 2)):
                for i, word in enumerate(entry.get(field) or []):  # the singular comes first
                    times, bare = count * entry.get("multiplier", 1), i == 0 or count == 2
                    units.setdefault(self._norm(word), (entry["designator"], times, bare))
                    self._add("UNIT", None, word)
        return units

    def _phrase_doc(self, key: tuple[str, ...]) -> Doc:
        """A PhraseMatcher pattern whose tokens carry the NORM `key`."""
        doc = Doc(self.vocab, words=list(key))
        for token, norm in zip(doc, key, strict=True):
            token.norm_ = norm
        return doc

    def _shape_res(self) -> dict[str, re.Pattern[str]]:
        """Digit shapes; a month glued to a day (`Oct-2`, `28-نوفمبر`), a part (`mid-2024`)."""

        def names(tag: str) -> str:
            found = {k[0].rstrip(".") for k, v in self.phrases.items() if v[0] == tag and len(k) == 1}
            return "|".join(sorted(map(re.escape, found), key=len, reverse=True))

        shape_res = {tag: re.compile(_CLITIC + f"(?:{rx})") for tag, rx in _SHAPES.items()}
        mon = names("MON")
        shape_res["MDAY"] = re.compile(rf"(?P<m1>{mon})[-/.]?(?P<d1>\d{{1,2}})|(?P<d2>\d{{1,2}})[-/.]?(?P<m2>{mon})")
        shape_res["QYEAR"] = re.compile(rf"(?P<q>{names('QUAL')})-(?P<y>\d{{4}})")
        return shape_res

    def _one_word_entry(self, strings: StringStore, norm: int) -> _Word | None:
        """What one token with this NORM id is alone: a date word that is not a joiner, else a
        digit shape (a word wins a token that is both), else nothing. Every shape holds a
        digit, so only such words are tried against the regexes."""
        text = strings[norm]
        if (word := self.phrases.get((text,))) is not None and word[0] not in _JOINERS:
            return (*word, text, False)
        if not _DIGIT.search(text):
            return None
        label, m = next(((k, m) for k, rx in self.shape_res.items() if (m := rx.fullmatch(text))), ("", None))
        if m is None:
            return None
        return (*self._shape_value(label, m), text, m.start(m.lastindex or 0) > 0)  # و17: quote 17 only

    # ---- tagging ------------------------------------------------------------------------------

    def _tag(self, doc: Doc) -> dict[int, Item]:
        """Record the tag of every date word of `doc` (read by `tag_at`, `token._.date_tag`); its items by token index.

        Joiners (of, the, commas) are kept only within three tokens of another date word:
        in a long text they are everywhere and never a date on their own.
        """
        # Python ints, not a numpy array: indexing an array per match costs more than the list.
        strings, norms = doc.vocab.strings, doc.to_array(NORM).tolist()
        items: dict[int, Item] = {}
        for _, start, end in sorted(self.words(doc), key=lambda m: (m[1] - m[2], m[1])):  # longest first
            if not any(i in items for i in range(start, end)):
                key = tuple(strings[n] for n in norms[start:end])
                items.update(dict.fromkeys(range(start, end), Item(*self.phrases[key], " ".join(key), start, end)))
        # One lookup per token (a loop in C), then Python only where a date word or shape is.
        words = list(map(self._one_word.of(strings).__getitem__, norms))
        for i in compress(range(len(norms)), words):
            if i not in items:
                tag, value, text, clitic = words[i]  # type: ignore[misc]
                if clitic and not (token := doc[i])._.clitic:
                    token._.clitic = len(token.text) - len(token.text.lstrip("وفبل"))
                items[i] = Item(tag, value, text, i, i + 1)
        near = {j for i, item in items.items() if item.tag not in _JOINERS for j in range(i - 3, i + 4)}
        items = {i: item for i, item in items.items() if i in near}
        # A one-word joiner can only take its own token: it is decided last, and only near a date word.
        joiners = compress(range(len(norms)), map(self._joiner_norms.__contains__, norms))
        for i in near.intersection(joiners).difference(items):
            text = strings[norms[i]]
            items[i] = Item(*self.phrases[(text,)], text, i, i + 1)
        items = dict(sorted(items.items()))
        doc.user_data[DATE_TAGS] = {i: item.tag if i == item.start else item.tag + "~" for i, item in items.items()}
        return items

    def _runs(self, items: dict[int, Item]) -> list[tuple[int, int]]:
        """Runs of tagged tokens holding more than joiners: the only places dates can be."""
        starts = [i for i in items if i - 1 not in items]  # items are in token order
        ends = [i + 1 for i in items if i + 1 not in items]
        dated = {i for i, item in items.items() if item.tag not in _JOINERS}
        return [(s, e) for s, e in zip(starts, ends, strict=True) if not dated.isdisjoint(range(s, e))]

    def _grammar_matches(self, runs: list[tuple[int, int]], tags: dict[int, str]) -> list[tuple[str, int, int]]:
        """Grammar matches (rule, start, end) over each run's date tags, read as the words of a
        Doc (the grammar matches their ORTH). Runs repeat the same few tag sequences across
        articles ("MONTH DAY , YEAR"), so each distinct sequence is matched once and its matches reused."""
        found: list[tuple[str, int, int]] = []
        for start, end in runs:
            key = tuple(map(tags.__getitem__, range(start, end)))
            matches = self._grammar_cache.get(key)
            if matches is None:
                if len(self._grammar_cache) >= _GRAMMAR_CACHE:
                    self._grammar_cache.clear()
                words = Doc(self.vocab, words=list(key))
                matches = [(self.vocab.strings[m], s, e) for m, s, e in self.grammar(words)]
                self._grammar_cache[key] = matches
            found += [(rule, start + s, start + e) for rule, s, e in matches]
        return found

    def _shape_value(self, label: str, m: re.Match[str]) -> tuple[str, Any]:
        """Tag and value of a digit shape: a year, a day, another number, a numeric date."""
        g, groups = m.groupdict(), [x for x in m.groups() if x]
        if label == "MDAY":
            return label, (self.phrases[(g["m1"] or g["m2"],)][1], int(g["d1"] or g["d2"]))
        if label == "QYEAR":
            return label, (self.phrases[(g["q"],)][1], int(g["y"]))
        numbers = [int(x) for x in groups if x.isdigit()]
        if label == "NUMDATE" and m.group(5) and numbers[0] <= 12:  # `08/12,2015`: US order
            numbers[:2] = numbers[1], numbers[0]
        if label in ("NUMDATE", "DM"):
            return label, tuple(numbers)
        n, digits, suffix = numbers[0], len(groups[0]), m.group(2)
        if digits == 4 and 1000 <= n <= 2999 and not suffix:
            return "YEAR", n
        if 1 <= n <= 31 and digits <= 2:
            return "DAY", (n, "suffix" if suffix else "digit")
        return "NUM", (n, "digit")

    # ---- matching and reading -----------------------------------------------------------------

    def __call__(self, doc: Doc) -> Doc:
        """Find the dates of `doc` and put them in doc.spans["dates"]."""
        items, ref = self._tag(doc), Ref.parse(doc._.published)
        tags = doc.user_data[DATE_TAGS]
        found: _Found = {}
        for rule, start, end in self._grammar_matches(self._runs(items), tags):
            reading = self._read(doc, items, tags, rule, start, end, ref)
            if reading and (reading.span not in found or _PRIORITY[rule] < found[reading.span][0]):
                found[reading.span] = (_PRIORITY[rule], rule, reading)  # ties: rule listed first
        doc.spans["dates"] = self._spans(doc, items, found)
        return doc

    def _spans(self, doc: Doc, items: dict[int, Item], found: _Found) -> list[Span]:
        """The longest readings as spans, in text order; `the next day` counts from the last
        full day before it (else from publication, as read); empty readings are vetoes."""
        kept, last_day = [], None
        for span in filter_spans([Span(doc, *key, label="date") for key in found if key]):
            _, rule, reading = found[(span.start, span.end)]
            if rule == "anchored" and last_day:
                value = date.fromisoformat(last_day) + timedelta(items[span.start].value)
                reading = replace(reading, value=value.isoformat(), confidence=0.7)
            if not reading.value:
                continue  # the 31st of a 30-day month (not even its month); a next day with no day before
            ext = span._  # one accessor object, not a new one per attribute
            ext.value, ext.partial = reading.value, reading.partial
            ext.rule, ext.confidence = f"date:{rule}", reading.confidence
            ext.qualifier = reading.qualifier
            kept.append(span)
            last_day = reading.value if _FULL_DAY.fullmatch(reading.value) else last_day
        return kept

    def _read(
        self, doc: Doc, items: dict[int, Item], tags: dict[int, str], rule: str, start: int, end: int, ref: Ref
    ) -> Reading | None:
        """Read one grammar match: trim connectors, interpret, check it is not in a path."""
        if tags.get(start, "").endswith("~") or tags.get(end, "").endswith("~"):
            return None  # the match cuts a phrase in two
        # Every token of a match is tagged, and no phrase is cut: each phrase once, by its first token.
        parts = [item for i in range(start, end) if (item := items[i]).start == i]
        edges = _EDGES[rule]
        while parts and parts[0].tag in edges:
            parts.pop(0)
        while parts and parts[-1].tag in edges:
            parts.pop()
        reading = self._readers[rule](doc, parts, ref) if parts else None
        if reading is None:
            return None
        span = reading.span or (parts[0].start, parts[-1].end)
        return None if _glued(doc, doc[span[0] : span[1]]) else replace(reading, span=span)


def _pattern(spec: str) -> list[dict[str, Any]]:
    """Matcher tokens for one grammar pattern: each tag set, then its phrase's later tokens."""
    tokens: list[dict[str, Any]] = []
    for part in spec.split():
        op, tags = part[-1] if part[-1] in "?+" else "", part.rstrip("?+").split("|")
        later = [t + "~" for t in tags]
        if op == "+":
            tokens.append({"ORTH": {"IN": tags + later}, "OP": "+"})
            continue
        tokens.append({"ORTH": {"IN": tags}, **({"OP": op} if op else {})})
        tokens.append({"ORTH": {"IN": later}, "OP": "*"})
    return tokens


def _glued(doc: Doc, span: Span) -> bool:
    """Whether a match is part of a URL, a file path or a longer word (`/2025/11/25/`)."""
    prev, last = doc[span.start - 1] if span.start else None, span[-1]
    before = prev.text[-1] if prev is not None and not prev.whitespace_ else " "
    after = doc[span.end].text[0] if span.end < len(doc) and not last.whitespace_ else " "
    return any(c in "/\\_" or c.isalnum() for c in (before, after))
