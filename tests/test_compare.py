"""Cross-source comparison: value semantics, verdicts on the samples, CI gate, formats."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cmcc_corpus.compare import ClaimSide, CompareOptions, compatible, dates_compatible, interval, judge


def side(value, qualifier=None, doc="a", as_of="2025-10-20"):  # type: ignore[no-untyped-def]
    return ClaimSide(value, qualifier, None, doc, f"{doc}.txt", None, None, as_of, "q", 0, 1)


@pytest.mark.parametrize(
    ("a", "b", "ok"),
    [
        (side(200, "up_to"), side(200, "about", "b"), True),
        (side(200, "about"), side(215, "exact", "b"), True),  # within 10%
        (side(200, "about"), side(250, "exact", "b"), False),
        (side(24000, "more_than"), side(24000, "exact", "b"), False),  # (24000, inf) excludes 24000
        (side(24000, "more_than"), side(30000, "about", "b"), True),
        (side(50, "nearly"), side(50, "exact", "b"), False),  # just under 50
        (side(50, "nearly"), side(48, "exact", "b"), True),
        (side("2025-10"), side("2025-10-17", doc="b"), True),  # mid-October vs October 17
        (side("2025-10-17"), side("2025-10-21", doc="b"), False),
        (side("Kiryat Gat"), side("kiryat gat", doc="b"), True),
    ],
)
def test_values_compare_by_their_semantics(a: ClaimSide, b: ClaimSide, ok: bool) -> None:
    assert compatible(a, b, 0.1) is ok


def test_intervals_and_granularity() -> None:
    assert interval(200, "up_to", 0.1) == (0.0, 200, False, False)
    assert interval(200, "about", 0.1) == (180.0, 220.0, False, False)
    assert dates_compatible("2025", "2025-10-17") and not dates_compatible("2025-11", "2025-10-17")


def test_evolving_predicates_change_over_time_but_conflict_at_one_time() -> None:
    options = CompareOptions(evolving=frozenset({"member_count"}))
    earlier, later = side(14, doc="a", as_of="2025-10-20"), side(20, doc="b", as_of="2025-11-25")
    assert judge("member_count", [earlier, later], options)[0] == "evolving"
    same_day = side(20, doc="b", as_of="2025-10-20")
    assert judge("member_count", [earlier, same_day], options)[0] == "conflict"
    assert judge("opened_on", [side("2025-10-17"), side("2025-10-18", doc="b")], options)[0] == "conflict"
    assert judge("opened_on", [side("2025-10-17")], options)[0] == "single-source"


def test_samples_findings(ingested) -> None:  # type: ignore[no-untyped-def]
    found = json.loads(ingested("compare", "--format", "json").stdout)
    verdicts = {(f["subject"], f["predicate"]): f["verdict"] for f in found}
    assert verdicts[("CMCC", "opened_on")] == "conflict"
    assert verdicts[("USA", "personnel_count")] == "consistent"
    assert verdicts[("GBR", "participates_in")] == "consistent"
    assert verdicts[("CMCC", "located_in")] == "consistent"
    assert [f for f in found if f["verdict"] == "conflict"] == [found[0]]  # one conflict, listed first
    conflict = found[0]
    assert {s["value"]: sorted(s["docs"]) for s in conflict["sides"]} == {
        "2025-10-17": ["000_f0c207929c95f00c.txt", "002_4acb3fe92059d304.txt"],
        "2025-10-18": ["001_71d2b15bbf6c0817.txt"],
    }
    assert all(ev["quote"] and ev["end"] > ev["start"] for s in conflict["sides"] for ev in s["evidence"])


def test_gate_and_baseline(ingested, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert ingested("compare").exit_code == 0
    assert ingested("compare", "--fail-on", "conflict").exit_code == 1
    baseline = tmp_path / "accepted.json"
    assert ingested("compare", "--write-baseline", str(baseline), "--format", "json").exit_code == 0
    assert ingested("compare", "--fail-on", "conflict", "--baseline", str(baseline)).exit_code == 0
    stable = json.loads(ingested("compare", "--format", "json").stdout)[0]["id"]
    assert stable in json.loads(baseline.read_text())["findings"]  # ids are stable run to run


def test_sarif_and_markdown(ingested) -> None:  # type: ignore[no-untyped-def]
    sarif = json.loads(ingested("compare", "--format", "sarif").stdout)
    assert sarif["version"] == "2.1.0"
    run = sarif["runs"][0]
    assert {r["id"] for r in run["tool"]["driver"]["rules"]} >= {"conflict", "consistent", "translation"}
    conflict = next(r for r in run["results"] if r["ruleId"] == "conflict")
    region = conflict["locations"][0]["physicalLocation"]["region"]
    assert region["charLength"] > 0 and conflict["level"] == "error"
    markdown = ingested("compare", "--format", "markdown").stdout
    assert "## conflict: CMCC · opened_on" in markdown and 'dir="rtl"' in markdown


def test_evaluate_scores_findings(ingested, shared: Path) -> None:  # type: ignore[no-untyped-def]
    report = json.loads(ingested("evaluate", str(shared / "gold" / "seeds.gold.jsonl"), "--format", "json").stdout)
    assert report["findings"] == {"expected": 4, "matched": 4, "recall": 1.0, "missed": []}


def test_unknown_year_matches_any_year() -> None:
    assert dates_compatible("XXXX-10-17", "2025-10-17")
    assert not dates_compatible("XXXX-10-20", "2025-10-17")


def test_check_reports_only_findings_involving_new_articles(ingested, samples: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    new = tmp_path / "new_article.txt"
    new.write_text((samples / "000_f0c207929c95f00c.txt").read_text().replace("on October 17", "on October 20"))
    result = ingested("check", str(new), "--fail-on", "conflict", "--format", "json")
    assert result.exit_code == 1
    findings = json.loads(result.stdout)
    assert all(any("new_article.txt" in s["docs"] for s in f["sides"]) for f in findings)
    conflict = next(f for f in findings if f["verdict"] == "conflict")
    assert conflict["predicate"] == "opened_on"
    assert {"XXXX-10-20", "2025-10-17"} <= {s["value"] for s in conflict["sides"]}
    assert len(json.loads(ingested("list", "--format", "json").stdout)) == 5  # nothing stored


def test_check_save_stores_and_bad_input_fails(ingested, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    new = tmp_path / "agreeing.txt"
    new.write_text("The Civil-Military Coordination Center (CMCC) is headquartered in Kiryat Gat, officials said.\n")
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\xff\xfe\x00binary")
    result = ingested("check", str(new), str(bad), "--save", "--format", "json")
    assert result.exit_code == 1 and "bad.txt" in result.stderr
    assert len(json.loads(ingested("list", "--format", "json").stdout)) == 6
