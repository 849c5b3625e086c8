"""Images served by the demo API: drawn frames, blur by sharpness, and every hostile kind."""

from __future__ import annotations

import io
import time

import numpy as np
import pytest
import requests
from PIL import Image, ImageFilter

from viewer.demo import BAD_KINDS, DemoServer
from viewer.demo.bad_images import bad_face
from viewer.demo.scenes import FaceSpec, PhotoSpec, look_for, render_photo

from .support import fetch_image, get_group


def test_image_answers_carry_length_and_type(server: DemoServer) -> None:
    response = requests.get(f"{server.base_url}/images/photo/frac-000.jpg", timeout=10)
    assert response.headers["Content-Type"] == "image/jpeg"
    assert int(response.headers["Content-Length"]) == len(response.content) > 1000
    missing = requests.get(f"{server.base_url}/images/photo/nope.jpg", timeout=10)
    assert missing.status_code == 404


def test_faces_are_drawn_at_their_boxes_and_blurred_by_sharpness() -> None:
    box = (200.0, 100.0, 340.0, 280.0)

    def frame(sharpness: float) -> Image.Image:
        face = FaceSpec(box, person=7, sharpness=sharpness)
        spec = PhotoSpec("t", (640, 480), 3, "Camera_100000", 1_793_600_000_000, (face,))
        return render_photo(spec)

    sharp, blurred = frame(1.0), frame(0.1)
    cheek = (round(box[0] + 0.25 * 140), round(box[1] + 0.62 * 180))
    pixel = sharp.getpixel(cheek)
    assert max(abs(a - b) for a, b in zip(pixel, look_for(7).skin, strict=True)) <= 2

    def edges(image: Image.Image) -> float:
        crop = image.crop(tuple(round(v) for v in box)).convert("L")
        return float(np.asarray(crop.filter(ImageFilter.FIND_EDGES), dtype=np.float32).mean())

    assert edges(blurred) < 0.6 * edges(sharp)


@pytest.mark.parametrize("kind", [k for k in BAD_KINDS if k != "trickle"])
def test_bad_images(server: DemoServer, kind: str) -> None:
    url = f"{server.base_url}/images/bad/{kind}"
    response = requests.get(url, timeout=10, allow_redirects=False)
    content_type = response.headers["Content-Type"]
    wh, box = bad_face(kind)
    assert 0 <= box[0] < box[2] <= wh[0] and 0 <= box[1] < box[3] <= wh[1]

    def decoded() -> Image.Image:
        return Image.open(io.BytesIO(response.content))

    if kind in ("404", "403"):
        assert response.status_code == int(kind)
    elif kind.startswith("redirect"):
        assert response.status_code == 302
        location = response.headers["Location"]
        expected = {
            "redirect": f"{server.base_url}/images/photo/hostile-good.jpg",
            "redirect-loop": url,
            "redirect-file": "file:///etc/passwd",
            "redirect-metadata": "http://169.254.169.254/latest/meta-data/",
        }[kind]
        assert location == expected
        if kind == "redirect":
            assert fetch_image(location).size == (640, 480)
    elif kind == "not-image":
        assert content_type.startswith("text/html")
    elif kind == "truncated":
        image = decoded()
        assert image.size == (640, 480)
        with pytest.raises(OSError):
            image.load()
    elif kind == "bomb":
        assert len(response.content) < 1_000_000
        with pytest.raises(Image.DecompressionBombError):
            decoded()
    else:
        image = decoded()
        expected_mode = {"cmyk": "CMYK", "16bit": "I;16", "palette": "P", "transparent": "RGBA"}
        if kind in expected_mode:
            assert image.mode == expected_mode[kind]
        assert content_type == f"image/{image.format.lower()}"
        assert image.size == wh
        image.load()
        if kind == "transparent":
            assert image.getchannel("A").getextrema() == (0, 255)
        elif kind == "gif":
            assert image.n_frames == 3
        elif kind == "exif-rotated":
            assert image.getexif()[0x0112] == 6
        elif kind == "oversize":
            assert len(response.content) > 2_000_000
    if response.status_code == 200:
        assert content_type != "application/json"


def test_hostile_group_lists_every_bad_kind(server: DemoServer) -> None:
    images = get_group(server, "acme", "demo-hostile")["images"]
    assert requests.get(images[0]["url"], timeout=10).status_code == 200
    urls = [image["url"] for image in images[1:]]
    assert urls == [f"{server.base_url}/images/bad/{kind}" for kind in BAD_KINDS]
    assert all("boundingBox" in image for image in images)


def test_trickling_image_sends_a_byte_a_second(server: DemoServer) -> None:
    with requests.get(f"{server.base_url}/images/bad/trickle", stream=True, timeout=5) as r:
        assert r.status_code == 200
        announced = int(r.headers["Content-Length"])
        first = r.raw.read(1)
        after_first = time.monotonic()
        second = r.raw.read(1)
        gap = time.monotonic() - after_first
    assert first + second == b"\xff\xd8"
    assert announced > 2
    assert gap >= 0.5  # the second byte waited for its turn: a drip, not a burst
