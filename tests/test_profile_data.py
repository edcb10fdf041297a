"""Structure checks for the packaged profile data files (entities, numbers, cues, predicates)."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pycountry
import pytest
import yaml

from cmcc_corpus.normalize import fold_text

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "src" / "cmcc_corpus" / "data"
FILES = [
    "countries",
    "organizations",
    "places",
    "numbers",
    "quantities",
    "hedges_and_modality",
    "predicates",
]
ARABIC = re.compile(r"[\u0621-\u064a]")
GOLD_UNITS = {
    "personnel",
    "countries",
    "ngos",
    "organizations",
    "hostages",
    "bodies",
    "trucks",
    "civilians",
}
GOLD_QUALIFIERS = {"exact", "about", "up_to", "at_least", "more_than", "less_than", "nearly"}
GOLD_PREDICATES = {
    "opened_on",
    "signed_on",
    "located_in",
    "member_count",
    "personnel_count",
    "participates_in",
    "candidate_for",
    "cost",
    "duration",
}
ORG_KINDS = {
    "military",
    "un",
    "media",
    "government",
    "armed_group",
    "ngo",
    "coalition",
    "intergovernmental",
}
PLACE_KINDS = {"territory", "city", "crossing", "road", "region", "line"}


def _load(name: str) -> Any:
    with (DATA / f"{name}.yaml").open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


@pytest.fixture(scope="module")
def data() -> dict[str, Any]:
    return {name: _load(name) for name in FILES}


def _gold_path() -> Path | None:
    for root in (REPO.parent / "shared",):
        path = root / "gold" / "seeds.gold.jsonl"
        if path.is_file():
            return path
    return None


def _key(alias: str) -> str:
    return fold_text(alias).lower().strip()


def _walk_lists(node: Any, path: str = "") -> Iterator[tuple[str, str, list[Any]]]:
    """Yield (path, field name, list) for every list under a key starting with en / ar."""
    if isinstance(node, dict):
        for k, v in node.items():
            field = str(k)
            if isinstance(v, list) and (field.startswith("en") or field.startswith("ar")):
                yield f"{path}/{field}", field, v
            else:
                yield from _walk_lists(v, f"{path}/{field}")
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _walk_lists(v, f"{path}[{i}]")


def _aliases(entry: dict[str, Any], fields: Iterable[str]) -> list[str]:
    return [a for f in fields for a in entry.get(f, []) or []]


def _collisions(entries: dict[Any, dict[str, Any]], languages: dict[str, tuple[str, ...]]) -> list[str]:
    """Aliases that map to more than one id without being flagged ambiguous in each."""
    problems = []
    for lang, fields in languages.items():
        owners: dict[str, set[Any]] = defaultdict(set)
        for ident, entry in entries.items():
            for alias in _aliases(entry, fields):
                owners[_key(alias)].add(ident)
        for alias, ids in owners.items():
            if len(ids) < 2:
                continue
            unflagged = [
                i for i in ids if alias not in {_key(a) for a in entries[i].get("ambiguous_aliases", []) or []}
            ]
            if unflagged:
                problems.append(f"{lang} {alias!r} -> {sorted(map(str, ids))}")
    return problems


EN_AR = {"en": ("en",), "ar": ("ar",)}


def _sections(d: dict[str, Any]) -> list[tuple[str, dict[Any, dict[str, Any]], dict]]:
    """(label, {id: entry}, {language: alias fields}) for every alias table in every file."""
    q, n, h = d["quantities"], d["numbers"], d["hedges_and_modality"]
    indexed = {
        "numbers/vague": dict(enumerate(n["vague"])),
        "hedges/relative_dates": dict(enumerate(h["relative_dates"])),
        "hedges/weekday_modifiers": dict(enumerate(h["weekday_modifiers"])),
        "hedges/vague": dict(enumerate(h["vague"])),
    }
    triggers = {
        k: {**v["triggers"], "ambiguous_aliases": v.get("ambiguous_aliases", [])} for k, v in d["predicates"].items()
    }
    return [
        ("countries", d["countries"], {"en": ("en", "en_demonyms"), "ar": ("ar", "ar_demonyms")}),
        ("organizations", d["organizations"], EN_AR),
        ("places", d["places"], EN_AR),
        ("numbers/cardinals", n["cardinals"], EN_AR),
        ("numbers/scales", n["scales"], {"en": ("en", "en_suffixes"), "ar": ("ar",)}),
        ("numbers/fractions", n["fractions"], EN_AR),
        ("numbers/vague", indexed["numbers/vague"], EN_AR),
        ("quantities/units", q["units"], EN_AR),
        ("quantities/qualifiers/before", q["qualifiers"], EN_AR),
        ("quantities/qualifiers/after", q["qualifiers"], {"en": ("en_after",), "ar": ("ar_after",)}),
        ("quantities/currencies", q["currencies"], {"en": ("en",), "ar": ("ar",), "symbol": ("symbols",)}),
        ("quantities/duration_units", q["duration_units"], {"en": ("en",), "ar": ("ar", "ar_dual")}),
        ("hedges/modality", h["modality"], {"en": ("en",), "ar": ("ar", "ar_prefixes")}),
        ("hedges/relative_dates", indexed["hedges/relative_dates"], EN_AR),
        ("hedges/weekday_modifiers", indexed["hedges/weekday_modifiers"], EN_AR),
        ("hedges/vague", indexed["hedges/vague"], EN_AR),
        ("predicates", triggers, EN_AR),
    ]


def test_every_file_loads_as_a_mapping(data: dict[str, Any]) -> None:
    for name in FILES:
        assert isinstance(data[name], dict) and data[name], name


def test_every_iso_country_has_english_and_arabic_names(data: dict[str, Any]) -> None:
    countries = data["countries"]
    missing = sorted(c.alpha_3 for c in pycountry.countries if c.alpha_3 not in countries)
    assert not missing, f"countries.yaml lacks {missing}"
    for code, entry in countries.items():
        assert re.fullmatch(r"[A-Z]{3}", code), code
        assert entry.get("en"), f"{code}: no English name"
        assert entry.get("ar"), f"{code}: no Arabic name"
        assert isinstance(entry.get("name"), str), code
        for field in ("en_demonyms", "ar_demonyms"):
            assert isinstance(entry.get(field), list), f"{code}: {field} missing"


def test_alias_lists_hold_clean_strings_in_the_right_script(data: dict[str, Any]) -> None:
    problems = []
    for name in FILES:
        for path, field, items in _walk_lists(data[name], name):
            for item in items:
                if not isinstance(item, str) or not item.strip() or item != item.strip():
                    problems.append(f"{path}: bad alias {item!r}")
                elif field.startswith("ar") and not ARABIC.search(item):
                    problems.append(f"{path}: no Arabic letter in {item!r}")
                elif field.startswith("en") and ARABIC.search(item):
                    problems.append(f"{path}: Arabic in English alias {item!r}")
            dupes = {x for x in items if isinstance(x, str) and items.count(x) > 1}
            if dupes:
                problems.append(f"{path}: repeated {sorted(dupes)}")
    assert not problems, "\n".join(problems)


def test_ambiguity_flags_name_real_aliases(data: dict[str, Any]) -> None:
    problems = []
    for label, entries, _languages in _sections(data):
        for ident, entry in entries.items():
            flagged = entry.get("ambiguous_aliases") or []
            fields = [f for f in entry if f.startswith(("en", "ar", "symbols"))]
            own = {_key(a) for a in _aliases(entry, fields)}
            for alias in flagged:
                if _key(alias) not in own:
                    problems.append(f"{label}/{ident}: flags {alias!r}, not one of its aliases")
            if "ambiguous" in entry and bool(entry["ambiguous"]) != bool(flagged):
                problems.append(f"{label}/{ident}: `ambiguous` disagrees with ambiguous_aliases")
            entity_file = label in ("countries", "organizations", "places")
            if entity_file and flagged and entry.get("ambiguous") is not True:
                problems.append(f"{label}/{ident}: ambiguous_aliases without ambiguous: true")
    assert not problems, "\n".join(problems)


def test_no_alias_maps_to_two_ids_unless_flagged(data: dict[str, Any]) -> None:
    problems = []
    for label, entries, languages in _sections(data):
        problems += [f"{label}: {p}" for p in _collisions(entries, languages)]
    assert not problems, "\n".join(problems)


def test_organizations_are_well_formed(data: dict[str, Any]) -> None:
    orgs = data["organizations"]
    for name, entry in orgs.items():
        assert entry.get("kind") in ORG_KINDS, name
        assert entry.get("en") and entry.get("ar"), name
        if "parent" in entry:
            assert entry["parent"] in orgs, f"{name}: unknown parent {entry['parent']}"
        if "refers_back" in entry:
            assert set(entry["refers_back"]) <= {"en", "ar"}, name
    back = orgs["CMCC"]["refers_back"]
    assert "the center" in back["en"] and "المركز" in back["ar"]


def test_places_are_well_formed_and_contained(data: dict[str, Any]) -> None:
    places, countries = data["places"], data["countries"]
    for name, entry in places.items():
        assert entry.get("kind") in PLACE_KINDS, name
        assert entry.get("en") and entry.get("ar"), name
        assert "within" in entry, name
        seen = [name]
        parent = entry["within"]
        while parent is not None and parent not in countries:
            assert parent in places, f"{name}: unknown container {parent}"
            assert parent not in seen, f"{name}: containment cycle {seen}"
            seen.append(parent)
            parent = places[parent]["within"]


def test_numbers_are_well_formed(data: dict[str, Any]) -> None:
    numbers = data["numbers"]
    for value, entry in numbers["cardinals"].items():
        assert isinstance(value, int) and value >= 0
        assert entry.get("en") or entry.get("ar"), value
    for value in numbers["scales"]:
        assert isinstance(value, int) and str(value).rstrip("0") == "1", value
    for entry in numbers["vague"]:
        assert entry.get("en") or entry.get("ar")
        assert set(entry) <= {"en", "ar", "value", "min", "max", "ambiguous_aliases"}, entry


def test_quantity_tables_cover_the_gold_vocabulary(data: dict[str, Any]) -> None:
    q = data["quantities"]
    assert set(q["units"]) == GOLD_UNITS
    assert set(q["qualifiers"]) == GOLD_QUALIFIERS
    for code, entry in q["currencies"].items():
        assert pycountry.currencies.get(alpha_3=code) is not None, code
        assert entry.get("symbols") and (entry.get("en") or entry.get("ar")), code
    for name, entry in q["duration_units"].items():
        assert entry["designator"] in {"D", "W", "M", "Y", "H"}, name
        assert entry.get("time", False) == (name in {"hour", "minute"}), name
        assert isinstance(entry.get("multiplier", 1), int), name


def test_modality_and_relative_dates(data: dict[str, Any]) -> None:
    h = data["hedges_and_modality"]
    assert {"expected", "denied", "reported"} <= set(h["modality"])
    offsets = {"days", "weeks", "months", "years"}
    for entry in h["relative_dates"] + h["weekday_modifiers"]:
        present = offsets & set(entry)
        assert len(present) == 1, entry
        assert isinstance(entry[present.pop()], int), entry
    yesterday = next(e for e in h["relative_dates"] if "yesterday" in e.get("en", []))
    assert yesterday["days"] == -1 and "أمس" in yesterday["ar"]
    for entry in h["vague"]:
        assert entry["direction"] in (-1, 0, 1), entry


def test_predicates_are_well_formed(data: dict[str, Any]) -> None:
    preds = data["predicates"]
    assert set(preds) >= GOLD_PREDICATES
    for name, entry in preds.items():
        assert entry["value"] in {"date", "place", "quantity", "entity", "money", "duration"}
        assert isinstance(entry["evolves"], bool), name
        assert entry["subjects"], name
        assert entry["triggers"].get("en") and entry["triggers"].get("ar"), name
        if entry["value"] == "quantity":
            assert set(entry["units"]) <= GOLD_UNITS, name
    for fixed in ("opened_on", "signed_on", "located_in"):
        assert preds[fixed]["evolves"] is False
    for counted in ("member_count", "personnel_count"):
        assert preds[counted]["evolves"] is True


def _gold_rows() -> list[dict[str, Any]]:
    path = _gold_path()
    if path is None:
        pytest.skip("shared gold annotations are not present")
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def test_gold_entity_values_are_keys_of_the_right_file(data: dict[str, Any]) -> None:
    files = {"country": "countries", "org": "organizations", "place": "places"}
    missing = sorted(
        {
            f"{row['type']} {row['value']!r}"
            for row in _gold_rows()
            if row.get("kind") == "mention"
            and row.get("type") in files
            and row["value"] not in data[files[row["type"]]]
        }
    )
    assert not missing, f"gold values absent from the data files: {missing}"


def test_gold_claims_fit_the_predicate_table(data: dict[str, Any]) -> None:
    preds = data["predicates"]
    problems = []
    for row in _gold_rows():
        if row.get("kind") not in ("claim", "finding"):
            continue
        pred = preds.get(row["predicate"])
        if pred is None:
            problems.append(f"unknown predicate {row['predicate']}")
            continue
        subject = row["subject"]
        if subject in data["countries"]:
            subject_type = "country"
        elif subject in data["organizations"]:
            subject_type = "org"
        elif subject in data["places"]:
            subject_type = "place"
        else:
            subject_type = None
        if subject_type is not None and subject_type not in pred["subjects"]:
            problems.append(f"{row['predicate']}: subject {subject} is a {subject_type}")
        if subject_type is None and not {"agreement", "plan"} & set(pred["subjects"]):
            problems.append(f"{row['predicate']}: free-text subject {subject!r}")
        values = [row["value"]] if row["kind"] == "claim" else [s["value"] for s in row["sides"]]
        for value in values:
            if pred["value"] == "place" and value not in data["places"]:
                problems.append(f"{row['predicate']}: place {value!r} not in places.yaml")
            if pred["value"] == "entity" and value not in data["organizations"]:
                problems.append(f"{row['predicate']}: {value!r} not in organizations.yaml")
        quantity = row["kind"] == "claim" and pred["value"] == "quantity"
        if quantity and row.get("unit") not in pred["units"]:
            problems.append(f"{row['predicate']}: unit {row.get('unit')}")
    assert not problems, "\n".join(problems)


def _occurs(alias: str, text: str) -> bool:
    """`alias` is a whole word sequence of `text`, allowing Arabic proclitics (و ف ب ك ل، لل)."""
    forms = [alias]
    if alias.startswith("ال"):
        forms.append("لل" + alias[2:])
    return any(re.search(rf"(?<!\w)(?:[وفبكل])?{re.escape(form)}(?!\w)", text) for form in forms)


def test_gold_surface_forms_are_listed(data: dict[str, Any]) -> None:
    """The exact wording of gold org/place/country rows resolves to the gold value."""
    sections = {
        "country": (data["countries"], ("en", "en_demonyms", "ar", "ar_demonyms")),
        "org": (data["organizations"], ("en", "ar")),
        "place": (data["places"], ("en", "ar")),
    }
    problems = []
    for row in _gold_rows():
        if row.get("kind") != "mention" or row.get("type") not in sections:
            continue
        entries, fields = sections[row["type"]]
        entry = entries.get(row["value"])
        if entry is None:
            continue  # reported by test_gold_entity_values_are_keys_of_the_right_file
        text = _key(row["text"])
        aliases = sorted({_key(a) for a in _aliases(entry, fields)}, key=len, reverse=True)
        found = any(_occurs(alias, text) for alias in aliases)
        if not found:
            problems.append(f"{row['doc']}: {row['type']} {row['value']} from {row['text']!r}")
    assert not problems, "\n".join(problems)
