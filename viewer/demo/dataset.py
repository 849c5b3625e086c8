"""The data-set machinery: frames, members and group JSON as the API returns them, and images.

The groups themselves are described in :mod:`viewer.demo.catalogue`; this module only knows
how to place faces in frames, turn members into the API's JSON and answer image paths.
Deterministic: the same calls with the same seeds give the same JSON, ids and pixels.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from viewer.demo.bad_images import Payload, bad_payload
from viewer.demo.scenes import XYXY, FaceSpec, PhotoSpec, encode, place_faces, render_photo

FEEDS = (
    "Camera_104211",
    "Camera_118930",
    "Camera_125577",
    "Camera_131046",
    "Camera_146382",
    "Camera_159904",
)
SIZES: tuple[tuple[int, int], ...] = ((640, 480), (1280, 720), (1920, 1080), (720, 960))
BYSTANDERS = range(20, 60)  # person numbers of the passers-by drawn around a group's faces
START_MS = int(datetime(2026, 11, 2, tzinfo=UTC).timestamp() * 1000)
DAY_MS = 86_400_000


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


def new_uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def pick_time(rng: random.Random, first_day: int, days: int) -> int:
    """A millisecond timestamp on one of ``days`` days from 2 Nov 2026 + ``first_day``."""
    day = first_day + rng.randrange(days)
    return START_MS + day * DAY_MS + rng.randrange(6 * 3_600_000, 22 * 3_600_000)


def box_json(xyxy: XYXY, wh: tuple[int, int], reported: tuple[int, int], pixels: bool) -> dict:
    """The API's ``boundingBox`` for ``xyxy`` drawn on a ``wh`` frame reported as ``reported``."""
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


def invert_box(box: dict[str, Any]) -> dict[str, Any]:
    """``box`` with its minimum and maximum corners swapped."""
    return {"xMin": box["xMax"], "yMin": box["yMax"], "xMax": box["xMin"], "yMax": box["yMin"]}


def draw_faces(
    rng: random.Random,
    wh: tuple[int, int],
    people: list[int | None],
    profile_share: float,
    sharpness: tuple[float, float],
    size: tuple[float, float],
) -> list[FaceSpec]:
    """Non-overlapping faces of ``people`` in a ``wh`` frame; None draws a random bystander."""
    frontal = [rng.random() >= profile_share for _ in people]
    boxes = place_faces(wh, len(people), rng, frontal=frontal, size=size)
    return [
        FaceSpec(
            box,
            rng.choice(BYSTANDERS) if who is None else who,
            frontal=is_frontal,
            facing=rng.choice((-1, 1)),
            sharpness=round(rng.uniform(*sharpness), 9),
        )
        for box, who, is_frontal in zip(boxes, people, frontal, strict=True)
    ]


class DataSet:
    """Demo groups and the images they point at, for a server at ``base_url``.

    ``groups`` maps (namespace, id) to the group's JSON object; ``photos`` maps an image path
    to the frame drawn there. Builders (the catalogue's) fill both through ``add_photo``,
    ``add_frame`` and ``add_group``; ``render(path)`` answers an image path.
    ``large_faces`` and ``large_photos`` size the catalogue's large group: its faces, each in
    a frame of its own, and the camera visits (bursts of frames) they come from.
    """

    def __init__(self, base_url: str, large_faces: int = 2000, large_photos: int = 300):
        if large_faces < 0 or large_photos < 1:
            raise ValueError("large_faces must be >= 0 and large_photos >= 1")
        self.base_url = base_url.rstrip("/")
        self.large_faces = large_faces
        self.large_photos = large_photos
        self.photos: dict[str, PhotoSpec] = {}
        self.groups: dict[tuple[str, str], dict[str, Any]] = {}
        # Planted errors, by face id: another person, same-photo conflicts, double detections.
        self.impostor_ids: frozenset[str] = frozenset()
        self.conflict_ids: frozenset[str] = frozenset()
        self.duplicate_ids: frozenset[str] = frozenset()
        self.redirect_path = "/images/missing/redirect-target.jpg"  # where bad/redirect points

    # -- images ---------------------------------------------------------------------------

    def url(self, path: str) -> str:
        return self.base_url + path

    def render(self, path: str) -> Payload:
        """The answer for an image path (no query string): a frame, a hostile image, or 404."""
        if path.startswith("/images/bad/"):
            kind = path.removeprefix("/images/bad/")
            return bad_payload(kind, self.base_url, self.redirect_path)
        spec = self.photos.get(path)
        if spec is None:
            return Payload(404, "application/json", b'{"message": "Image not found"}')
        return Payload(200, "image/jpeg", encode(render_photo(spec)))

    def render_image(self, path: str) -> tuple[bytes, str, int]:
        """``render`` as (body, content type, status)."""
        payload = self.render(path)
        return payload.body, payload.content_type, payload.status

    # -- building -------------------------------------------------------------------------

    def add_photo(self, spec: PhotoSpec, path: str | None = None) -> PhotoSpec:
        """Serve ``spec`` at ``path`` (by default the path of its key)."""
        self.photos[path or photo_path(spec.key)] = spec
        return spec

    def add_frame(
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
    ) -> tuple[PhotoSpec, list[FaceSpec]]:
        """A frame with ``group_faces`` faces of ``person`` and some bystanders.

        Returns the frame and its group faces in order.
        """
        people: list[int | None] = [person] * group_faces + [None] * bystanders
        faces = draw_faces(rng, wh, people, profile_share, sharpness, size)
        spec = PhotoSpec(
            key=key,
            wh=wh,
            seed=rng.getrandbits(32),
            feed_id=rng.choice(feeds),
            created_ms=pick_time(rng, days[0], days[1] - days[0]),
            faces=tuple(faces),
        )
        self.add_photo(spec)
        return spec, faces[:group_faces]

    def add_burst(
        self,
        rng: random.Random,
        key: str,
        wh: tuple[int, int],
        person: int,
        frames: int,
        *,
        feeds: tuple[str, ...] = FEEDS,
        days: tuple[int, int] = (0, 7),
        bystanders: int = 0,
        profile_share: float = 0.2,
        sharpness: tuple[float, float] = (0.2, 0.95),
        size: tuple[float, float] = (0.45, 0.8),
        others: dict[int, int] | None = None,
    ) -> list[tuple[PhotoSpec, FaceSpec]]:
        """``frames`` frames of one camera visit, each holding ``person`` once.

        The frames share their scene, feed and bystanders (who move between frames) and are
        taken 0.3 to 1.5 s apart. ``others`` maps a frame index to another person drawn in
        ``person``'s place. Returns each frame with its group face.
        """
        seed = rng.getrandbits(32)
        feed = rng.choice(feeds)
        created = pick_time(rng, days[0], days[1] - days[0])
        crowd: list[int | None] = [rng.choice(BYSTANDERS) for _ in range(bystanders)]
        shots = []
        for k in range(frames):
            who = (others or {}).get(k, person)
            faces = draw_faces(rng, wh, [who, *crowd], profile_share, sharpness, size)
            spec = PhotoSpec(f"{key}-{k:02d}", wh, seed, feed, created, tuple(faces))
            self.add_photo(spec)
            shots.append((spec, faces[0]))
            created += rng.randrange(300, 1500)
        return shots

    def add_group(
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
        """Add the group of ``members``; returns its JSON and its image ids, in member order."""
        identity_id = identity_id or new_uuid(rng)
        images = []
        for n, m in enumerate(members):
            reported = m.reported_wh or m.photo.wh
            images.append(
                {
                    "id": new_uuid(rng),
                    "customId": f"{custom_prefix}-{n:04d}",
                    "feedId": m.photo.feed_id,
                    "identityId": identity_id,
                    "url": self.url(m.path),
                    "boundingBox": box_json(m.face.xyxy, m.photo.wh, reported, pixels),
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
        first = min((m.photo.created_ms for m in members), default=START_MS)
        created = created_ms if created_ms is not None else first
        group = {
            "id": group_id,
            "identityId": identity_id,
            "batchId": new_uuid(rng),
            "namespace": namespace,
            "linkModifiedBy": link,
            "linkLastModifiedAt": created + rng.randrange(1, 3) * DAY_MS,
            "createdAt": created,
            "images": images,
        }
        self.groups[(namespace, group_id)] = group
        return group, [image["id"] for image in images]

    def add_people_group(
        self,
        rng: random.Random,
        namespace: str,
        group_id: str,
        person: int,
        count: int,
        *,
        link: str,
        key: str,
        days: tuple[int, int] = (0, 7),
        feeds: tuple[str, ...] = FEEDS,
        identity_id: str | None = None,
        pixels: bool = False,
        reported: dict[int, tuple[int, int]] | None = None,
        sizes: tuple[tuple[int, int], ...] = SIZES,
        bystanders: tuple[int, ...] | None = (0, 0, 1, 2),
        custom_prefix: str | None = None,
    ) -> tuple[dict[str, Any], list[str]]:
        """``count`` frames with one face of ``person`` each, and a bystander now and then.

        Each frame draws its number of bystanders from ``bystanders``; None: no bystanders.
        """
        members = []
        for i in range(count):
            wh = sizes[i % len(sizes)]
            spec, faces = self.add_frame(
                rng,
                f"{key}-{i:03d}",
                wh,
                person,
                feeds=feeds,
                days=days,
                bystanders=0 if bystanders is None else rng.choice(bystanders),
                size=(0.3, 0.6),
            )
            confidence = rng.uniform(0.6, 0.99)
            members.append(Member(spec, faces[0], confidence, (reported or {}).get(i)))
        return self.add_group(
            rng,
            namespace,
            group_id,
            members,
            link=link,
            pixels=pixels,
            custom_prefix=custom_prefix or key,
            identity_id=identity_id,
        )
