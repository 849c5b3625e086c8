"""Pictures decoded at the scale they are shown: a large JPEG's face crop and thumbnail are
decoded at 1/2 to 1/8 (JPEG DCT scaling), and still show the right pixels.

The photo is made here with Pillow: a green field with one red square face. Over real loopback
HTTP through the pipeline; nothing is patched.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from contextlib import closing

import pytest
from PIL import Image

from viewer.compose import Rendered, ViewOptions, crop_draft, display_draft, has_detail
from viewer.config import Settings
from viewer.decoding import decode
from viewer.exceptions import ImageError
from viewer.hosts import HostPolicy
from viewer.models import Face, parse_face
from viewer.pipeline import Pipeline

from .test_images import Loopback, loopback, reply  # noqa: F401 - the fixture is used by name

PHOTO_WH = (4800, 3200)  # 15 megapixels
FACE_XYXY = (3200, 1600, 3840, 2240)  # a 640 px red square: its crop square is 960 px
SMALL_XYXY = (600, 600, 700, 700)  # a 100 px face: a 160 px crop needs every pixel
FIELD, RED, BLUE = (0, 160, 0), (220, 30, 30), (30, 30, 220)
CROP = 160
PHOTO = "/photo.jpg"


def photo_bytes() -> bytes:
    image = Image.new("RGB", PHOTO_WH, FIELD)
    image.paste(RED, FACE_XYXY)
    image.paste(BLUE, SMALL_XYXY)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


@pytest.fixture(scope="module")
def photo() -> bytes:
    return photo_bytes()


def face_at(url: str, xyxy: tuple[int, int, int, int], index: int = 0) -> Face:
    w, h = PHOTO_WH
    box = {"xMin": xyxy[0] / w, "yMin": xyxy[1] / h, "xMax": xyxy[2] / w, "yMax": xyxy[3] / h}
    return parse_face({"id": f"f{index}", "url": url, "isFrontal": True, "boundingBox": box}, index)


def near(pixel: tuple[int, ...], color: tuple[int, int, int], tolerance: int = 40) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(pixel, color, strict=True))


def test_a_large_face_is_decoded_at_a_reduced_scale(photo: bytes) -> None:
    decoded = decode(photo, 64_000_000, crop_draft(face_at("u", FACE_XYXY), "stored", CROP))

    assert decoded.stored_wh == PHOTO_WH  # boxes are still placed on the stored pixels
    # 160 / 960 of the detail is needed: 1/4 keeps it, 1/8 would not
    assert decoded.image.size == (PHOTO_WH[0] // 4, PHOTO_WH[1] // 4)


def test_a_small_face_keeps_every_pixel(photo: bytes) -> None:
    draft = crop_draft(face_at("u", SMALL_XYXY), "stored", CROP)
    coarse = decode(photo, 64_000_000, crop_draft(face_at("u", FACE_XYXY), "stored", CROP))

    assert decode(photo, 64_000_000, draft).image.size == PHOTO_WH
    assert not has_detail(coarse, draft)  # a kept coarse decode does not serve it


def test_a_thumbnail_is_decoded_near_its_display_size(photo: bytes) -> None:
    decoded = decode(photo, 64_000_000, display_draft(320, 240))

    assert decoded.image.size == (PHOTO_WH[0] // 8, PHOTO_WH[1] // 8)  # 600 x 400, for 320 wide


def test_the_pixel_limit_holds_whatever_the_decoded_scale(photo: bytes) -> None:
    with pytest.raises(ImageError) as info:
        decode(photo, 10_000_000, crop_draft(face_at("u", FACE_XYXY), "stored", CROP))
    assert "more than the 10,000,000-pixel limit" in info.value.message


def test_the_crop_from_a_reduced_decode_shows_the_face(
    settings: Settings,
    photo: bytes,
    loopback: Callable[..., Loopback],  # noqa: F811
) -> None:
    server = loopback({PHOTO: lambda h: reply(h, 200, photo, "image/jpeg")})
    url = server.url(PHOTO)
    large, small = face_at(url, FACE_XYXY, 0), face_at(url, SMALL_XYXY, 1)
    options = ViewOptions()
    with closing(Pipeline(settings, HostPolicy(False, [server.base_url]))) as pipe:
        crops = pipe.crops([large, small], options, CROP)

    for face, xyxy, color in ((large, FACE_XYXY, RED), (small, SMALL_XYXY, BLUE)):
        rendered = crops[face.key]
        assert isinstance(rendered, Rendered), rendered
        assert rendered.placements[face.key].xyxy == pytest.approx(xyxy, abs=0.01)
        tile = Image.open(io.BytesIO(rendered.jpeg)).convert("RGB")
        assert tile.size == (CROP, CROP)
        # the face is the middle two thirds of its crop square, the field around it
        centre, inside_edge = CROP // 2, round(CROP / 6) + 6
        assert near(tile.getpixel((centre, centre)), color)
        assert near(tile.getpixel((inside_edge, centre)), color)
        assert near(tile.getpixel((CROP - inside_edge, centre)), color)
        assert near(tile.getpixel((6, 6)), FIELD)
        assert near(tile.getpixel((CROP - 7, CROP - 7)), FIELD)
