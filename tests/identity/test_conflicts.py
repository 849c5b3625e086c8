"""Same-photo conflicts: cases over hand-made faces, then the demo's groups against what their
photos really hold."""

from __future__ import annotations

from typing import Any

import pytest

from viewer.demo import DataSet, conflict_ids, duplicate_ids
from viewer.demo.server import DemoServer
from viewer.geometry import resolve_box
from viewer.identity.conflicts import (
    DUPLICATE,
    SAME_PHOTO,
    Conflict,
    count_conflicts,
    find_conflicts,
)
from viewer.models import Face, Group, parse_face

A = "https://img.example/a.jpg"
B = "https://img.example/b.jpg"
LEFT = {"xMin": 0.05, "yMin": 0.1, "xMax": 0.25, "yMax": 0.4}
RIGHT = {"xMin": 0.6, "yMin": 0.1, "xMax": 0.8, "yMax": 0.4}
# LEFT shifted by a fifth of its width: IoU 0.667 with LEFT; by half its width: 0.333
LEFT_NUDGED = {"xMin": 0.09, "yMin": 0.1, "xMax": 0.29, "yMax": 0.4}
LEFT_HALF = {"xMin": 0.15, "yMin": 0.1, "xMax": 0.35, "yMax": 0.4}


def face(index: int, url: str | None, box: Any, face_id: str | None = None, **more: Any) -> Face:
    data = {"id": face_id or f"f{index}", "url": url, "boundingBox": box, **more}
    return parse_face(data, index)


def kinds(faces: list[Face]) -> dict[str, dict[str, tuple[str, ...]]]:
    """Conflicts as {face id: {kind: partner ids}}, easy to read in a table."""
    ids = {f.key: f.id for f in faces}
    return {
        ids[key]: {c.kind: tuple(ids[p] for p in c.partners) for c in found}
        for key, found in find_conflicts(faces).items()
    }


CASES = [
    pytest.param(
        [face(0, A, LEFT), face(1, A, RIGHT)],
        {"f0": {SAME_PHOTO: ("f1",)}, "f1": {SAME_PHOTO: ("f0",)}},
        id="two-faces-apart-in-one-photo",
    ),
    pytest.param(
        [face(0, A, LEFT), face(1, A, LEFT_NUDGED)],
        {"f0": {DUPLICATE: ("f1",)}, "f1": {DUPLICATE: ("f0",)}},
        id="overlap-above-half-is-a-duplicate",
    ),
    pytest.param(
        [face(0, A, LEFT), face(1, A, LEFT_HALF)],
        {"f0": {SAME_PHOTO: ("f1",)}, "f1": {SAME_PHOTO: ("f0",)}},
        id="overlap-below-half-is-two-faces",
    ),
    pytest.param([face(0, A, LEFT), face(1, B, LEFT)], {}, id="different-photos"),
    pytest.param(
        [face(0, A, LEFT, "img-1"), face(1, B, RIGHT, "img-1")],
        {"img-1": {SAME_PHOTO: ("img-1",)}},
        id="same-image-id-other-url",
    ),
    pytest.param(
        [
            face(0, A, {"xMin": 64, "yMin": 48, "xMax": 320, "yMax": 192}, width=1280, height=480),
            face(1, A, {"xMin": 0.05, "yMin": 0.1, "xMax": 0.25, "yMax": 0.4}),
        ],
        {"f0": {DUPLICATE: ("f1",)}, "f1": {DUPLICATE: ("f0",)}},
        id="pixels-with-size-meet-fractions",
    ),
    pytest.param(
        [
            face(0, A, {"xMin": 64, "yMin": 48, "xMax": 320, "yMax": 192}),
            face(1, A, {"xMin": 70, "yMin": 50, "xMax": 322, "yMax": 190}),
        ],
        {"f0": {DUPLICATE: ("f1",)}, "f1": {DUPLICATE: ("f0",)}},
        id="pixels-without-size-meet-pixels",
    ),
    pytest.param(
        [
            face(0, A, {"xMin": 64, "yMin": 48, "xMax": 320, "yMax": 192}),
            face(1, A, LEFT),
        ],
        {"f0": {SAME_PHOTO: ("f1",)}, "f1": {SAME_PHOTO: ("f0",)}},
        id="pixels-without-size-cannot-meet-fractions",
    ),
    pytest.param(
        [face(0, A, None), face(1, A, LEFT)],
        {"f0": {SAME_PHOTO: ("f1",)}, "f1": {SAME_PHOTO: ("f0",)}},
        id="a-missing-box-still-claims-the-photo",
    ),
    pytest.param(
        [
            face(0, A, LEFT),
            face(1, A, {"xMin": 0.29, "yMin": 0.4, "xMax": 0.09, "yMax": 0.1}),
            face(2, A, RIGHT),
        ],
        {
            "f0": {SAME_PHOTO: ("f2",), DUPLICATE: ("f1",)},
            "f1": {SAME_PHOTO: ("f2",), DUPLICATE: ("f0",)},
            "f2": {SAME_PHOTO: ("f0", "f1")},
        },
        id="inverted-duplicate-and-a-third-face",
    ),
    pytest.param(
        [face(0, A, LEFT, "x"), face(1, A, RIGHT, "y"), face(2, B, RIGHT, "y")],
        {
            "x": {SAME_PHOTO: ("y", "y")},
            "y": {SAME_PHOTO: ("x",), DUPLICATE: ("y",)},
        },
        id="url-and-id-link-transitively",
    ),
    pytest.param([face(0, None, LEFT), face(1, None, LEFT)], {}, id="no-url-no-photo"),
]


@pytest.mark.parametrize(("faces", "expected"), CASES)
def test_find_conflicts(faces: list[Face], expected: dict[str, dict[str, tuple[str, ...]]]) -> None:
    if len({f.id for f in faces}) == len(faces):
        assert kinds(faces) == expected
    else:  # repeated ids: compare by key instead
        found = find_conflicts(faces)
        assert {k: {c.kind for c in v} for k, v in found.items()} == {
            f.key: set(expected[f.id]) for f in faces if f.id in expected
        }


def test_counts_and_words() -> None:
    faces = [face(0, A, LEFT), face(1, A, LEFT_NUDGED), face(2, A, RIGHT), face(3, B, LEFT)]
    found = find_conflicts(faces)
    assert count_conflicts(found) == {SAME_PHOTO: 3, DUPLICATE: 2}
    assert found[faces[2].key] == (Conflict(SAME_PHOTO, (faces[0].key, faces[1].key)),)
    assert found[faces[2].key][0].words == "2 faces of this group in one photo"


# --- the demo data ----------------------------------------------------------------------------


def drawn_face(entry: Face, data: DataSet) -> tuple[str, int] | None:
    """Which drawn face of which photo an entry's box lands on: the nearest by box centre."""
    spec = data.photos.get(entry.url.removeprefix(data.base_url)) if entry.url else None
    if spec is None:
        return None
    placement = resolve_box(entry.box, entry.reported_wh, spec.wh)
    if placement.xyxy is None:
        return None
    x0, y0, x1, y1 = placement.xyxy
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2

    def off(i: int) -> float:
        a0, b0, a1, b1 = spec.faces[i].xyxy
        return abs((a0 + a1) / 2 - cx) + abs((b0 + b1) / 2 - cy)

    return spec.key, min(range(len(spec.faces)), key=off)


def composition_conflicts(group: Group, data: DataSet) -> dict[str, set[str]]:
    """The conflicts each face should have, from the photos: another of the group's entries on
    another drawn face of its photo is "same photo"; on the same drawn face, a duplicate."""
    where = {f.key: drawn_face(f, data) for f in group.faces}
    expected: dict[str, set[str]] = {}
    for a in group.faces:
        for b in group.faces:
            if a is b or where[a.key] is None or where[b.key] is None:
                continue
            if where[a.key][0] == where[b.key][0]:  # type: ignore[index]
                kind = DUPLICATE if where[a.key] == where[b.key] else SAME_PHOTO
                expected.setdefault(a.key, set()).add(kind)
    return expected


def clean(group: Group, data: DataSet) -> bool:
    """Every entry has its own id and a box on a drawn photo (bad-data groups have their test)."""
    ids = [f.id for f in group.faces]
    return len(set(ids)) == len(ids) and all(drawn_face(f, data) for f in group.faces)


def test_conflicts_match_what_the_photos_hold(demo: DemoServer, groups: dict[str, Group]) -> None:
    assert demo.data is not None
    checked = 0
    for group in groups.values():
        if not clean(group, demo.data):
            continue
        found = {k: {c.kind for c in v} for k, v in find_conflicts(group.faces).items()}
        assert found == composition_conflicts(group, demo.data), group.id
        checked += 1
    assert checked >= 6  # the people groups, crowd and large at least


def test_conflicts_flag_exactly_the_planted_faces(groups: dict[str, Group]) -> None:
    """demo-crowd's planted errors, as the demo lists them: two photos holding two of its faces
    each, and one face detected twice. Nothing else in it is flagged."""
    group = groups["demo-crowd"]
    found = find_conflicts(group.faces)
    flagged = {
        kind: {f.id for f in group.faces if kind in {c.kind for c in found.get(f.key, ())}}
        for kind in (SAME_PHOTO, DUPLICATE)
    }
    assert len(conflict_ids()) == 4 and len(duplicate_ids()) == 2
    assert flagged == {SAME_PHOTO: conflict_ids(), DUPLICATE: duplicate_ids()}
    assert {f.id for f in group.faces if f.key in found} == conflict_ids() | duplicate_ids()


def test_bad_data_conflicts(groups: dict[str, Group]) -> None:
    faces = groups["demo-bad-data"].faces
    by_index = {f.key: f.index for f in faces}
    found = {by_index[k]: {c.kind for c in v} for k, v in find_conflicts(faces).items()}
    # entries 2 and 13 share one URL (13's box is a list); 10 repeats entry 0's image id on
    # another photo
    assert set(found) == {0, 2, 10, 13}
    assert found[2] == found[13] == {SAME_PHOTO}
