"""Profile data: the package's YAML word lists, one file per concern, with user overrides."""

from __future__ import annotations

import contextlib
import hashlib
import marshal
import os
import sys
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
    """Parsed contents of the packaged `data/<name>.yaml` (cached per process, and on disk)."""
    ref = resources.files("cmcc_corpus") / "data" / f"{name}.yaml"
    try:
        text = ref.read_text(encoding="utf-8")
        path = _cache_path(text)
        parsed = _cached(path)
        return _remember(path, yaml.load(text, Loader=_Loader)) if parsed is _MISSING else parsed
    except (OSError, yaml.YAMLError) as exc:
        raise ProfileError(f"data/{name}.yaml: {exc}") from None


# Parsing the data files is a tenth of a second at every start of the CLI and of each worker;
# reading them back from marshal is a fiftieth of that. Entries are named by a hash of the
# YAML text, so an edited or upgraded file is parsed afresh; the cache is only ever a shortcut.
_MISSING = object()


def _cache_path(text: str) -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    version = f"{sys.version_info[0]}{sys.version_info[1]}-{marshal.version}"
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]
    return Path(base) / "cmcc-corpus" / f"data-{digest}-{version}.marshal"


def _cached(path: Path) -> Any:
    try:
        return marshal.loads(path.read_bytes())
    except (OSError, ValueError, EOFError, TypeError):  # absent, unreadable or damaged: parse it
        return _MISSING


def _remember(path: Path, parsed: Any) -> Any:
    """Write the parsed data for the next process (atomically); a cache that cannot be written is skipped."""
    try:
        data = marshal.dumps(parsed)
    except ValueError:  # a value marshal cannot hold
        return parsed
    temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary.write_bytes(data)
        os.replace(temporary, path)
    except OSError:  # a read-only home, a full disk
        with contextlib.suppress(OSError):
            temporary.unlink(missing_ok=True)
    return parsed


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
