"""The demo data set: groups as the API would return them, and the images they point at.

Deterministic: the same arguments give the same JSON, ids and pixels. Group JSON is built up
front (cheap); images are drawn only when asked for, from the specs kept here.
"""

from __future__ import annotations

import copy
import random
import uuid
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from viewer.demo.bad_images import BAD_KINDS, Payload, bad_face, bad_payload
from viewer.demo.scenes import (
    XYXY,
    FaceSpec,
    PhotoSpec,
    encode,
    place_faces,
    render_photo,
)

NAMESPACE = "acme"
OTHER_NAMESPACE = "acme2"
SAMPLE_GROUP_ID = "ab36de62-fe3e-4907-8a03-7d27c21fa01a"
SAMPLE_IMAGE_PATH = "/images/sample/image-001.jpg"

FEEDS = (
    "Camera_104211",
    "Camera_118930",
    "Camera_125577",
    "Camera_131046",
    "Camera_146382",
    "Camera_159904",
)
SIZES: tuple[tuple[int, int], ...] = ((640, 480), (1280, 720), (1920, 1080), (720, 960))
_NOV_2026 = int(datetime(2026, 11, 2, tzinfo=UTC).timestamp() * 1000)
_DAY_MS = 86_400_000

# The documented sample group, verbatim except for its image URL.
SAMPLE_GROUP: dict[str, Any] = {
    "id": SAMPLE_GROUP_ID,
    "identityId": "af278ded-5412-4916-bc5c-13469bfe7644",
    "batchId": "bf94e979-9205-4681-9b89-6ed11a498ec9",
    "namespace": "acme",
    "linkModifiedBy": "ML",
    "linkLastModifiedAt": 1487648348000,
    "createdAt": 1487648348000,
    "images": [
        {
            "id": "52547074-a622-11e6-8f61-63f37dc33285",
            "customId": "some_person_filled_image",
            "feedId": "Camera_123456",
            "identityId": "af278ded-5412-4916-bc5c-13469bfe7644",
            "url": "https://publicly.available.domain.net/image-001.jpg",
            "boundingBox": {"xMin": 0.23873, "yMin": 0.23873, "xMax": 0.75087, "yMax": 0.96537},
            "groupId": "65dd9554-ce46-4a29-bcd7-eeb48683b421",
            "boundingBoxConfidence": 0.9129213,
            "type": "FACE",
            "isFrontal": True,
            "sharpness": 0.671230746,
            "width": 150,
            "height": 200,
            "createdAt": 1487648348000,
        }
    ],
}

# (namespace, group id, what it shows): the demo's groups, in a sensible viewing order.
DEMO_GROUPS: tuple[tuple[str, str, str], ...] = (
    (NAMESPACE, SAMPLE_GROUP_ID, "the documentation's sample group: one face"),
    (NAMESPACE, "demo-fractions", "24 faces of one person, fraction boxes, mixed frame sizes"),
    (NAMESPACE, "demo-pixels", "16 faces with pixel boxes; two report a larger size than served"),
    (NAMESPACE, "demo-crowd", "one person in crowded frames; some frames hold two group faces"),
    (NAMESPACE, "demo-broken", "good faces plus a 404, a non-image, no URL, no box, inverted box"),
    (NAMESPACE, "demo-large", "thousands of faces over hundreds of frames, 2% another person"),
    (NAMESPACE, "demo-person-a1", "person A, first group"),
    (NAMESPACE, "demo-person-a2", "person A again, a second group"),
    (NAMESPACE, "demo-person-b", "person B, for comparison"),
    (NAMESPACE, "demo-hostile", "one good face, then one face per hostile image"),
    (NAMESPACE, "demo-bad-data", "malformed JSON values: nulls, wrong types, NaN, odd boxes"),
    (OTHER_NAMESPACE, "demo-small", "a small group in another namespace"),
)

# Synthetic people: the same number always draws the same look.
PERSON_FRACTIONS = 2
PERSON_PIXELS = 3
PERSON_CROWD = 4
PERSON_BROKEN = 5
PERSON_LARGE = 6
PERSON_LARGE_OTHER = 61
PERSON_A = 7
PERSON_B = 8
PERSON_HOSTILE = 9
PERSON_SMALL = 10
PERSON_BAD_DATA = 11
PERSON_SAMPLE = 1
_BYSTANDERS = range(20, 60)


@dataclass(frozen=True)
class Member:
    """One face of a group: the frame it is in, the face, and what the API reports about it."""

    photo: PhotoSpec
    face: FaceSpec
    confidence: float
    reported_wh: tuple[int, int] | None = None  # None: the frame's real size

    @property
    def path(self) -> str:
        return photo_path(self.photo.key)


def photo_path(key: str) -> str:
    return f"/images/photo/{key}.jpg"


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _time(rng: random.Random, first_day: int, days: int) -> int:
    """A millisecond timestamp on one of ``days`` days from 2 Nov 2026 + ``first_day``."""
    day = first_day + rng.randrange(days)
    return _NOV_2026 + day * _DAY_MS + rng.randrange(6 * 3_600_000, 22 * 3_600_000)


def _box_json(xyxy: XYXY, wh: tuple[int, int], reported: tuple[int, int], pixels: bool) -> dict:
    x0, y0, x1, y1 = xyxy
    w, h = wh
    if not pixels:
        return {
            "xMin": round(x0 / w, 5),
            "yMin": round(y0 / h, 5),
            "xMax": round(x1 / w, 5),
            "yMax": round(y1 / h, 5),
        }
    sx, sy = reported[0] / w, reported[1] / h
    return {
        "xMin": round(x0 * sx),
        "yMin": round(y0 * sy),
        "xMax": round(x1 * sx),
        "yMax": round(y1 * sy),
    }


class DataSet:
    """Every demo group and image for a server at ``base_url``.

    ``groups`` maps (namespace, id) to the group's JSON object. ``render(path)`` answers an
    image path such as ``/images/photo/frac-000.jpg``. ``impostor_ids`` are the ids of the
    faces in ``demo-large`` that show another person.
    """

    def __init__(self, base_url: str, large_faces: int = 2000, large_photos: int = 300):
        if large_faces < 0 or large_photos < 1:
            raise ValueError("large_faces must be >= 0 and large_photos >= 1")
        self.base_url = base_url.rstrip("/")
        self.large_faces = large_faces
        self.large_photos = large_photos
        self.photos: dict[str, PhotoSpec] = {}
        self.groups: dict[tuple[str, str], dict[str, Any]] = {}
        self.impostor_ids: frozenset[str] = frozenset()
        self._build()

    # -- images ---------------------------------------------------------------------------

    def url(self, path: str) -> str:
        return self.base_url + path

    def render(self, path: str) -> Payload:
        """The answer for an image path (no query string): a frame, a hostile image, or 404."""
        if path.startswith("/images/bad/"):
            return bad_payload(path.removeprefix("/images/bad/"), self.base_url, self._good_path)
        spec = self.photos.get(path)
        if spec is None:
            return Payload(404, "application/json", b'{"message": "Image not found"}')
        return Payload(200, "image/jpeg", encode(render_photo(spec)))

    def render_image(self, path: str) -> tuple[bytes, str, int]:
        """``render`` as (body, content type, status)."""
        payload = self.render(path)
        return payload.body, payload.content_type, payload.status

    def _add_photo(self, spec: PhotoSpec, path: str | None = None) -> PhotoSpec:
        self.photos[path or photo_path(spec.key)] = spec
        return spec

    def _frame(
        self,
        rng: random.Random,
        key: str,
        wh: tuple[int, int],
        person: int,
        *,
        feeds: tuple[str, ...] = FEEDS,
        days: tuple[int, int] = (0, 7),
        group_faces: int = 1,
        bystanders: int = 0,
        profile_share: float = 0.2,
        sharpness: tuple[float, float] = (0.2, 0.95),
        size: tuple[float, float] = (0.45, 0.8),
        others: dict[int, int] | None = None,
    ) -> tuple[PhotoSpec, list[FaceSpec]]:
        """A frame with ``group_faces`` faces of ``person`` and some bystanders.

        ``others`` maps a face index among the group faces to another person drawn there.
        Returns the frame and its group faces in order.
        """
        total = group_faces + bystanders
        frontal = [rng.random() >= profile_share for _ in range(total)]
        boxes = place_faces(wh, total, rng, frontal=frontal, size=size)
        faces = []
        for i, box in enumerate(boxes):
            who = person if i < group_faces else rng.choice(_BYSTANDERS)
            if others and i in others:
                who = others[i]
            faces.append(
                FaceSpec(
                    box,
                    who,
                    frontal=frontal[i],
                    facing=rng.choice((-1, 1)),
                    sharpness=round(rng.uniform(*sharpness), 9),
                )
            )
        spec = PhotoSpec(
            key=key,
            wh=wh,
            seed=rng.getrandbits(32),
            feed_id=rng.choice(feeds),
            created_ms=_time(rng, days[0], days[1] - days[0]),
            faces=tuple(faces),
        )
        self._add_photo(spec)
        return spec, faces[:group_faces]

    # -- groups ---------------------------------------------------------------------------

    def _group(
        self,
        rng: random.Random,
        namespace: str,
        group_id: str,
        members: list[Member],
        *,
        link: str,
        pixels: bool = False,
        custom_prefix: str = "frame",
        created_ms: int | None = None,
        identity_id: str | None = None,
    ) -> tuple[dict[str, Any], list[str]]:
        """The group's JSON and its image ids, in member order."""
        identity_id = identity_id or _uuid(rng)
        images = []
        for n, m in enumerate(members):
            reported = m.reported_wh or m.photo.wh
            images.append(
                {
                    "id": _uuid(rng),
                    "customId": f"{custom_prefix}-{n:04d}",
                    "feedId": m.photo.feed_id,
                    "identityId": identity_id,
                    "url": self.url(m.path),
                    "boundingBox": _box_json(m.face.xyxy, m.photo.wh, reported, pixels),
                    "groupId": group_id,
                    "boundingBoxConfidence": round(m.confidence, 7),
                    "type": "FACE",
                    "isFrontal": m.face.frontal,
                    "sharpness": m.face.sharpness,
                    "width": reported[0],
                    "height": reported[1],
                    "createdAt": m.photo.created_ms,
                }
            )
        first = min((m.photo.created_ms for m in members), default=_NOV_2026)
        created = created_ms if created_ms is not None else first
        group = {
            "id": group_id,
            "identityId": identity_id,
            "batchId": _uuid(rng),
            "namespace": namespace,
            "linkModifiedBy": link,
            "linkLastModifiedAt": created + rng.randrange(1, 3) * _DAY_MS,
            "createdAt": created,
            "images": images,
        }
        self.groups[(namespace, group_id)] = group
        return group, [image["id"] for image in images]

    def _people_group(
        self,
        seed: int,
        group_id: str,
        person: int,
        count: int,
        *,
        link: str,
        key: str,
        namespace: str = NAMESPACE,
        days: tuple[int, int] = (0, 7),
        feeds: tuple[str, ...] = FEEDS,
        identity_id: str | None = None,
        pixels: bool = False,
        reported: dict[int, tuple[int, int]] | None = None,
        sizes: tuple[tuple[int, int], ...] = SIZES,
    ) -> None:
        """``count`` frames with one face of ``person`` each, and a bystander now and then."""
        rng = random.Random(seed)
        members = []
        for i in range(count):
            wh = sizes[i % len(sizes)]
            spec, faces = self._frame(
                rng,
                f"{key}-{i:03d}",
                wh,
                person,
                feeds=feeds,
                days=days,
                bystanders=rng.choice((0, 0, 1, 2)),
                size=(0.3, 0.6),
            )
            confidence = rng.uniform(0.6, 0.99)
            members.append(Member(spec, faces[0], confidence, (reported or {}).get(i)))
        self._group(
            rng,
            namespace,
            group_id,
            members,
            link=link,
            pixels=pixels,
            custom_prefix=key,
            identity_id=identity_id,
        )

    def _build(self) -> None:
        self._build_sample()
        self._people_group(
            202, "demo-fractions", PERSON_FRACTIONS, 24, link="ML", key="frac", feeds=FEEDS[:4]
        )
        self._people_group(
            303,
            "demo-pixels",
            PERSON_PIXELS,
            16,
            link="MANUAL",
            key="pix",
            pixels=True,
            # Frames 1 and 9 are served at 1280x720 but reported at twice that size.
            reported={1: (2560, 1440), 9: (2560, 1440)},
        )
        self._build_crowd()
        self._build_broken()
        self._build_large()
        a_identity = _uuid(random.Random(707))
        self._people_group(
            707,
            "demo-person-a1",
            PERSON_A,
            12,
            link="ML",
            key="pa1",
            days=(0, 3),
            feeds=FEEDS[:3],
            identity_id=a_identity,
        )
        self._people_group(
            708,
            "demo-person-a2",
            PERSON_A,
            12,
            link="HITL",
            key="pa2",
            days=(3, 7),
            feeds=FEEDS[3:],
            identity_id=a_identity,
        )
        self._people_group(808, "demo-person-b", PERSON_B, 12, link="MANUAL", key="pb")
        self._build_hostile()
        self._build_bad_data()
        self._people_group(
            1010,
            "demo-small",
            PERSON_SMALL,
            3,
            link="ML",
            key="small",
            namespace=OTHER_NAMESPACE,
        )
        # Distinct creation times, so that sorting by createdAt is unambiguous.
        stamps = sorted(
            (g for g in self.groups.values() if g["id"] != SAMPLE_GROUP_ID),
            key=lambda g: g["createdAt"],
        )
        for n, group in enumerate(stamps):
            group["createdAt"] += n

    def _build_sample(self) -> None:
        group = copy.deepcopy(SAMPLE_GROUP)
        image = group["images"][0]
        image["url"] = self.url(SAMPLE_IMAGE_PATH)
        w, h = image["width"], image["height"]
        b = image["boundingBox"]
        face = FaceSpec(
            (b["xMin"] * w, b["yMin"] * h, b["xMax"] * w, b["yMax"] * h),
            PERSON_SAMPLE,
            sharpness=image["sharpness"],
        )
        spec = PhotoSpec("sample", (w, h), 1, image["feedId"], image["createdAt"], (face,))
        self._add_photo(spec, SAMPLE_IMAGE_PATH)
        self.groups[(NAMESPACE, SAMPLE_GROUP_ID)] = group

    def _build_crowd(self) -> None:
        rng = random.Random(404)
        members = []
        for i in range(10):
            wh = (1920, 1080) if i % 2 else (1280, 720)
            twice = i in (2, 5, 8)  # the person is seen twice: in a mirror, or the clustering
            spec, faces = self._frame(
                rng,
                f"crowd-{i:03d}",
                wh,
                PERSON_CROWD,
                group_faces=2 if twice else 1,
                bystanders=rng.randint(2, 4),
                size=(0.55, 0.85),
            )
            members += [Member(spec, f, rng.uniform(0.55, 0.98)) for f in faces]
        self._group(rng, NAMESPACE, "demo-crowd", members, link="HITL", custom_prefix="crowd")

    def _build_broken(self) -> None:
        rng = random.Random(505)
        members = []
        for i in range(9):
            spec, faces = self._frame(
                rng, f"broken-{i:03d}", SIZES[i % 3], PERSON_BROKEN, size=(0.3, 0.6)
            )
            members.append(Member(spec, faces[0], rng.uniform(0.6, 0.99)))
        group, _ = self._group(
            rng, NAMESPACE, "demo-broken", members, link="ML", custom_prefix="broken"
        )
        images = group["images"]
        images[2]["url"] = self.url("/images/missing/broken-404.jpg")
        images[2]["customId"] = "broken-url-404"
        images[4]["url"] = self.url("/images/bad/not-image")
        images[4]["customId"] = "broken-not-an-image"
        del images[5]["url"]
        images[5]["customId"] = "broken-no-url"
        del images[6]["boundingBox"]
        images[6]["customId"] = "broken-no-box"
        box = images[7]["boundingBox"]
        images[7]["boundingBox"] = {
            "xMin": box["xMax"],
            "yMin": box["yMax"],
            "xMax": box["xMin"],
            "yMax": box["yMin"],
        }
        images[7]["customId"] = "broken-inverted-box"

    def _build_large(self) -> None:
        rng = random.Random(606)
        faces_left = self.large_faces
        photos = max(1, min(self.large_photos, faces_left))
        average = faces_left / photos
        cap = 4 if average <= 4 else int(average) + 3
        counts = [faces_left // photos] * photos
        for i in rng.sample(range(photos), faces_left % photos):
            counts[i] += 1
        for _ in range(photos * 2):  # uneven, but every frame keeps at least one face
            i, j = rng.randrange(photos), rng.randrange(photos)
            if counts[i] > 1 and counts[j] < cap:
                counts[i] -= 1
                counts[j] += 1
        if faces_left == 0:
            counts = []
        others = set(rng.sample(range(faces_left), round(faces_left * 0.02)))
        members: list[Member] = []
        impostor_index: list[int] = []
        for p, count in enumerate(counts):
            swap = {k: PERSON_LARGE_OTHER for k in range(count) if len(members) + k in others}
            spec, faces = self._frame(
                rng,
                f"large-{p:04d}",
                (1280, 720),
                PERSON_LARGE,
                group_faces=count,
                days=(0, 5),
                sharpness=(0.1, 0.95),
                size=(0.35, 0.7),
                others=swap,
            )
            for face in faces:
                if face.person != PERSON_LARGE:
                    impostor_index.append(len(members))
                members.append(Member(spec, face, rng.uniform(0.5, 0.99)))
        _, ids = self._group(
            rng, NAMESPACE, "demo-large", members, link="ML", custom_prefix="large"
        )
        self.impostor_ids = frozenset(ids[i] for i in impostor_index)

    def _build_hostile(self) -> None:
        rng = random.Random(909)
        spec, faces = self._frame(
            rng, "hostile-good", (640, 480), PERSON_HOSTILE, size=(0.6, 0.7), profile_share=0.0
        )
        self._good_path = photo_path(spec.key)
        members = [Member(spec, faces[0], 0.97)]
        kinds = []
        for kind in BAD_KINDS:
            wh, box = bad_face(kind)
            if kind == "redirect":
                wh, box = spec.wh, faces[0].xyxy
            fake = replace(spec, key=f"bad-{kind}", wh=wh)
            members.append(Member(fake, FaceSpec(box, PERSON_HOSTILE), rng.uniform(0.7, 0.95)))
            kinds.append(kind)
        group, _ = self._group(
            rng, NAMESPACE, "demo-hostile", members, link="ML", custom_prefix="hostile"
        )
        for image, kind in zip(group["images"][1:], kinds, strict=True):
            image["url"] = self.url(f"/images/bad/{kind}")
            image["customId"] = f"hostile-{kind}"

    def _build_bad_data(self) -> None:
        rng = random.Random(1111)
        members = []
        for i in range(12):
            spec, faces = self._frame(
                rng, f"baddata-{i:03d}", SIZES[i % 2], PERSON_BAD_DATA, size=(0.3, 0.6)
            )
            members.append(Member(spec, faces[0], rng.uniform(0.6, 0.99)))
        group, _ = self._group(
            rng, NAMESPACE, "demo-bad-data", members, link="MANUAL", custom_prefix="bad-data"
        )
        good = group["images"]
        pixel_wh = (good[1]["width"], good[1]["height"])
        odd: list[Any] = [
            good[0],
            # Only an id, a URL and a box: everything else is missing.
            {"id": _uuid(rng), "url": good[1]["url"], "boundingBox": good[1]["boundingBox"]},
            # Nulls everywhere but the URL and box.
            {
                **{key: None for key in good[2]},
                "url": good[2]["url"],
                "boundingBox": good[2]["boundingBox"],
            },
            # Numbers sent as strings.
            {
                **good[3],
                "boundingBoxConfidence": "0.8",
                "sharpness": "0.55",
                "width": str(good[3]["width"]),
                "height": str(good[3]["height"]),
                "boundingBox": {k: str(v) for k, v in good[3]["boundingBox"].items()},
                "isFrontal": "true",
            },
            # A number for the URL and a list for the feed id.
            {**good[4], "url": 12345, "feedId": ["Camera_104211", "Camera_118930"]},
            # Not-a-number and infinity.
            {
                **good[5],
                "boundingBoxConfidence": float("nan"),
                "sharpness": float("inf"),
                "width": float("-inf"),
            },
            # Inverted box.
            {
                **good[6],
                "boundingBox": {
                    "xMin": good[6]["boundingBox"]["xMax"],
                    "yMin": good[6]["boundingBox"]["yMax"],
                    "xMax": good[6]["boundingBox"]["xMin"],
                    "yMax": good[6]["boundingBox"]["yMin"],
                },
            },
            # Box reaching past the image, in pixels, and one wholly outside it.
            {
                **good[7],
                "boundingBox": {
                    "xMin": round(good[7]["width"] * 0.8),
                    "yMin": -40,
                    "xMax": round(good[7]["width"] * 1.3),
                    "yMax": round(good[7]["height"] * 0.4),
                },
            },
            {
                **good[8],
                "boundingBox": {"xMin": 5000, "yMin": 5000, "xMax": 5200, "yMax": 5300},
                "width": pixel_wh[0],
                "height": pixel_wh[1],
            },
            # Zero area.
            {**good[9], "boundingBox": {"xMin": 0.4, "yMin": 0.3, "xMax": 0.4, "yMax": 0.5}},
            # The same id as the first face.
            {**good[10], "id": good[0]["id"]},
            # Markup and Unicode in text fields; createdAt in seconds.
            {
                **good[11],
                "customId": "<script>alert(1)</script>",
                "feedId": "<b>bold</b>",
                "createdAt": good[11]["createdAt"] // 1000,
            },
            {
                **good[1],
                "id": _uuid(rng),
                "customId": "Zoë 顔 مرحبا 👩\u200d🔬 \u202eevil",
                "feedId": "Caméra_Ω \u0000nul",
                "isFrontal": "sometimes",
                "type": "BODY",
            },
            # Wrong shapes: a box that is a list, and an entry that is not an object.
            {**good[2], "id": _uuid(rng), "boundingBox": [0.1, 0.1, 0.5, 0.5]},
            "not a face",
            None,
        ]
        group["images"] = odd
        group["linkLastModifiedAt"] = str(group["linkLastModifiedAt"])
        group["extraField"] = {"note": "fields the viewer does not know about"}


def build_groups(
    base_url: str, large_faces: int = 2000, large_photos: int = 300
) -> dict[tuple[str, str], dict[str, Any]]:
    """Every demo group as (namespace, id) -> group JSON, with URLs under ``base_url``."""
    return DataSet(base_url, large_faces, large_photos).groups


def impostor_ids(large_faces: int = 2000, large_photos: int = 300) -> frozenset[str]:
    """Ids of the faces in ``demo-large`` that show another person than the rest."""
    return DataSet("http://127.0.0.1", large_faces, large_photos).impostor_ids
