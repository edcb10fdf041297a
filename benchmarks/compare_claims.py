"""Compare over many synthetic claims: `python -m benchmarks.compare_claims --claims 1000000`.

Claims are drawn like the corpus's: a few thousand subjects, the profile's predicates,
values with qualifiers (numbers), dates at day or month granularity, and entity values,
as-of dates over a few months. Reports claims/s and the verdict counts.
"""

from __future__ import annotations

import argparse
import random
import time
from collections import Counter
from collections.abc import Iterator, Sequence

PREDICATES = {
    "opened_on": "date",
    "signed_on": "date",
    "located_in": "place",
    "member_count": "quantity",
    "personnel_count": "quantity",
    "participates_in": "entity",
    "cost": "money",
}
QUALIFIERS = ("exact", "about", "up_to", "at_least", "more_than", "nearly", None)


def claims(n: int, seed: int = 0, subjects: int = 5000) -> Iterator[dict[str, object]]:
    """`n` synthetic claim records in the shape `compare` reads."""
    rng = random.Random(seed)
    for i in range(n):
        predicate, kind = rng.choice(list(PREDICATES.items()))
        subject = f"S{rng.randrange(subjects)}"
        if kind == "date":
            value: object = f"2025-{rng.randint(9, 11):02d}" + (
                f"-{rng.randint(1, 28):02d}" if rng.random() < 0.8 else ""
            )
        elif kind in ("quantity", "money"):
            value = rng.choice((200, 14, 20, 8000, 24000)) * rng.choice((1, 1, 1, 2))
        else:
            value = rng.choice(("CMCC", "Kiryat Gat", "ISF", "Rafah"))
        yield {
            "subject": subject,
            "predicate": predicate,
            "value": value,
            "qualifier": rng.choice(QUALIFIERS) if kind in ("quantity", "money") else None,
            "unit": "personnel" if kind == "quantity" else None,
            "doc_id": f"d{i % 200000}",
            "file": f"{i}.txt",
            "source": "x",
            "published": "2025-10-20",
            "as_of": f"2025-{rng.randint(9, 11):02d}-15",
            "text": "q",
            "start": 0,
            "end": 1,
            "derived": 0,
            "modality": "asserted",
        }


def time_compare(n: int, seed: int = 0) -> tuple[float, list[object]]:
    """Seconds for one `compare` over `n` synthetic claims (drawing them is not timed), and its findings."""
    from cmcc_corpus.compare import CompareOptions, compare

    rows = list(claims(n, seed))
    start = time.perf_counter()
    findings = compare(
        rows, CompareOptions(evolving=frozenset({"member_count", "personnel_count", "participates_in", "cost"}))
    )
    return time.perf_counter() - start, list(findings)


def main(argv: Sequence[str] | None = None) -> None:
    """Time one comparison over the synthetic claims."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.compare_claims")
    parser.add_argument("--claims", type=int, default=1_000_000)
    args = parser.parse_args(argv)
    seconds, findings = time_compare(args.claims)
    verdicts = dict(Counter(f.verdict for f in findings))  # type: ignore[attr-defined]
    print(
        f"compare: {args.claims:,} claims in {seconds:.1f} s ({args.claims / seconds:,.0f} claims/s), "
        f"{len(findings):,} findings: {verdicts}"
    )


if __name__ == "__main__":
    main()
