"""Reading and appending the verdict tables inside a caller's session."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from viewer.review.database import lock_group
from viewer.review.schema import ActionRow, EventRow
from viewer.review.values import (
    KIND_IMPORT,
    KIND_UNDO,
    ImportResult,
    ImportRow,
    Verdict,
    VerdictEvent,
)

_CHUNK = 500  # face ids per IN (...) list

Latest = dict[str, tuple[EventRow, str]]  # face id -> (its latest event, that event's action kind)


def as_event(row: EventRow, kind: str) -> VerdictEvent:
    return VerdictEvent(
        id=row.id,
        action_id=row.action_id,
        action_kind=kind,
        namespace=row.namespace,
        group=row.group_id,
        face_id=row.face_id,
        image_id=row.image_id,
        verdict=row.verdict,
        note=row.note,
        by=row.analyst,
        at=row.created_at,
        replaces_event_id=row.replaces_event_id,
        replaced_verdict=row.replaced_verdict,
    )


def as_verdict(row: EventRow) -> Verdict | None:
    if row.verdict is None:
        return None
    return Verdict(row.verdict, row.analyst, row.created_at, row.note, row.id)


def state_of(row: EventRow, kind: str) -> int | None:
    """The id of the event whose verdict ``row`` shows: itself, or what an undo brought back."""
    return row.restores_event_id if kind == KIND_UNDO else row.id


def latest_rows(
    session: Session, namespace: str, group: str, face_ids: Iterable[str] | None = None
) -> Latest:
    """Each face's latest event (all faces of the group when ``face_ids`` is None)."""

    def newest(where: Select[tuple[str, int]]) -> Latest:
        ids = where.group_by(EventRow.face_id).subquery()
        rows = session.execute(
            select(EventRow, ActionRow.kind)
            .join(ids, EventRow.id == ids.c.newest)
            .join(ActionRow, EventRow.action_id == ActionRow.id)
        )
        return {row.face_id: (row, kind) for row, kind in rows}

    base = select(EventRow.face_id, func.max(EventRow.id).label("newest")).where(
        EventRow.namespace == namespace, EventRow.group_id == group
    )
    if face_ids is None:
        return newest(base)
    wanted = list(dict.fromkeys(face_ids))
    found: Latest = {}
    for start in range(0, len(wanted), _CHUNK):
        found.update(newest(base.where(EventRow.face_id.in_(wanted[start : start + _CHUNK]))))
    return found


def append_rows(session: Session, rows: Sequence[ImportRow]) -> ImportResult:
    """Append import rows in the caller's write transaction; rows equal to a stored event skip."""
    now = datetime.now(UTC)
    places = sorted({(row.namespace, row.group) for row in rows})
    seen: set[tuple[object, ...]] = set()
    latest: dict[tuple[str, str, str], EventRow] = {}
    for namespace, group in places:
        lock_group(session, namespace, group)
        keys = session.execute(
            select(
                EventRow.face_id,
                EventRow.analyst,
                EventRow.created_at,
                EventRow.verdict,
                EventRow.note,
            ).where(EventRow.namespace == namespace, EventRow.group_id == group)
        )
        seen.update((namespace, group, *key) for key in keys)
        for face_id, (event, _) in latest_rows(session, namespace, group).items():
            latest[(namespace, group, face_id)] = event
    actions: dict[tuple[str, str, str, str | None], ActionRow] = {}
    skipped = 0
    for row in rows:
        key = (row.namespace, row.group, row.face_id, row.by, row.at, row.verdict, row.note)
        if key in seen:
            skipped += 1
            continue
        seen.add(key)
        action_key = (row.namespace, row.group, row.by, row.action_key)
        action = actions.get(action_key)
        if action is None:
            action = actions[action_key] = ActionRow(
                namespace=row.namespace,
                group_id=row.group,
                analyst=row.by,
                kind=KIND_IMPORT,
                created_at=now,
                face_count=0,
            )
            session.add(action)
            session.flush()
        action.face_count += 1
        place = (row.namespace, row.group, row.face_id)
        previous = latest.get(place)
        event = EventRow(
            action_id=action.id,
            namespace=row.namespace,
            group_id=row.group,
            face_id=row.face_id,
            image_id=row.image_id,
            verdict=row.verdict,
            note=row.note,
            analyst=row.by,
            created_at=row.at,
            replaces_event_id=previous.id if previous else None,
            replaced_verdict=previous.verdict if previous else None,
        )
        session.add(event)
        session.flush()
        latest[place] = event
    return ImportResult(len(rows) - skipped, skipped, len(actions))
