"""What scoring one image needs, worked out cheaply before the model runs: the image's size
and EXIF turn from its header, each face's box in whole upright pixels (or why there is none),
and the cache key of each face.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

from PIL import Image

from viewer.decoding import DECODABLE_FORMATS
from viewer.geometry import resolve_box
from viewer.identity.boxes import upright_xyxy
from viewer.identity.cache import descriptor_key
from viewer.identity.model import MIN_FACE_PX, PixelBox, pixel_box
from viewer.models import Face

# A face as the scorer knows it across groups: the same photo and box is the same face.
FaceRef = tuple[str | None, tuple[float, float, float, float] | None, tuple[float | None, ...]]

NO_URL = "This face has no image URL, so it cannot be scored."
NO_BOX = "This face has no box, so it cannot be scored."
NOT_AN_IMAGE = "The file is not an image the viewer can read."


def face_ref(face: Face) -> FaceRef:
    return (face.url, face.box.as_tuple() if face.box else None, face.reported_wh)


@dataclass(frozen=True)
class Header:
    """The stored size and EXIF orientation of an image, read without decoding its pixels."""

    stored_wh: tuple[int, int]
    orientation: int
    sha256: bytes


def read_header(data: bytes, max_pixels: int) -> Header | str:
    """The image's header facts, or one sentence saying why the image cannot be used."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data), formats=DECODABLE_FORMATS) as image:
                wh = image.size
                try:
                    orientation = int(image.getexif().get(0x0112, 1) or 1)
                except Exception:
                    orientation = 1
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            return "The image has too many pixels to decode safely."
        except Exception:
            return NOT_AN_IMAGE
    if wh[0] * wh[1] > max_pixels:
        return f"The image is {wh[0]:,}×{wh[1]:,} pixels, more than the {max_pixels:,}-pixel limit."
    return Header(wh, orientation if 1 <= orientation <= 8 else 1, hashlib.sha256(data).digest())


def upright_box(face: Face, header: Header, boxes_on: str) -> PixelBox | str:
    """The face's box in whole pixels of the upright image, or why it cannot be scored.

    ``boxes_on`` says which pixels the API's boxes refer to: "stored" or "upright" (EXIF).
    """
    w, h = header.stored_wh
    turned = header.orientation in (5, 6, 7, 8)
    if boxes_on == "upright":
        placement = resolve_box(face.box, face.reported_wh, (h, w) if turned else (w, h))
        xyxy = placement.xyxy
    else:
        placement = resolve_box(face.box, face.reported_wh, (w, h))
        xyxy = placement.xyxy and upright_xyxy(placement.xyxy, (w, h), header.orientation)
    if xyxy is None:
        return f"The face's box cannot be used ({placement.reason}), so it cannot be scored."
    box = pixel_box(xyxy)
    short = min(box[2] - box[0], box[3] - box[1])
    if short < MIN_FACE_PX:
        return (
            f"The face is {short} px on its shorter side, too small to compare "
            f"(under {MIN_FACE_PX} px)."
        )
    return box


@dataclass(frozen=True)
class Planned:
    """The faces of one image that the model must see, and those settled without it."""

    boxes: dict[FaceRef, PixelBox]
    keys: dict[FaceRef, bytes]
    reasons: dict[FaceRef, str]


def plan_image(faces: Sequence[Face], header: Header, boxes_on: str, version: str) -> Planned:
    """Each face's upright box and cache key, or the reason it cannot be scored."""
    boxes: dict[FaceRef, PixelBox] = {}
    keys: dict[FaceRef, bytes] = {}
    reasons: dict[FaceRef, str] = {}
    for face in faces:
        ref = face_ref(face)
        box = upright_box(face, header, boxes_on)
        if isinstance(box, str):
            reasons[ref] = box
        else:
            boxes[ref] = box
            keys[ref] = descriptor_key(header.sha256, box, version)
    return Planned(boxes, keys, reasons)
