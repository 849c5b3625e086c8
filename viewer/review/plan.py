"""What applying a group's verdicts sends to the API: pure, computed from what was just read.

From the group, the latest verdict per face (its id in the store, ``faces.store_ids``, or its
``Face.key`` -> ``belongs`` / ``not_this_person`` / ``unsure``), faces moved to another group's
person (face id or key -> that identity's id) and the
identities as they are now, ``plan_apply`` works out the requests still needed:

- a face "not this person" (or moved) whose image is in the group's identity: remove it;
- a face "belongs" whose image is not in the group's identity: add it back;
- a moved face whose image is not yet in its new identity: add it there;
- a group with no identity: create one with every face not marked "not this person" or moved
  (at most 20 images; the rest are added to the new identity afterwards).

Each request holds at most 20 image ids. What the identities already show is not sent again.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from viewer.edits import MAX_CUSTOM_ID, MAX_IDS, Identity
from viewer.models import Face, Group
from viewer.paths import identity_path
from viewer.review.faces import keys_by_store_id, store_ids
from viewer.review.values import BELONGS, NOT_THIS_PERSON

ADD, REMOVE, CREATE = "add", "remove", "create"
NEW_IDENTITY = "<the new identity>"  # where a path names an identity created earlier in the plan


@dataclass(frozen=True)
class Request:
    """One HTTP request exactly as it will be sent (below the API's URL)."""

    method: str
    path: str
    body: dict[str, Any]

    def as_text(self) -> str:
        return f"{self.method} {self.path} {json.dumps(self.body)}"


@dataclass(frozen=True)
class Step:
    """One batch: ``operation`` on up to 20 images of ``identity_id`` (None: the new identity).

    ``custom_id`` is the customId a create gives the identity, so that a create whose answer
    was lost can be found again.
    """

    operation: str
    identity_id: str | None
    image_ids: tuple[str, ...]
    custom_id: str | None = None

    def request(self, namespace: str) -> Request:
        if self.operation == CREATE:
            body: dict[str, Any] = {"imageIds": list(self.image_ids)}
            if self.custom_id is not None:
                body["customId"] = self.custom_id
            return Request("POST", identity_path(namespace), body)
        ids = list(self.image_ids)
        images = {"add": ids, "remove": []} if self.operation == ADD else {"add": [], "remove": ids}
        if self.identity_id is None:
            path = f"{identity_path(namespace)}/{NEW_IDENTITY}"
        else:
            path = identity_path(namespace, self.identity_id)
        return Request("PATCH", path, {"images": images})


@dataclass(frozen=True)
class Plan:
    """The requests for one group, in the order they are sent, and what was left out and why."""

    namespace: str
    group_id: str
    identity_id: str | None  # the group's identity; None: the plan creates one
    steps: tuple[Step, ...] = ()
    already_done: int = 0  # images whose change the identities already show
    notes: tuple[str, ...] = field(default=())

    @property
    def empty(self) -> bool:
        return not self.steps

    def requests(self) -> list[Request]:
        return [step.request(self.namespace) for step in self.steps]

    def preview(self) -> str:
        """The plan for a person to confirm: a summary, then every request exactly."""
        head = f"Group {self.group_id} (namespace {self.namespace})"
        who = f"identity {self.identity_id}" if self.identity_id else "no identity yet"
        lines = [f"{head}, {who}:"]
        lines += [f"  {line}" for line in _summary(self.steps)] or ["  nothing to send."]
        if self.already_done:
            lines.append(f"  already done: {self.already_done:,} image(s), not sent again.")
        lines += [f"  note: {note}" for note in self.notes]
        if self.steps:
            lines.append(f"{len(self.steps)} request(s), at most {MAX_IDS} image ids each:")
            lines += [f"  {n}. {r.as_text()}" for n, r in enumerate(self.requests(), 1)]
        return "\n".join(lines)


def _summary(steps: tuple[Step, ...]) -> list[str]:
    """One line per operation and identity: how many images, in how many requests."""
    totals: dict[tuple[str, str | None], list[int]] = {}
    for step in steps:
        counts = totals.setdefault((step.operation, step.identity_id), [0, 0])
        counts[0] += len(step.image_ids)
        counts[1] += 1
    lines = []
    for (operation, identity_id), (images, requests) in totals.items():
        where = f"identity {identity_id}" if identity_id else "the new identity"
        if operation == CREATE:
            lines.append(f"create an identity with {images:,} image(s) in 1 request")
        else:
            word = "from" if operation == REMOVE else "to"
            lines.append(f"{operation} {images:,} image(s) {word} {where} in {requests} request(s)")
    return lines


def creation_custom_id(namespace: str, group_id: str) -> str:
    """The customId of the identity an apply creates for a group: the same on every try."""
    readable = f"group-viewer {namespace}/{group_id}"
    if len(readable) <= MAX_CUSTOM_ID:
        return readable
    digest = hashlib.sha256(f"{namespace}\0{group_id}".encode()).hexdigest()[:32]
    return f"group-viewer {digest}"


def batches(ids: Iterable[str]) -> list[tuple[str, ...]]:
    """``ids`` in order, without repeats, cut into batches of at most 20."""
    unique = list(dict.fromkeys(ids))
    return [tuple(unique[i : i + MAX_IDS]) for i in range(0, len(unique), MAX_IDS)]


def _faces_by_key(group: Group, keys: Iterable[str]) -> tuple[dict[str, Face], list[str]]:
    """Faces for their ids in the store (``faces.store_ids``) or their keys (``index:id``); a
    key whose index moved is found by its image id."""
    by_key = {f.key: f for f in group.faces}
    stored = keys_by_store_id(store_ids(group.faces))
    by_id: dict[str, Face] = {}
    for face in group.faces:
        if face.id:
            by_id.setdefault(face.id, face)
    found, unknown = {}, []
    for key in keys:
        face = (
            by_key.get(stored.get(key, "")) or by_key.get(key) or by_id.get(key.partition(":")[2])
        )
        if face is None:
            unknown.append(key)
        else:
            found[key] = face
    return found, unknown


def plan_apply(
    namespace: str,
    group: Group,
    verdicts: Mapping[str, str],
    identity: Identity | None,
    *,
    moves: Mapping[str, str] | None = None,
    targets: Mapping[str, Identity] | None = None,
) -> Plan:
    """The requests that make the identities match the verdicts (see the module's docstring).

    ``identity``: the group's identity as just read (None: the group has none); ``targets``:
    each identity named in ``moves``, as just read.
    """
    own = identity.id if identity is not None else None
    moves = {k: t for k, t in (moves or {}).items() if t != own}  # moving home is no move
    targets = dict(targets or {})
    group_id = group.id or ""
    faces, unknown = _faces_by_key(group, [*verdicts, *moves])
    notes = []
    if unknown:
        notes.append(f"{len(unknown):,} face(s) with a verdict are not in the group now.")
    no_id = sum(1 for f in faces.values() if not f.id)
    if no_id:
        notes.append(f"{no_id:,} face(s) have no image id, so they cannot be changed.")
    image = {k: f.id for k, f in faces.items() if f.id}
    leaving = {image[k] for k, v in verdicts.items() if v == NOT_THIS_PERSON and k in image}
    leaving |= {image[k] for k in moves if k in image}
    staying = {image[k] for k, v in verdicts.items() if v == BELONGS and k in image} - leaving
    order = [f.id for f in group.faces if f.id]
    steps: list[Step] = []
    done = 0
    if identity is not None:
        held = set(identity.image_ids)
        remove = [i for i in order if i in leaving and i in held]
        add = [i for i in order if i in staying and i not in held]
        done += len(leaving - held) + len(staying & held)
        steps += [Step(REMOVE, identity.id, ids) for ids in batches(remove)]
        steps += [Step(ADD, identity.id, ids) for ids in batches(add)]
    else:
        members = [i for i in order if i not in leaving]
        first, *rest = batches(members) or [()]
        if first:
            custom = creation_custom_id(namespace, group_id)
            steps.append(Step(CREATE, None, first, custom))
            steps += [Step(ADD, None, ids) for ids in rest]
    for target_id in dict.fromkeys(moves.values()):
        held = set(targets[target_id].image_ids) if target_id in targets else set()
        wanted = [image[k] for k, t in moves.items() if t == target_id and k in image]
        missing = [i for i in dict.fromkeys(wanted) if i not in held]
        done += len(set(wanted)) - len(missing)
        steps += [Step(ADD, target_id, ids) for ids in batches(missing)]
    return Plan(namespace, group_id, own, tuple(steps), done, tuple(notes))
