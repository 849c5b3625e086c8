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


def place_labels(
    boxes: Sequence[XYXY], sizes: Sequence[tuple[float, float]], image_wh: tuple[int, int]
) -> list[XYXY]:
    """Place one label per box: above it where there is room, else below, else inside its top.

    Labels stay inside the image and are moved apart where they would overlap earlier ones.
    """
    img_w, img_h = image_wh
    placed: list[XYXY] = []
    for (x0, y0, _x1, y1), (tw, th) in zip(boxes, sizes, strict=True):
        tw, th = min(tw, img_w), min(th, img_h)
        left = min(max(x0, 0.0), img_w - tw)
        candidates = [y0 - th, y1, y0]  # above, below, inside the top
        tops = [t for t in candidates if 0 <= t <= img_h - th] or [min(max(y0, 0.0), img_h - th)]
        chosen: XYXY | None = None
        for top in tops:
            rect = (left, top, left + tw, top + th)
            if not any(_overlaps(rect, other) for other in placed):
                chosen = rect
                break
        if chosen is None:
            chosen = _free_slot(left, tops[0], tw, th, img_h, placed)
        placed.append(chosen)
    return placed
