"""Same-photo conflicts: a person appears once in a photo, so two faces of one group there are
evidence that one of them is someone else, or that one face was detected twice. No model needed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from viewer.identity.boxes import iou, photo_xyxy
from viewer.models import Face

SAME_PHOTO = "same_photo"
DUPLICATE = "duplicate"
DUPLICATE_IOU = 0.5  # boxes overlapping at least this much are one face detected twice
CONFLICT_WORDS = {
    SAME_PHOTO: "2 faces of this group in one photo",
    DUPLICATE: "duplicate detection",
}


@dataclass(frozen=True)
class Conflict:
    """One kind of conflict a face has, with the keys of the faces it has it with."""

    kind: str
    partners: tuple[str, ...]

    @property
    def words(self) -> str:
        return CONFLICT_WORDS[self.kind]


def photos_of(faces: Sequence[Face]) -> list[list[Face]]:
    """Faces that share a photo (the same image id or the same URL, transitively), in order.

    Only photos holding two or more of the faces are returned.
    """
    parent = list(range(len(faces)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first: dict[tuple[str, str], int] = {}
    for i, face in enumerate(faces):
        for kind, value in (("id", face.id), ("url", face.url)):
            if value is not None:
                parent[root(i)] = root(first.setdefault((kind, value), i))
    members: dict[int, list[Face]] = {}
    for i, face in enumerate(faces):
        members.setdefault(root(i), []).append(face)
    return [group for group in members.values() if len(group) > 1]


def conflict_kind(a: Face, b: Face) -> str:
    """How two faces of one photo conflict: the same face twice, or two faces.

    Boxes that cannot be compared (missing, unusable, or in spaces that do not match) count
    as two faces: the group claims the photo twice either way.
    """
    a_box, b_box = photo_xyxy(a), photo_xyxy(b)
    if a_box and b_box and a_box[0] == b_box[0] and iou(a_box[1], b_box[1]) >= DUPLICATE_IOU:
        return DUPLICATE
    return SAME_PHOTO


def find_conflicts(faces: Sequence[Face]) -> dict[str, tuple[Conflict, ...]]:
    """Each face with a conflict, by face key: its kinds (same photo first) and partners.

    Faces without conflicts are left out.
    """
    partners: dict[str, dict[str, list[str]]] = {}
    for photo in photos_of(faces):
        for i, a in enumerate(photo):
            for b in photo[i + 1 :]:
                kind = conflict_kind(a, b)
                partners.setdefault(a.key, {}).setdefault(kind, []).append(b.key)
                partners.setdefault(b.key, {}).setdefault(kind, []).append(a.key)
    order = (SAME_PHOTO, DUPLICATE)
    return {
        key: tuple(Conflict(kind, tuple(kinds[kind])) for kind in order if kind in kinds)
        for key, kinds in partners.items()
    }


def count_conflicts(conflicts: dict[str, tuple[Conflict, ...]]) -> dict[str, int]:
    """How many faces have each kind of conflict, for the header."""
    counts = dict.fromkeys((SAME_PHOTO, DUPLICATE), 0)
    for found in conflicts.values():
        for conflict in found:
            counts[conflict.kind] += 1
    return counts
