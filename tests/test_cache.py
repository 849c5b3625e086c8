"""ByteLRU: the byte cap, least-recently-used eviction, expiry, replacement and locking."""

from __future__ import annotations

import random
import threading
import time

import pytest

from viewer.cache import ByteLRU


def present(cache: ByteLRU, keys) -> list:
    """The keys the cache still holds (``in`` does not refresh recency)."""
    return [k for k in keys if k in cache]


@pytest.mark.parametrize(
    ("cap", "sizes", "kept", "size_bytes"),
    [
        # 20 puts of 3 bytes under a cap of 10: the last three survive.
        (10, [3] * 20, [17, 18, 19], 9),
        (100, [30] * 10, [7, 8, 9], 90),
        # a total exactly at the cap is allowed
        (10, [10] * 5, [4], 10),
        (10, [5, 5], [0, 1], 10),
        (1, [1] * 5, [4], 1),
        # 6 + 3 = 9; + 5 = 14 drops key 0 -> 8; + 1 = 9
        (10, [6, 3, 5, 1], [1, 2, 3], 9),
        # 9 + 2 = 11 drops key 0
        (10, [9, 2], [1], 2),
        # 4 + 4 = 8; + 4 = 12 drops 0 -> 8; + 4 = 12 drops 1 -> 8
        (10, [4, 4, 4, 4], [2, 3], 8),
        # a large newcomer drops several old entries: 2+2+2+2 = 8; + 9 = 17 -> drop 0..3 -> 9
        (10, [2, 2, 2, 2, 9], [4], 9),
    ],
)
def test_cap_respected(cap: int, sizes: list[int], kept: list[int], size_bytes: int) -> None:
    cache = ByteLRU(cap)
    for key, size in enumerate(sizes):
        cache.put(key, b"x" * size)
        assert cache.size_bytes <= cap
    assert present(cache, range(len(sizes))) == kept
    assert cache.size_bytes == size_bytes
    assert len(cache) == len(kept)


def test_cap_respected_after_many_random_puts() -> None:
    rng = random.Random(1234)
    cap = 1000
    cache = ByteLRU(cap)
    for _ in range(2000):
        cache.put(rng.randrange(300), b"x" * rng.randrange(1, 120))
        assert cache.size_bytes <= cap
    held = [cache.get(k) for k in range(300)]
    assert cache.size_bytes == sum(len(v) for v in held if v is not None)


@pytest.mark.parametrize(
    ("sizeof", "cap", "puts", "kept"),
    [
        # a size of 0 (or less) counts as 1 byte, so a cap of 3 holds three values
        (lambda v: 0, 3, 5, [2, 3, 4]),
        (lambda v: -10, 2, 5, [3, 4]),
        # a custom size function is used instead of len()
        (lambda v: v["n"], 10, 4, [2, 3]),
    ],
)
def test_custom_sizeof(sizeof, cap: int, puts: int, kept: list[int]) -> None:
    cache = ByteLRU(cap, sizeof=sizeof)
    for key in range(puts):
        cache.put(key, {"n": 4})
    assert present(cache, range(puts)) == kept


@pytest.mark.parametrize(
    ("touch", "evicted"),
    [
        ((), "a"),
        (("a",), "b"),
        (("a", "b"), "c"),
        # a,b,c -> get b: a,c,b -> get a: c,b,a -> get c: b,a,c
        (("b", "a", "c"), "b"),
        (("c",), "a"),
        (("missing",), "a"),  # a miss changes nothing
    ],
)
def test_get_refreshes(touch: tuple[str, ...], evicted: str) -> None:
    cache = ByteLRU(3)
    for key in "abc":
        cache.put(key, b"1")
    for key in touch:
        cache.get(key)
    cache.put("d", b"1")
    assert present(cache, "abcd") == [k for k in "abcd" if k != evicted]
    assert cache.get(evicted) is None


def test_put_again_refreshes_and_contains_does_not() -> None:
    cache = ByteLRU(3)
    for key in "abc":
        cache.put(key, b"1")
    cache.put("a", b"2")  # a is now the newest
    assert "b" in cache  # membership does not refresh b
    cache.put("d", b"1")
    assert present(cache, "abcd") == ["a", "c", "d"]
    assert cache.get("a") == b"2"


@pytest.mark.parametrize(
    ("cap", "size", "stored"), [(10, 11, False), (10, 100, False), (10, 10, True)]
)
def test_oversize_value_is_not_stored(cap: int, size: int, stored: bool) -> None:
    cache = ByteLRU(cap)
    cache.put("small", b"s")
    cache.put("big", b"x" * size)
    assert ("big" in cache) is stored
    if stored:
        # it fits only alone: the small one is dropped
        assert present(cache, ["small", "big"]) == ["big"]
        assert cache.size_bytes == size
    else:
        # refusing it leaves everything else alone
        assert present(cache, ["small", "big"]) == ["small"]
        assert cache.size_bytes == 1


def test_oversize_replacement_drops_the_old_value() -> None:
    cache = ByteLRU(10)
    cache.put("k", b"old")
    cache.put("k", b"x" * 11)
    assert cache.get("k") is None


@pytest.mark.parametrize(("ttl_s", "kept"), [(0.3, False), (None, True), (60.0, True)])
def test_ttl(ttl_s: float | None, kept: bool) -> None:
    cache = ByteLRU(100)
    cache.put("k", b"value", ttl_s=ttl_s)
    assert cache.get("k") == b"value"  # fresh
    time.sleep(0.4)
    assert cache.get("k", "gone") == (b"value" if kept else "gone")
    assert cache.size_bytes == (5 if kept else 0)
    assert len(cache) == (1 if kept else 0)
    assert (cache.hits, cache.misses) == ((2, 0) if kept else (1, 1))


def test_ttl_only_applies_to_its_entry() -> None:
    cache = ByteLRU(100)
    cache.put("short", b"aa", ttl_s=0.01)
    cache.put("long", b"bbb")
    time.sleep(0.05)
    assert cache.get("short") is None
    assert cache.get("long") == b"bbb"
    assert cache.size_bytes == 3


def test_replacing_with_ttl_none_removes_expiry() -> None:
    cache = ByteLRU(100)
    cache.put("k", b"failure", ttl_s=0.01)
    cache.put("k", b"success")
    time.sleep(0.05)
    assert cache.get("k") == b"success"


def test_expired_entry_is_not_contained() -> None:
    cache = ByteLRU(100)
    cache.put("k", b"v", ttl_s=0.01)
    time.sleep(0.05)
    assert "k" not in cache


@pytest.mark.parametrize(
    ("new_size", "kept", "size_bytes"),
    [
        (2, ["a", "b"], 6),
        (4, ["a", "b"], 8),
        (6, ["a", "b"], 10),
        # 7 + 4 = 11 > 10: b, now the least recently used, goes
        (7, ["a"], 7),
        (10, ["a"], 10),
    ],
)
def test_replacing_adjusts_size(new_size: int, kept: list[str], size_bytes: int) -> None:
    cache = ByteLRU(10)
    cache.put("a", b"x" * 4)
    cache.put("b", b"y" * 4)
    cache.put("a", b"z" * new_size)
    assert present(cache, "ab") == kept
    assert cache.size_bytes == size_bytes
    assert cache.get("a") == b"z" * new_size


def test_hits_misses_and_clear() -> None:
    cache = ByteLRU(10)
    cache.put("a", b"1234")
    assert cache.get("a") == b"1234"
    assert cache.get("b") is None
    assert cache.get("b", 7) == 7
    assert (cache.hits, cache.misses) == (1, 2)
    cache.clear()
    assert (len(cache), cache.size_bytes) == (0, 0)
    assert "a" not in cache


@pytest.mark.parametrize(("threads", "cap"), [(8, 500), (16, 64)])
def test_thread_safety_smoke(threads: int, cap: int) -> None:
    cache = ByteLRU(cap)
    start = threading.Barrier(threads)
    errors: list[BaseException] = []

    def work(seed: int) -> None:
        rng = random.Random(seed)
        try:
            start.wait()
            for _ in range(2000):
                key = rng.randrange(50)
                if rng.random() < 0.5:
                    cache.put(key, b"x" * rng.randrange(1, 40))
                else:
                    value = cache.get(key)
                    assert value is None or set(value) == {ord("x")}
                assert cache.size_bytes <= cap + 40  # a reader may see a put mid-eviction
        except BaseException as exc:
            errors.append(exc)

    pool = [threading.Thread(target=work, args=(seed,)) for seed in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    assert errors == []
    assert cache.size_bytes <= cap
    held = [cache.get(k) for k in range(50)]
    assert cache.size_bytes == sum(len(v) for v in held if v is not None)
    assert len(cache) == sum(v is not None for v in held)
