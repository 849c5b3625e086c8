"""Box arithmetic for identity: overlap, the common space of a photo, EXIF turns."""

from __future__ import annotations

import pytest
from PIL import Image, ImageDraw

from viewer.decoding import orient
from viewer.identity.boxes import FRACTIONS, PIXELS, iou, photo_xyxy, upright_xyxy
from viewer.models import parse_face


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        pytest.param((0, 0, 10, 10), (0, 0, 10, 10), 1.0, id="same"),
        pytest.param((0, 0, 10, 10), (5, 0, 15, 10), 1 / 3, id="half-shifted"),
        pytest.param((0, 0, 10, 10), (10, 0, 20, 10), 0.0, id="touching"),
        pytest.param((0, 0, 10, 10), (2, 2, 8, 8), 0.36, id="inside"),
        pytest.param((0, 0, 0, 10), (0, 0, 10, 10), 0.0, id="no-area"),
    ],
)
def test_iou(a: tuple, b: tuple, expected: float) -> None:
    assert iou(a, b) == pytest.approx(expected)
    assert iou(b, a) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        pytest.param(
            {"boundingBox": {"xMin": 0.1, "yMin": 0.2, "xMax": 0.3, "yMax": 0.6}},
            (FRACTIONS, (0.1, 0.2, 0.3, 0.6)),
            id="fractions-without-size",
        ),
        pytest.param(
            {
                "boundingBox": {"xMin": 64, "yMin": 96, "xMax": 192, "yMax": 288},
                "width": 640,
                "height": 480,
            },
            (FRACTIONS, (0.1, 0.2, 0.3, 0.6)),
            id="pixels-with-size",
        ),
        pytest.param(
            {"boundingBox": {"xMin": 64, "yMin": 96, "xMax": 192, "yMax": 288}},
            (PIXELS, (64, 96, 192, 288)),
            id="pixels-without-size",
        ),
        pytest.param(
            {"boundingBox": {"xMin": 0.3, "yMin": 0.6, "xMax": 0.1, "yMax": 0.2}},
            (FRACTIONS, (0.1, 0.2, 0.3, 0.6)),
            id="inverted",
        ),
        pytest.param({}, None, id="no-box"),
        pytest.param(
            {"boundingBox": {"xMin": 0.4, "yMin": 0.3, "xMax": 0.4, "yMax": 0.5}},
            None,
            id="zero-area",
        ),
    ],
)
def test_photo_xyxy(data: dict, expected: tuple | None) -> None:
    found = photo_xyxy(parse_face(data, 0))
    if expected is None:
        assert found is None
    else:
        assert found is not None and found[0] == expected[0]
        assert found[1] == pytest.approx(expected[1])


@pytest.mark.parametrize("orientation", range(1, 9))
def test_upright_xyxy_follows_the_image(orientation: int) -> None:
    """A box drawn on stored pixels lands where the upright image shows it."""
    stored_wh, xyxy = (120, 80), (10, 20, 40, 70)
    image = Image.new("L", stored_wh, 0)
    ImageDraw.Draw(image).rectangle((xyxy[0], xyxy[1], xyxy[2] - 1, xyxy[3] - 1), fill=255)
    assert upright_xyxy(xyxy, stored_wh, orientation) == orient(image, orientation).getbbox()
