"""Store fixtures: every store test runs on a real SQLite file and on a real PostgreSQL server.

The PostgreSQL server is a throwaway cluster started once for the session (initdb into a
temporary folder, pg_ctl start on a free port) and stopped at the end; each test gets a fresh
database on it. Without PostgreSQL installed the PostgreSQL half is skipped locally, but fails
when CI=true, so CI cannot skip it silently.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from viewer.config import Settings
from viewer.review.localpg import LocalPostgres, find_bin_dir
from viewer.review.store import VerdictStore, open_store

BACKENDS = ("sqlite", "postgresql")
_numbers = itertools.count(1)


@pytest.fixture(scope="session")
def postgres() -> Iterator[LocalPostgres]:
    bin_dir = find_bin_dir()
    if bin_dir is None:
        message = "PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{message}: CI must run the store's tests on PostgreSQL too.")
        pytest.skip(f"{message}: apt-get install postgresql to run the PostgreSQL half.")
    server = LocalPostgres(bin_dir).start()
    try:
        yield server
    finally:
        server.stop()


def sqlite_settings(tmp_path: Path) -> Settings:
    return Settings(review_db=tmp_path / "data" / "review.sqlite3", review_timeout_s=5.0)


def postgres_settings(postgres: LocalPostgres) -> Settings:
    url = postgres.create_database(f"review_{next(_numbers)}")
    return Settings(database_url=url.render_as_string(hide_password=False), review_timeout_s=5.0)


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture()
def store_settings(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Settings:
    """Settings naming an empty store: a new SQLite file, or a new PostgreSQL database."""
    if backend == "sqlite":
        return sqlite_settings(tmp_path)
    return postgres_settings(request.getfixturevalue("postgres"))


@pytest.fixture()
def store(store_settings: Settings) -> Iterator[VerdictStore]:
    with open_store(store_settings) as opened:
        yield opened


def store_env(settings: Settings, home: Path) -> dict[str, str]:
    """The environment a child process needs to open the same store (and nothing else)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("II_")}
    env.update({"HOME": str(home), "PYTHONPATH": str(Path(__file__).resolve().parents[2])})
    if settings.database_url:
        env["II_DATABASE_URL"] = settings.database_url
    else:
        env["II_REVIEW_DB"] = str(settings.review_db)
    return env


def with_timeout(settings: Settings, seconds: float) -> Settings:
    return replace(settings, review_timeout_s=seconds)
