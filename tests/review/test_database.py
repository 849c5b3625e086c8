"""The database under the store: creation, migrations, and each failure as one sentence."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, text

from viewer.config import Settings
from viewer.exceptions import StoreUnavailableError
from viewer.review.database import HEAD, MIGRATIONS, REVISIONS, build_engine, migrate
from viewer.review.localpg import LocalPostgres
from viewer.review.schema import Base
from viewer.review.store import VerdictStore, open_store

NS, GROUP = "acme", "demo-crowd"
PASSWORD = "pg-Secret-7781"  # what the URLs below carry; it must never be shown


def unavailable(settings: Settings) -> str:
    with pytest.raises(StoreUnavailableError) as info, open_store(settings) as store:
        store.record(NS, GROUP, [("0:a", "a")], "belongs", "ann")
    message = info.value.message
    assert "\n" not in message and len(message) < 300
    return message


def test_the_sqlite_file_and_its_folders_are_made_on_first_use(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "er" / "review.sqlite3"
    with open_store(Settings(review_db=path)) as store:
        store.record(NS, GROUP, [("0:a", "a")], "belongs", "ann")
        assert store.backend == "sqlite" and str(path) in store.location
    with sqlite3.connect(path) as raw:
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert raw.execute("SELECT count(*) FROM verdict_events").fetchone()[0] == 1


def test_the_script_head_is_the_revision_the_store_expects() -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    scripts = ScriptDirectory.from_config(config)
    assert scripts.get_current_head() == HEAD
    assert [s.revision for s in reversed(list(scripts.walk_revisions()))] == list(REVISIONS)


def test_the_orm_classes_match_the_migrated_schema(store: VerdictStore) -> None:
    with store.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []
        assert context.get_current_revision() == HEAD


def test_a_version_1_database_with_rows_is_migrated_keeping_them(store_settings: Settings) -> None:
    engine = build_engine(store_settings)
    migrate(engine, "0001_verdicts")
    at = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
    with engine.begin() as connection:
        assert "apply_batches" not in inspect(connection).get_table_names()
        connection.execute(
            text(
                "INSERT INTO actions (namespace, group_id, analyst, kind, created_at, face_count)"
                " VALUES ('acme', 'demo-crowd', 'ann', 'verdict', :at, 2)"
            ),
            {"at": at},
        )
        for face in ("0:a", "1:b"):
            connection.execute(
                text(
                    "INSERT INTO verdict_events (action_id, namespace, group_id, face_id,"
                    " image_id, verdict, note, analyst, created_at)"
                    " VALUES (1, 'acme', 'demo-crowd', :face, NULL, 'not_this_person',"
                    " 'from v1', 'ann', :at)"
                ),
                {"face": face, "at": at},
            )
    engine.dispose()
    with open_store(store_settings) as store:
        latest = store.latest(NS, GROUP)
        assert {f: (v.verdict, v.note, v.by, v.at) for f, v in latest.items()} == {
            "0:a": ("not_this_person", "from v1", "ann", at),
            "1:b": ("not_this_person", "from v1", "ann", at),
        }
        undo = store.undo_last(NS, GROUP, "ann")  # v1 rows take part like new ones
        assert undo is not None and set(undo.face_ids) == {"0:a", "1:b"}
        (batch,) = store.apply_log.add(NS, GROUP, "identity-1", "remove", [["a"]], "ann")
        assert batch.state == "pending"
        with store.engine.connect() as connection:
            assert MigrationContext.configure(connection).get_current_revision() == HEAD


def test_a_schema_newer_than_the_viewer_is_refused(store: VerdictStore) -> None:
    with store.engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '0099_future'"))
    store.close()
    url = store.engine.url.render_as_string(hide_password=False)
    message = unavailable(Settings(database_url=url))
    assert "newer version of the viewer" in message and "'0099_future'" in message


def test_a_locked_database_is_one_sentence_and_reads_go_on(
    store: VerdictStore, store_settings: Settings
) -> None:
    store.record(NS, GROUP, [("0:a", "a")], "belongs", "ann")
    holder = create_engine(store.engine.url)
    with holder.connect() as connection:
        if store.backend == "sqlite":
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            connection.exec_driver_sql("BEGIN")
            connection.exec_driver_sql("LOCK TABLE verdict_events IN ACCESS EXCLUSIVE MODE")
        with open_store(replace(store_settings, review_timeout_s=0.3)) as blocked:
            if store.backend == "sqlite":
                assert set(blocked.latest(NS, GROUP)) == {"0:a"}  # WAL: readers are not blocked
            with pytest.raises(StoreUnavailableError) as info:
                blocked.record(NS, GROUP, [("1:b", "b")], "unsure", "bob")
        connection.exec_driver_sql("ROLLBACK")
    holder.dispose()
    assert "stayed locked by another program for 0.3 s" in info.value.message
    assert set(store.latest(NS, GROUP)) == {"0:a"}


def test_a_read_only_database_reads_but_refuses_verdicts_in_one_sentence(
    store: VerdictStore,
) -> None:
    store.record(NS, GROUP, [("0:a", "a")], "belongs", "ann")
    if store.backend == "sqlite":
        url = f"sqlite:///file:{store.engine.url.database}?mode=ro&uri=true"
    else:
        name = store.engine.url.database
        with store.engine.connect() as connection:
            connection.execute(
                text(f"ALTER DATABASE {name} SET default_transaction_read_only = on")
            )
            connection.commit()
        url = store.engine.url.render_as_string(hide_password=False)
    store.close()
    with open_store(Settings(database_url=url)) as read_only:
        assert set(read_only.latest(NS, GROUP)) == {"0:a"}
        with pytest.raises(StoreUnavailableError) as info:
            read_only.record(NS, GROUP, [("1:b", "b")], "unsure", "bob")
    assert "is read-only, so verdicts cannot be recorded" in info.value.message


def test_a_folder_that_cannot_be_made_is_one_sentence(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    message = unavailable(Settings(review_db=blocker / "sub" / "review.sqlite3"))
    assert message.startswith("The verdict database (SQLite file ")
    assert "could not be opened or created" in message and "II_REVIEW_DB" in message


def test_a_file_that_is_not_a_database_is_one_sentence(tmp_path: Path) -> None:
    path = tmp_path / "review.sqlite3"
    path.write_bytes(b"this is not sqlite at all" * 100)
    assert "is not an SQLite database or is damaged" in unavailable(Settings(review_db=path))


def test_postgresql_failures_never_show_the_password(postgres: LocalPostgres) -> None:
    refused = postgres.url("postgres", password=PASSWORD).set(port=1)
    wrong = postgres.url("postgres", password=PASSWORD)
    missing = postgres.url("no_such_db")
    cases = {
        "could not be reached": refused,
        "refused the user name or password": wrong,
        "does not exist on the server": missing,
    }
    for says, url in cases.items():
        settings = Settings(database_url=url.render_as_string(hide_password=False))
        assert PASSWORD not in repr(settings)
        message = unavailable(replace(settings, review_timeout_s=2.0))
        assert says in message and PASSWORD not in message
        assert postgres.url().password not in message


def test_the_store_and_its_engine_never_show_the_password(postgres: LocalPostgres) -> None:
    url = postgres.create_database("review_repr")
    settings = Settings(database_url=url.render_as_string(hide_password=False))
    with open_store(settings) as store:
        shown = [repr(store), str(store.engine), repr(store.engine.url), store.location]
        assert all(url.password not in text for text in shown)
        assert "***" in repr(store)


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("mysql+pymysql://u:" + PASSWORD + "@db/x", "uses 'mysql+pymysql'"),
        ("postgresql+psycopg2://u:" + PASSWORD + "@db/x", "uses 'postgresql+psycopg2'"),
        ("postgresql+psycopg://u:" + PASSWORD + "@db:notaport/x", "is not a database URL"),
    ],
)
def test_a_url_the_store_cannot_use_is_refused_without_echoing_it(url: str, says: str) -> None:
    message = unavailable(Settings(database_url=url))
    assert says in message and PASSWORD not in message
