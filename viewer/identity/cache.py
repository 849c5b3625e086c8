"""Face descriptors kept on disk, shared by every session and process, bounded in size.

One SQLite file in WAL mode: readers never wait for the writer, and writers in several
processes (the app, the command line) take turns. Entries are keyed by the image's content,
the box in whole pixels and the model's version, so a changed image, box or model never
meets an old descriptor. Past the size cap the least recently used entries go first.
"""

from __future__ import annotations

import hashlib
import sqlite3
import threading
import time
from collections.abc import Iterable, Mapping
from pathlib import Path

from viewer.exceptions import ViewerError
from viewer.identity.model import PixelBox

FILE_NAME = "descriptors.sqlite3"
ROW_OVERHEAD = 64  # bytes SQLite spends per row beyond the key and the vector, about
_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS descriptors ("
    " key BLOB PRIMARY KEY, vector BLOB NOT NULL, size INTEGER NOT NULL, used REAL NOT NULL)",
    "CREATE INDEX IF NOT EXISTS descriptors_used ON descriptors (used)",
    "CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL)",
    "INSERT OR IGNORE INTO meta VALUES ('bytes', 0)",
)


class CacheError(ViewerError):
    default_message = "The descriptor cache could not be used: descriptors are kept in memory."


def descriptor_key(image_sha256: bytes, box: PixelBox, version: str) -> bytes:
    """The cache key of one face: the image's content hash, its box and the model's version."""
    text = f"{image_sha256.hex()}|{','.join(map(str, box))}|{version}"
    return hashlib.sha256(text.encode()).digest()


class DescriptorCache:
    """Descriptors (opaque bytes) by key in ``folder``/descriptors.sqlite3, at most ``cap_bytes``.

    Safe to use from several threads and processes at once.
    """

    def __init__(self, folder: Path, cap_bytes: int) -> None:
        self.path = folder / FILE_NAME
        self.cap_bytes = cap_bytes
        self._local = threading.local()
        try:
            folder.mkdir(parents=True, exist_ok=True)
            db = self._db()
            with db:
                for statement in _SCHEMA:
                    db.execute(statement)
        except (OSError, sqlite3.Error) as error:
            raise CacheError(
                f"The descriptor cache {str(self.path)!r} could not be opened "
                f"({type(error).__name__}): check II_CACHE_DIR; descriptors are kept in memory."
            ) from None

    def _db(self) -> sqlite3.Connection:
        db = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(self.path, timeout=30.0, isolation_level=None)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            self._local.db = db
        return db

    def get_many(self, keys: Iterable[bytes]) -> dict[bytes, bytes]:
        """The descriptors held for ``keys``; each one found counts as just used."""
        wanted = list(dict.fromkeys(keys))
        if not wanted:
            return {}
        db = self._db()
        found: dict[bytes, bytes] = {}
        for start in range(0, len(wanted), 500):  # SQLite's limit on bound parameters
            chunk = wanted[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = db.execute(f"SELECT key, vector FROM descriptors WHERE key IN ({marks})", chunk)  # noqa: S608
            found.update((bytes(k), bytes(v)) for k, v in rows)
        if found:
            now = time.time()
            with db:
                db.executemany(
                    "UPDATE descriptors SET used = ? WHERE key = ?", [(now, k) for k in found]
                )
        return found

    def put_many(self, items: Mapping[bytes, bytes]) -> None:
        """Store descriptors, then drop the least recently used past the cap."""
        if not items:
            return
        db = self._db()
        now = time.time()
        db.execute("BEGIN IMMEDIATE")
        try:
            change = 0
            for key, vector in items.items():
                size = len(key) + len(vector) + ROW_OVERHEAD
                old = db.execute("SELECT size FROM descriptors WHERE key = ?", (key,)).fetchone()
                db.execute(
                    "INSERT OR REPLACE INTO descriptors VALUES (?, ?, ?, ?)",
                    (key, vector, size, now),
                )
                change += size - (old[0] if old else 0)
            db.execute("UPDATE meta SET value = value + ? WHERE name = 'bytes'", (change,))
            self._evict(db)
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

    def _evict(self, db: sqlite3.Connection) -> None:
        total = db.execute("SELECT value FROM meta WHERE name = 'bytes'").fetchone()[0]
        if total <= self.cap_bytes:
            return
        target = int(self.cap_bytes * 0.9)  # make room for a while, not for one more row
        freed = 0
        doomed: list[bytes] = []
        rows = db.execute("SELECT key, size FROM descriptors ORDER BY used, key")
        while total - freed > target and (chunk := rows.fetchmany(256)):
            for key, size in chunk:
                if total - freed <= target:
                    break
                doomed.append(key)
                freed += size
        rows.close()
        db.executemany("DELETE FROM descriptors WHERE key = ?", [(k,) for k in doomed])
        db.execute("UPDATE meta SET value = value - ? WHERE name = 'bytes'", (freed,))

    @property
    def size_bytes(self) -> int:
        """What the entries take, as the cap counts it."""
        return int(self._db().execute("SELECT value FROM meta WHERE name = 'bytes'").fetchone()[0])

    def __len__(self) -> int:
        return int(self._db().execute("SELECT COUNT(*) FROM descriptors").fetchone()[0])

    def close(self) -> None:
        """Close this thread's connection (others close when their threads end)."""
        db = getattr(self._local, "db", None)
        if db is not None:
            db.close()
            self._local.db = None
