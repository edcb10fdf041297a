"""The packaged data files are parsed once per machine: later processes read them from a cache
named by the YAML text's hash, and a cache that is missing, damaged or unwritable changes nothing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from cmcc_corpus import profile


@pytest.fixture
def cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    profile.data_file.cache_clear()  # as in a new process
    yield tmp_path / "cmcc-corpus"
    profile.data_file.cache_clear()


def _parsing_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_yaml(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("parsed the YAML again")

    monkeypatch.setattr(profile.yaml, "load", no_yaml)


def test_a_second_process_reads_the_cache(cache_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = profile.data_file("calendar")
    assert len(list(cache_home.glob("data-*.marshal"))) == 1
    profile.data_file.cache_clear()
    _parsing_fails(monkeypatch)
    assert profile.data_file("calendar") == first


def test_an_edited_file_is_parsed_afresh(cache_home: Path) -> None:
    text = "months:\n  en: [January]\n"
    assert profile._cached(profile._cache_path(text)) is profile._MISSING
    profile._remember(profile._cache_path(text), yaml.safe_load(text))
    assert profile._cached(profile._cache_path(text)) == {"months": {"en": ["January"]}}
    assert profile._cached(profile._cache_path(text.replace("January", "February"))) is profile._MISSING


def test_a_damaged_cache_is_parsed_around(cache_home: Path) -> None:
    expected = profile.data_file("calendar")
    (entry,) = cache_home.glob("data-*.marshal")
    entry.write_bytes(entry.read_bytes()[:100])  # cut short
    profile.data_file.cache_clear()
    assert profile.data_file("calendar") == expected


def test_an_unwritable_cache_is_skipped(cache_home: Path) -> None:
    cache_home.parent.mkdir(exist_ok=True)
    cache_home.write_text("a file where the cache directory would go")
    assert profile.data_file("calendar")["months"]
    assert cache_home.is_file()  # left as it was, nothing else written


def test_a_value_marshal_cannot_hold_is_not_cached(cache_home: Path) -> None:
    text = "on: 2025-10-17\n"
    parsed = yaml.safe_load(text)  # a datetime.date
    assert profile._remember(profile._cache_path(text), parsed) is parsed
    assert profile._cached(profile._cache_path(text)) is profile._MISSING
