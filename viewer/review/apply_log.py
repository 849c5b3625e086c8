"""The apply log: each identity edit sent to the API, recorded before it is sent and after.

A batch moves ``pending`` -> ``sent`` -> ``confirmed`` or ``failed`` (a pending batch that is
never sent may also be marked ``failed``); a confirmed or failed batch does not change again.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from viewer.exceptions import InvalidVerdictError
from viewer.review.database import lock_group
from viewer.review.schema import ApplyBatchRow
from viewer.review.values import check_analyst, check_place

OPERATIONS = ("add", "remove", "create")
PENDING, SENT, CONFIRMED, FAILED = "pending", "sent", "confirmed", "failed"
NEXT_STATES = {PENDING: (SENT, FAILED), SENT: (CONFIRMED, FAILED), CONFIRMED: (), FAILED: ()}
MAX_BATCH_IDS = 20  # the API takes at most 20 image ids per list
MAX_ANSWER = 20_000  # characters of the API's answer kept

Sessions = Callable[[], AbstractContextManager[Session]]


@dataclass(frozen=True)
class ApplyBatch:
    id: int
    namespace: str
    group: str
    identity_id: str | None
    operation: str
    image_ids: tuple[str, ...]
    state: str
    answer: str | None
    by: str
    created_at: datetime
    updated_at: datetime


def _batch(row: ApplyBatchRow) -> ApplyBatch:
    return ApplyBatch(
        row.id,
        row.namespace,
        row.group_id,
        row.identity_id,
        row.operation,
        tuple(row.image_ids),
        row.state,
        row.answer,
        row.analyst,
        row.created_at,
        row.updated_at,
    )


class ApplyLog:
    """Apply batches of the store it belongs to (``VerdictStore.apply_log``)."""

    def __init__(self, write: Sessions, read: Sessions) -> None:
        self._write = write
        self._read = read

    def add(
        self,
        namespace: str,
        group: str,
        identity_id: str | None,
        operation: str,
        batches: Sequence[Sequence[str]],
        by: str,
    ) -> list[ApplyBatch]:
        """Record ``batches`` of image ids as pending, in one transaction, before any is sent."""
        namespace, group = check_place(namespace, group)
        by = check_analyst(by)
        if operation not in OPERATIONS:
            raise InvalidVerdictError(
                f"{operation!r} is not an apply operation: use add, remove or create."
            )
        if operation != "create" and not identity_id:
            raise InvalidVerdictError(f"An {operation} batch needs the identity it edits.")
        for ids in batches:
            if not ids or len(ids) > MAX_BATCH_IDS or len(set(ids)) != len(ids):
                raise InvalidVerdictError(
                    f"A batch holds 1 to {MAX_BATCH_IDS} distinct image ids, not {len(ids)}."
                )
        now = datetime.now(UTC)
        with self._write() as session:
            lock_group(session, namespace, group)
            rows = [
                ApplyBatchRow(
                    namespace=namespace,
                    group_id=group,
                    identity_id=identity_id,
                    operation=operation,
                    image_ids=list(ids),
                    state=PENDING,
                    analyst=by,
                    created_at=now,
                    updated_at=now,
                )
                for ids in batches
            ]
            session.add_all(rows)
            session.flush()
            return [_batch(row) for row in rows]

    def mark(self, batch_id: int, state: str, answer: str | None = None) -> ApplyBatch:
        """Move a batch to ``state``, keeping the API's answer; a move out of order is refused."""
        with self._write() as session:
            row = session.get(ApplyBatchRow, batch_id, with_for_update=True)
            if row is None:
                raise InvalidVerdictError(f"There is no apply batch {batch_id} in the log.")
            if state not in NEXT_STATES[row.state]:
                raise InvalidVerdictError(
                    f"Apply batch {batch_id} is {row.state}; it cannot become {state!r}."
                )
            row.state = state
            if answer is not None:
                row.answer = answer[:MAX_ANSWER]
            row.updated_at = datetime.now(UTC)
            session.flush()
            return _batch(row)

    def batches(self, namespace: str, group: str) -> list[ApplyBatch]:
        """The group's batches, oldest first."""
        with self._read() as session:
            rows = session.scalars(
                select(ApplyBatchRow)
                .where(ApplyBatchRow.namespace == namespace, ApplyBatchRow.group_id == group)
                .order_by(ApplyBatchRow.id)
            )
            return [_batch(row) for row in rows]


def unfinished(batches: Sequence[ApplyBatch]) -> list[ApplyBatch]:
    """Batches an apply left pending or sent: the next apply settles them."""
    return [b for b in batches if b.state in (PENDING, SENT)]


def removed_images(batches: Sequence[ApplyBatch], identity_id: str | None) -> frozenset[str]:
    """Image ids whose last confirmed change to ``identity_id`` removed them from it."""
    last: dict[str, str] = {}
    for batch in batches:  # oldest first
        if batch.state != CONFIRMED or batch.identity_id != identity_id:
            continue
        for image_id in batch.image_ids:
            last[image_id] = batch.operation
    return frozenset(i for i, operation in last.items() if operation == "remove")


def last_confirmed(batches: Sequence[ApplyBatch]) -> ApplyBatch | None:
    """The batch confirmed most recently, or None."""
    done = [b for b in batches if b.state == CONFIRMED]
    return max(done, key=lambda b: b.updated_at) if done else None
