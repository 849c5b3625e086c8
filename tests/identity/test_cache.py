"""The descriptor cache: real SQLite files, shared across processes, bounded, LRU."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from viewer.identity.cache import ROW_OVERHEAD, CacheError, DescriptorCache, descriptor_key

VECTOR = bytes(range(256)) * 2  # 512 bytes, as a 128-float32 descriptor
ROW = 32 + len(VECTOR) + ROW_OVERHEAD
REPO = Path(__file__).resolve().parents[2]


def key(n: int) -> bytes:
    return descriptor_key(n.to_bytes(32, "big"), (n, 0, n + 30, 40), "model 1")


def test_round_trip_and_reopen(tmp_path: Path) -> None:
    cache = DescriptorCache(tmp_path, 1 << 20)
    cache.put_many({key(1): VECTOR, key(2): VECTOR[::-1]})
    cache.close()
    again = DescriptorCache(tmp_path, 1 << 20)
    assert again.get_many([key(1), key(2), key(3)]) == {key(1): VECTOR, key(2): VECTOR[::-1]}
    assert len(again) == 2 and again.size_bytes == 2 * ROW


@pytest.mark.parametrize(
    ("changed", "args"),
    [
        ("image", ((9).to_bytes(32, "big"), (1, 0, 31, 40), "model 1")),
        ("box", ((1).to_bytes(32, "big"), (1, 0, 31, 41), "model 1")),
        ("model", ((1).to_bytes(32, "big"), (1, 0, 31, 40), "model 2")),
    ],
)
def test_key_changes_with_image_box_and_model(changed: str, args: tuple) -> None:
    assert descriptor_key(*args) != key(1), changed


def test_least_recently_used_go_first(tmp_path: Path) -> None:
    cache = DescriptorCache(tmp_path, 10 * ROW)
    for n in range(10):
        cache.put_many({key(n): VECTOR})
    assert cache.get_many([key(0)]) == {key(0): VECTOR}  # 0 is now the most recently used
    cache.put_many({key(10): VECTOR})  # past the cap: down to 90 % of it
    kept = set(cache.get_many([key(n) for n in range(11)]))
    assert kept == {key(n) for n in (0, 3, 4, 5, 6, 7, 8, 9, 10)}
    assert cache.size_bytes == 9 * ROW <= cache.cap_bytes


def test_replacing_an_entry_keeps_the_count(tmp_path: Path) -> None:
    cache = DescriptorCache(tmp_path, 1 << 20)
    cache.put_many({key(1): VECTOR})
    cache.put_many({key(1): VECTOR[::-1]})
    assert cache.size_bytes == ROW and cache.get_many([key(1)]) == {key(1): VECTOR[::-1]}


WRITER = """
import sys
from pathlib import Path
from viewer.identity.cache import DescriptorCache, descriptor_key
cache = DescriptorCache(Path(sys.argv[1]), 1 << 24)
first = int(sys.argv[2])
for n in range(first, first + 200):
    k = descriptor_key(n.to_bytes(32, "big"), (n, 0, n + 30, 40), "model 1")
    cache.put_many({k: bytes([n % 256]) * 512})
print(len(cache.get_many(
    descriptor_key(n.to_bytes(32, "big"), (n, 0, n + 30, 40), "model 1") for n in range(1000)
)))
"""


def test_shared_by_processes_writing_at_once(tmp_path: Path) -> None:
    """Two processes fill one file at the same time; a third reads everything they wrote."""
    DescriptorCache(tmp_path, 1 << 24).close()
    writers = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(tmp_path), str(first)], cwd=REPO)
        for first in (0, 200)
    ]
    assert [w.wait(60) for w in writers] == [0, 0]
    cache = DescriptorCache(tmp_path, 1 << 24)
    found = cache.get_many(key(n) for n in range(400))
    assert len(found) == 400 and found[key(250)] == bytes([250]) * 512
    assert cache.size_bytes == 400 * ROW


def test_unusable_folder_says_so(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(CacheError) as info:
        DescriptorCache(blocker / "cache", 1 << 20)
    assert "could not be opened" in info.value.message and "II_CACHE_DIR" in info.value.message
