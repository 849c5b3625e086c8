"""Planning one image's scoring: header facts, each face's upright pixel box or reason, keys."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from viewer.identity import jobs
from viewer.identity.jobs import Header, plan_image, read_header, upright_box
from viewer.models import parse_face

SHA = bytes(32)


def jpeg(wh: tuple[int, int], orientation: int = 1) -> bytes:
    buffer = io.BytesIO()
    exif = Image.Exif()
    exif[0x0112] = orientation
    Image.new("RGB", wh, (90, 120, 150)).save(buffer, "JPEG", exif=exif.tobytes())
    return buffer.getvalue()


def test_header_is_read_without_decoding() -> None:
    data = jpeg((640, 480), orientation=6)
    header = read_header(data, 10**8)
    assert isinstance(header, Header)
    assert (header.stored_wh, header.orientation) == ((640, 480), 6)
    assert read_header(data, 1000) == (
        "The image is 640×480 pixels, more than the 1,000-pixel limit."
    )
    assert read_header(b"<html>", 10**8) == jobs.NOT_AN_IMAGE


def face(box: dict | None, **more: object) -> object:
    return parse_face({"id": "f", "url": "https://x/a.jpg", "boundingBox": box, **more}, 0)


@pytest.mark.parametrize(
    ("box", "orientation", "boxes_on", "expected"),
    [
        pytest.param(
            {"xMin": 0.1, "yMin": 0.2, "xMax": 0.3, "yMax": 0.6},
            1,
            "stored",
            (64, 96, 192, 288),
            id="fractions",
        ),
        pytest.param(
            {"xMin": 0.1, "yMin": 0.2, "xMax": 0.3, "yMax": 0.6},
            6,
            "stored",
            (192, 64, 384, 192),
            id="stored-box-turned-upright",
        ),
        pytest.param(
            {"xMin": 0.1, "yMin": 0.2, "xMax": 0.3, "yMax": 0.6},
            6,
            "upright",
            (48, 128, 144, 384),
            id="box-already-upright",
        ),
        pytest.param(
            {"xMin": 0.5, "yMin": 0.5, "xMax": 0.52, "yMax": 0.7},
            1,
            "stored",
            "The face is 13 px on its shorter side, too small to compare (under 20 px).",
            id="too-small",
        ),
        pytest.param(
            {"xMin": 0.4, "yMin": 0.3, "xMax": 0.4, "yMax": 0.5},
            1,
            "stored",
            "The face's box cannot be used (box has zero area), so it cannot be scored.",
            id="zero-area",
        ),
        pytest.param(
            {"xMin": 5000, "yMin": 5000, "xMax": 5200, "yMax": 5300},
            1,
            "stored",
            "The face's box cannot be used (box lies outside the image), so it cannot be scored.",
            id="outside",
        ),
    ],
)
def test_upright_box(box: dict, orientation: int, boxes_on: str, expected: object) -> None:
    header = Header((640, 480), orientation, SHA)
    assert upright_box(face(box), header, boxes_on) == expected


def test_plan_keys_follow_the_box_and_the_model() -> None:
    header = Header((640, 480), 1, SHA)
    small = face({"xMin": 0.5, "yMin": 0.5, "xMax": 0.51, "yMax": 0.51})
    a = face({"xMin": 0.1, "yMin": 0.2, "xMax": 0.3, "yMax": 0.6})
    b = parse_face(
        {
            "url": "https://x/a.jpg",
            "boundingBox": {"xMin": 0.1, "yMin": 0.2, "xMax": 0.3, "yMax": 0.61},
        },
        1,
    )
    plan = plan_image([small, a, b], header, "stored", "model 1")
    refs = [jobs.face_ref(f) for f in (small, a, b)]
    assert set(plan.reasons) == {refs[0]} and set(plan.boxes) == set(refs[1:])
    assert plan.keys[refs[1]] != plan.keys[refs[2]]
    other_model = plan_image([a], header, "stored", "model 2")
    assert other_model.keys[refs[1]] != plan.keys[refs[1]]
