"""Unit alignment of translation pairs: hand-made cases, the seed pair, NTREX dev set."""

from __future__ import annotations

import json
import random
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cmcc_corpus.align.units import Link, Unit, align_units, anchors_of, unit_links

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "data" / "samples"
SEEDS_GOLD = ROOT.parent / "shared" / "gold" / "seeds.gold.jsonl"
NTREX = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "ntrex-dev"

ENGLISH = [
    "US-led coordination center opens in southern Israel",
    "The Civil-Military Coordination Center (CMCC) began operating on October 17 in Kiryat Gat.",
    "About 200 US troops staff the center alongside officers from partner countries.",
    "Its mission is to monitor the ceasefire and coordinate the entry of humanitarian aid into Gaza.",
    "Officials said more than 600 trucks entered the Strip on Sunday.",
    "The center will also support the removal of rubble and unexploded ordnance.",
]
ARABIC = [
    "افتتاح مركز تنسيق بقيادة أميركية في جنوب إسرائيل",
    "بدأ مركز التنسيق المدني العسكري (CMCC) عمله في ١٧ أكتوبر في كريات غات.",
    "ويعمل في المركز نحو 200 جندي أميركي إلى جانب ضباط من الدول الشريكة.",
    "وتتمثل مهمته في مراقبة وقف إطلاق النار وتنسيق دخول المساعدات الإنسانية إلى غزة.",
    "وقال مسؤولون إن أكثر من 600 شاحنة دخلت القطاع يوم الأحد.",
    "كما سيدعم المركز إزالة الأنقاض والذخائر غير المنفجرة.",
]


def units(lines: list[str]) -> list[Unit]:
    return [Unit(line, anchors_of(line)) for line in lines]


def lines_of(path: Path) -> list[str]:
    """Non-empty lines, as the gold numbers them."""
    return [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def beads(links: list[Link]) -> list[tuple[tuple[int, ...], tuple[int, ...]]]:
    return [(link.source, link.target) for link in links]


# Hand-made pairs


def test_faithful_translation_aligns_one_to_one() -> None:
    links = align_units(units(ENGLISH), units(ARABIC))
    assert beads(links) == [((i,), (i,)) for i in range(6)]
    assert unit_links(links) == {(i, i) for i in range(1, 7)}
    assert all(link.score > -5 for link in links)


def test_two_sentences_merged_into_one_line() -> None:
    merged = [*ARABIC[:2], ARABIC[2] + " " + ARABIC[3], *ARABIC[4:]]
    links = align_units(units(ENGLISH), units(merged))
    assert ((2, 3), (2,)) in beads(links)
    assert unit_links(links) == {(1, 1), (2, 2), (3, 3), (4, 3), (5, 4), (6, 5)}


def test_one_sentence_split_over_two_lines() -> None:
    halves = ["بدأ مركز التنسيق المدني العسكري (CMCC) عمله في ١٧ أكتوبر.", "ويقع المركز في كريات غات."]
    split = [ARABIC[0], *halves, *ARABIC[2:]]
    links = align_units(units(ENGLISH), units(split))
    assert ((1,), (1, 2)) in beads(links)
    assert unit_links(links) == {(1, 1), (2, 2), (2, 3), (3, 4), (4, 5), (5, 6), (6, 7)}


def test_dropped_sentence_is_left_out_and_its_neighbours_stay_linked() -> None:
    # Sentence 4 carries no anchor; its neighbours do (200 and 600), which pins the drop.
    dropped = [*ARABIC[:3], *ARABIC[4:]]
    links = align_units(units(ENGLISH), units(dropped))
    assert ((3,), ()) in beads(links)
    assert unit_links(links) == {(1, 1), (2, 2), (3, 3), (5, 4), (6, 5)}


def test_untranslated_target_line_is_a_zero_to_one_bead() -> None:
    # An editor's note of the Arabic edition only. (A line much shorter than its
    # neighbours is cheaper to explain as a 1:2 split: length cannot tell them apart.)
    note = (
        "ملاحظة المحرر: نشرت هذه المادة في إطار تغطيتنا المستمرة لعمل المركز، "
        "ويمكن للقراء متابعة آخر المستجدات عبر صفحاتنا على مواقع التواصل الاجتماعي."
    )
    extra = [*ARABIC[:3], note, *ARABIC[3:]]
    links = align_units(units(ENGLISH), units(extra))
    assert ((), (3,)) in beads(links)
    assert unit_links(links) == {(1, 1), (2, 2), (3, 3), (4, 5), (5, 6), (6, 7)}


def test_caller_anchors_decide_which_of_two_like_sentences_was_dropped() -> None:
    # Two long English sentences of the same shape; the Arabic keeps only the second.
    # Too long to merge, and length cannot say which one went: country ids can.
    britain = (
        "Britain will send a small team of planning officers to the center in the coming weeks, "
        "the defence ministry said in a statement on its website."
    )
    france = (
        "France will send a small team of military engineers to the center in the coming weeks, "
        "the armed forces ministry said in a statement on its website."
    )
    france_ar = (
        "وسترسل فرنسا فريقا صغيرا من المهندسين العسكريين إلى المركز في الأسابيع المقبلة، "
        "وفق بيان لوزارة القوات المسلحة."
    )
    source = [*units(ENGLISH[:3]), Unit(britain, frozenset({"GBR"})), Unit(france, frozenset({"FRA"}))]
    source += units(ENGLISH[3:])
    target = [*units(ARABIC[:3]), Unit(france_ar, frozenset({"FRA"})), *units(ARABIC[3:])]
    links = align_units(source, target)
    assert ((3,), ()) in beads(links)
    assert unit_links(links) == {(1, 1), (2, 2), (3, 3), (5, 4), (6, 5), (7, 6), (8, 7)}
    # Swap the ids and the other sentence is the one linked.
    source[3], source[4] = Unit(britain, frozenset({"FRA"})), Unit(france, frozenset({"GBR"}))
    swapped = unit_links(align_units(source, target))
    assert (4, 4) in swapped and (5, 4) not in swapped


def test_anchors_of_keeps_what_survives_translation() -> None:
    assert anchors_of("بدأ مركز التنسيق (CMCC) عمله في ١٧ أكتوبر ٢٠٢٥") == {"CMCC", "17", "2025"}
    assert anchors_of("More than 1,200 MWPs, see https://Example.org/a.") == {
        "More",
        "1200",
        "MWPs",
        "https://example.org/a",
    }
    assert anchors_of("the trucks and the aid") == frozenset()  # lower-case words do not survive
    assert anchors_of("COVID-19 cost 3,5 or 3.5 and 007") == {"COVID-19", "19", "3.5", "7"}
    assert anchors_of("تابعونا على @CMCC_Gaza") == {"@CMCC_Gaza", "CMCC", "Gaza"}


def test_unit_links_follow_the_gold_convention() -> None:
    links = [
        Link((0,), (0,), -0.1),
        Link((1, 2), (1,), -2.0),
        Link((3,), (), -4.6),
        Link((), (2,), -4.6),
        Link((4,), (3, 4), -2.0),
    ]
    assert unit_links(links) == {(1, 1), (2, 2), (3, 2), (5, 4), (5, 5)}


def test_empty_sides_and_bad_band() -> None:
    assert align_units([], []) == []
    assert beads(align_units(units(ENGLISH[:2]), [])) == [((0,), ()), ((1,), ())]
    assert beads(align_units([], units(ARABIC[:1]))) == [((), (0,))]
    with pytest.raises(ValueError, match="band"):
        align_units(units(ENGLISH), units(ARABIC), band=0)


@settings(max_examples=60)
@given(
    st.lists(st.integers(0, 300), max_size=25),
    st.lists(st.integers(0, 300), max_size=25),
    st.integers(1, 12),
)
def test_links_cover_both_sides_once_in_order(source_len: list[int], target_len: list[int], band: int) -> None:
    source = [Unit("x" * n, frozenset({str(n % 7)})) for n in source_len]
    target = [Unit("y" * n, frozenset({str(n % 5)})) for n in target_len]
    links = align_units(source, target, band=band)
    assert [i for link in links for i in link.source] == list(range(len(source)))
    assert [j for link in links for j in link.target] == list(range(len(target)))
    assert all(1 <= len(link.source) + len(link.target) <= 4 for link in links)


def synthetic(n: int, dropped: range, seed: int) -> tuple[list[Unit], list[Unit], set[tuple[int, int]]]:
    """A long pair: the target 1.1 times longer, give or take 10%, with `dropped` left out."""
    rng = random.Random(seed)
    source = [
        Unit("x" * rng.randint(20, 300), frozenset({f"n{rng.randrange(10**6)}"}) if rng.random() < 0.3 else frozenset())
        for _ in range(n)
    ]
    target: list[Unit] = []
    gold = set()
    for i, unit in enumerate(source):
        if i in dropped or rng.random() < 0.02:
            continue
        target.append(Unit("y" * int(len(unit.text) * rng.gauss(1.1, 0.1)), unit.anchors))
        gold.add((i + 1, len(target)))
    return source, target, gold


def f1(found: set[tuple[int, int]], gold: set[tuple[int, int]]) -> float:
    return 2 * len(found & gold) / (len(found) + len(gold))


def test_long_document_stays_near_linear() -> None:
    source, target, gold = synthetic(1500, range(0), seed=1)
    start = time.perf_counter()
    links = align_units(source, target)
    elapsed = time.perf_counter() - start
    assert f1(unit_links(links), gold) > 0.98
    assert elapsed < 6.0  # the full 1500 x 1470 table takes about half a minute


def test_band_widens_when_a_long_section_is_left_out() -> None:
    # 40 of 300 units missing at the start: the path leaves the first band (30 wide).
    source, target, gold = synthetic(300, range(0, 40), seed=3)
    assert f1(unit_links(align_units(source, target)), gold) > 0.9
    assert f1(unit_links(align_units(source, target, band=10)), gold) < 0.5


# The seed pair


def test_seed_pair_aligns_one_to_one() -> None:
    source = units(lines_of(SEEDS / "000_f0c207929c95f00c.txt"))
    target = units(lines_of(SEEDS / "002_4acb3fe92059d304.txt"))
    assert len(source) == len(target) == 24
    links = align_units(source, target)
    assert unit_links(links) == {(n, n) for n in range(1, 25)}
    if SEEDS_GOLD.is_file():
        rows = (json.loads(line) for line in lines_of(SEEDS_GOLD))
        (pair,) = [r for r in rows if r["kind"] == "pair" and r["source"] == "000_f0c207929c95f00c.txt"]
        assert unit_links(links) == {tuple(u) for u in pair["units"]}


# NTREX dev set: 61 professionally translated articles, Arabic side merged (2:1) and dropped (1:0)


def test_ntrex_dev_unit_alignment() -> None:
    if not (NTREX / "gold.jsonl").is_file():
        pytest.skip("../shared/data/ntrex-dev is not present next to the repository")
    rows = (json.loads(line) for line in lines_of(NTREX / "gold.jsonl"))
    pairs = [r for r in rows if r.get("kind") == "pair"]
    assert len(pairs) == 61
    hits = found_total = gold_total = 0
    worst: list[tuple[float, str]] = []
    elapsed = 0.0
    for row in pairs:
        source = units(lines_of(NTREX / "articles" / row["source"]))
        target = units(lines_of(NTREX / "articles" / row["translation"]))
        start = time.perf_counter()
        found = unit_links(align_units(source, target))
        elapsed += time.perf_counter() - start
        gold = {(s, t) for s, t in row["units"]}
        hits += len(found & gold)
        found_total += len(found)
        gold_total += len(gold)
        worst.append((f1(found, gold), row["source"]))
    precision, recall = hits / found_total, hits / gold_total
    f = 2 * precision * recall / (precision + recall)
    print(
        f"\nntrex-dev unit links: P {precision:.4f} R {recall:.4f} F1 {f:.4f} over {len(pairs)} pairs, "
        f"{1000 * elapsed / len(pairs):.2f} ms/pair"
    )
    print("worst pairs:", ", ".join(f"{name} {score:.3f}" for score, name in sorted(worst)[:5]))
    assert f >= 0.95
