"""Box arithmetic for identity: a common space for faces of one photo, overlap, EXIF turns."""

from __future__ import annotations

from viewer.geometry import XYXY, as_fractions, is_fractional, resolve_box
from viewer.models import Face

FRACTIONS = "fractions"
PIXELS = "pixels"
_FREE_SIZE = (10_000, 10_000)  # any size will do for fractions: overlap ignores axis scaling


def photo_xyxy(face: Face) -> tuple[str, XYXY] | None:
    """The face's box in a space shared by the faces of its photo, with that space's name.

    Fractions of the reported size when the box allows (fractions, or pixels with a reported
    size); otherwise the raw pixels, comparable only with other raw pixels of the same photo.
    None when the box is missing or unusable.
    """
    if face.box is None:
        return None
    w, h = face.reported_wh
    if is_fractional(face.box.as_tuple()):
        space, size = FRACTIONS, _FREE_SIZE
    elif w and h:
        space, size = FRACTIONS, (max(1, round(w)), max(1, round(h)))
    else:
        space, size = PIXELS, _FREE_SIZE
    placement = resolve_box(face.box, face.reported_wh, size)
    if placement.xyxy is None:
        return None
    if space == PIXELS:
        return space, placement.xyxy
    return space, as_fractions(placement.xyxy, size)


def iou(a: XYXY, b: XYXY) -> float:
    """Intersection over union of two boxes; 0 when either has no area."""
    iw = min(a[2], b[2]) - max(a[0], b[0])
    ih = min(a[3], b[3]) - max(a[1], b[1])
    if iw <= 0 or ih <= 0:
        return 0.0
    inter = iw * ih
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def upright_xyxy(xyxy: XYXY, stored_wh: tuple[int, int], orientation: int) -> XYXY:
    """Where a box on the stored pixels lands once the image is turned upright (EXIF 1-8)."""
    w, h = stored_wh
    x0, y0, x1, y1 = xyxy
    corners = {
        1: (x0, y0, x1, y1),
        2: (w - x1, y0, w - x0, y1),
        3: (w - x1, h - y1, w - x0, h - y0),
        4: (x0, h - y1, x1, h - y0),
        5: (y0, x0, y1, x1),
        6: (h - y1, x0, h - y0, x1),
        7: (h - y1, w - x1, h - y0, w - x0),
        8: (y0, w - x1, y1, w - x0),
    }
    return corners.get(orientation, corners[1])
