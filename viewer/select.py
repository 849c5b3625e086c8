"""What the analyst asked to see: filter, flag, sort and page faces. Pure functions."""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from viewer.identity.distance import FLAG_DISTANCE
from viewer.models import Face
from viewer.numbers import decimal, percent

T = TypeVar("T")

POSES = ("all", "frontal", "profile")
SORTS = {
    "index": "Group order",
    "confidence": "Confidence",
    "sharpness": "Sharpness",
    "time": "Time",
    "feed": "Feed",
    "worst": "Worst first",
    "least": "Least like the rest",
    "conflict": "Same-photo conflicts first",
}
PAGE_SIZES = (12, 24, 48)


@dataclass(frozen=True)
class Thresholds:
    """Below these a face is flagged. Farther from its group's centre than ``identity`` a face
    may be someone else.

    Defaults: confidence 50 % (the detector itself doubts the face is one) and sharpness 0.15
    (too blurred to judge who it is). They flag what deserves a second look: 6 % of demo-large,
    where 70 % and 0.30 flagged 52 %, a mark on nearly every photo.
    """

    confidence: float = 0.5
    sharpness: float = 0.15
    identity: float = FLAG_DISTANCE


@dataclass(frozen=True)
class Filters:
    min_confidence: float = 0.0
    min_sharpness: float = 0.0
    pose: str = "all"
    feeds: tuple[str, ...] = ()  # empty: every feed
    only_problems: bool = False
    max_confidence: float = 1.0  # at 1 (the right end) the upper bound is off
    max_sharpness: float = 1.0

    @property
    def is_default(self) -> bool:
        return self == Filters()


def quality_flags(face: Face, thresholds: Thresholds = Thresholds()) -> list[str]:
    """Short reasons a face deserves a second look: low quality or a data problem."""
    flags: list[str] = []
    if face.confidence is None:
        flags.append("no confidence")
    elif face.confidence < thresholds.confidence:
        flags.append(f"low confidence {percent(face.confidence)}")
    if face.sharpness is None:
        flags.append("no sharpness")
    elif face.sharpness < thresholds.sharpness:
        flags.append(f"blurry (sharpness {decimal(face.sharpness)})")
    flags.extend(face.problems)
    return flags


def flag_faces(
    faces: Sequence[Face], thresholds: Thresholds = Thresholds()
) -> dict[str, list[str]]:
    """Each flagged face's reasons, by face key; faces with nothing to flag are left out.

    Computed once per run and handed to the filters, the pictures and the export.
    """
    low_confidence, low_sharpness = thresholds.confidence, thresholds.sharpness
    flagged: dict[str, list[str]] = {}
    for f in faces:
        c, s = f.confidence, f.sharpness
        good = c is not None and c >= low_confidence and s is not None and s >= low_sharpness
        if good and not f.problems:  # nothing to flag, told without building the reasons
            continue
        if flags := quality_flags(f, thresholds):
            flagged[f.key] = flags
    return flagged


def quality_score(face: Face) -> float:
    """Combined quality in 0..1 (geometric mean of confidence and sharpness); missing is 0."""
    if face.confidence is None or face.sharpness is None:
        return 0.0
    c, s = face.confidence, face.sharpness  # each clamped to 0..1 (as min(max(v, 0), 1))
    c = 0.0 if c < 0.0 else 1.0 if c > 1.0 else c
    s = 0.0 if s < 0.0 else 1.0 if s > 1.0 else s
    return math.sqrt(c * s)


def passes(face: Face, filters: Filters, flags: Mapping[str, Sequence[str]]) -> bool:
    """Whether the face passes; ``flags`` as from ``flag_faces`` (for "only problems")."""
    if filters.min_confidence > 0 and (face.confidence or 0.0) < filters.min_confidence:
        return False
    if filters.min_sharpness > 0 and (face.sharpness or 0.0) < filters.min_sharpness:
        return False
    if filters.max_confidence < 1 and (face.confidence or 0.0) > filters.max_confidence:
        return False
    if filters.max_sharpness < 1 and (face.sharpness or 0.0) > filters.max_sharpness:
        return False
    if filters.pose == "frontal" and face.is_frontal is not True:
        return False
    if filters.pose == "profile" and face.is_frontal is not False:
        return False
    if filters.feeds and face.feed_id not in filters.feeds:
        return False
    return not (filters.only_problems and not flags.get(face.key))


def apply_filters(
    faces: Sequence[Face], filters: Filters, flags: Mapping[str, Sequence[str]] | None = None
) -> list[Face]:
    """The faces that pass. ``flags`` as from ``flag_faces``; when not given, and the filters
    ask for faces with problems, they are flagged under the default thresholds."""
    if flags is None:
        flags = flag_faces(faces) if filters.only_problems else {}
    # one pass per filter in use, each without a call per face: as ``passes`` decides
    kept = list(faces)
    if filters.min_confidence > 0:
        low = filters.min_confidence
        kept = [f for f in kept if not (f.confidence or 0.0) < low]
    if filters.min_sharpness > 0:
        low = filters.min_sharpness
        kept = [f for f in kept if not (f.sharpness or 0.0) < low]
    if filters.max_confidence < 1:
        high = filters.max_confidence
        kept = [f for f in kept if not (f.confidence or 0.0) > high]
    if filters.max_sharpness < 1:
        high = filters.max_sharpness
        kept = [f for f in kept if not (f.sharpness or 0.0) > high]
    if filters.pose in ("frontal", "profile"):
        frontal = filters.pose == "frontal"
        kept = [f for f in kept if f.is_frontal is frontal]
    if filters.feeds:
        feeds = frozenset(filters.feeds)
        kept = [f for f in kept if f.feed_id in feeds]
    if filters.only_problems:
        kept = [f for f in kept if flags.get(f.key)]
    return kept


def _sort_value(
    face: Face, key: str, distances: Mapping[str, float], conflicts: Collection[str]
) -> float | str | datetime | None:
    if key == "confidence":
        return face.confidence
    if key == "sharpness":
        return face.sharpness
    if key == "time":
        return face.created_at
    if key == "feed":
        return face.feed_id
    if key == "worst":
        return quality_score(face)
    if key == "least":
        distance = distances.get(face.key)
        return None if distance is None else -distance
    if key == "conflict":  # one photo's conflicting faces side by side
        return (face.url or "") if face.key in conflicts else None
    return face.index


def sort_faces(
    faces: Sequence[Face],
    key: str = "index",
    descending: bool = False,
    distances: Mapping[str, float] | None = None,
    conflicts: Collection[str] = (),
) -> list[Face]:
    """Sort by ``key``; faces missing the value come last either way; ties keep group order.

    "worst" puts the lowest combined quality first, "least" the largest identity distance
    (``distances``, by face key: faces not scored come last) and "conflict" the faces in a
    same-photo conflict (``conflicts``, face keys), photo by photo; these ignore ``descending``.
    """
    if key not in SORTS:
        raise ValueError(f"unknown sort {key!r}")
    if key in ("worst", "least", "conflict"):
        descending = False
    known, clashing = distances or {}, frozenset(conflicts)
    # each value computed once; positions sorted, not (value, face) pairs: a million new
    # tuples would set off the cyclic collector over every face in memory
    values = [_sort_value(f, key, known, clashing) for f in faces]
    present = [f for f, value in zip(faces, values, strict=True) if value is not None]
    present_values = [value for value in values if value is not None]
    missing = [f for f, value in zip(faces, values, strict=True) if value is None]
    order = sorted(range(len(present)), key=lambda i: present[i].index)
    order.sort(key=present_values.__getitem__, reverse=descending)  # type: ignore[arg-type]
    return [present[i] for i in order] + sorted(missing, key=lambda f: f.index)


def page_count(total: int, per_page: int) -> int:
    """Pages that ``total`` items fill, ``per_page`` to a page; at least one."""
    return max(1, math.ceil(total / per_page))


def page_of(items: Sequence[T], page: int, per_page: int) -> tuple[list[T], int, int]:
    """The items on 1-based ``page`` (clamped to the range), the page count and that page."""
    count = page_count(len(items), per_page)
    page = min(max(page, 1), count)
    start = (page - 1) * per_page
    return list(items[start : start + per_page]), count, page


def feeds_of(faces: Sequence[Face]) -> list[str]:
    return sorted({f.feed_id for f in faces if f.feed_id})


def value_range(values: Sequence[float | None]) -> tuple[float, float]:
    """The (low, high) of the values present, widened to at least 0.01; (0, 1) if none."""
    present = [v for v in values if v is not None]
    if not present:
        return 0.0, 1.0
    low, high = min(present), max(present)
    if high - low < 0.01:
        high = low + 0.01
    return low, high


@dataclass(frozen=True)
class Summary:
    """Key figures of a set of faces, for comparing groups."""

    faces: int
    frontal_share: float | None
    median_confidence: float | None
    median_sharpness: float | None
    feeds: tuple[str, ...]
    first: datetime | None
    last: datetime | None


def _median(values: Sequence[float]) -> float | None:
    ordered = sorted(values)
    if not ordered:
        return None
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def summarize(faces: Sequence[Face]) -> Summary:
    known_pose = [f.is_frontal for f in faces if f.is_frontal is not None]
    times = [f.created_at for f in faces if f.created_at is not None]
    return Summary(
        faces=len(faces),
        frontal_share=(sum(known_pose) / len(known_pose)) if known_pose else None,
        median_confidence=_median([f.confidence for f in faces if f.confidence is not None]),
        median_sharpness=_median([f.sharpness for f in faces if f.sharpness is not None]),
        feeds=tuple(feeds_of(faces)),
        first=min(times) if times else None,
        last=max(times) if times else None,
    )


def best_faces(faces: Sequence[Face], count: int) -> list[Face]:
    """The ``count`` faces of highest combined quality that have an image and a box."""
    usable = [f for f in faces if f.url and f.box is not None]
    return sorted(usable, key=lambda f: (-quality_score(f), f.index))[:count]
