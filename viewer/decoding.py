"""Safe decoding: image bytes to an RGB image, with the facts needed to place boxes on it."""

from __future__ import annotations

import io
import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass

from PIL import Image

from viewer.exceptions import ImageError

# Photo formats only: Pillow's other readers (EPS runs Ghostscript) never see API data.
DECODABLE_FORMATS = ("JPEG", "PNG", "GIF", "WEBP", "BMP", "TIFF", "MPO")
FLATTEN_BACKGROUND = (200, 200, 200)  # what transparent pixels become

# The size a JPEG need be decoded at, from its stored size and EXIF orientation (None: full).
DraftFor = Callable[[tuple[int, int], int], "tuple[int, int] | None"]


@dataclass(frozen=True)
class Decoded:
    """An RGB image and the facts needed to place boxes on it.

    ``stored_wh`` is the full size of the stored pixels; ``image`` may be smaller (draft mode).
    ``orientation`` is the EXIF orientation (1 when none).
    """

    image: Image.Image
    stored_wh: tuple[int, int]
    orientation: int = 1
    format: str | None = None


def decode(
    data: bytes, max_pixels: int, draft_wh: tuple[int, int] | DraftFor | None = None
) -> Decoded:
    """Decode image bytes to RGB within a pixel limit; raises ImageError with the reason.

    With ``draft_wh`` a JPEG is decoded at the smallest scale (1/2 to 1/8) still at least that
    size; it may be a function of the stored size and orientation (see ``at_scale``).
    Transparent images are flattened onto grey, 16-bit images scaled to 8 bits, animations
    give their first frame.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data), formats=DECODABLE_FORMATS)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise ImageError("The image has too many pixels to decode safely.") from None
        except Exception:
            raise ImageError("The file is not an image the viewer can read.") from None
    stored_wh = image.size
    if stored_wh[0] * stored_wh[1] > max_pixels:
        raise ImageError(
            f"The image is {stored_wh[0]:,}×{stored_wh[1]:,} pixels, more than the "
            f"{max_pixels:,}-pixel limit."
        )
    try:
        orientation = int(image.getexif().get(0x0112, 1) or 1)
    except Exception:
        orientation = 1
    orientation = orientation if 1 <= orientation <= 8 else 1
    fmt = image.format
    if callable(draft_wh):
        draft_wh = draft_wh(stored_wh, orientation)
    try:
        if draft_wh and fmt == "JPEG":
            image.draft("RGB", draft_wh)
        image.seek(0)
        image.load()
        rgb = to_rgb(image)
    except ImageError:
        raise
    except Exception:
        raise ImageError("The image is damaged or cut short and could not be decoded.") from None
    return Decoded(rgb, stored_wh, orientation, fmt)


def at_scale(stored_wh: tuple[int, int], scale: float) -> tuple[int, int] | None:
    """The draft size that keeps ``scale`` times the stored detail; None when that is all of it."""
    if not (math.isfinite(scale) and 0 < scale < 1):
        return None
    return (max(1, math.ceil(stored_wh[0] * scale)), max(1, math.ceil(stored_wh[1] * scale)))


def to_rgb(image: Image.Image) -> Image.Image:
    """``image`` as RGB: transparency laid on grey, 16-bit scaled to 8 bits.

    An RGB image comes back as itself unless it is read-only; callers that draw on the result
    copy it when it is their input.
    """
    mode = image.mode
    if mode in ("I;16", "I;16B", "I;16L", "I"):
        image = image.convert("I").point(lambda v: v * (1 / 256)).convert("L")
        mode = image.mode
    if mode == "P":
        image = image.convert("RGBA")
    if image.has_transparency_data:
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (*FLATTEN_BACKGROUND, 255))
        return Image.alpha_composite(background, rgba).convert("RGB")
    if image.mode != "RGB":
        return image.convert("RGB")
    return image.copy() if image.readonly else image


def orient(image: Image.Image, orientation: int) -> Image.Image:
    """Apply an EXIF orientation to an image (rotate/flip it upright)."""
    method = {
        2: Image.Transpose.FLIP_LEFT_RIGHT,
        3: Image.Transpose.ROTATE_180,
        4: Image.Transpose.FLIP_TOP_BOTTOM,
        5: Image.Transpose.TRANSPOSE,
        6: Image.Transpose.ROTATE_270,
        7: Image.Transpose.TRANSVERSE,
        8: Image.Transpose.ROTATE_90,
    }.get(orientation)
    return image.transpose(method) if method is not None else image
