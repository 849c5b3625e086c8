"""JPEG and PNG bytes, and transparency flattened as decoding flattens it."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from tests.draw.pixels import checkerboard
from viewer import decoding
from viewer.draw.boxes import BoxAnnotator
from viewer.draw.encode import to_jpeg, to_png


@pytest.mark.parametrize("mode", ["RGB", "RGBA", "L"])
def test_to_jpeg_gives_baseline_jpeg_of_the_same_size(mode: str) -> None:
    image = checkerboard((64, 48)).convert(mode)
    data = to_jpeg(image, quality=80)
    assert data[:2] == b"\xff\xd8"
    decoded = Image.open(io.BytesIO(data))
    assert decoded.format == "JPEG" and decoded.size == (64, 48) and decoded.mode == "RGB"
    assert not decoded.info.get("progressive")
    with pytest.raises(ValueError, match="quality"):
        to_jpeg(image, quality=0)


def test_to_png_round_trips_pixels() -> None:
    image = checkerboard((30, 20))
    data = to_png(image)
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert Image.open(io.BytesIO(data)).convert("RGB").tobytes() == image.tobytes()


def test_drawing_flattens_transparency_as_decoding_does() -> None:
    """One flattener: a transparent picture saved or annotated gets the decoder's grey."""
    clear = Image.new("RGBA", (40, 30), (255, 0, 0, 0))
    grey_of_decoding = decoding.FLATTEN_BACKGROUND
    assert decoding.decode(to_png(clear), 10_000).image.getpixel((0, 0)) == grey_of_decoding
    jpeg = Image.open(io.BytesIO(to_jpeg(clear, quality=100))).getpixel((5, 5))
    assert max(abs(a - b) for a, b in zip(jpeg, grey_of_decoding, strict=True)) <= 2
    assert BoxAnnotator().annotate(clear, []).getpixel((0, 0)) == grey_of_decoding
