"""A thread-safe least-recently-used cache capped by the bytes its values hold."""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Hashable
from typing import Any, NamedTuple

from cachetools import TLRUCache


class _Entry(NamedTuple):
    value: Any
    size: int
    ttl_s: float | None


def _expiry(_key: Hashable, entry: _Entry, now: float) -> float:
    return math.inf if entry.ttl_s is None else now + entry.ttl_s


def _entry_size(entry: _Entry) -> int:
    return entry.size


class ByteLRU:
    """Keeps values until their sizes add up past ``cap_bytes``, then drops the oldest used.

    ``sizeof`` tells a value's size (less than 1 counts as 1); ``ttl_s`` per entry lets
    short-lived values (failures) expire on their own. A cachetools ``TLRUCache`` behind one lock.
    """

    def __init__(self, cap_bytes: int, sizeof: Callable[[Any], int] = len) -> None:
        self.cap_bytes = cap_bytes
        self._sizeof = sizeof
        self._items: TLRUCache[Hashable, _Entry, float] = TLRUCache(
            cap_bytes, _expiry, getsizeof=_entry_size
        )
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: Hashable, default: Any = None) -> Any:
        with self._lock:
            entry = self._items.get(key)
            if entry is None:
                self.misses += 1
                return default
            self.hits += 1
            return entry.value

    def put(self, key: Hashable, value: Any, ttl_s: float | None = None) -> None:
        """Store ``value``; one larger than the cap is not stored, and drops ``key``'s old one."""
        size = max(1, int(self._sizeof(value)))
        with self._lock:
            # the old value goes first, so it never counts against the new one or stands in for it
            self._items.pop(key, None)
            if size <= self.cap_bytes:
                self._items[key] = _Entry(value, size, ttl_s)

    def snapshot(self) -> dict[Hashable, Any]:
        """Every value still held (none that has expired), by key."""
        with self._lock:
            self._items.expire()
            return {key: entry.value for key, entry in self._items.items()}

    def __contains__(self, key: Hashable) -> bool:
        with self._lock:
            return key in self._items

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)

    @property
    def size_bytes(self) -> int:
        with self._lock:
            return int(self._items.currsize)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
