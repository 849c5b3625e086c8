"""Hostile hosts and bad data, end to end: nothing crashes, nothing leaks, every failure explained.

Each case runs against the demo API or a loopback server started here, over real sockets, and
asserts what the analyst sees: a sentence naming the problem, and the rest of the group still
rendered. Image-level cases live in test_images.py; API faults already in test_api.py are not
repeated.
"""

from __future__ import annotations

import contextlib
import json
import logging
import math
import re
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest
import requests

from viewer import exceptions as exc
from viewer.api import Client
from viewer.compose import PictureFailure, Rendered, ViewOptions
from viewer.config import Settings, load_settings
from viewer.demo.bad_images import BAD_KINDS
from viewer.demo.server import DemoServer
from viewer.draw.color import GREY, color_for
from viewer.geometry import resolve_box
from viewer.hosts import HostPolicy
from viewer.images import FetchFailure
from viewer.models import parse_group
from viewer.pipeline import Pipeline, group_by_image
from viewer.select import (
    Filters,
    apply_filters,
    page_of,
    quality_flags,
    sort_faces,
    summarize,
)
from viewer.ui.text import escape_md

from .test_images import (  # noqa: F401 - fixtures are used by name
    METADATA,
    Loopback,
    jpeg_bytes,
    loopback,
    own_demo,
    redirect_to,
    reply,
    within,
)

SAMPLE_ID = "ab36de62-fe3e-4907-8a03-7d27c21fa01a"
GROUPS = "/v2/recognition/groups/"
FACE_BOX = (264.0, 70.0, 376.0, 214.0)  # where the demo's hostile images show their face


def sentence(text: str) -> bool:
    """One sentence for the analyst: starts with a capital, ends with a full stop, no trace."""
    return bool(text) and text[0].isupper() and text.endswith(".") and "Traceback" not in text


# ---------------------------------------------------------------------------------------------
# 1. API faults not already covered by test_api.py


def test_slow_api_within_the_timeout_still_loads(settings: Settings) -> None:
    with Client(settings) as client:  # 2 s late, 5 s allowed
        assert client.get_group("faults", "latency").id == SAMPLE_ID


def test_api_slower_than_the_timeout_is_reported_as_slow(settings: Settings) -> None:
    short = replace(settings, api_timeout_s=0.5)
    with Client(short) as client, pytest.raises(exc.APITimeoutError) as info:
        client.get_group("faults", "latency")
    assert info.value.message == (
        "The API at 127.0.0.1 did not answer within 0.5 s: check the network or try again."
    )


def test_bad_gateway_page_is_retried_then_explained(settings: Settings, demo: DemoServer) -> None:
    demo.reset_counts()
    with Client(settings) as client, pytest.raises(exc.ServerError) as info:
        client.get_group("faults", "502")
    assert info.value.message == (
        "The API at 127.0.0.1 answered 502 (bad gateway) to GET "
        "/recognition/groups/faults/502 on all 4 attempts (3 retries): try again in a moment."
    )
    assert info.value.status == 502
    assert demo.request_count(GROUPS + "faults/502") == 4  # the first try and three retries


def test_a_500_says_it_was_not_retried(settings: Settings, demo: DemoServer) -> None:
    demo.reset_counts()
    with Client(settings) as client, pytest.raises(exc.ServerError) as info:
        client.get_group("faults", "500")
    assert info.value.message == (
        "The API at 127.0.0.1 answered 500 (internal server error) to GET "
        "/recognition/groups/faults/500; it was not retried, because a 500 is a fault of the "
        "API itself rather than a passing overload: try again later, or report it to the "
        "API's operators."
    )
    assert demo.request_count(GROUPS + "faults/500") == 1  # as the sentence says


def test_a_500_after_a_503_counts_both_attempts(
    loopback: Callable[..., Loopback],  # noqa: F811
) -> None:
    statuses = iter([503, 500])
    api = loopback({GROUPS + "acme/g": lambda h: reply(h, next(statuses), b"{}")})
    settings = Settings(api_url=api.url("/v2"), access_token="t", api_timeout_s=5.0)
    with Client(settings) as client, pytest.raises(exc.ServerError) as info:
        client.get_group("acme", "g")
    assert info.value.message == (
        "The API at 127.0.0.1 answered 500 (internal server error) to GET "
        "/recognition/groups/acme/g on the last of 2 attempts (1 retry): try again in a moment."
    )
    assert len(api.seen) == 2


def test_retries_do_not_use_up_the_answer_deadline(settings: Settings) -> None:
    short = replace(settings, api_timeout_s=0.5)  # back-off alone takes 1.5 s
    with Client(short) as client, pytest.raises(exc.ServerError) as info:
        client.get_group("faults", "502")
    assert "502 (bad gateway)" in info.value.message


def test_trickling_api_answer_is_cut_at_the_deadline(
    settings: Settings,
    own_demo: DemoServer,  # noqa: F811
) -> None:
    slow = replace(settings, api_url=own_demo.api_url, api_timeout_s=2.0)  # deadline 4 s

    def load() -> exc.ViewerError:
        with Client(slow) as client, pytest.raises(exc.APITimeoutError) as info:
            client.get_group("faults", "trickle")
        return info.value

    error = within(6.0, load)
    assert error.message == (
        "The API at 127.0.0.1 is sending its answer too slowly: try again later."
    )


def test_headers_dripped_slower_than_the_deadline_end_at_the_deadline(
    settings: Settings,
    own_demo: DemoServer,  # noqa: F811
) -> None:
    # a header byte every half second: the 2 s read timeout never fires, the 3 s deadline does
    slow = replace(settings, api_url=own_demo.api_url, api_timeout_s=2.0, api_deadline_s=3.0)

    def load() -> tuple[exc.ViewerError, float]:
        with Client(slow) as client:
            client.get_group("acme", SAMPLE_ID)  # the token, fetched before the clock starts
            start = time.monotonic()
            with pytest.raises(exc.APITimeoutError) as info:
                client.get_group("faults", "slow-headers")
            return info.value, time.monotonic() - start

    error, elapsed = within(8.0, load)
    assert error.message == (
        "The API at 127.0.0.1 did not finish answering within 3 s, the II_API_DEADLINE_S "
        "limit: try again later, or raise II_API_DEADLINE_S on a slow network."
    )
    assert 2.9 <= elapsed < 4.5


def test_deeply_nested_json_is_not_a_crash(loopback: Callable[..., Loopback]) -> None:  # noqa: F811
    deep = b"[" * 100_000 + b"]" * 100_000  # 200 kB, far below the size limit
    api = loopback({"/v2/recognition/groups/acme/deep": lambda h: reply(h, 200, deep)})
    settings = Settings(api_url=api.url("/v2"), access_token="t", api_timeout_s=5.0)
    with Client(settings) as client, pytest.raises(exc.InvalidResponseError) as info:
        client.get_group("acme", "deep")
    assert sentence(info.value.message)


# ---------------------------------------------------------------------------------------------
# 2. Bad group data


def test_bad_data_group_renders_and_explains_every_oddity(
    settings: Settings, policy: HostPolicy
) -> None:
    with Client(settings) as client:
        group = client.get_group("acme", "demo-bad-data")
    faces = group.faces
    assert group.problems == ("1 face id(s) appear more than once",)
    assert len({f.key for f in faces}) == len(faces)  # keys stay unique all the same
    assert group.extra == {"extraField": {"note": "fields the viewer does not know about"}}
    assert group.link_last_modified_at is not None  # sent as a string, read as a number
    problems = {f.index: f.problems for f in faces if f.problems}
    assert problems == {
        4: (
            "url was a number, read as text",
            "image URL '12345' is not http or https (only http and https images are downloaded)",
            "feedId had an unusable type (list)",
        ),
        5: (
            "width is not finite (-inf)",
            "boundingBoxConfidence is not finite (nan)",
            "sharpness is not finite (inf)",
        ),
        11: ("createdAt looks like seconds, not milliseconds; shown as seconds",),
        12: ("isFrontal is not true or false ('sometimes')",),
        13: ("boundingBox is not an object",),
        14: ("entry is not an object (str)",),
        15: ("entry is not an object (NoneType)",),
    }
    # missing values are flagged, an unknown pose is drawn grey
    for index in (1, 2):
        assert {"no confidence", "no sharpness"} <= set(quality_flags(faces[index]))
    assert faces[12].is_frontal is None and color_for(faces[12]) == GREY
    # numbers sent as strings are read as numbers
    assert (faces[3].confidence, faces[3].sharpness, faces[3].is_frontal) == (0.8, 0.55, True)
    assert all(
        v is None or math.isfinite(v)
        for f in faces
        for v in (f.confidence, f.sharpness, f.width, f.height)
    )

    pipe = Pipeline(settings, policy)
    try:
        items = group_by_image(faces)
        results = pipe.annotated_many(items, ViewOptions(), 640)
        crops = pipe.crops(faces, ViewOptions(), 96)
    finally:
        pipe.close()
    placements: dict[int, Any] = {}
    failures: dict[int, str] = {}
    for (_, image_faces), result in zip(items, results, strict=True):
        for face in image_faces:
            if isinstance(result, PictureFailure):
                failures[face.index] = result.reason
            else:
                assert isinstance(result, Rendered)
                placements[face.index] = result.placements[face.key]
    assert failures == {
        4: "The image URL '12345' is refused: only http and https images are downloaded.",
        14: "This face has no image URL.",
        15: "This face has no image URL.",
    }
    reasons = {i: p.reason for i, p in placements.items() if p.reason}
    assert reasons == {
        8: "box lies outside the image",
        9: "box has zero area",
        13: "no bounding box",
    }
    assert placements[6].notes == (
        "x values were inverted and have been swapped",
        "y values were inverted and have been swapped",
    )
    assert placements[7].notes == ("box reached past the image and was clamped",)
    drawn = {i for i, p in placements.items() if p.ok}
    assert drawn == {0, 1, 2, 3, 5, 6, 7, 10, 11, 12}
    # the face views say the same, one face at a time
    crop_failures = {
        f.index: r.reason for f in faces if isinstance(r := crops[f.key], PictureFailure)
    }
    assert crop_failures == {
        **failures,
        **{i: f"No face to crop: {reason}." for i, reason in reasons.items()},
    }


W, H = 640, 480


def _face(**fields: Any) -> dict[str, Any]:
    return {"id": "f", "url": "https://images.example/x.jpg", **fields}


def _fractions(x0: float, y0: float, x1: float, y1: float) -> dict[str, float]:
    return {"xMin": x0, "yMin": y0, "xMax": x1, "yMax": y1}


# (face JSON, problems the face carries, placement reason, interpretation, notes, xyxy)
BAD_FACES = [
    pytest.param(
        {}, ("no image URL", "no bounding box"), "no bounding box", None, (), None, id="empty"
    ),
    pytest.param(
        {k: None for k in ("id", "url", "boundingBox", "boundingBoxConfidence", "isFrontal")},
        ("no image URL", "no bounding box"),
        "no bounding box",
        None,
        (),
        None,
        id="nulls",
    ),
    pytest.param(
        _face(boundingBox="0,0,1,1", isFrontal=[], sharpness={}),
        (
            "boundingBox is not an object",
            "sharpness had an unusable type (dict)",
            "isFrontal is not true or false ('[]')",
        ),
        "no bounding box",
        None,
        (),
        None,
        id="wrong-types",
    ),
    pytest.param(
        _face(boundingBox=_fractions(float("nan"), 0.1, 0.5, 0.5)),
        ("boundingBox.xMin is not finite (nan)",),
        "no bounding box",
        None,
        (),
        None,
        id="nan-in-box",
    ),
    pytest.param(
        _face(boundingBox=_fractions(0.1, 0.1, 0.5, 0.5), boundingBoxConfidence=float("inf")),
        ("boundingBoxConfidence is not finite (inf)",),
        None,
        "fractions",
        (),
        (64.0, 48.0, 320.0, 240.0),
        id="infinite-confidence",
    ),
    pytest.param(
        _face(boundingBox=_fractions(0.5, 0.5, 0.1, 0.1)),
        (),
        None,
        "fractions",
        (
            "x values were inverted and have been swapped",
            "y values were inverted and have been swapped",
        ),
        (64.0, 48.0, 320.0, 240.0),
        id="inverted",
    ),
    pytest.param(
        _face(boundingBox=_fractions(5000, 5000, 5200, 5300), width=W, height=H),
        (),
        "box lies outside the image",
        "pixels",
        (),
        None,
        id="outside",
    ),
    pytest.param(
        _face(boundingBox=_fractions(-0.05, 0.5, 0.3, 1.05)),
        (),
        None,
        "fractions",
        ("box reached past the image and was clamped",),
        (0.0, 240.0, 192.0, 480.0),
        id="partly-outside",
    ),
    pytest.param(
        _face(boundingBox=_fractions(0.4, 0.3, 0.4, 0.5)),
        (),
        "box has zero area",
        "fractions",
        (),
        None,
        id="zero-area",
    ),
    pytest.param(
        _face(boundingBox=_fractions(200, 100, 400, 300), width=1280, height=960),
        (),
        None,
        "pixels, scaled",
        (),
        (100.0, 50.0, 200.0, 150.0),
        id="pixels-of-a-larger-original",
    ),
    pytest.param(
        _face(boundingBox=_fractions(200, 100, 400, 300), width=-640, height=0),
        ("width -640 is not positive", "height 0 is not positive"),
        None,
        "pixels",
        (),
        (200.0, 100.0, 400.0, 300.0),
        id="pixels-with-a-nonsense-size",
    ),
]


@pytest.mark.parametrize(
    ("data", "problems", "reason", "interpretation", "notes", "xyxy"), BAD_FACES
)
def test_bad_face_data_is_explained(
    data: dict[str, Any],
    problems: tuple[str, ...],
    reason: str | None,
    interpretation: str | None,
    notes: tuple[str, ...],
    xyxy: tuple[float, ...] | None,
) -> None:
    group = parse_group({"id": "g", "images": [data]})
    (face,) = group.faces
    assert face.problems == problems
    placement = resolve_box(face.box, face.reported_wh, (W, H))
    assert placement.reason == reason
    assert placement.interpretation == interpretation
    assert placement.notes == notes
    assert placement.xyxy == (None if xyxy is None else pytest.approx(xyxy))


def test_pixel_boxes_on_frames_served_smaller_than_reported(
    settings: Settings, policy: HostPolicy, demo: DemoServer
) -> None:
    with Client(settings) as client:
        group = client.get_group("acme", "demo-pixels")
    pipe = Pipeline(settings, policy)
    try:
        results = pipe.annotated_many([(f.url, [f]) for f in group.faces], ViewOptions(), None)
    finally:
        pipe.close()
    assert demo.data is not None
    scaled = []
    for face, result in zip(group.faces, results, strict=True):
        assert isinstance(result, Rendered)
        placement = result.placements[face.key]
        assert face.url is not None
        truth = demo.data.photos[face.url.removeprefix(demo.base_url)].faces[0].xyxy
        assert placement.xyxy == pytest.approx(truth, abs=2.0)  # on the face either way
        if placement.interpretation == "pixels, scaled":
            scaled.append((face.index, placement.scale_xy, face.reported_wh, result.stored_wh))
    assert scaled == [
        (1, (0.5, 0.5), (2560, 1440), (1280, 720)),
        (9, (0.5, 0.5), (2560, 1440), (1280, 720)),
    ]


def test_ten_thousand_faces_parse_and_select() -> None:
    images = [
        {
            "id": f"face-{i % 9000}",  # the last 1,000 repeat earlier ids
            "url": f"https://images.example/{i // 4}.jpg",
            "boundingBox": _fractions(0.1, 0.1, 0.4, 0.5),
            "boundingBoxConfidence": (i % 100) / 100,
            "sharpness": ((i * 7) % 100) / 100,
            "isFrontal": i % 3 != 0,
            "feedId": f"Camera_{i % 12}",
            "createdAt": 1_793_966_400_000 + i * 1000,
        }
        for i in range(10_000)
    ]
    group = parse_group(json.loads(json.dumps({"id": "big", "images": images})))
    assert len(group.faces) == 10_000
    assert group.problems == ("1000 face id(s) appear more than once",)
    assert len({f.key for f in group.faces}) == 10_000
    assert len(group.image_urls) == 2_500
    shown = apply_filters(group.faces, Filters(min_confidence=0.5, pose="frontal"))
    ordered = sort_faces(shown, "worst")
    page, pages, number = page_of(ordered, 10_000, 48)
    assert number == pages and 0 < len(page) <= 48
    for face in page + ordered[:48]:
        assert face.confidence is not None
        low = any(flag.startswith("low confidence") for flag in quality_flags(face))
        assert low == (face.confidence < 0.7)
    summary = summarize(group.faces)
    assert summary.faces == 10_000 and len(summary.feeds) == 12
    assert len(group_by_image(group.faces)) == 2_500


HOSTILE_TEXT = [
    ("<script>alert(1)</script>", r"\<script\>alert\(1\)\</script\>"),
    ("[click](javascript:alert(1))", r"\[click\]\(javascript\:alert\(1\)\)"),
    ("![x](http://evil.example/x.png)", r"\!\[x\]\(http\://evil\.example/x\.png\)"),
    ("<img src=x onerror=alert(1)>", r"\<img src\=x onerror\=alert\(1\)\>"),
    ("**bold** _it_ `code` # h", r"\*\*bold\*\* \_it\_ \`code\` \# h"),
    ("&lt;b&gt;", r"\&lt;b\&gt;"),
    ("Zoë 顔 مرحبا", "Zoë 顔 مرحبا"),
    ("right-to-left \u202eevil", "right\\-to\\-left  evil"),  # the override is blanked
    ("Caméra_Ω \x00nul", "Caméra\\_Ω  nul"),
]


@pytest.mark.parametrize(("raw", "shown"), HOSTILE_TEXT)
def test_api_text_is_shown_as_text(raw: str, shown: str) -> None:
    assert escape_md(raw) == shown


def test_bad_data_text_fields_are_escaped(settings: Settings) -> None:
    with Client(settings) as client:
        group = client.get_group("acme", "demo-bad-data")
    texts = [t for f in group.faces for t in (f.custom_id, f.feed_id, f.id) if t]
    assert "<script>alert(1)</script>" in texts
    for text in texts:
        shown = escape_md(text)
        assert not re.search(r"(?<!\\)[<>\[\]()`*_]", shown), shown
        assert shown.isprintable()


# ---------------------------------------------------------------------------------------------
# The hostile group: one good face, then one face per hostile image, in one call

HOSTILE_FAILURES = {
    "404": "The image is gone from its host (404).",
    "403": "The image host refused access (403).",
    "redirect-loop": "The image host redirected more than 4 times.",
    "redirect-file": "The image URL uses file scheme; only http and https are downloaded.",
    "redirect-metadata": METADATA,
    "not-image": "The file is not an image the viewer can read.",
    "truncated": "The image is damaged or cut short and could not be decoded.",
    "bomb": "The image has too many pixels to decode safely.",
    "trickle": None,  # a sentence about the slow host; its wording: test_images.py
}
HOSTILE_SHOWN = {
    "redirect",
    "cmyk",
    "16bit",
    "palette",
    "transparent",
    "gif",
    "exif-rotated",
    "webp",
    "oversize",
}


def _warm(demo: DemoServer) -> None:
    """Have the demo draw every hostile image once, so the timings below are the viewer's."""
    for kind in BAD_KINDS:
        with contextlib.suppress(requests.exceptions.RequestException):
            requests.get(
                demo.base_url + "/images/bad/" + kind,
                timeout=(2, 0.5),
                allow_redirects=False,
                stream=True,
            ).close()


def test_hostile_group_renders_the_good_and_explains_the_bad(
    settings: Settings, policy: HostPolicy, demo: DemoServer
) -> None:
    assert set(HOSTILE_FAILURES) | HOSTILE_SHOWN == set(BAD_KINDS)
    _warm(demo)
    # the read timeout sits below the trickle's one-second gap, so it ends in about a second
    quick = replace(settings, image_deadline_s=2.0, image_read_timeout_s=0.8)
    with Client(quick) as client:
        group = client.get_group("acme", "demo-hostile")
    items = group_by_image(group.faces)
    assert len(items) == 1 + len(BAD_KINDS)
    pipe = Pipeline(quick, policy)
    started = time.monotonic()
    try:
        results = pipe.annotated_many(items, ViewOptions(), 640)
        crops = pipe.crops(group.faces, ViewOptions(), 96)
    finally:
        pipe.close()
    assert time.monotonic() - started < 20

    good = results[0]
    assert isinstance(good, Rendered) and good.size == (640, 480)
    assert all(p.ok for p in good.placements.values())
    for (url, faces), result in zip(items[1:], results[1:], strict=True):
        kind = (url or "").rsplit("/", 1)[-1]
        (face,) = faces
        crop = crops[face.key]
        if kind in HOSTILE_SHOWN:
            assert isinstance(result, Rendered), (kind, result)
            assert isinstance(crop, Rendered), (kind, crop)
            placement = result.placements[face.key]
            assert placement.ok, (kind, placement)
            if kind not in ("redirect", "exif-rotated", "oversize"):
                assert placement.xyxy == pytest.approx(FACE_BOX, abs=0.5), kind
        else:
            assert isinstance(result, PictureFailure), (kind, result)
            assert result.url == url
            assert sentence(result.reason), (kind, result.reason)
            expected = HOSTILE_FAILURES[kind]
            if expected is not None:
                assert result.reason == expected
            assert crop == PictureFailure(url, result.reason)  # the face views say the same
    sizes = {
        (url or "").rsplit("/", 1)[-1]: (r.size, r.stored_wh)
        for (url, _), r in zip(items, results, strict=True)
        if isinstance(r, Rendered)
    }
    (shown_w, shown_h), stored = sizes["exif-rotated"]
    assert (shown_w, stored) == (640, (640, 480)) and shown_h > shown_w  # shown upright
    assert sizes["oversize"] == ((640, 480), (2200, 1650))  # drawn at display size


# ---------------------------------------------------------------------------------------------
# 5. Secrets: the token and the client secret go to the API's origin and nowhere else

TOKEN = "tok-3b9f7c1e-do-not-share"
CLIENT_ID = "client-for-tests"
CLIENT_SECRET = "cs-8d2a41f0-do-not-share"
SECRETS = (TOKEN, CLIENT_SECRET)


def _jpeg_route() -> Callable[[Any], None]:
    body = jpeg_bytes((320, 240))
    return lambda h: reply(h, 200, body, "image/jpeg")


def _image(url: str, n: int) -> dict[str, Any]:
    return {
        "id": f"face-{n}",
        "url": url,
        "boundingBox": _fractions(0.2, 0.2, 0.6, 0.7),
        "boundingBoxConfidence": 0.9,
        "isFrontal": True,
    }


@pytest.fixture()
def api_and_image_host(
    loopback: Callable[..., Loopback],  # noqa: F811
) -> tuple[Loopback, Loopback]:
    """A loopback API with credentials and an image host that records every request."""
    images = loopback(
        {"/a.jpg": _jpeg_route(), "/gone.jpg": lambda h: reply(h, 404, b"{}")},
    )
    images.routes["/hop.jpg"] = redirect_to(images.url("/a.jpg"))
    api = loopback({})
    group = {
        "id": "g1",
        "images": [
            _image(images.url("/a.jpg"), 0),
            _image(images.url("/hop.jpg"), 1),
            _image(images.url("/gone.jpg"), 2),
            _image(api.url("/files/c.jpg"), 3),  # an image on the API's own origin
        ],
    }
    token = json.dumps({"accessToken": TOKEN, "expiresAt": 4_102_444_800_000}).encode()
    api.routes.update(
        {
            "/v2/oauth/token": lambda h: reply(h, 200, token),
            "/v2/recognition/groups/acme/g1": lambda h: reply(h, 200, json.dumps(group).encode()),
            "/v2/recognition/groups/acme/moved": redirect_to(images.url("/stolen")),
            "/v3/oauth/token": redirect_to(images.url("/token"), 307),
            "/files/c.jpg": _jpeg_route(),
        }
    )
    return api, images


def _credentials(kind: str, api: Loopback, path: str = "/v2") -> Settings:
    base = Settings(api_url=api.url(path), api_timeout_s=5.0, allow_private_image_hosts=True)
    if kind == "token":
        return replace(base, access_token=TOKEN)
    return replace(base, client_id=CLIENT_ID, client_secret=CLIENT_SECRET)


def _leaks(text: str) -> bool:
    return any(secret in text for secret in SECRETS)


@pytest.mark.parametrize("kind", ["token", "client-credentials"])
def test_image_hosts_never_see_credentials(
    api_and_image_host: tuple[Loopback, Loopback], caplog: pytest.LogCaptureFixture, kind: str
) -> None:
    api, images = api_and_image_host
    settings = _credentials(kind, api)
    caplog.set_level(logging.DEBUG)
    with Client(settings) as client:
        group = client.get_group("acme", "g1")
    pipe = Pipeline(settings, HostPolicy(allow_private=True))
    try:
        results = pipe.annotated_many(group_by_image(group.faces), ViewOptions(), None)
    finally:
        pipe.close()
    assert [type(r).__name__ for r in results] == [
        "Rendered",
        "Rendered",
        "PictureFailure",
        "Rendered",
    ]
    assert results[2] == PictureFailure(
        images.url("/gone.jpg"), "The image is gone from its host (404)."
    )

    # the API got the token, where it belongs
    group_request = next(s for s in api.seen if s.path.endswith("/groups/acme/g1"))
    assert group_request.headers["Authorization"] == f"Bearer {TOKEN}"
    # no image request, on the image host or the API's own origin, carried anything secret
    image_requests = images.seen + [s for s in api.seen if s.path.startswith("/files/")]
    assert {s.path for s in image_requests} == {"/a.jpg", "/hop.jpg", "/gone.jpg", "/files/c.jpg"}
    for seen in image_requests:
        assert not {name.lower() for name in seen.headers} & {"authorization", "cookie"}
        assert not _leaks(json.dumps(seen.headers) + seen.path), seen
    # nor did anything logged on the way
    assert not any(_leaks(record.getMessage()) for record in caplog.records)
    assert all(not _leaks(r.reason) for r in results if isinstance(r, PictureFailure))


@pytest.mark.parametrize("kind", ["token", "client-credentials"])
def test_a_redirecting_api_does_not_hand_the_token_on(
    api_and_image_host: tuple[Loopback, Loopback], kind: str
) -> None:
    api, images = api_and_image_host
    with Client(_credentials(kind, api)) as client, pytest.raises(exc.APIError) as info:
        client.get_group("acme", "moved")
    assert info.value.message == (
        "The API answered with a redirect (302): set II_API_URL to the API's final address."
    )
    assert images.seen == []
    assert not _leaks(info.value.message) and not _leaks(repr(info.value))


def test_a_redirecting_token_endpoint_does_not_hand_the_secret_on(
    api_and_image_host: tuple[Loopback, Loopback],
) -> None:
    api, images = api_and_image_host
    settings = _credentials("client-credentials", api, "/v3")
    with Client(settings) as client, pytest.raises(exc.APIError) as info:
        client.get_group("acme", "g1")
    assert info.value.message == (
        "The API answered with a redirect (307): set II_API_URL to the API's final address."
    )
    assert images.seen == []  # the secret was posted once, to the API only
    assert [s.path for s in api.seen] == ["/v3/oauth/token"]
    assert CLIENT_SECRET in api.seen[0].body.decode()


def test_error_messages_never_carry_secrets(
    api_and_image_host: tuple[Loopback, Loopback], demo: DemoServer
) -> None:
    api, _ = api_and_image_host
    messages: list[str] = []
    cases: list[tuple[Settings, str, str]] = [
        (_credentials("token", api), "acme", "missing"),  # 404 from the API
        (_credentials("client-credentials", api), "acme", "moved"),
        (_credentials("client-credentials", api, "/v3"), "acme", "g1"),
        (replace(_credentials("token", api), api_url="http://127.0.0.1:9/v2"), "acme", "g1"),
        (Settings(api_url=demo.api_url, access_token=TOKEN), "acme", "demo-hostile"),  # 401
        (Settings(api_url=demo.api_url, client_id="x", client_secret=CLIENT_SECRET), "a b", "g"),
    ]
    for settings, namespace, group_id in cases:
        with Client(settings) as client, pytest.raises(exc.ViewerError) as info:
            client.get_group(namespace, group_id)
        messages += [info.value.message, str(info.value), repr(info.value)]
    assert len(messages) == 3 * len(cases)
    assert all(sentence(m) for m in messages[::3])
    assert not any(_leaks(m) for m in messages)


def test_settings_never_show_their_secrets() -> None:
    settings = Settings(access_token=TOKEN, client_id=CLIENT_ID, client_secret=CLIENT_SECRET)
    loaded = load_settings(
        {"II_API_URL": "https://api.example/v2", "II_ACCESS_TOKEN": TOKEN}, secrets_paths=()
    )
    for shown in (repr(settings), str(settings), repr(loaded), f"{loaded}"):
        assert not _leaks(shown), shown
    assert CLIENT_ID in repr(settings)  # the id is not a secret and helps to debug


def test_image_failures_never_carry_secrets(demo: DemoServer) -> None:
    settings = Settings(api_url=demo.api_url, access_token=TOKEN, client_secret=CLIENT_SECRET)
    kinds = ("404", "403", "redirect-loop", "redirect-metadata", "not-image", "truncated")
    items = [(demo.base_url + "/images/bad/" + kind, []) for kind in kinds]
    pipe = Pipeline(settings, HostPolicy(allowed_origins=[demo.base_url]))
    try:
        results = pipe.annotated_many(items, ViewOptions(), 320)
        direct = [pipe.fetcher.fetch(url) for url, _ in items[:4]]
    finally:
        pipe.close()
    assert all(isinstance(r, PictureFailure) and not _leaks(r.reason) for r in results)
    assert all(isinstance(r, FetchFailure) and not _leaks(r.reason) for r in direct)


# ---------------------------------------------------------------------------------------------
# 6. Inputs that cannot be a path segment: refused with a sentence, before any request

BAD_INPUTS = [
    ("acme", "a b", "The group ID contains a space; remove it."),
    ("acme", "a\u00a0b", "The group ID contains a space; remove it."),
    ("acme", "a\u3000b", "The group ID contains a space; remove it."),
    ("acme", "a/b", "The group ID contains a slash; enter the group ID alone, not a path or URL."),
    ("acme", "a\\b", "The group ID contains a slash; enter the group ID alone, not a path or URL."),
    ("acme", "..", "The group ID cannot be '..'; enter a real group ID."),
    ("acme", "%2e%2e", "The group ID contains '%'; enter it decoded, as the API shows it."),
    ("acme", "a%00b", "The group ID contains '%'; enter it decoded, as the API shows it."),
    ("acme", "x" * 10_000, "The group ID is 10,000 characters long; the API allows at most 256."),
    ("acme", "x" * 257, "The group ID is 257 characters long; the API allows at most 256."),
    (
        "acme",
        "a\tb",
        "The group ID contains a control character; retype it without pasted formatting.",
    ),
    (
        "acme",
        "a\x7fb",
        "The group ID contains a control character; retype it without pasted formatting.",
    ),
    (
        "acme",
        "a\u200bb",
        "The group ID contains a control character; retype it without pasted formatting.",
    ),
    (
        "acme",
        "a\u202eb",
        "The group ID contains a control character; retype it without pasted formatting.",
    ),
    (
        "acme",
        "a\u2028b",
        "The group ID contains a control character; retype it without pasted formatting.",
    ),
    ("acme", "", "Enter a group ID: it is empty."),
    (" acme", SAMPLE_ID, "The namespace contains a space; remove it."),
    (
        "https://evil.example/x",
        SAMPLE_ID,
        "The namespace contains a slash; enter the namespace alone, not a path or URL.",
    ),
    ("x" * 129, SAMPLE_ID, "The namespace is 129 characters long; the API allows at most 128."),
]


@pytest.mark.parametrize(("namespace", "group_id", "message"), BAD_INPUTS)
def test_bad_input_is_refused_before_any_request(
    settings: Settings, demo: DemoServer, namespace: str, group_id: str, message: str
) -> None:
    demo.reset_counts()
    with Client(settings) as client, pytest.raises(exc.InvalidInputError) as info:
        client.get_group(namespace, group_id)
    assert info.value.message == message
    assert demo.request_count() == 0  # not even the token exchange


@pytest.mark.parametrize("namespace", ["a b", "a/b", "..", "%2e%2e", "a\x00b", "x" * 10_000, ""])
def test_bad_namespace_is_refused_before_search(
    settings: Settings, demo: DemoServer, namespace: str
) -> None:
    demo.reset_counts()
    with Client(settings) as client, pytest.raises(exc.InvalidInputError) as info:
        client.search_groups(namespace)
    assert sentence(info.value.message)
    assert demo.request_count() == 0


def test_odd_but_valid_ids_are_sent_encoded(settings: Settings, demo: DemoServer) -> None:
    """What is allowed through is percent-encoded whole and answered as an ordinary 404."""
    demo.reset_counts()
    with Client(settings) as client:
        for group_id in ("...", "a?b#c", "ü<script>", "a;b=c"):
            with pytest.raises(exc.NotFoundError) as info:
                client.get_group("acme", group_id)
            assert info.value.message == (
                "No such group (404): check the namespace and the group ID."
            )
    assert demo.request_count(GROUPS + "acme/") == 4
