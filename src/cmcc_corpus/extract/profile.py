"""The extraction profile: the packaged data files merged with a user's additions."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from ..normalize import fold_text
from ..profile import data_file, has_data_file, load_user_profile, merge

# One data file per concern; a user profile is a mapping of these names to additions.
CONCERNS = (
    "calendar",
    "countries",
    "organizations",
    "places",
    "numbers",
    "quantities",
    "hedges_and_modality",
    "predicates",
    "people",
    "subjects",
    "claims",
)
_REGISTRY: dict[str, Profile] = {}
_ARABIC = re.compile("[\u0600-\u06ff]")


@dataclass(frozen=True)
class Profile:
    """All profile data for extraction, with a stable key naming this exact content."""

    data: dict[str, Any] = field(hash=False, compare=False)
    key: str = ""

    def __getitem__(self, concern: str) -> Any:
        return self.data.get(concern) or {}

    @cached_property
    def arabic_lexicon(self) -> frozenset[str]:
        """Every folded Arabic word in the profile: a proclitic is stripped only to reach one."""
        words: set[str] = set()
        _collect_arabic(self.data, words)
        # An alias written with its own proclitic (وزارة الصحة بغزة) must not make the
        # clitic form a word: otherwise بغزة in a text would no longer reach غزة.
        # (What is left under a proclitic is never the word itself, so the whole set will do.)
        from .pipeline import under_proclitic

        whole = frozenset(words)
        return frozenset(w for w in words if under_proclitic(w, whole)[0] == w)


def _collect_arabic(node: Any, out: set[str]) -> None:
    if isinstance(node, dict):
        for value in node.values():
            _collect_arabic(value, out)
    elif isinstance(node, list):
        for value in node:
            _collect_arabic(value, out)
    elif isinstance(node, str) and _ARABIC.search(node):
        for word in fold_text(node).replace("/", " ").replace("-", " ").split():
            out.add(word)


def load_profile(user_file: Path | None = None) -> Profile:
    """The default profile, with `user_file`'s additions merged over it; cached by content."""
    data = {name: _packaged(name) for name in CONCERNS}
    if user_file is not None:
        for concern, additions in load_user_profile(user_file).items():
            data[concern] = merge(data.get(concern) or {}, additions)
    key = hashlib.sha256(json.dumps(data, default=str).encode()).hexdigest()[:16]
    if key not in _REGISTRY:
        _REGISTRY[key] = Profile(data, key)
    return _REGISTRY[key]


def register(profile: Profile) -> None:
    """Make a profile built elsewhere (a worker receives the merged data) findable by its key."""
    _REGISTRY.setdefault(profile.key, profile)


def registered(key: str) -> Profile:
    """The profile registered under `key` (pipeline components find theirs this way)."""
    return _REGISTRY[key] if key in _REGISTRY else load_profile()


def _packaged(name: str) -> Any:
    return data_file(name) if has_data_file(name) else {}
