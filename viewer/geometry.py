"""Pure box arithmetic: fractions vs pixels, scaling, clamping, label placement. No images here."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from viewer.models import RawBox

XYXY = tuple[float, float, float, float]

FRACTIONS = "fractions"
PIXELS = "pixels"
PIXELS_SCALED = "pixels, scaled"


@dataclass(frozen=True)
class Placement:
    """Where a face box lands on an image of known size, and how the raw values were read.

    ``xyxy`` is None when there is no usable box; ``reason`` then says why. ``notes`` lists
    repairs made to a usable box (inverted, clamped).
    """

    xyxy: XYXY | None
    interpretation: str | None = None
    notes: tuple[str, ...] = ()
    reason: str | None = None
    scale_xy: tuple[float, float] = (1.0, 1.0)

    @property
    def ok(self) -> bool:
        return self.xyxy is not None


FRACTION_SLACK = 0.1


def is_fractional(values: Sequence[float]) -> bool:
    """Fractions of the image, as in every API sample: all four values in [0, 1].

    Detectors put faces at the frame's edge slightly past it (-0.02, 1.05), so values up to
    ``FRACTION_SLACK`` beyond [0, 1] still count as fractions; as pixels they would make a box
    of about one pixel, which no face is.
    """
    return all(-FRACTION_SLACK <= v <= 1.0 + FRACTION_SLACK for v in values)


def resolve_box(
    box: RawBox | None,
    reported_wh: tuple[float | None, float | None],
    image_wh: tuple[int, int],
) -> Placement:
    """Map a raw box to pixel ``xyxy`` on an image of ``image_wh`` (its real, full size).

    Fractions scale to the image. Pixels are taken in the reported ``width`` x ``height``
    space and scaled when the real image has another size; with no reported size they are
    taken as the image's own pixels.
    """
    if box is None:
        return Placement(None, reason="no bounding box")
    values = box.as_tuple()
    if not all(math.isfinite(v) for v in values):
        return Placement(None, reason="box has values that are not numbers")
    img_w, img_h = image_wh
    if img_w <= 0 or img_h <= 0:
        return Placement(None, reason="image has no size")
    notes: list[str] = []
    x0, y0, x1, y1 = values
    if x0 > x1:
        x0, x1 = x1, x0
        notes.append("x values were inverted and have been swapped")
    if y0 > y1:
        y0, y1 = y1, y0
        notes.append("y values were inverted and have been swapped")

    scale = (1.0, 1.0)
    if is_fractional(values):
        interpretation = FRACTIONS
        x0, x1 = x0 * img_w, x1 * img_w
        y0, y1 = y0 * img_h, y1 * img_h
    else:
        rep_w, rep_h = reported_wh
        if rep_w and rep_h and (rep_w, rep_h) != (img_w, img_h):
            interpretation = PIXELS_SCALED
            scale = (img_w / rep_w, img_h / rep_h)
            x0, x1 = x0 * scale[0], x1 * scale[0]
            y0, y1 = y0 * scale[1], y1 * scale[1]
        else:
            interpretation = PIXELS

    if x1 - x0 <= 0 or y1 - y0 <= 0:
        return Placement(None, interpretation, tuple(notes), "box has zero area", scale)
    cx0, cy0 = min(max(x0, 0.0), img_w), min(max(y0, 0.0), img_h)
    cx1, cy1 = min(max(x1, 0.0), img_w), min(max(y1, 0.0), img_h)
    if cx1 - cx0 <= 0 or cy1 - cy0 <= 0:
        return Placement(None, interpretation, tuple(notes), "box lies outside the image", scale)
    if cx1 - cx0 < 1 or cy1 - cy0 < 1:
        return Placement(None, interpretation, tuple(notes), "box is smaller than a pixel", scale)
    if (cx0, cy0, cx1, cy1) != (x0, y0, x1, y1):
        notes.append("box reached past the image and was clamped")
    return Placement((cx0, cy0, cx1, cy1), interpretation, tuple(notes), None, scale)


def as_fractions(xyxy: XYXY, image_wh: tuple[int, int]) -> XYXY:
    w, h = image_wh
    return (xyxy[0] / w, xyxy[1] / h, xyxy[2] / w, xyxy[3] / h)


def scale_xyxy(xyxy: XYXY, sx: float, sy: float | None = None) -> XYXY:
    sy = sx if sy is None else sy
    return (xyxy[0] * sx, xyxy[1] * sy, xyxy[2] * sx, xyxy[3] * sy)


def pad_xyxy(xyxy: XYXY, margin: float, image_wh: tuple[int, int]) -> XYXY:
    """Grow a box by ``margin`` times its larger side on every side, kept inside the image."""
    w, h = xyxy[2] - xyxy[0], xyxy[3] - xyxy[1]
    m = max(w, h) * margin
    return clamp_xyxy((xyxy[0] - m, xyxy[1] - m, xyxy[2] + m, xyxy[3] + m), image_wh)


def square_xyxy(xyxy: XYXY, image_wh: tuple[int, int]) -> XYXY:
    """The smallest square around a box's centre holding the box, shifted to stay inside."""
    img_w, img_h = image_wh
    side = min(max(xyxy[2] - xyxy[0], xyxy[3] - xyxy[1]), img_w, img_h)
    cx, cy = (xyxy[0] + xyxy[2]) / 2, (xyxy[1] + xyxy[3]) / 2
    x0 = min(max(cx - side / 2, 0.0), img_w - side)
    y0 = min(max(cy - side / 2, 0.0), img_h - side)
    return (x0, y0, x0 + side, y0 + side)


def clamp_xyxy(xyxy: XYXY, image_wh: tuple[int, int]) -> XYXY:
    w, h = image_wh
    return (
        min(max(xyxy[0], 0.0), w),
        min(max(xyxy[1], 0.0), h),
        min(max(xyxy[2], 0.0), w),
        min(max(xyxy[3], 0.0), h),
    )


# On the page, labels are at least this many CSS px tall and box lines this many CSS px wide.
MIN_FONT_CSS = 12
MIN_LINE_CSS = 2


def style_sizes(image_wh: tuple[int, int], px_per_css: float = 1.0) -> tuple[int, int]:
    """(line width, font size) that read well from a 150x200 crop to a 3840x2160 frame.

    ``px_per_css`` is how many of the image's pixels one CSS pixel of the page shows (1.5 for
    a 480 px picture shown 320 px wide): line and text grow so that, as shown, text is at
    least ``MIN_FONT_CSS`` and lines ``MIN_LINE_CSS`` px.
    """
    short = max(1, min(image_wh))
    scale = px_per_css if math.isfinite(px_per_css) and px_per_css > 0 else 1.0
    line = max(2, round(short / 240), math.ceil(MIN_LINE_CSS * scale - 0.01))
    font = max(min(48, max(12, round(short * 0.03))), math.ceil(MIN_FONT_CSS * scale - 0.01))
    return line, font


def _overlaps(a: XYXY, b: XYXY) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _free_slot(
    left: float, top: float, tw: float, th: float, img_h: float, placed: Sequence[XYXY]
) -> XYXY:
    """The nearest free spot straight below or above ``top``; ``top`` itself if none is free."""
    tops = sorted(
        (
            t
            for t in (
                top + k * th / 2 for k in range(-int(2 * img_h / th) - 1, int(2 * img_h / th) + 2)
            )
            if 0 <= t <= img_h - th
        ),
        key=lambda t: abs(t - top),
    )
    for t in tops:
        rect = (left, t, left + tw, t + th)
        if not any(_overlaps(rect, other) for other in placed):
            return rect
    return (left, top, left + tw, top + th)


def _intersection(a: XYXY, b: XYXY) -> XYXY | None:
    box = (max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3]))
    return box if box[0] < box[2] and box[1] < box[3] else None


def _area(box: XYXY | None) -> float:
    return (box[2] - box[0]) * (box[3] - box[1]) if box else 0.0


def _covered(rect: XYXY, own: XYXY, faces: Sequence[XYXY]) -> float:
    """How much of other faces a label at ``rect`` covers, beyond its own box."""
    total = 0.0
    for face in faces:
        if face is own or (part := _intersection(rect, face)) is None:
            continue
        total += _area(part) - _area(_intersection(part, own))
    return total


# Placing a label, covering a face costs this much per label area covered, against one label
# height of distance moved from its first choice: a label moves aside rather than cover a face.
FACE_COVER_COST = 6.0
SIDEWAYS_STEPS = 4  # shifts each way, a quarter of the label's width apart


def _label_spots(
    box: XYXY, tw: float, th: float, image_wh: tuple[int, int]
) -> list[tuple[float, XYXY]]:
    """Candidate spots for a box's label inside the image, each with its distance (in label
    heights) from the first choice: above the box, below it, inside its top, shifted sideways."""
    img_w, img_h = image_wh
    x0, y0, x1, y1 = box
    tops = [(y0 - th, 0.0), (y1, 0.5), (y0, 1.0), (y0 - 2 * th, 1.5), (y1 + th, 2.0)]
    lefts = [(x0, 0.0), (x1 - tw, 0.25)]
    step = tw / SIDEWAYS_STEPS
    lefts += [(x0 - k * step, k / SIDEWAYS_STEPS) for k in range(1, SIDEWAYS_STEPS + 1)]
    lefts += [(x1 - tw + k * step, 0.25 + k / SIDEWAYS_STEPS) for k in range(1, SIDEWAYS_STEPS)]
    spots: list[tuple[float, XYXY]] = []
    for top, cost_y in tops:
        if not 0 <= top <= img_h - th:
            continue
        for left, cost_x in lefts:
            left = min(max(left, 0.0), img_w - tw)
            spots.append((cost_y + cost_x, (left, top, left + tw, top + th)))
    return spots


def place_labels(
    boxes: Sequence[XYXY], sizes: Sequence[tuple[float, float]], image_wh: tuple[int, int]
) -> list[XYXY]:
    """Place one label per box, greedily in order: above it where there is room, else below,
    else inside its top, shifted sideways where that keeps it off the faces.

    Labels stay inside the image, never overlap one placed before, and cover faces (any of
    ``boxes``) only where no free spot nearby does not.
    """
    img_w, img_h = image_wh
    placed: list[XYXY] = []
    for box, (tw, th) in zip(boxes, sizes, strict=True):
        tw, th = min(tw, img_w), min(th, img_h)
        best: tuple[float, XYXY] | None = None
        for distance, rect in _label_spots(box, tw, th, image_wh):
            if any(_overlaps(rect, other) for other in placed):
                continue
            covered = _covered(rect, box, boxes) / max(tw * th, 1.0)
            cost = distance + FACE_COVER_COST * covered
            if best is None or cost < best[0]:
                best = (cost, rect)
        if best is None:
            left = min(max(box[0], 0.0), img_w - tw)
            top = min(max(box[1] - th, 0.0), img_h - th)
            placed.append(_free_slot(left, top, tw, th, img_h, placed))
        else:
            placed.append(best[1])
    return placed
