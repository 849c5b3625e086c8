"""Which id the verdict store records a face under, the same in the app, exports and imports.

A face is recorded under its API image id (``Face.id``) when it has one and no other face of
the group shares it: that id survives the API returning the group in another order. Otherwise
(no id, or a repeated one) it is recorded under ``Face.key``, the viewer's own ``index:id``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from viewer.exceptions import StoreUnavailableError
from viewer.models import Face
from viewer.review.values import Verdict, VerdictEvent

if TYPE_CHECKING:
    from viewer.review.apply_log import ApplyBatch
    from viewer.review.store import VerdictStore


def store_ids(faces: Iterable[Face]) -> dict[str, str]:
    """Each face's id in the store, by ``Face.key``; every value is unique within the group."""
    listed = list(faces)
    seen: dict[str, int] = {}
    for face in listed:
        if face.id:
            seen[face.id] = seen.get(face.id, 0) + 1
    keys = {face.key for face in listed}
    ids: dict[str, str] = {}
    for face in listed:
        unique = bool(face.id) and seen[face.id or ""] == 1 and face.id not in keys
        ids[face.key] = face.id if unique and face.id else face.key
    return ids


def keys_by_store_id(ids: Mapping[str, str]) -> dict[str, str]:
    """The inverse of ``store_ids``: ``Face.key`` by the id the store records."""
    return {store_id: key for key, store_id in ids.items()}


@dataclass(frozen=True)
class ReviewSnapshot:
    """A group's verdicts at one moment, for an export: each face's current verdict by
    ``Face.key``, the group's whole history and its apply batches; or, when the store could
    not be read, why."""

    verdicts: Mapping[str, Verdict] = field(default_factory=dict)
    log: Sequence[VerdictEvent] = ()
    apply_log: Sequence[ApplyBatch] = ()
    unavailable: str | None = None  # the store's sentence; verdicts and log are empty then


def by_face_key(verdicts: Mapping[str, Verdict], ids: Mapping[str, str]) -> dict[str, Verdict]:
    """Verdicts keyed by the store's face ids, re-keyed by ``Face.key`` (``ids`` from
    ``store_ids``); ids of faces no longer in the group are left out."""
    keys = keys_by_store_id(ids)
    return {keys[face_id]: v for face_id, v in verdicts.items() if face_id in keys}


def snapshot(
    store: VerdictStore | None, namespace: str, group: str, faces: Sequence[Face]
) -> ReviewSnapshot:
    """The group's verdicts and log read from ``store`` (None: no store yet, so none)."""
    if store is None:
        return ReviewSnapshot()
    try:
        latest = store.latest(namespace, group)
        log = store.log(namespace, group)
        batches = store.apply_log.batches(namespace, group)
    except StoreUnavailableError as error:
        return ReviewSnapshot(unavailable=error.message)
    return ReviewSnapshot(by_face_key(latest, store_ids(faces)), log, batches)
