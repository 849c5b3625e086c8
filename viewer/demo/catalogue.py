"""The demo catalogue: every demo group, what it shows, and the one builder that makes it.

``CATALOGUE`` lists the groups in a sensible viewing order; ``build_data_set`` runs every
builder over a fresh :class:`~viewer.demo.dataset.DataSet`. The README's demo table is
checked against this catalogue by a test.
"""

from __future__ import annotations

import copy
import random
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from viewer.demo.bad_data import malformed_images
from viewer.demo.bad_images import BAD_KINDS, bad_face
from viewer.demo.dataset import FEEDS, SIZES, DataSet, Member, invert_box, new_uuid, photo_path
from viewer.demo.sample import SAMPLE_GROUP, SAMPLE_GROUP_ID, SAMPLE_IMAGE_PATH
from viewer.demo.scenes import XYXY, FaceSpec, PhotoSpec

NAMESPACE = "acme"
OTHER_NAMESPACE = "acme2"

# Synthetic people: the same number always draws the same look.
PERSON_SAMPLE = 1
PERSON_FRACTIONS = 2
PERSON_PIXELS = 3
PERSON_CROWD = 4
PERSON_BROKEN = 5
PERSON_LARGE = 6
# Fair-skinned people unlike PERSON_LARGE's dark skin: a face model tells them apart.
PEOPLE_LARGE_OTHER = (120, 130, 79)
PERSON_A = 7
PERSON_B = 81  # fair skin and long dark hair, where A has dark skin and a bun
PERSON_HOSTILE = 9
PERSON_SMALL = 10
PERSON_BAD_DATA = 11
PERSON_UNLINKED = 12


@dataclass(frozen=True)
class DemoGroup:
    """One demo group: where it lives, what it shows, and the builder that adds it."""

    namespace: str
    group_id: str
    description: str
    build: Callable[[DataSet], None]


def _build_sample(ds: DataSet) -> None:
    group = copy.deepcopy(SAMPLE_GROUP)
    image = group["images"][0]
    image["url"] = ds.url(SAMPLE_IMAGE_PATH)
    w, h = image["width"], image["height"]
    b = image["boundingBox"]
    face = FaceSpec(
        (b["xMin"] * w, b["yMin"] * h, b["xMax"] * w, b["yMax"] * h),
        PERSON_SAMPLE,
        sharpness=image["sharpness"],
    )
    spec = PhotoSpec("sample", (w, h), 1, image["feedId"], image["createdAt"], (face,))
    ds.add_photo(spec, SAMPLE_IMAGE_PATH)
    ds.groups[(NAMESPACE, SAMPLE_GROUP_ID)] = group


def _build_fractions(ds: DataSet) -> None:
    ds.add_people_group(
        random.Random(202),
        NAMESPACE,
        "demo-fractions",
        PERSON_FRACTIONS,
        24,
        link="ML",
        key="frac",
        feeds=FEEDS[:4],
    )


def _build_pixels(ds: DataSet) -> None:
    ds.add_people_group(
        random.Random(303),
        NAMESPACE,
        "demo-pixels",
        PERSON_PIXELS,
        16,
        link="MANUAL",
        key="pix",
        pixels=True,
        # Frames 1 and 9 are served at 1280x720 but reported at twice that size.
        reported={1: (2560, 1440), 9: (2560, 1440)},
    )


def _build_crowd(ds: DataSet) -> None:
    """Crowded frames, with the group's planted errors: two faces of the group in one photo
    (frames 2 and 5: a mirror, or a look-alike merged in) and one face detected twice (frame 8).
    """
    rng = random.Random(404)
    members = []
    conflicts: list[int] = []
    duplicates: list[int] = []
    for i in range(10):
        wh = (1920, 1080) if i % 2 else (1280, 720)
        twice = i in (2, 5)
        spec, faces = ds.add_frame(
            rng,
            f"crowd-{i:03d}",
            wh,
            PERSON_CROWD,
            group_faces=2 if twice else 1,
            bystanders=rng.randint(2, 4),
            size=(0.55, 0.85),
        )
        if twice:
            conflicts += [len(members), len(members) + 1]
        if i == 8:
            faces.append(replace(faces[0], xyxy=_second_detection(faces[0].xyxy, wh)))
            duplicates += [len(members), len(members) + 1]
        members += [Member(spec, f, rng.uniform(0.55, 0.98)) for f in faces]
    _, ids = ds.add_group(rng, NAMESPACE, "demo-crowd", members, link="HITL", custom_prefix="crowd")
    ds.conflict_ids = frozenset(ids[i] for i in conflicts)
    ds.duplicate_ids = frozenset(ids[i] for i in duplicates)


def _second_detection(xyxy: XYXY, wh: tuple[int, int]) -> XYXY:
    """A second, slightly larger and shifted box on the same face (IoU about 0.75)."""
    x0, y0, x1, y1 = xyxy
    w, h = x1 - x0, y1 - y0
    return (
        round(x0 + 0.06 * w, 1),
        round(y0 + 0.04 * h, 1),
        round(min(wh[0], x1 + 0.1 * w), 1),
        round(min(wh[1], y1 + 0.08 * h), 1),
    )


def _build_broken(ds: DataSet) -> None:
    group, _ = ds.add_people_group(
        random.Random(505),
        NAMESPACE,
        "demo-broken",
        PERSON_BROKEN,
        9,
        link="ML",
        key="broken",
        sizes=SIZES[:3],
        bystanders=None,
    )
    images = group["images"]
    images[2]["url"] = ds.url("/images/missing/broken-404.jpg")
    images[2]["customId"] = "broken-url-404"
    images[4]["url"] = ds.url("/images/bad/not-image")
    images[4]["customId"] = "broken-not-an-image"
    del images[5]["url"]
    images[5]["customId"] = "broken-no-url"
    del images[6]["boundingBox"]
    images[6]["customId"] = "broken-no-box"
    images[7]["boundingBox"] = invert_box(images[7]["boundingBox"])
    images[7]["customId"] = "broken-inverted-box"


def _build_large(ds: DataSet) -> None:
    """``large_faces`` faces in as many frames, from ``large_photos`` camera visits.

    Each visit is a burst of consecutive frames of one scene; the person appears once in
    each frame, among bystanders. About 2 % of the frames show another person instead.
    """
    rng = random.Random(606)
    faces_left = ds.large_faces
    visits = max(1, min(ds.large_photos, faces_left))
    average = faces_left / visits
    cap = 4 if average <= 4 else int(average) + 3
    counts = [faces_left // visits] * visits
    for i in rng.sample(range(visits), faces_left % visits):
        counts[i] += 1
    for _ in range(visits * 2):  # uneven, but every visit keeps at least one frame
        i, j = rng.randrange(visits), rng.randrange(visits)
        if counts[i] > 1 and counts[j] < cap:
            counts[i] -= 1
            counts[j] += 1
    if faces_left == 0:
        counts = []
    others = set(rng.sample(range(faces_left), round(faces_left * 0.02)))
    members: list[Member] = []
    impostor_index: list[int] = []
    for v, count in enumerate(counts):
        swap = {
            k: rng.choice(PEOPLE_LARGE_OTHER) for k in range(count) if len(members) + k in others
        }
        shots = ds.add_burst(
            rng,
            f"large-{v:04d}",
            (1280, 720),
            PERSON_LARGE,
            count,
            days=(0, 5),
            bystanders=rng.randint(0, 3),
            sharpness=(0.1, 0.95),
            size=(0.3, 0.6),
            others=swap,
        )
        for spec, face in shots:
            if face.person != PERSON_LARGE:
                impostor_index.append(len(members))
            members.append(Member(spec, face, rng.uniform(0.5, 0.99)))
    _, ids = ds.add_group(rng, NAMESPACE, "demo-large", members, link="ML", custom_prefix="large")
    ds.impostor_ids = frozenset(ids[i] for i in impostor_index)


_A_IDENTITY = new_uuid(random.Random(707))


def _build_person_a1(ds: DataSet) -> None:
    ds.add_people_group(
        random.Random(707),
        NAMESPACE,
        "demo-person-a1",
        PERSON_A,
        12,
        link="ML",
        key="pa1",
        days=(0, 3),
        feeds=FEEDS[:3],
        identity_id=_A_IDENTITY,
    )


def _build_person_a2(ds: DataSet) -> None:
    ds.add_people_group(
        random.Random(708),
        NAMESPACE,
        "demo-person-a2",
        PERSON_A,
        12,
        link="HITL",
        key="pa2",
        days=(3, 7),
        feeds=FEEDS[3:],
        identity_id=_A_IDENTITY,
    )


def _build_person_b(ds: DataSet) -> None:
    ds.add_people_group(
        random.Random(808), NAMESPACE, "demo-person-b", PERSON_B, 12, link="MANUAL", key="pb"
    )


def _build_hostile(ds: DataSet) -> None:
    rng = random.Random(909)
    spec, faces = ds.add_frame(
        rng, "hostile-good", (640, 480), PERSON_HOSTILE, size=(0.6, 0.7), profile_share=0.0
    )
    ds.redirect_path = photo_path(spec.key)
    members = [Member(spec, faces[0], 0.97)]
    for kind in BAD_KINDS:
        wh, box = bad_face(kind)
        if kind == "redirect":
            wh, box = spec.wh, faces[0].xyxy
        fake = replace(spec, key=f"bad-{kind}", wh=wh)
        members.append(Member(fake, FaceSpec(box, PERSON_HOSTILE), rng.uniform(0.7, 0.95)))
    group, _ = ds.add_group(
        rng, NAMESPACE, "demo-hostile", members, link="ML", custom_prefix="hostile"
    )
    for image, kind in zip(group["images"][1:], BAD_KINDS, strict=True):
        image["url"] = ds.url(f"/images/bad/{kind}")
        image["customId"] = f"hostile-{kind}"


def _build_bad_data(ds: DataSet) -> None:
    rng = random.Random(1111)
    group, _ = ds.add_people_group(
        rng,
        NAMESPACE,
        "demo-bad-data",
        PERSON_BAD_DATA,
        13,
        link="MANUAL",
        key="baddata",
        sizes=SIZES[:2],
        bystanders=None,
        custom_prefix="bad-data",
    )
    group["images"] = malformed_images(group["images"], rng)
    group["linkLastModifiedAt"] = str(group["linkLastModifiedAt"])
    group["extraField"] = {"note": "fields the viewer does not know about"}


def _build_small(ds: DataSet) -> None:
    ds.add_people_group(
        random.Random(1010), OTHER_NAMESPACE, "demo-small", PERSON_SMALL, 3, link="ML", key="small"
    )


def _build_unlinked(ds: DataSet) -> None:
    group, _ = ds.add_people_group(
        random.Random(1212),
        OTHER_NAMESPACE,
        "demo-unlinked",
        PERSON_UNLINKED,
        6,
        link="ML",
        key="unl",
    )
    for item in (group, *group["images"]):
        del item["identityId"]
    del group["linkModifiedBy"], group["linkLastModifiedAt"]


CATALOGUE: tuple[DemoGroup, ...] = (
    DemoGroup(
        NAMESPACE,
        SAMPLE_GROUP_ID,
        "the API documentation's sample group, field for field (a 150×200 image)",
        _build_sample,
    ),
    DemoGroup(
        NAMESPACE,
        "demo-fractions",
        "24 faces of one person with fraction boxes, on frames of four sizes",
        _build_fractions,
    ),
    DemoGroup(
        NAMESPACE,
        "demo-pixels",
        "16 faces with pixel boxes; two report a size twice the real image's",
        _build_pixels,
    ),
    DemoGroup(
        NAMESPACE,
        "demo-crowd",
        "crowded frames with planted errors: two photos hold two of the group's faces, "
        "and one face is detected twice",
        _build_crowd,
    ),
    DemoGroup(
        NAMESPACE,
        "demo-broken",
        "good faces plus a 404, a non-image, no URL, no box and an inverted box",
        _build_broken,
    ),
    DemoGroup(
        NAMESPACE,
        "demo-large",
        "2,000 faces in 2,000 frames from 300 camera visits (bursts), 6 feeds, 5 days; "
        "one face a frame among bystanders, ~2 % of them other people",
        _build_large,
    ),
    DemoGroup(NAMESPACE, "demo-person-a1", "person A, first group", _build_person_a1),
    DemoGroup(
        NAMESPACE,
        "demo-person-a2",
        "person A again, a second group with the same identity",
        _build_person_a2,
    ),
    DemoGroup(
        NAMESPACE, "demo-person-b", "person B, clearly another person than A", _build_person_b
    ),
    DemoGroup(
        NAMESPACE,
        "demo-hostile",
        "one good face, then one per hostile image (see Robustness)",
        _build_hostile,
    ),
    DemoGroup(
        NAMESPACE,
        "demo-bad-data",
        "nulls, wrong types, NaN and Infinity, odd boxes, duplicate ids, script text",
        _build_bad_data,
    ),
    DemoGroup(OTHER_NAMESPACE, "demo-small", "a small group of three faces", _build_small),
    DemoGroup(
        OTHER_NAMESPACE,
        "demo-unlinked",
        "six faces of one person, linked to no identity yet",
        _build_unlinked,
    ),
)


def build_data_set(base_url: str, large_faces: int = 2000, large_photos: int = 300) -> DataSet:
    """Every catalogue group and its images, with URLs under ``base_url``."""
    ds = DataSet(base_url, large_faces, large_photos)
    for entry in CATALOGUE:
        entry.build(ds)
    # Distinct creation times, so that sorting by createdAt is unambiguous.
    stamps = sorted(
        (g for g in ds.groups.values() if g["id"] != SAMPLE_GROUP_ID),
        key=lambda g: g["createdAt"],
    )
    for n, group in enumerate(stamps):
        group["createdAt"] += n
    return ds


def build_groups(
    base_url: str, large_faces: int = 2000, large_photos: int = 300
) -> dict[tuple[str, str], dict[str, Any]]:
    """Every demo group as (namespace, id) -> group JSON, with URLs under ``base_url``."""
    return build_data_set(base_url, large_faces, large_photos).groups


def _built(
    build: Callable[[DataSet], None], large_faces: int = 2000, large_photos: int = 300
) -> DataSet:
    ds = DataSet("http://127.0.0.1", large_faces, large_photos)
    build(ds)
    return ds


def impostor_ids(large_faces: int = 2000, large_photos: int = 300) -> frozenset[str]:
    """Ids of the faces in ``demo-large`` that show another person than the rest."""
    return _built(_build_large, large_faces, large_photos).impostor_ids


def conflict_ids() -> frozenset[str]:
    """Ids of the faces of ``demo-crowd`` that share their photo with another face of the
    group whose box does not overlap theirs (two per photo)."""
    return _built(_build_crowd).conflict_ids


def duplicate_ids() -> frozenset[str]:
    """Ids of the two boxes ``demo-crowd`` has on one face (IoU of at least 0.5)."""
    return _built(_build_crowd).duplicate_ids
