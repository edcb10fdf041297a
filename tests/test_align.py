"""Translation pairing, paragraph alignment, fidelity findings and their commands."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from cmcc_corpus.align.pairing import DocFeatures, date_gap_days, score_pair
from cmcc_corpus.align.translit import same_name, skeleton

EN, AR = "000_f0c207929c95f00c.txt", "002_4acb3fe92059d304.txt"


def test_seed_pair_found_aligned_one_to_one_and_faithful(ingested, db: Path) -> None:  # type: ignore[no-untyped-def]
    pairs = json.loads(ingested("align", "--format", "json").stdout)
    assert [(p["source"], p["translation"]) for p in pairs] == [(EN, AR)]
    assert pairs[0]["units"] == [[n, n] for n in range(1, 25)]
    assert sqlite3.connect(db).execute("SELECT count(*) FROM findings WHERE verdict = 'translation'").fetchone()[0] == 0


def test_topical_look_alikes_do_not_pair(run, samples: Path) -> None:  # type: ignore[no-untyped-def]
    # Without the English original, the Arabic article must not pair with other coverage
    # of the same event (same entities and dates, different articles, weeks apart).
    others = [
        str(samples / f)
        for f in ("001_71d2b15bbf6c0817.txt", "003_a592e5e37fee6a75.txt", "004_b0e036cefecd7514.txt", AR)
    ]
    run("ingest", *others, "--manifest", str(samples / "manifest.jsonl"))
    assert json.loads(run("align", "--format", "json").stdout) == []


def test_changed_date_in_translation_is_a_finding(run, samples: Path, tmp_path: Path, db: Path) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "pair"
    folder.mkdir()
    shutil.copy(samples / EN, folder / EN)
    arabic = (samples / AR).read_text().replace("17 أكتوبر/تشرين الأول", "21 تشرين الأول")
    (folder / AR).write_text(arabic)
    run("ingest", str(folder), "--manifest", str(samples / "manifest.jsonl"))
    run("align")
    rows = sqlite3.connect(db).execute("SELECT predicate, sides FROM findings WHERE verdict = 'translation'").fetchall()
    assert len(rows) == 1 and rows[0][0] == "date"
    sides = {(s["value"], s["quote"]) for s in json.loads(rows[0][1])}
    assert sides == {("2025-10-17", "October 17"), ("2025-10-21", "21 تشرين الأول")}


def test_align_show_side_by_side(ingested) -> None:  # type: ignore[no-untyped-def]
    ingested("align")
    text = ingested("align", "show", EN, AR).stdout
    assert "Kiryat Gat" in text and "كريات غات" in text
    markdown = ingested("align", "show", AR, EN, "--format", "markdown").stdout
    assert markdown.startswith("| ¶ | English | ¶ | Arabic |") and 'dir="rtl"' in markdown
    assert markdown.count("\n") == 2 + 24


def test_align_show_unpaired_documents(ingested) -> None:  # type: ignore[no-untyped-def]
    ingested("align")
    result = ingested("align", "show", "001_71d2b15bbf6c0817.txt", AR)
    assert result.exit_code == 1 and "not an aligned pair" in result.stderr


def test_ntrex_pairs_and_units(run, samples: Path, shared: Path) -> None:  # type: ignore[no-untyped-def]
    ntrex = shared / "data" / "ntrex-dev"
    if not ntrex.is_dir():
        pytest.skip("ntrex-dev is not present")
    run("ingest", str(samples), "--manifest", str(samples / "manifest.jsonl"))
    run("ingest", str(ntrex / "articles"), "--manifest", str(ntrex / "manifest.jsonl"))
    run("align")
    report = json.loads(
        run("evaluate", str(ntrex / "gold.jsonl"), str(shared / "gold" / "seeds.gold.jsonl"), "--format", "json").stdout
    )
    assert report["pairs"]["documents"]["f1"] >= 0.98
    assert report["pairs"]["documents"]["precision"] == 1.0
    assert report["pairs"]["units"]["f1"] >= 0.95


@pytest.mark.parametrize(
    ("english", "arabic"),
    [
        ("Donald Trump", "دونالد ترامب"),
        ("Noureddine Omar", "نور الدين عمر"),
        ("Kavanaugh", "كافانو"),
        ("Ibtisam al-Saadi", "ابتسام السعدي"),
        ("Christine Blasey Ford", "كريستين بلازي فورد"),
    ],
)
def test_names_compare_across_scripts(english: str, arabic: str) -> None:
    assert same_name(english, arabic)


def test_different_names_do_not_compare() -> None:
    assert not same_name("Tim Hawkins", "نور الدين عمر")
    assert skeleton("Mike Pompeo") == skeleton("مايك بومبيو")


def test_publication_gap_with_partial_dates() -> None:
    assert date_gap_days("2025-10-17", "2025-10-18") == 1
    assert date_gap_days("2025-10", "2025-11-25") == 25
    assert date_gap_days("2025-10", "2025-10-17") == 0
    assert date_gap_days(None, "2025-10-17") is None


def test_sentences_align_inside_paragraph_links(ingested) -> None:  # type: ignore[no-untyped-def]
    ingested("align")
    rows = json.loads(ingested("align", "show", EN, AR, "--level", "sentence", "--format", "json").stdout)
    assert len(rows) == 25  # the caption is two sentences in both languages
    assert all(r["source_units"] and r["target_units"] for r in rows)
    nine = next(r for r in rows if "October 17" in r["source"])
    assert "17 أكتوبر" in nine["target"]


def test_evaluate_scores_pairs_without_a_prior_align(ingested, shared: Path, db: Path) -> None:  # type: ignore[no-untyped-def]
    report = json.loads(ingested("evaluate", str(shared / "gold" / "seeds.gold.jsonl"), "--format", "json").stdout)
    assert report["pairs"]["documents"]["f1"] == 1.0 and report["pairs"]["units"]["f1"] == 1.0
    assert sqlite3.connect(db).execute("SELECT count(*) FROM pairs").fetchone()[0] == 0  # evaluate only reads


def test_pair_evidence_does_not_depend_on_set_order() -> None:
    """Shared features of equal weight are listed by name: the evidence must not change
    between runs (set order follows the per-process string hash)."""
    names = [f"ent:country:{c}" for c in ("USA", "GBR", "EGY", "QAT", "TUR", "ARE", "JOR", "IDN", "AZE", "PAK")]
    idf = dict.fromkeys(names, 1.0)
    en = DocFeatures("a", "en", frozenset(names), 5, 1000)
    ar = DocFeatures("b", "ar", frozenset(reversed(names)), 5, 1000)
    assert score_pair(en, ar, idf).evidence["shared"] == sorted(names)[:8]
