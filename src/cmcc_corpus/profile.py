"""Profile data: the package's YAML word lists, one file per concern, with user overrides."""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from .errors import ProfileError

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def has_data_file(name: str) -> bool:
    """Whether the package ships `data/<name>.yaml`."""
    return (resources.files("cmcc_corpus") / "data" / f"{name}.yaml").is_file()


@cache
def data_file(name: str) -> Any:
    """Parsed contents of the packaged `data/<name>.yaml` (cached per process)."""
    ref = resources.files("cmcc_corpus") / "data" / f"{name}.yaml"
    try:
        return yaml.load(ref.read_text(encoding="utf-8"), Loader=_Loader)
    except (OSError, yaml.YAMLError) as exc:
        raise ProfileError(f"data/{name}.yaml: {exc}") from None


def load_user_profile(path: Path) -> dict[str, Any]:
    """Parse a user's profile file (YAML mapping of concern name to additions)."""
    try:
        loaded = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ProfileError(f"{path}: cannot read profile ({exc})") from None
    if not isinstance(loaded, dict):
        raise ProfileError(f"{path}: a profile must be a mapping of concern names to data")
    return loaded


def merge(base: Any, extra: Any) -> Any:
    """Merge `extra` over `base`: mappings recursively, lists extended, scalars replaced."""
    if isinstance(base, dict) and isinstance(extra, dict):
        out = dict(base)
        for key, value in extra.items():
            out[key] = merge(base[key], value) if key in base else value
        return out
    if isinstance(base, list) and isinstance(extra, list):
        return base + [v for v in extra if v not in base]
    return extra
