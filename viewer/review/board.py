"""The verdict store as the viewer uses it: opened once per process, and one group's verdicts as
one page session sees them, kept current on every refresh.

``StoreAccess`` opens the store on first use and remembers a failure for a while, so a database
that is down costs one attempt now and then, not one per page. ``Board`` names faces by
``Face.key`` (the store by ``faces.store_ids``) and says what each action did in a sentence.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from viewer.config import Settings
from viewer.exceptions import StoreUnavailableError
from viewer.models import Face
from viewer.review.faces import keys_by_store_id, store_ids
from viewer.review.store import VerdictStore, open_store
from viewer.review.values import (
    VERDICT_WORDS,
    Action,
    Counts,
    Verdict,
    VerdictEvent,
    check_verdict,
)

RETRY_S = 30.0  # how long a failure to open the store is remembered


class StoreAccess:
    """The store the settings name, opened once; safe to share between threads."""

    def __init__(self, settings: Settings, retry_s: float = RETRY_S) -> None:
        self.settings = settings
        self.retry_s = retry_s
        self._store: VerdictStore | None = None
        self._failure: tuple[float, str] | None = None  # (when, the store's sentence)
        self._lock = threading.Lock()

    def get(self) -> VerdictStore:
        """The open store; StoreUnavailableError (the remembered one, for ``retry_s``) if not."""
        with self._lock:
            if self._store is not None:
                return self._store
            if self._failure and time.monotonic() - self._failure[0] < self.retry_s:
                raise StoreUnavailableError(self._failure[1])
            try:
                self._store = open_store(self.settings)
            except StoreUnavailableError as error:
                self._failure = (time.monotonic(), error.message)
                raise
            self._failure = None
            return self._store

    def close(self) -> None:
        with self._lock:
            if self._store is not None:
                self._store.close()
            self._store = None


@dataclass(frozen=True)
class Done:
    """What an action did, in a sentence for the analyst; ``faces``: indices of the faces
    whose verdict it changed."""

    sentence: str
    action: Action | None
    faces: tuple[int, ...] = ()


def _faces(count: int) -> str:
    return f"{count:,} face{'' if count == 1 else 's'}"


class Board:
    """One group's current verdicts for one session, by ``Face.key``.

    ``refresh`` reads what changed since the last one (by anyone), so a face someone else
    marked shows their newer verdict. Store failures raise StoreUnavailableError; what the
    board holds stays as it was.
    """

    def __init__(
        self, store: VerdictStore, namespace: str, group_id: str, faces: Sequence[Face]
    ) -> None:
        self.store = store
        self.namespace = namespace
        self.group_id = group_id
        self.ids = store_ids(faces)
        self._keys = keys_by_store_id(self.ids)
        self._image_ids = {f.key: f.id for f in faces}
        self._indices = {f.key: f.index for f in faces}
        self.cursor = 0
        self.verdicts: dict[str, Verdict] = {}
        self._recorded: dict[int, tuple[str, int]] = {}  # this session's actions: verdict, faces

    def matches(
        self, store: VerdictStore, namespace: str, group_id: str, faces: Sequence[Face]
    ) -> bool:
        """Whether this board is the one of that group, in that store, with those faces."""
        here = (self.store, self.namespace, self.group_id)
        return here == (store, namespace, group_id) and store_ids(faces) == self.ids

    def refresh(self) -> None:
        """Take in every verdict changed since the last refresh (all of them the first time)."""
        changes = self.store.changed_since(self.namespace, self.group_id, self.cursor)
        for face_id, verdict in changes.verdicts.items():
            key = self._keys.get(face_id)
            if key is None:
                continue  # a face the group no longer has
            if verdict is None:
                self.verdicts.pop(key, None)
            else:
                self.verdicts[key] = verdict
        self.cursor = changes.cursor

    def words(self) -> dict[str, str]:
        """Each face's verdict word now, by face key."""
        return {key: verdict.verdict for key, verdict in self.verdicts.items()}

    def counts(self, keys: Iterable[str] | None = None) -> Counts:
        """How many of the faces (all of the group's by default) carry each verdict."""
        wanted = self.verdicts.keys() if keys is None else keys
        tally: dict[str, int] = {}
        for key in wanted:
            if (verdict := self.verdicts.get(key)) is not None:
                tally[verdict.verdict] = tally.get(verdict.verdict, 0) + 1
        return Counts(**tally)

    def record(self, keys: Sequence[str], verdict: str, by: str, note: str | None = None) -> Done:
        """Record ``verdict`` on the faces with these keys as one action, then refresh.

        InvalidVerdictError for input the store refuses (a long note, no name, no face).
        """
        faces = [(self.ids[key], self._image_ids.get(key)) for key in dict.fromkeys(keys)]
        action = self.store.record(self.namespace, self.group_id, faces, verdict, by, note)
        stored = check_verdict(verdict)
        self._recorded[action.id] = (stored, len(action.face_ids))
        self.refresh()
        word = VERDICT_WORDS[stored]
        sentence = f"Marked {_faces(len(action.face_ids))} \u201c{word}\u201d."
        return Done(sentence, action, self._indices_of(action.face_ids))

    def _indices_of(self, face_ids: Sequence[str]) -> tuple[int, ...]:
        keys = (self._keys.get(face_id) for face_id in face_ids)
        return tuple(self._indices[key] for key in keys if key is not None)

    def undo(self, by: str) -> Done:
        """Undo ``by``'s latest verdict action on the group, then refresh."""
        action = self.store.undo_last(self.namespace, self.group_id, by)
        if action is None:
            return Done("Nothing to undo: you have recorded no verdict in this group.", None)
        self.refresh()
        what = "your last verdict"
        if action.undoes_action_id in self._recorded:
            verdict, count = self._recorded.pop(action.undoes_action_id)
            what = f"\u201c{VERDICT_WORDS.get(verdict, verdict)}\u201d on {_faces(count)}"
        restored, skipped = len(action.face_ids), len(action.skipped)
        if not skipped:
            back = "it is" if restored == 1 else "each is"
            sentence = f"Undid {what}: {back} back to what it was before."
            return Done(sentence, action, self._indices_of(action.face_ids))
        keeps = "keeps" if skipped == 1 else "keep"
        return Done(
            f"Undid {what}: {_faces(restored)} back to what they were before; "
            f"{_faces(skipped)} changed by someone else since {keeps} the newer verdict.",
            action,
            self._indices_of(action.face_ids),
        )

    def moves(self) -> dict[str, str]:
        """Each moved face's target group now, by face key."""
        latest = self.store.moves.latest(self.namespace, self.group_id)
        return {self._keys[f]: m.target_group for f, m in latest.items() if f in self._keys}

    def move(self, key: str, target_group: str | None, by: str) -> Done:
        """Mark one face as ``target_group``'s person (None: withdraw its move)."""
        face = (self.ids[key], self._image_ids.get(key))
        moved = self.store.moves.record(self.namespace, self.group_id, face, target_group, by)
        index = (self._indices[key],)
        if moved is None:
            return Done("Withdrew the move: the face stays with this group's person.", None, index)
        return Done(
            f"Marked the face as group {moved.target_group}'s person: applying moves it to that "
            "group's identity.",
            None,
            index,
        )

    def history(self, key: str) -> list[VerdictEvent]:
        """Every event of one face, oldest first."""
        return self.store.history(self.namespace, self.group_id, self.ids[key])
