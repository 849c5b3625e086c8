"""What the verdict store hands out, and the checks every verdict passes before it is written."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from viewer.api import MAX_GROUP_ID, MAX_NAMESPACE, validate_segment
from viewer.config import MAX_ANALYST
from viewer.exceptions import InvalidInputError, InvalidVerdictError

BELONGS = "belongs"
NOT_THIS_PERSON = "not_this_person"
UNSURE = "unsure"
VERDICTS = (BELONGS, NOT_THIS_PERSON, UNSURE)
VERDICT_WORDS = {BELONGS: "belongs", NOT_THIS_PERSON: "not this person", UNSURE: "unsure"}

KIND_VERDICT = "verdict"  # an analyst's command: one face, or a selection
KIND_UNDO = "undo"  # restores what an earlier action replaced
KIND_IMPORT = "import"  # rows read from a file
ACTION_KINDS = (KIND_VERDICT, KIND_UNDO, KIND_IMPORT)

MAX_NOTE = 2000
MAX_FACE_ID = 300
MAX_IMAGE_ID = 256


@dataclass(frozen=True)
class Verdict:
    """A face's current verdict: the latest event for it, by anyone."""

    verdict: str
    by: str
    at: datetime
    note: str | None
    event_id: int


@dataclass(frozen=True)
class VerdictEvent:
    """One row of the history. ``verdict`` None: an undo cleared the face (it had none before)."""

    id: int
    action_id: int
    action_kind: str
    namespace: str
    group: str
    face_id: str
    image_id: str | None
    verdict: str | None
    note: str | None
    by: str
    at: datetime
    replaces_event_id: int | None
    replaced_verdict: str | None


@dataclass(frozen=True)
class Action:
    """One analyst command as recorded. ``skipped``: faces an undo left alone (changed since)."""

    id: int
    kind: str
    namespace: str
    group: str
    by: str
    at: datetime
    face_ids: tuple[str, ...]
    undoes_action_id: int | None = None
    skipped: tuple[str, ...] = ()


@dataclass(frozen=True)
class Changes:
    """Faces whose latest event is newer than a cursor; None: the face has no verdict now.

    Keep ``cursor`` and pass it to the next ``changed_since`` call.
    """

    verdicts: dict[str, Verdict | None]
    cursor: int


@dataclass(frozen=True)
class Counts:
    """How many faces of a group carry each verdict now."""

    belongs: int = 0
    not_this_person: int = 0
    unsure: int = 0

    @property
    def reviewed(self) -> int:
        return self.belongs + self.not_this_person + self.unsure


def check_verdict(word: object) -> str:
    """The verdict's stored form: ``not this person`` and ``Not-This-Person`` are accepted."""
    normal = str(word).strip().lower().replace(" ", "_").replace("-", "_")
    if normal not in VERDICTS:
        shown = str(word)[:40]
        raise InvalidVerdictError(
            f"{shown!r} is not a verdict: use belongs, not_this_person or unsure."
        )
    return normal


def check_note(note: str | None) -> str | None:
    """The note stripped, None when empty; too long or with control characters is refused."""
    if note is None:
        return None
    text = note.strip()
    if len(text) > MAX_NOTE:
        raise InvalidVerdictError(
            f"The note is {len(text):,} characters long; shorten it to at most {MAX_NOTE:,}."
        )
    if any(not ch.isprintable() and ch not in "\n\t" for ch in text):
        raise InvalidVerdictError(
            "The note contains a control character; retype it without pasted formatting."
        )
    return text or None


def check_analyst(by: str | None) -> str:
    """The analyst's name stripped; empty, too long or unprintable is refused."""
    name = (by or "").strip()
    if not name:
        raise InvalidVerdictError("Enter your name before recording verdicts: it is empty.")
    if len(name) > MAX_ANALYST or not name.isprintable():
        raise InvalidVerdictError(
            f"The analyst name must be printable and at most {MAX_ANALYST} characters long."
        )
    return name


def check_place(namespace: str, group: str) -> tuple[str, str]:
    """A namespace and group ID that the API could be asked for, as InvalidVerdictError."""
    try:
        return (
            validate_segment(namespace, "namespace", MAX_NAMESPACE),
            validate_segment(group, "group ID", MAX_GROUP_ID),
        )
    except InvalidInputError as error:
        raise InvalidVerdictError(error.message) from None


def check_face(face_id: object, image_id: object) -> tuple[str, str | None]:
    """A face's id in the store (``faces.store_ids``) and its image id, or None for the image id."""
    if not isinstance(face_id, str) or not face_id.strip():
        raise InvalidVerdictError("A face has no id: record verdicts for faces of the group.")
    if len(face_id) > MAX_FACE_ID or not face_id.isprintable():
        raise InvalidVerdictError(
            f"The face id {face_id[:40]!r} is not one the viewer makes: "
            f"at most {MAX_FACE_ID} printable characters."
        )
    if image_id is None or image_id == "":
        return face_id, None
    if not isinstance(image_id, str) or len(image_id) > MAX_IMAGE_ID or not image_id.isprintable():
        raise InvalidVerdictError(
            f"The image id of face {face_id[:40]!r} is not text of at most {MAX_IMAGE_ID} "
            "printable characters."
        )
    return face_id, image_id


@dataclass(frozen=True)
class ImportRow:
    """One checked row of an import file. ``verdict`` None: an undo that cleared the face."""

    line: int
    namespace: str
    group: str
    face_id: str
    image_id: str | None
    verdict: str | None
    note: str | None
    by: str
    at: datetime
    action_key: str | None = None  # rows sharing it (and analyst and group) form one action


@dataclass(frozen=True)
class ImportResult:
    imported: int
    skipped: int  # rows already in the store (same face, analyst, time, verdict and note)
    actions: int
