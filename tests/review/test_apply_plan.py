"""The apply plan (pure): which requests a group's verdicts need, in batches of at most 20."""

from __future__ import annotations

import json

import pytest

from viewer.edits import Identity, parse_identity
from viewer.models import Group, parse_group
from viewer.review.plan import (
    ADD,
    CREATE,
    NEW_IDENTITY,
    REMOVE,
    Step,
    batches,
    creation_custom_id,
    plan_apply,
)

NOT, YES, UNSURE = "not_this_person", "belongs", "unsure"


def group(n: int, identity_id: str | None = "I", group_id: str = "g") -> Group:
    data: dict = {"id": group_id, "images": [{"id": f"i{k}"} for k in range(n)]}
    if identity_id:
        data["identityId"] = identity_id
    return parse_group(data)


def identity(identity_id: str, ids: list[str]) -> Identity:
    return parse_identity({"id": identity_id, "images": [{"id": i} for i in ids]})


def key(k: int) -> str:
    return f"{k}:i{k}"


def shape(steps: tuple[Step, ...]) -> list[tuple[str, str | None, int]]:
    return [(s.operation, s.identity_id, len(s.image_ids)) for s in steps]


def test_not_this_person_faces_are_removed_in_batches_of_20() -> None:
    verdicts = {key(k): NOT for k in range(45)} | {key(45): YES, key(46): UNSURE}
    plan = plan_apply("acme", group(50), verdicts, identity("I", [f"i{k}" for k in range(50)]))
    assert shape(plan.steps) == [(REMOVE, "I", 20), (REMOVE, "I", 20), (REMOVE, "I", 5)]
    assert [i for s in plan.steps for i in s.image_ids] == [f"i{k}" for k in range(45)]
    assert plan.already_done == 1  # i45 belongs and is there


def test_verdicts_under_the_ids_the_app_records_find_their_faces() -> None:
    verdicts = {"i0": NOT, "i1": NOT, "2:i2": NOT, "i9": NOT}  # image ids, a key, a stranger
    plan = plan_apply("acme", group(4), verdicts, identity("I", ["i0", "i1", "i2", "i3"]))
    assert [(s.operation, s.image_ids) for s in plan.steps] == [(REMOVE, ("i0", "i1", "i2"))]
    assert "1 face(s) with a verdict are not in the group now." in plan.notes


def test_only_what_is_still_missing_is_planned() -> None:
    verdicts = {key(k): NOT for k in range(5)} | {key(7): YES}
    held = [f"i{k}" for k in range(3, 10) if k != 7]  # i0..i2 already removed, i7 gone
    plan = plan_apply("acme", group(10), verdicts, identity("I", held))
    assert [(s.operation, s.image_ids) for s in plan.steps] == [
        (REMOVE, ("i3", "i4")),
        (ADD, ("i7",)),
    ]
    assert plan.already_done == 3
    done = plan_apply("acme", group(10), verdicts, identity("I", [f"i{k}" for k in (5, 6, 7)]))
    assert done.empty and done.already_done == 6
    assert "nothing to send." in done.preview()


def test_a_moved_face_leaves_its_identity_and_joins_the_other() -> None:
    moves = {key(1): "J", key(2): "J", key(3): "K"}
    targets = {"J": identity("J", ["i2"]), "K": identity("K", [])}
    plan = plan_apply(
        "acme",
        group(5),
        {},
        identity("I", [f"i{k}" for k in range(5)]),
        moves=moves,
        targets=targets,
    )
    assert [(s.operation, s.identity_id, s.image_ids) for s in plan.steps] == [
        (REMOVE, "I", ("i1", "i2", "i3")),
        (ADD, "J", ("i1",)),
        (ADD, "K", ("i3",)),
    ]
    assert plan.already_done == 1  # i2 is in J already


def test_a_move_to_the_groups_own_identity_changes_nothing() -> None:
    plan = plan_apply("acme", group(3), {}, identity("I", ["i0", "i1", "i2"]), moves={key(0): "I"})
    assert plan.empty


def test_a_group_without_identity_gets_one_of_its_remaining_faces() -> None:
    verdicts = {key(0): NOT, key(1): UNSURE}
    plan = plan_apply("acme2", group(25, identity_id=None, group_id="u"), verdicts, None)
    assert shape(plan.steps) == [(CREATE, None, 20), (ADD, None, 4)]
    assert plan.steps[0].image_ids[0] == "i1"  # unsure stays; not this person does not
    assert plan.steps[0].custom_id == "group-viewer acme2/u"
    first, second = plan.requests()
    assert (first.method, first.path) == ("POST", "/recognition/identities/acme2")
    assert first.body["customId"] == "group-viewer acme2/u"
    assert second.path == f"/recognition/identities/acme2/{NEW_IDENTITY}"
    assert "create an identity with 20 image(s)" in plan.preview()


def test_the_preview_holds_every_request_exactly() -> None:
    plan = plan_apply("acme", group(3), {key(1): NOT}, identity("I", ["i0", "i1", "i2"]))
    text = plan.preview()
    assert "Group g (namespace acme), identity I:" in text
    assert "remove 1 image(s) from identity I in 1 request(s)" in text
    number, method, path, body = text.splitlines()[-1].split(maxsplit=3)
    assert number == "1."
    assert (method, path) == ("PATCH", "/recognition/identities/acme/I")
    assert json.loads(body) == {"images": {"add": [], "remove": ["i1"]}}


def test_verdict_keys_are_found_by_image_id_when_the_index_moved() -> None:
    verdicts = {"7:i1": NOT, "9:gone": NOT}
    plan = plan_apply("acme", group(3), verdicts, identity("I", ["i0", "i1", "i2"]))
    assert [s.image_ids for s in plan.steps] == [("i1",)]
    assert plan.notes == ("1 face(s) with a verdict are not in the group now.",)


def test_faces_without_an_image_id_are_noted_not_sent() -> None:
    data = {"id": "g", "identityId": "I", "images": [{"id": "i0"}, {"customId": "no-id"}]}
    plan = plan_apply("acme", parse_group(data), {"1:": NOT}, identity("I", ["i0"]))
    assert plan.empty
    assert plan.notes == ("1 face(s) have no image id, so they cannot be changed.",)


@pytest.mark.parametrize(
    ("count", "sizes"), [(0, []), (20, [20]), (21, [20, 1]), (41, [20, 20, 1])]
)
def test_batches_hold_at_most_20_distinct_ids(count: int, sizes: list[int]) -> None:
    ids = [f"i{k}" for k in range(count)] * 2
    assert [len(b) for b in batches(ids)] == sizes


def test_creation_custom_id_fits_the_api() -> None:
    long = creation_custom_id("n" * 128, "g" * 256)
    assert len(long) <= 256 and long == creation_custom_id("n" * 128, "g" * 256)
    assert long != creation_custom_id("n" * 128, "g" * 255 + "h")
