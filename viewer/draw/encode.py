"""Pictures as bytes: baseline JPEG for pages and exports, PNG for lossless files."""

from __future__ import annotations

import io

from PIL import Image

from viewer.decoding import to_rgb


def to_jpeg(image: Image.Image, quality: int = 85) -> bytes:
    """Baseline RGB JPEG bytes (transparency laid on grey)."""
    if not 1 <= quality <= 100:
        raise ValueError(f"JPEG quality must be 1..100, not {quality}")
    buffer = io.BytesIO()
    to_rgb(image).save(buffer, "JPEG", quality=quality, optimize=False, progressive=False)
    return buffer.getvalue()


_PNG_MODES = {"1", "L", "LA", "I", "I;16", "P", "RGB", "RGBA"}


def to_png(image: Image.Image) -> bytes:
    """PNG bytes; modes PNG cannot hold are converted to RGB."""
    buffer = io.BytesIO()
    (image if image.mode in _PNG_MODES else to_rgb(image)).save(buffer, "PNG")
    return buffer.getvalue()
