"""Garbage-collector policy for processes that own their heap: the CLI and its pool workers.

A built spaCy pipeline with our components is about 110,000 Python objects that live for
the whole run, and every full collection re-scanned them: collections took 5% of an ingest
with extraction. Frozen (`gc.freeze`) right after a build, they are no longer scanned, which
halves that. A library caller (a notebook) keeps the default: whatever is frozen is never
freed, and its own garbage of the moment would be frozen too.
"""

from __future__ import annotations

import gc

_OWNED = {"heap": False}


def own(owned: bool = True) -> None:
    """Declare that this process is ours (called by the CLI's entry point and pool workers)."""
    _OWNED["heap"] = owned


def settle() -> None:
    """After building something kept for the whole run: keep collections from re-scanning it."""
    if _OWNED["heap"]:
        gc.freeze()


def release() -> None:
    """Before dropping such a thing: make it collectable again."""
    if _OWNED["heap"]:
        gc.unfreeze()
