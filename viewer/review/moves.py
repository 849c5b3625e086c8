"""Moves: faces of a group marked as belonging to another group's person.

The latest move of a face holds (one withdrawn has no target). Applying a group sends them:
each moved face is removed from the group's identity and added to the other group's.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from viewer.exceptions import InvalidVerdictError
from viewer.review.database import lock_group
from viewer.review.schema import MoveRow
from viewer.review.values import check_analyst, check_face, check_place

Sessions = Callable[[], AbstractContextManager[Session]]


@dataclass(frozen=True)
class Move:
    face_id: str  # the face's id in the store (``faces.store_ids``)
    image_id: str | None
    target_group: str  # the group whose person the face is
    by: str
    at: datetime


class MoveLog:
    """Moves of the store it belongs to (``VerdictStore.moves``)."""

    def __init__(self, write: Sessions, read: Sessions) -> None:
        self._write = write
        self._read = read

    def record(
        self,
        namespace: str,
        group: str,
        face: tuple[str, str | None],
        target_group: str | None,
        by: str,
    ) -> Move | None:
        """Mark one face (store id, image id) as ``target_group``'s person; None withdraws."""
        namespace, group = check_place(namespace, group)
        face_id, image_id = check_face(*face)
        by = check_analyst(by)
        target = (target_group or "").strip() or None
        if target is not None:
            _, target = check_place(namespace, target)
            if target == group:
                raise InvalidVerdictError(
                    f"The face is in group {group} already: name another group to move it to."
                )
        now = datetime.now(UTC)
        with self._write() as session:
            lock_group(session, namespace, group)
            session.add(
                MoveRow(
                    namespace=namespace,
                    group_id=group,
                    face_id=face_id,
                    image_id=image_id,
                    target_group=target,
                    analyst=by,
                    created_at=now,
                )
            )
        return Move(face_id, image_id, target, by, now) if target else None

    def latest(self, namespace: str, group: str) -> dict[str, Move]:
        """Each face of the group moved now, by its id in the store."""
        newest = (
            select(func.max(MoveRow.id))
            .where(MoveRow.namespace == namespace, MoveRow.group_id == group)
            .group_by(MoveRow.face_id)
        )
        with self._read() as session:
            rows = session.scalars(select(MoveRow).where(MoveRow.id.in_(newest)))
            return {
                r.face_id: Move(r.face_id, r.image_id, r.target_group, r.analyst, r.created_at)
                for r in rows
                if r.target_group
            }
