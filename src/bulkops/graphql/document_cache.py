"""A cache bounded by the memory its entries take rather than by their number: 512 small polling documents
weigh little, 512 large one-off documents took gigabytes."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

V = TypeVar("V")

BYTES_PER_CHARACTER = 200
"""What a parsed and validated document keeps per character of its text, a little above measured (about 100 for
dense selections, 130 for alias-heavy ones, 185 for long lists of one-digit literals; long strings far less)."""
BYTES_PER_DOCUMENT = 8192
"""What any kept document holds besides its nodes (the key, the result's containers)."""
LARGEST_SHARE = 8
"""A document estimated above 1/8 of the budget is not kept: a one-off giant would evict every poll's."""


def document_weight(*texts: str | None) -> int:
    """Estimated bytes a prepared document made from ``texts`` (its document, its operation name) holds."""
    return BYTES_PER_DOCUMENT + sum(len(text or "") for text in texts) * BYTES_PER_CHARACTER


class BoundedCache(Generic[V]):
    """Least recently used entries leave first, until the estimated total fits ``max_bytes``. Thread-safe;
    values are made outside the lock (two threads may make the same value; one is kept)."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._entries: OrderedDict[Hashable, tuple[V, int]] = OrderedDict()
        self._total = 0
        self._lock = threading.Lock()

    @property
    def total_bytes(self) -> int:
        return self._total

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: Hashable, weight: int, make: Callable[[], V]) -> V:
        """The value kept for ``key``, else ``make()``, kept when ``weight`` (its estimated bytes) fits."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
                return entry[0]
        value = make()
        if weight * LARGEST_SHARE <= self.max_bytes:
            self._keep(key, value, weight)
        return value

    def _keep(self, key: Hashable, value: V, weight: int) -> None:
        with self._lock:
            if key in self._entries:
                return
            self._entries[key] = (value, weight)
            self._total += weight
            while self._total > self.max_bytes:
                _, (_, dropped) = self._entries.popitem(last=False)
                self._total -= dropped
