"""The verdict store: record, undo and read analysts' verdicts on a group's faces.

Nothing is updated or deleted: every verdict is a new event, and an undo is a new action whose
events bring back what the undone action replaced. Undo walks back through the analyst's own
verdict actions, most recent first; an undo is not itself undone (there is no redo: record the
verdict again). A face changed by someone else after the undone action keeps that newer
verdict and is listed in the undo's ``skipped``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime

from sqlalchemy import Engine, exists, func, insert, select
from sqlalchemy.orm import Session, aliased, sessionmaker

from viewer.config import Settings
from viewer.exceptions import InvalidVerdictError
from viewer.review.apply_log import ApplyLog
from viewer.review.database import (
    WRITE,
    build_engine,
    describe,
    lock_group,
    migrate,
    unavailable_on_error,
)
from viewer.review.moves import MoveLog
from viewer.review.queries import append_rows, as_event, as_verdict, latest_rows, state_of
from viewer.review.schema import ActionRow, EventRow
from viewer.review.values import (
    KIND_UNDO,
    KIND_VERDICT,
    Action,
    Changes,
    Counts,
    ImportResult,
    ImportRow,
    Verdict,
    VerdictEvent,
    check_analyst,
    check_face,
    check_note,
    check_place,
    check_verdict,
)


class VerdictStore:
    """Verdicts of one database. Methods raise StoreUnavailableError when the database fails,
    and InvalidVerdictError for input that cannot be recorded. Safe to share between threads.
    """

    def __init__(self, engine: Engine, timeout_s: float = 10.0) -> None:
        self.engine = engine
        self.timeout_s = timeout_s
        self.location = describe(engine.url)
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self.apply_log = ApplyLog(self._write, self._read)
        self.moves = MoveLog(self._write, self._read)

    def __repr__(self) -> str:
        return f"VerdictStore({self.engine.url.render_as_string(hide_password=True)!r})"

    def __enter__(self) -> VerdictStore:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        self.engine.dispose()

    @property
    def backend(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self.engine.dialect.name

    @contextmanager
    def _read(self) -> Iterator[Session]:
        with unavailable_on_error(self.location, self.timeout_s), self._sessions() as session:
            yield session

    @contextmanager
    def _write(self) -> Iterator[Session]:
        """A transaction that commits on leaving the block; on SQLite it holds the write lock."""
        with (
            unavailable_on_error(self.location, self.timeout_s),
            self._sessions() as session,
            session.begin(),
        ):
            session.connection(execution_options=WRITE)
            yield session

    def record(
        self,
        namespace: str,
        group: str,
        faces: Sequence[tuple[str, str | None]],
        verdict: str,
        by: str,
        note: str | None = None,
    ) -> Action:
        """Record ``verdict`` on every (face id, image id) of ``faces`` as one action.

        Face ids are those ``faces.store_ids`` gives.

        Each new event names the verdict it replaced: the face's latest, by anyone.
        """
        namespace, group = check_place(namespace, group)
        word, note, by = check_verdict(verdict), check_note(note), check_analyst(by)
        picked = dict(check_face(face_id, image_id) for face_id, image_id in faces)
        if not picked:
            raise InvalidVerdictError("Select at least one face before recording a verdict.")
        now = datetime.now(UTC)
        with self._write() as session:
            action = ActionRow(
                namespace=namespace,
                group_id=group,
                analyst=by,
                kind=KIND_VERDICT,
                created_at=now,
                face_count=len(picked),
            )
            session.add(action)
            session.flush()
            lock_group(session, namespace, group)  # held to commit: the events' order is theirs
            before = latest_rows(session, namespace, group, picked)
            rows = []
            for face_id, image_id in picked.items():
                previous = before.get(face_id, (None, ""))[0]
                rows.append(
                    {
                        "action_id": action.id,
                        "namespace": namespace,
                        "group_id": group,
                        "face_id": face_id,
                        "image_id": image_id,
                        "verdict": word,
                        "note": note,
                        "analyst": by,
                        "created_at": now,
                        "replaces_event_id": previous.id if previous else None,
                        "replaced_verdict": previous.verdict if previous else None,
                    }
                )
            session.execute(insert(EventRow), rows)
        return Action(action.id, KIND_VERDICT, namespace, group, by, now, tuple(picked))

    def undo_last(self, namespace: str, group: str, by: str) -> Action | None:
        """Undo ``by``'s latest verdict action on the group not undone yet; None if there is none.

        Every face of it gets back the verdict it had before (or none), as a new undo action.
        """
        namespace, group = check_place(namespace, group)
        by = check_analyst(by)
        now = datetime.now(UTC)
        undo = aliased(ActionRow)
        with self._write() as session:
            lock_group(session, namespace, group)
            target = session.scalars(
                select(ActionRow)
                .where(
                    ActionRow.namespace == namespace,
                    ActionRow.group_id == group,
                    ActionRow.analyst == by,
                    ActionRow.kind == KIND_VERDICT,
                    ~exists().where(undo.undoes_action_id == ActionRow.id),
                )
                .order_by(ActionRow.id.desc())
                .limit(1)
            ).first()
            if target is None:
                return None
            events = session.scalars(
                select(EventRow).where(EventRow.action_id == target.id).order_by(EventRow.id)
            ).all()
            current = latest_rows(session, namespace, group, (e.face_id for e in events))
            replaced_ids = [e.replaces_event_id for e in events if e.replaces_event_id]
            replaced = {
                row.id: (row, kind)
                for row, kind in session.execute(
                    select(EventRow, ActionRow.kind)
                    .join(ActionRow, EventRow.action_id == ActionRow.id)
                    .where(EventRow.id.in_(replaced_ids))
                )
            }
            restoring: list[tuple[EventRow, EventRow, tuple[EventRow, str] | None]] = []
            skipped: list[str] = []
            for made in events:
                now_row, now_kind = current[made.face_id]
                if state_of(now_row, now_kind) != made.id:
                    skipped.append(made.face_id)  # changed since: the newer verdict stands
                    continue
                restoring.append((made, now_row, replaced.get(made.replaces_event_id or -1)))
            action = ActionRow(
                namespace=namespace,
                group_id=group,
                analyst=by,
                kind=KIND_UNDO,
                undoes_action_id=target.id,
                created_at=now,
                face_count=len(restoring),
            )
            session.add(action)
            session.flush()
            if restoring:
                session.execute(
                    insert(EventRow),
                    [
                        {
                            "action_id": action.id,
                            "namespace": namespace,
                            "group_id": group,
                            "face_id": made.face_id,
                            "image_id": made.image_id,
                            "verdict": back[0].verdict if back else None,
                            "note": back[0].note if back else None,
                            "analyst": by,
                            "created_at": now,
                            "replaces_event_id": now_row.id,
                            "replaced_verdict": now_row.verdict,
                            "restores_event_id": state_of(*back) if back else None,
                        }
                        for made, now_row, back in restoring
                    ],
                )
        return Action(
            action.id,
            KIND_UNDO,
            namespace,
            group,
            by,
            now,
            tuple(made.face_id for made, _, _ in restoring),
            undoes_action_id=target.id,
            skipped=tuple(skipped),
        )

    def latest(self, namespace: str, group: str) -> dict[str, Verdict]:
        """Every face of the group that has a verdict now, by its id in the store."""
        with self._read() as session:
            rows = latest_rows(session, namespace, group)
        return {face_id: v for face_id, (row, _) in rows.items() if (v := as_verdict(row))}

    def changed_since(self, namespace: str, group: str, cursor: int = 0) -> Changes:
        """Faces whose verdict changed (by anyone) after event ``cursor``; 0 gives every face.

        Within a group, events are numbered in the order they were committed, so polling
        with the returned cursor sees each change exactly once.
        """
        with self._read() as session:
            newest = (
                select(EventRow.face_id, func.max(EventRow.id).label("newest"))
                .where(
                    EventRow.namespace == namespace,
                    EventRow.group_id == group,
                    EventRow.id > cursor,
                )
                .group_by(EventRow.face_id)
                .subquery()
            )
            rows = session.scalars(select(EventRow).join(newest, EventRow.id == newest.c.newest))
            verdicts = {row.face_id: (as_verdict(row), row.id) for row in rows}
        top = max((event_id for _, event_id in verdicts.values()), default=cursor)
        return Changes({face: v for face, (v, _) in verdicts.items()}, max(top, cursor))

    def _events(self, *where: object) -> list[VerdictEvent]:
        with self._read() as session:
            rows = session.execute(
                select(EventRow, ActionRow.kind)
                .join(ActionRow, EventRow.action_id == ActionRow.id)
                .where(*where)  # type: ignore[arg-type]
                .order_by(EventRow.id)
            )
            return [as_event(row, kind) for row, kind in rows]

    def history(self, namespace: str, group: str, face_id: str) -> list[VerdictEvent]:
        """Every event of one face, oldest first."""
        return self._events(
            EventRow.namespace == namespace,
            EventRow.group_id == group,
            EventRow.face_id == face_id,
        )

    def log(self, namespace: str, group: str) -> list[VerdictEvent]:
        """The group's whole history, oldest first: what an export writes."""
        return self._events(EventRow.namespace == namespace, EventRow.group_id == group)

    def import_rows(self, rows: Sequence[ImportRow]) -> ImportResult:
        """Append checked rows as import actions, all in one transaction (all or nothing).

        Rows keep their analyst and time; each replaces the face's latest event at that point.
        A row equal to an event already stored (face, analyst, time, verdict, note) is skipped,
        so importing the same export twice adds nothing.
        """
        with self._write() as session:
            return append_rows(session, rows)

    def counts(self, namespace: str, group: str) -> Counts:
        """How many faces carry each verdict now."""
        tally: dict[str, int] = {}
        for verdict in self.latest(namespace, group).values():
            tally[verdict.verdict] = tally.get(verdict.verdict, 0) + 1
        return Counts(**tally)


def open_store(settings: Settings) -> VerdictStore:
    """Open (creating and migrating on first use) the store the settings name.

    II_DATABASE_URL wins when set; otherwise the SQLite file ``settings.review_db``.
    """
    engine = build_engine(settings)
    try:
        with unavailable_on_error(describe(engine.url), settings.review_timeout_s):
            migrate(engine)
    except BaseException:
        engine.dispose()
        raise
    return VerdictStore(engine, settings.review_timeout_s)
