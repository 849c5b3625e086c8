"""A thread-safe least-recently-used cache capped by the bytes its values hold."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any


class ByteLRU:
    """Keeps values until their sizes add up past ``cap_bytes``, then drops the oldest used.

    ``sizeof`` tells a value's size; ``ttl_s`` per entry lets short-lived values (failures)
    expire on their own.
    """

    def __init__(self, cap_bytes: int, sizeof: Callable[[Any], int] = len) -> None:
        self.cap_bytes = cap_bytes
        self._sizeof = sizeof
        self._items: OrderedDict[Hashable, tuple[Any, int, float | None]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: Hashable, default: Any = None) -> Any:
        with self._lock:
            item = self._items.get(key)
            if item is None:
                self.misses += 1
                return default
            value, size, expires = item
            if expires is not None and time.monotonic() > expires:
                del self._items[key]
                self._bytes -= size
                self.misses += 1
                return default
            self._items.move_to_end(key)
            self.hits += 1
            return value

    def put(self, key: Hashable, value: Any, ttl_s: float | None = None) -> None:
        size = max(1, int(self._sizeof(value)))
        if size > self.cap_bytes:
            with self._lock:  # never leave an older value standing in for this one
                old = self._items.pop(key, None)
                if old is not None:
                    self._bytes -= old[1]
            return
        expires = None if ttl_s is None else time.monotonic() + ttl_s
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self._bytes -= old[1]
            self._items[key] = (value, size, expires)
            self._bytes += size
            while self._bytes > self.cap_bytes and self._items:
                _, (_, dropped, _) = self._items.popitem(last=False)
                self._bytes -= dropped

    def __contains__(self, key: Hashable) -> bool:
        with self._lock:
            item = self._items.get(key)
            return item is not None and (item[2] is None or time.monotonic() <= item[2])

    def __len__(self) -> int:
        return len(self._items)

    @property
    def size_bytes(self) -> int:
        return self._bytes

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._bytes = 0
