"""``python -m bench.cache``: the image cache's throughput and memory, against a hand-written LRU.

The workload is the viewer's: the default 256 MiB cap, keys like the fetcher's ``("raw", url)``,
values of 20–300 kB (so about 1,700 fit among 4,000 keys and puts evict), one put in twenty with
a 60 s expiry (a failure). Values come from a shared pool, so the memory measured is the
cache's own bookkeeping, not the bytes it holds. Prints a table, then one JSON line.
"""

from __future__ import annotations

import json
import random
import threading
import time
import tracemalloc
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, Protocol

from bench.report import Row, table
from viewer.cache import ByteLRU

CAP_BYTES = 256 * 1024 * 1024
KEYS = [("raw", f"http://images.test/photo/{i}.jpg") for i in range(4000)]
THREADS = 8


class Cache(Protocol):
    def get(self, key: Hashable, default: Any = None) -> Any: ...

    def put(self, key: Hashable, value: Any, ttl_s: float | None = None) -> None: ...

    def __len__(self) -> int: ...


class HandWrittenLRU:
    """The cache this viewer had before cachetools: an OrderedDict, a byte count, one lock."""

    def __init__(self, cap_bytes: int, sizeof: Callable[[Any], int] = len) -> None:
        self.cap_bytes = cap_bytes
        self._sizeof = sizeof
        self._items: OrderedDict[Hashable, tuple[Any, int, float | None]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: Hashable, default: Any = None) -> Any:
        with self._lock:
            item = self._items.get(key)
            if item is None:
                return default
            value, size, expires = item
            if expires is not None and time.monotonic() > expires:
                del self._items[key]
                self._bytes -= size
                return default
            self._items.move_to_end(key)
            return value

    def put(self, key: Hashable, value: Any, ttl_s: float | None = None) -> None:
        size = max(1, int(self._sizeof(value)))
        expires = None if ttl_s is None else time.monotonic() + ttl_s
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self._bytes -= old[1]
            if size > self.cap_bytes:
                return
            self._items[key] = (value, size, expires)
            self._bytes += size
            while self._bytes > self.cap_bytes and self._items:
                _, (_, dropped, _) = self._items.popitem(last=False)
                self._bytes -= dropped

    def __len__(self) -> int:
        return len(self._items)


IMPLEMENTATIONS: dict[str, Callable[[], Cache]] = {
    "hand-written": lambda: HandWrittenLRU(CAP_BYTES),
    "cachetools": lambda: ByteLRU(CAP_BYTES),
}


def make_values(rng: random.Random, count: int = 64) -> list[bytes]:
    """A pool of values of 20–300 kB, shared by every entry."""
    return [bytes(rng.randrange(20_000, 300_000)) for _ in range(count)]


def make_ops(rng: random.Random, count: int) -> list[tuple[Hashable, int, float | None]]:
    """(key, value index, ttl) per operation; keys lean to recent pages, as paging does."""
    ops = []
    for _ in range(count):
        key = KEYS[min(len(KEYS) - 1, int(rng.expovariate(1 / 1200)))]
        ops.append((key, rng.randrange(64), 60.0 if rng.random() < 0.05 else None))
    return ops


def fill(cache: Cache, values: list[bytes], ops: list[tuple[Hashable, int, float | None]]) -> None:
    for key, value, ttl in ops:
        cache.put(key, values[value], ttl_s=ttl)


def ops_per_s(run: Callable[[], object], count: int, repeat: int = 3) -> float:
    best = min(_timed(run) for _ in range(repeat))
    return count / best


def _timed(run: Callable[[], object]) -> float:
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def measure(make: Callable[[], Cache], values: list[bytes], seed: int = 7) -> dict[str, float]:
    """Throughput of puts, gets and get-or-put (one thread and several), and bookkeeping bytes."""
    rng = random.Random(seed)
    puts = make_ops(rng, 20_000)
    gets = make_ops(rng, 100_000)
    warm = make()
    fill(warm, values, puts)

    def get_all() -> None:
        for key, _, _ in gets:
            warm.get(key)

    def get_or_put(cache: Cache, ops: list[tuple[Hashable, int, float | None]]) -> None:
        for key, value, ttl in ops:
            if cache.get(key) is None:
                cache.put(key, values[value], ttl_s=ttl)

    def threaded() -> None:
        cache = make()
        share = len(gets) // THREADS
        pool = [
            threading.Thread(target=get_or_put, args=(cache, gets[i * share : (i + 1) * share]))
            for i in range(THREADS)
        ]
        for t in pool:
            t.start()
        for t in pool:
            t.join()

    tracemalloc.start()
    held = make()
    fill(held, values, puts)
    bookkeeping, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "put_per_s": ops_per_s(lambda: fill(make(), values, puts), len(puts)),
        "get_per_s": ops_per_s(get_all, len(gets)),
        "get_or_put_per_s": ops_per_s(lambda: get_or_put(make(), gets), len(gets)),
        "threaded_per_s": ops_per_s(threaded, len(gets)),
        "entries": len(held),
        "bookkeeping_bytes_per_entry": bookkeeping / max(1, len(held)),
    }


def main() -> None:
    values = make_values(random.Random(1))
    results = {name: measure(make, values) for name, make in IMPLEMENTATIONS.items()}
    rows: list[Row] = []
    for name, numbers in results.items():
        rows.append(Row("section", name))
        rows += [
            Row("put, evicting (ops/s)", f"{numbers['put_per_s']:,.0f}"),
            Row("get, warm (ops/s)", f"{numbers['get_per_s']:,.0f}"),
            Row("get, put on a miss (ops/s)", f"{numbers['get_or_put_per_s']:,.0f}"),
            Row(f"same, {THREADS} threads (ops/s)", f"{numbers['threaded_per_s']:,.0f}"),
            Row("entries held at 256 MiB", f"{numbers['entries']:,.0f}"),
            Row("bookkeeping per entry (B)", f"{numbers['bookkeeping_bytes_per_entry']:,.0f}"),
        ]
    print(table(rows))
    print(json.dumps(results))


if __name__ == "__main__":
    main()
