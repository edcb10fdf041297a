"""Generate realistic English/Arabic corpora of any size from the sample (and ntrex-dev) articles.

Document i is a variant of a source article: its numbers, day/month dates and country names
are redrawn and some body paragraphs and sentences are reordered. Output is deterministic for
a seed, and no two generated documents have the same text.

    python -m benchmarks.generate OUT_DIR -n 10000 --seed 0
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import re
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "data" / "samples"
NTREX = Path(os.environ.get("CMCC_NTREX_DIR", REPO.parent / "shared" / "data" / "ntrex-dev"))
MANIFEST = "manifest.jsonl"
SHARD_SIZE = 1000
MAX_ATTEMPTS = 1000
PLAIN_ATTEMPTS = 3  # after these, a variant also gets a random credit line
HEAD_LINES = 3  # title, kicker and the like stay in place
MIN_PARAGRAPH_WORDS = 8  # shorter lines (headings, captions, credits) are never moved


def _split(names: str) -> tuple[str, ...]:
    """A word list written as one `|`-separated string."""
    return tuple(names.split("|"))


EN_MONTHS = _split("January|February|March|April|May|June|July|August|September|October|November|December")
AR_MONTHS = _split("يناير|فبراير|مارس|أبريل|مايو|يونيو|يوليو|أغسطس|سبتمبر|أكتوبر|نوفمبر|ديسمبر")
AR_LEVANT_MONTHS = _split("كانون الثاني|شباط|آذار|نيسان|أيار|حزيران|تموز|آب|أيلول|تشرين الأول|تشرين الثاني|كانون الأول")
EN_COUNTRIES = _split(
    "Indonesia|Azerbaijan|Egypt|Qatar|Turkey|United Arab Emirates|Pakistan|Jordan|Saudi Arabia|"
    "Morocco|Bangladesh|Malaysia|Italy|France|Germany|United Kingdom|Canada|Spain|Greece|Cyprus|"
    "Denmark|Netherlands|Australia|Japan"
)
AR_COUNTRIES = _split(
    "إندونيسيا|أذربيجان|مصر|قطر|تركيا|الإمارات|باكستان|الأردن|السعودية|المغرب|بنغلاديش|ماليزيا|"
    "إيطاليا|فرنسا|ألمانيا|بريطانيا|كندا|إسبانيا|اليونان|قبرص|الدنمارك|هولندا|أستراليا|اليابان"
)
EN_NAMES = _split(
    "Sarah Miller|James Carter|Nadia Hassan|David Cohen|Omar Haddad|Emily Ross|Karim Nasser|"
    "Laura Bennett|Yusuf Demir|Anna Kowalski"
)
AR_NAMES = _split("سارة خليل|أحمد منصور|نادية حسن|عمر حداد|كريم ناصر|ليلى عباس|يوسف سالم|هدى فارس|سامي جابر|رنا عيسى")

# A number not inside a word, path or longer number: 1,200 / 3.5 / 14.
_NUMBER = r"(?<![\w/.,-])(?P<num>\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(?![\w/-]|[.,]\d)"
_SENTENCE_END = re.compile(r"(?<=[.!?؟])\s+(?=\S)")
_WORD = re.compile(r"\w+")


def _alternation(names: Sequence[str]) -> str:
    """A regex alternation of literal names, longest first."""
    return "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))


_EN_MONTH_FORMS = EN_MONTHS + tuple(m[:3] for m in EN_MONTHS)
_PATTERNS = {
    "en": re.compile(
        rf"(?P<month>{_alternation(_EN_MONTH_FORMS)})\s(?P<day>\d{{1,2}})(?!\d)"
        rf"|(?<!\w)(?P<pre>)(?P<country>{_alternation(EN_COUNTRIES)})(?!\w)|{_NUMBER}"
    ),
    "ar": re.compile(
        rf"(?<!\d)(?P<day>\d{{1,2}})\s(?P<month>{_alternation(AR_MONTHS)})(?P<levant>/(?:{_alternation(AR_LEVANT_MONTHS)}))?"
        rf"|(?<!\w)(?P<pre>[وبل]?)(?P<country>{_alternation(AR_COUNTRIES)})(?!\w)|{_NUMBER}"
    ),
}
_COUNTRIES = {"en": EN_COUNTRIES, "ar": AR_COUNTRIES}


@dataclass(frozen=True)
class Source:
    """A source article and its manifest metadata."""

    file: str
    text: str
    lang: str
    source: str | None = None
    published: str | None = None


class Doc(NamedTuple):
    """A generated document: relative path, text, language and the source's metadata."""

    name: str
    text: str
    lang: str
    source: str | None
    published: str | None


@dataclass
class CorpusStats:
    """Counts of a generated corpus (words are `\\w+` matches)."""

    documents: int = 0
    words: int = 0
    chars: int = 0
    documents_by_lang: Counter[str] = field(default_factory=Counter)

    def add(self, doc: Doc) -> None:
        """Count one document."""
        self.documents += 1
        self.words += count_words(doc.text)
        self.chars += len(doc.text)
        self.documents_by_lang[doc.lang] += 1


def count_words(text: str) -> int:
    """Words as the benchmarks count them: `\\w+` matches."""
    return sum(1 for _ in _WORD.finditer(text))


def load_sources(samples: Path = SAMPLES, ntrex: Path | None = NTREX) -> list[Source]:
    """The sample articles, plus ntrex-dev's when that directory exists."""
    found = _from_manifest(samples, samples / MANIFEST)
    if ntrex is not None:
        found += _from_manifest(ntrex / "articles", ntrex / MANIFEST)
    if not found:
        raise FileNotFoundError(f"no source articles in {samples} or {ntrex}")
    return found


def _from_manifest(folder: Path, manifest: Path) -> list[Source]:
    if not manifest.is_file():
        return []
    rows = [json.loads(line) for line in manifest.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [
        Source(
            row["file"],
            (folder / row["file"]).read_text(encoding="utf-8"),
            row["lang"],
            row.get("source"),
            row.get("published"),
        )
        for row in rows
        if (folder / row["file"]).is_file()
    ]


def documents(n: int, seed: int = 0, sources: Sequence[Source] | None = None) -> Iterator[Doc]:
    """N distinct generated documents, deterministic for a seed."""
    pool = list(sources or load_sources())
    random.Random(seed).shuffle(pool)
    seen: set[bytes] = set()
    for i in range(n):
        src = pool[i % len(pool)]
        text = _unique_variant(src, seed, i, seen)
        yield Doc(
            f"{i // SHARD_SIZE:04d}/doc_{i:07d}_{src.lang}.txt",
            text,
            src.lang,
            src.source,
            src.published,
        )


def generate(n: int, seed: int = 0, sources: Sequence[Source] | None = None) -> Iterator[tuple[str, str, str]]:
    """(name, text, lang) of N generated documents, without touching disk."""
    for doc in documents(n, seed, sources):
        yield doc.name, doc.text, doc.lang


def _unique_variant(src: Source, seed: int, i: int, seen: set[bytes]) -> str:
    """A variant of `src` unlike any in `seen`; a wire-style credit line is added if need be."""
    for attempt in range(MAX_ATTEMPTS):
        rng = random.Random(f"{seed}:{i}:{attempt}")
        text = vary(src.text, src.lang, rng)
        if attempt >= PLAIN_ATTEMPTS:  # a short article with little left to vary
            text += _credit_line(src.lang, rng)
        key = hashlib.blake2b(" ".join(text.split()).encode("utf-8"), digest_size=16).digest()
        if key not in seen:
            seen.add(key)
            return text
    raise RuntimeError(f"cannot make document {i} distinct from {src.file}")


def vary(text: str, lang: str, rng: random.Random) -> str:
    """Redraw numbers, dates and countries, then reorder some body paragraphs and sentences."""
    swaps: dict[str, str] = {}
    text = _PATTERNS[lang].sub(lambda m: _substitute(m, lang, rng, swaps), text)
    return _shuffle_body(text, rng)


def _substitute(m: re.Match[str], lang: str, rng: random.Random, swaps: dict[str, str]) -> str:
    if m["month"]:
        return _new_date(m, lang, rng)
    if m["country"]:
        name = m["country"]
        others = [c for c in _COUNTRIES[lang] if c != name]
        return m["pre"] + swaps.setdefault(name, rng.choice(others))
    return _new_number(m["num"], rng)


def _new_date(m: re.Match[str], lang: str, rng: random.Random) -> str:
    day, month = rng.randint(1, 28), rng.randrange(12)
    if lang == "en":
        name = EN_MONTHS[month]
        return f"{name[:3] if len(m['month']) == 3 else name} {day}"  # `Oct 17` stays abbreviated
    levant = f"/{AR_LEVANT_MONTHS[month]}" if m["levant"] else ""
    return f"{day} {AR_MONTHS[month]}{levant}"


def _new_number(number: str, rng: random.Random) -> str:
    """A count or amount of the same form, scaled by 0.5-2; years stay put."""
    if "." in number:
        decimals = len(number.split(".")[1])
        return f"{float(number) * rng.uniform(0.5, 2.0):.{decimals}f}"
    value = int(number.replace(",", ""))
    if value == 0 or (len(number) == 4 and 1900 <= value <= 2100):
        return number
    new = max(1, round(value * rng.uniform(0.5, 2.0)))
    return f"{new:,}" if "," in number else str(new)


def _shuffle_body(text: str, rng: random.Random) -> str:
    """Swap some body paragraphs and shuffle the sentences of one of them."""
    lines = text.split("\n")
    body = _body_lines(lines)
    if len(body) >= 2 and rng.random() < 0.7:
        for _ in range(rng.randint(1, max(1, len(body) // 3))):
            a, b = rng.sample(body, 2)
            lines[a], lines[b] = lines[b], lines[a]
    if body and rng.random() < 0.5:
        i = rng.choice(body)
        sentences = _SENTENCE_END.split(lines[i])
        rng.shuffle(sentences)
        lines[i] = " ".join(sentences)
    return "\n".join(lines)


def _body_lines(lines: list[str]) -> list[int]:
    """Indexes of movable body paragraphs: long lines after the first few non-empty ones."""
    nonempty = [i for i, line in enumerate(lines) if line.strip()]
    return [
        i
        for i in nonempty[HEAD_LINES:]
        if count_words(lines[i]) >= MIN_PARAGRAPH_WORDS and not lines[i].lstrip().startswith(("!", "#"))
    ]


def _credit_line(lang: str, rng: random.Random) -> str:
    a, b, c = (rng.choice(AR_NAMES if lang == "ar" else EN_NAMES) for _ in range(3))
    if lang == "ar":
        return f"\n\n(إعداد {a}؛ تحرير {b}، {c})\n"
    return f"\n\n(Reporting by {a}; editing by {b} and {c})\n"


def write_corpus(out_dir: Path, n: int, seed: int = 0, sources: Sequence[Source] | None = None) -> CorpusStats:
    """Write N documents in shards of 1,000 under `out_dir`, plus manifest.jsonl; return counts."""
    stats = CorpusStats()
    out_dir.mkdir(parents=True, exist_ok=True)
    with (out_dir / MANIFEST).open("w", encoding="utf-8") as manifest:
        for doc in documents(n, seed, sources):
            path = out_dir / doc.name
            path.parent.mkdir(exist_ok=True)
            path.write_text(doc.text, encoding="utf-8")
            manifest.write(json.dumps(_manifest_row(doc), ensure_ascii=False) + "\n")
            stats.add(doc)
    return stats


def _manifest_row(doc: Doc) -> dict[str, str]:
    row = {"file": doc.name, "lang": doc.lang, "source": doc.source, "published": doc.published}
    return {k: v for k, v in row.items() if v is not None}


def main(argv: Sequence[str] | None = None) -> None:
    """Command line: write a generated corpus to a directory."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.generate", description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("-n", "--count", type=int, default=1000, help="documents to write (default 1000)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-ntrex", action="store_true", help="use only data/samples")
    args = parser.parse_args(argv)
    sources = load_sources(ntrex=None if args.no_ntrex else NTREX)
    stats = write_corpus(args.out_dir, args.count, args.seed, sources)
    print(
        f"wrote {stats.documents} documents ({stats.words} words, {dict(stats.documents_by_lang)}) "
        f"from {len(sources)} sources to {args.out_dir}"
    )


if __name__ == "__main__":
    main()
