"""A bounded per-process cache that a per-token loop reads at C speed.

Components need one fact per token (a NORM string, a normalized form) that depends only
on the token's string id, and the same words recur in every article. A Python loop over
every token of every article is what costs: `list(map(memo.__getitem__, ids))` reads a
whole doc in C, and only an id never seen before runs Python code (`__missing__`).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from functools import partial
from typing import TYPE_CHECKING, Generic, TypeVar

if TYPE_CHECKING:
    from spacy.strings import StringStore

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class Memo(dict[K, V]):
    """`compute(key)` for any key, remembered for up to `limit` keys (then all forgotten)."""

    def __init__(self, compute: Callable[[K], V], limit: int) -> None:
        super().__init__()
        self.compute, self.limit = compute, limit

    def __missing__(self, key: K) -> V:
        value = self.compute(key)
        if len(self) >= self.limit:  # the vocabulary grows with the corpus: stay bounded
            self.clear()
        self[key] = value
        return value


class StringMemo(Generic[V]):
    """A Memo over string ids whose values read (or add to) a vocabulary's StringStore: a
    fresh one for each vocabulary, since pipelines are rebuilt with a new one past a bound."""

    def __init__(self, compute: Callable[[StringStore, int], V], limit: int) -> None:
        self.compute, self.limit = compute, limit
        self.strings: StringStore | None = None
        self.memo: Memo[int, V] | None = None

    def of(self, strings: StringStore) -> Memo[int, V]:
        """The memo for ids of `strings`."""
        if self.memo is None or strings is not self.strings:
            self.strings, self.memo = strings, Memo(partial(self.compute, strings), self.limit)
        return self.memo
