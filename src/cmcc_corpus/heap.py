"""Garbage-collector policy for processes that own their heap: the CLI and its pool workers.

A built spaCy pipeline with our components is about 110,000 Python objects that live for
the whole run, and every full collection re-scanned them: collections took 5% of an ingest
with extraction. Frozen (`gc.freeze`) right after a build, they are no longer scanned, which
halves that. A library caller (a notebook) keeps the default: whatever is frozen is never
freed, and its own garbage of the moment would be frozen too.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

_OWNED = {"heap": False}


def own(owned: bool = True) -> None:
    """Declare that this process is ours (called by the CLI's entry point and pool workers)."""
    _OWNED["heap"] = owned


@contextmanager
def loading() -> Iterator[None]:
    """Around loading something kept for the whole run (spaCy's modules, a pipeline): no
    collections while it loads, then all of it frozen so that later ones do not re-scan it.

    Loading both pipelines set off some 400 collections, each re-scanning what was loaded so
    far: a quarter to a half of a second. The cycles left as garbage meanwhile (a few thousand
    objects, well under a megabyte) are frozen with the rest until `release`.
    """
    if not _OWNED["heap"] or not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.enable()


def release() -> None:
    """Before dropping such a thing: make it collectable again."""
    if _OWNED["heap"]:
        gc.unfreeze()
