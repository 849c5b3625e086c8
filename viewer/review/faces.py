"""Which id the verdict store records a face under, the same in the app, exports and imports.

A face is recorded under its API image id (``Face.id``) when it has one and no other face of
the group shares it: that id survives the API returning the group in another order. Otherwise
(no id, or a repeated one) it is recorded under ``Face.key``, the viewer's own ``index:id``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from viewer.models import Face


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
