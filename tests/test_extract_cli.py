"""Extraction through the CLI: stored results, views, re-extraction, profiles, evaluate."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import spacy

EVALUATE_KEYS = {"mentions", "claims", "pairs", "findings"}
SCORE_KEYS = {"tp", "fp", "fn", "precision", "recall", "f1"}


def test_ingest_extracts_with_evidence(ingested, samples: Path) -> None:  # type: ignore[no-untyped-def]
    rows = json.loads(ingested("entities", "--type", "country", "--format", "json").stdout)
    usa = next(r for r in rows if r["value"] == "USA")
    assert usa["documents"] == 5
    mentions = json.loads(ingested("show", "002_4acb3fe92059d304.txt", "--format", "json").stdout)["mentions"]
    text = (samples / "002_4acb3fe92059d304.txt").read_text()
    for m in mentions:
        assert text[m["start"] : m["end"]] == m["text"]  # quotes are exact slices of the stored text
    israel = [m for m in mentions if m["value"] == "ISR"]
    assert israel and all("إسرائيل" in m["text"] for m in israel)


def test_claims_json(ingested) -> None:  # type: ignore[no-untyped-def]
    claims = json.loads(ingested("claims", "--subject", "CMCC", "--predicate", "opened_on", "--format", "json").stdout)
    values = {(c["file"], c["value"], c["derived"]) for c in claims}
    assert ("001_71d2b15bbf6c0817.txt", "2025-10-18", 1) in values
    assert ("000_f0c207929c95f00c.txt", "2025-10-17", 0) in values
    assert ("002_4acb3fe92059d304.txt", "2025-10-17", 0) in values


def test_show_annotate_lists_mentions(ingested) -> None:  # type: ignore[no-untyped-def]
    out = ingested("show", "003_a592e5e37fee6a75.txt", "--annotate").stdout
    assert "John Healey" in out and "mentions" in out and "up to 200 troops" in out


def test_evaluate_json_shape_and_seed_targets(ingested, shared: Path) -> None:  # type: ignore[no-untyped-def]
    result = ingested("evaluate", str(shared / "gold" / "seeds.gold.jsonl"), "--format", "json", "--min-f1", "0.9")
    report = json.loads(result.stdout)
    assert set(report) == EVALUATE_KEYS
    assert SCORE_KEYS | {"by_type"} == set(report["mentions"])
    assert set(report["claims"]) == SCORE_KEYS
    for kind in ("country", "person", "date", "quantity", "money", "duration"):
        assert report["mentions"]["by_type"][kind]["f1"] >= 0.95, kind
    for kind in ("org", "place"):
        assert report["mentions"]["by_type"][kind]["recall"] >= 0.95, kind
    assert report["claims"]["f1"] >= 0.9
    assert result.exit_code == 0


def test_extract_reruns_only_stale_documents(ingested) -> None:  # type: ignore[no-untyped-def]
    assert ingested("extract").stdout.strip() == "extracted 0 documents"
    assert ingested("extract", "--all").stdout.strip() == "extracted 5 documents"


def test_profile_additions_are_extracted(ingested, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    profile = tmp_path / "mine.yaml"
    profile.write_text(
        "organizations:\n  Muslim-majority bloc:\n    kind: coalition\n    en: [Muslim-majority nations]\n"
    )
    assert ingested("extract", "--profile", str(profile)).stdout.strip() == "extracted 5 documents"
    rows = json.loads(ingested("entities", "--type", "org", "--format", "json").stdout)
    assert any(r["value"] == "Muslim-majority bloc" for r in rows)


def test_ingest_without_extraction(run, samples: Path) -> None:  # type: ignore[no-untyped-def]
    run("ingest", str(samples), "--no-extract")
    assert json.loads(run("entities", "--format", "json").stdout) == []
    assert run("extract").stdout.strip() == "extracted 5 documents"


def test_ner_model_missing_is_a_usage_error(run, db: Path, samples: Path) -> None:  # type: ignore[no-untyped-def]
    result = run("ingest", str(samples), "--ner-model", "no_such_pipeline_xyz")
    assert result.exit_code == 2 and "is installed" in result.stderr
    assert not db.exists()


def test_ner_model_entities_are_merged(run, samples: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    # A real (tiny, rule-based) pipeline saved to disk stands in for an installed model.
    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("entity_ruler")
    ruler.add_patterns([{"label": "ORG", "pattern": "Doghmush clan"}, {"label": "PERSON", "pattern": "Hawkins"}])
    nlp.to_disk(tmp_path / "tiny_model")
    run(
        "ingest",
        str(samples / "004_b0e036cefecd7514.txt"),
        str(samples / "001_71d2b15bbf6c0817.txt"),
        "--ner-model",
        str(tmp_path / "tiny_model"),
    )
    rows = json.loads(run("entities", "--format", "json").stdout)
    assert any(r["value"] == "Doghmush clan" and r["type"] == "org" for r in rows)
    hawkins = next(r for r in rows if r["value"] == "Tim Hawkins")
    assert hawkins["type"] == "person"  # ours already had it: the model adds nothing there


@pytest.mark.parametrize("kind", ["bogus"])
def test_entities_bad_type_is_usage_error(run, kind: str) -> None:  # type: ignore[no-untyped-def]
    assert run("entities", "--type", kind).exit_code == 2
