"""The verdict store's tables as SQLAlchemy ORM classes; the migrations create them.

The classes mirror the newest migration. A change to a table is a new migration in
``migrations/versions`` plus the matching change here; nothing is ever deleted or updated in
``actions`` or ``verdict_events``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

# SQLite numbers rows only with INTEGER PRIMARY KEY; PostgreSQL gets 64-bit ids.
Id = BigInteger().with_variant(Integer(), "sqlite")


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on both backends (SQLite keeps no offset)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the verdict store")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    pass


class ActionRow(Base):
    """One analyst command: a verdict on one face or a selection, an undo, or an import."""

    __tablename__ = "actions"

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    namespace: Mapped[str] = mapped_column(String(128))
    group_id: Mapped[str] = mapped_column(String(256))
    analyst: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))
    undoes_action_id: Mapped[int | None] = mapped_column(Id, ForeignKey("actions.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    face_count: Mapped[int] = mapped_column(Integer)

    __table_args__ = (
        Index("ix_actions_analyst", "namespace", "group_id", "analyst", "id"),
        Index("ix_actions_undoes", "undoes_action_id"),
    )


class EventRow(Base):
    """One face's verdict as set by one action; the latest row per face is its verdict.

    ``restores_event_id``: for an undo, the event whose verdict it brought back (None when it
    cleared the face); undo uses it to know which action a face's state comes from.
    """

    __tablename__ = "verdict_events"

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    action_id: Mapped[int] = mapped_column(Id, ForeignKey("actions.id"))
    namespace: Mapped[str] = mapped_column(String(128))
    group_id: Mapped[str] = mapped_column(String(256))
    face_id: Mapped[str] = mapped_column(String(300))
    image_id: Mapped[str | None] = mapped_column(String(256))
    verdict: Mapped[str | None] = mapped_column(String(32))
    note: Mapped[str | None] = mapped_column(Text)
    analyst: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    replaces_event_id: Mapped[int | None] = mapped_column(Id, ForeignKey("verdict_events.id"))
    replaced_verdict: Mapped[str | None] = mapped_column(String(32))
    restores_event_id: Mapped[int | None] = mapped_column(Id, ForeignKey("verdict_events.id"))

    __table_args__ = (
        Index("ix_events_face", "namespace", "group_id", "face_id", "id"),
        Index("ix_events_action", "action_id"),
    )


class ApplyBatchRow(Base):
    """One request of an apply to the API: recorded before it is sent and after its answer."""

    __tablename__ = "apply_batches"

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    namespace: Mapped[str] = mapped_column(String(128))
    group_id: Mapped[str] = mapped_column(String(256))
    identity_id: Mapped[str | None] = mapped_column(String(256))
    operation: Mapped[str] = mapped_column(String(16))
    image_ids: Mapped[list[str]] = mapped_column(JSON)
    state: Mapped[str] = mapped_column(String(16))
    answer: Mapped[str | None] = mapped_column(Text)
    analyst: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (Index("ix_apply_batches_group", "namespace", "group_id", "id"),)


class MoveRow(Base):
    """A face of one group marked as another group's person; the latest row per face holds.

    ``target_group`` None: the move was withdrawn. Rows are only ever added.
    """

    __tablename__ = "moves"

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    namespace: Mapped[str] = mapped_column(String(128))
    group_id: Mapped[str] = mapped_column(String(256))
    face_id: Mapped[str] = mapped_column(String(300))
    image_id: Mapped[str | None] = mapped_column(String(256))
    target_group: Mapped[str | None] = mapped_column(String(256))
    analyst: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (Index("ix_moves_face", "namespace", "group_id", "face_id", "id"),)
