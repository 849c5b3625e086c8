"""Where the verdicts live: one engine for SQLite or PostgreSQL, migrations, errors as sentences.

SQLite runs in WAL mode with a busy timeout and ``synchronous=FULL``; writers take the write
lock when their transaction begins (``BEGIN IMMEDIATE``). PostgreSQL writers take a
transaction-scoped advisory lock per group, so each group's events are numbered in the order
they commit and ``changed_since`` cursors never skip a row.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import URL, Connection, Engine, create_engine, event, func, make_url, select
from sqlalchemy import exc as sa_exc
from sqlalchemy.orm import Session

from viewer.config import Settings
from viewer.exceptions import StoreUnavailableError

MIGRATIONS = Path(__file__).with_name("migrations")
REVISIONS = ("0001_verdicts", "0002_apply_batches", "0003_moves")  # oldest first; last: head
HEAD = REVISIONS[-1]
WRITE = {"write": True}  # execution option: this transaction writes (SQLite: BEGIN IMMEDIATE)
_MIGRATION_LOCK = 0x5645_5244  # the advisory lock key PostgreSQL migrations hold

_LOCKED = ("database is locked", "database table is locked", "lock timeout", "lock_timeout")
_READ_ONLY = ("readonly database", "read-only transaction", "read only", "read-only")
_DAMAGED = ("file is not a database", "malformed", "file is encrypted")
_AUTH = ("password authentication failed", "authentication failed", "no password supplied")
_UNREACHABLE = (
    "connection refused",
    "could not connect",
    "connection failed",
    "timeout expired",
    "could not translate host name",
    "name or service not known",
    "server closed the connection",
    "terminating connection",
    "no route to host",
    "network is unreachable",
)
_FULL = ("disk i/o error", "no space left", "database or disk is full", "disk full")


def resolve_url(settings: Settings) -> URL:
    """The engine URL: II_DATABASE_URL when set (PostgreSQL through psycopg 3), else the file."""
    if not settings.database_url:
        return URL.create("sqlite", database=str(settings.review_db))
    try:
        url = make_url(settings.database_url)
    except (sa_exc.ArgumentError, ValueError):
        raise StoreUnavailableError(
            "II_DATABASE_URL is not a database URL: write it as "
            "postgresql+psycopg://USER:PASSWORD@HOST:PORT/DATABASE."
        ) from None
    backend, _, driver = url.drivername.partition("+")
    if backend in ("postgresql", "postgres") and driver in ("", "psycopg"):
        return url.set(drivername="postgresql+psycopg")
    if backend == "sqlite" and driver in ("", "pysqlite"):
        return url
    raise StoreUnavailableError(
        f"II_DATABASE_URL uses {url.drivername!r}; the viewer speaks postgresql+psycopg:// "
        "(psycopg 3) and sqlite:///: change the URL's scheme."
    )


def describe(url: URL) -> str:
    """The database for a sentence: a file's path or a server's host, never a password."""
    if url.get_backend_name() == "sqlite":
        return f"the verdict database (SQLite file {url.database or ':memory:'})"
    port = f":{url.port}" if url.port else ""
    return (
        f"The verdict database (PostgreSQL {url.database or ''} on {url.host or 'localhost'}{port})"
    )


def sentence(error: BaseException, shown: str, timeout_s: float) -> str:
    """One sentence naming what went wrong with the database and what to do; no driver text."""
    text = str(getattr(error, "orig", None) or error).lower()
    shown = shown[:1].upper() + shown[1:]
    if any(word in text for word in _LOCKED):
        return (
            f"{shown} stayed locked by another program for {timeout_s:g} s: "
            "try again in a moment, or close the program holding it."
        )
    if any(word in text for word in _READ_ONLY):
        return (
            f"{shown} is read-only, so verdicts cannot be recorded: make it writable, or point "
            "II_REVIEW_DB or II_DATABASE_URL at a writable database."
        )
    if "unable to open database" in text or isinstance(error, OSError):
        return (
            f"{shown} could not be opened or created: check that its folder exists and is "
            "writable, or set II_REVIEW_DB to another file."
        )
    if any(word in text for word in _DAMAGED):
        return f"{shown} is not an SQLite database or is damaged: set II_REVIEW_DB to another file."
    if any(word in text for word in _AUTH):
        return f"{shown} refused the user name or password: check them in II_DATABASE_URL."
    if "does not exist" in text and "database" in text:
        return f"{shown} does not exist on the server: create it (createdb) or fix II_DATABASE_URL."
    if any(word in text for word in _UNREACHABLE):
        return (
            f"{shown} could not be reached: start the server, or check the host and port in "
            "II_DATABASE_URL."
        )
    if "permission denied" in text:
        return f"{shown} refused this user the tables it needs: grant them, or use another user."
    if any(word in text for word in _FULL):
        return f"{shown} could not write (disk full or I/O error): free space and try again."
    kind = type(getattr(error, "orig", None) or error).__name__
    return f"{shown} could not be used ({kind}): check II_DATABASE_URL or II_REVIEW_DB."


@contextmanager
def unavailable_on_error(shown: str, timeout_s: float) -> Iterator[None]:
    """Turn database and file-system failures into StoreUnavailableError, without the cause."""
    try:
        yield
    except (sa_exc.SQLAlchemyError, OSError) as error:
        raise StoreUnavailableError(sentence(error, shown, timeout_s)) from None


def _sqlite_events(engine: Engine, timeout_s: float) -> None:
    @event.listens_for(engine, "connect")
    def _connect(dbapi: Any, _record: Any) -> None:
        dbapi.isolation_level = None  # the "begin" hook below opens each transaction itself
        cursor = dbapi.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {int(timeout_s * 1000)}")
            cursor.execute("PRAGMA foreign_keys = ON")
            cursor.execute("PRAGMA synchronous = FULL")
            if cursor.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                cursor.execute("PRAGMA journal_mode = WAL")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Connection) -> None:
        writes = connection.get_execution_options().get("write")
        connection.exec_driver_sql("BEGIN IMMEDIATE" if writes else "BEGIN")


def build_engine(settings: Settings) -> Engine:
    """An engine for the store in ``settings``; the SQLite file's folder is made if missing."""
    url = resolve_url(settings)
    timeout_s = settings.review_timeout_s
    if url.get_backend_name() == "sqlite":
        database = url.database or ""
        if database and database != ":memory:" and not database.startswith("file:"):
            with unavailable_on_error(describe(url), timeout_s):
                Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": timeout_s})
        _sqlite_events(engine, timeout_s)
        return engine
    lock_ms = int(timeout_s * 1000)
    return create_engine(
        url,
        pool_pre_ping=True,
        connect_args={
            "connect_timeout": max(1, round(timeout_s)),
            "application_name": "group-viewer",
            "options": f"-c lock_timeout={lock_ms}",
        },
    )


def lock_group(session: Session, namespace: str, group: str) -> None:
    """Serialise this transaction's writes to one group with other writers to it.

    SQLite already holds the database's write lock (``BEGIN IMMEDIATE``); PostgreSQL takes an
    advisory lock released at commit.
    """
    if session.get_bind().dialect.name == "postgresql":
        key = zlib.crc32(f"{namespace}\x00{group}".encode()) - 2**31
        session.execute(select(func.pg_advisory_xact_lock(key)))


def current_revision(connection: Connection) -> str | None:
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(connection).get_current_revision()


def migrate(engine: Engine, target: str = "head") -> None:
    """Bring the schema forward to ``target`` (default the newest); a newer schema is refused.

    One process migrates at a time (SQLite's write lock, a PostgreSQL advisory lock); the others
    wait and then find the work done.
    """
    from alembic import command
    from alembic.config import Config

    wanted = HEAD if target == "head" else target
    with engine.connect() as connection:
        with connection.begin():
            if current_revision(connection) == wanted:
                return
        connection.execution_options(**WRITE)
        with connection.begin():
            if connection.dialect.name == "postgresql":
                connection.execute(select(func.pg_advisory_xact_lock(_MIGRATION_LOCK)))
            found = current_revision(connection)
            if found is not None and found not in REVISIONS:
                shown = describe(engine.url)
                raise StoreUnavailableError(
                    f"{shown[:1].upper()}{shown[1:]} was made by a newer version of the viewer "
                    f"(schema {found[:40]!r}): update the viewer, or use another database."
                )
            if found == wanted:
                return
            config = Config()
            config.set_main_option("script_location", str(MIGRATIONS))
            config.attributes["connection"] = connection
            command.upgrade(config, target)
