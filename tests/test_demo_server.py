"""The demo API over real HTTP on loopback: auth, groups, search, images, faults and knobs."""

from __future__ import annotations

import io
import json
import math
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import requests
from PIL import Image, ImageFilter

from viewer.demo import (
    BAD_KINDS,
    FAULT_KINDS,
    SAMPLE_GROUP,
    SAMPLE_GROUP_ID,
    DataSet,
    DemoServer,
    build_groups,
    impostor_ids,
)
from viewer.demo.bad_images import bad_face
from viewer.demo.scenes import FaceSpec, PhotoSpec, look_for, render_photo

AUTH = {"Authorization": "Bearer demo-token"}
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def server() -> Iterator[DemoServer]:
    with DemoServer() as demo:
        yield demo


@pytest.fixture(scope="module")
def knobs() -> Iterator[DemoServer]:
    """A second server with latency and a small demo-large."""
    with DemoServer(
        api_latency_s=0.2, image_latency_s=0.3, large_faces=321, large_photos=77
    ) as demo:
        yield demo


def group_url(demo: DemoServer, namespace: str, group_id: str) -> str:
    return f"{demo.api_url}/recognition/groups/{namespace}/{group_id}"


def get_group(demo: DemoServer, namespace: str, group_id: str) -> dict[str, Any]:
    response = requests.get(group_url(demo, namespace, group_id), headers=AUTH, timeout=10)
    assert response.status_code == 200, response.text
    return response.json()


def search(demo: DemoServer, body: Any, namespace: str = "acme") -> requests.Response:
    url = f"{demo.api_url}/recognition/groups/{namespace}/search"
    return requests.post(url, json=body, headers=AUTH, timeout=10)


def fetch_image(url: str) -> Image.Image:
    response = requests.get(url, timeout=10)
    assert response.status_code == 200, url
    return Image.open(io.BytesIO(response.content))


# --- tokens and access ------------------------------------------------------------------


def test_token_exchange_issues_a_working_token(server: DemoServer) -> None:
    body = {"clientId": "anyone", "clientSecret": "anything"}
    response = requests.post(f"{server.api_url}/oauth/token", json=body, timeout=10)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    data = response.json()
    assert data["expiresAt"] - data["issuedAt"] == 24 * 3600 * 1000
    assert abs(data["issuedAt"] - time.time() * 1000) < 60_000
    assert data["orgName"] == "Demo Org"
    assert data["scope"] == "recognition:read"
    headers = {"Authorization": f"Bearer {data['accessToken']}"}
    group = requests.get(group_url(server, "acme", SAMPLE_GROUP_ID), headers=headers, timeout=10)
    assert group.status_code == 200


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"clientId": "a"}, "clientSecret"),
        ({"clientSecret": "b"}, "clientId"),
        ({"clientId": "", "clientSecret": "b"}, "clientId"),
        ({"clientId": 7, "clientSecret": "b"}, "clientId"),
        (b"{not json", "JSON"),
        (b"[]", "object"),
    ],
)
def test_token_exchange_refuses_a_bad_body(server: DemoServer, body: Any, field: str) -> None:
    url = f"{server.api_url}/oauth/token"
    if isinstance(body, bytes):
        response = requests.post(url, data=body, timeout=10)
    else:
        response = requests.post(url, json=body, timeout=10)
    assert response.status_code == 400
    assert field in response.json()["message"]


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer wrong"}, {"Authorization": "Basic demo-token"}],
    ids=["none", "wrong-token", "wrong-scheme"],
)
def test_recognition_paths_need_a_known_token(server: DemoServer, headers: dict) -> None:
    for url in (group_url(server, "acme", SAMPLE_GROUP_ID), group_url(server, "faults", "429")):
        response = requests.get(url, headers=headers, timeout=10)
        assert response.status_code == 401
        assert response.json() == {"message": "Unauthorized"}


def test_private_namespace_is_forbidden(server: DemoServer) -> None:
    response = requests.get(group_url(server, "private", SAMPLE_GROUP_ID), headers=AUTH, timeout=10)
    assert response.status_code == 403
    assert search(server, {}, namespace="private").status_code == 403


def test_unknown_group_is_404(server: DemoServer) -> None:
    response = requests.get(group_url(server, "acme", "no-such-group"), headers=AUTH, timeout=10)
    assert response.status_code == 404
    assert "no-such-group" in response.json()["message"]
    # The group exists, but in another namespace.
    other = requests.get(group_url(server, "acme2", "demo-fractions"), headers=AUTH, timeout=10)
    assert other.status_code == 404


def test_path_segments_are_percent_decoded(server: DemoServer) -> None:
    assert get_group(server, "%61cme", "demo%2Dfractions")["id"] == "demo-fractions"


# --- groups -----------------------------------------------------------------------------


def test_sample_group_is_the_documented_one_but_for_its_url(server: DemoServer) -> None:
    group = get_group(server, "acme", SAMPLE_GROUP_ID)
    expected = json.loads(json.dumps(SAMPLE_GROUP))
    url = group["images"][0].pop("url")
    expected["images"][0].pop("url")
    assert group == expected
    assert url == f"{server.base_url}/images/sample/image-001.jpg"
    assert fetch_image(url).size == (150, 200)


def test_sample_group_matches_the_api_document() -> None:
    """tests/data/sample_group.json is the response sample of the endpoint's documentation."""
    documented = json.loads((Path(__file__).parent / "data" / "sample_group.json").read_text())
    assert documented == SAMPLE_GROUP


def test_every_group_has_the_documented_fields(server: DemoServer) -> None:
    fields = {"id", "identityId", "batchId", "namespace", "linkModifiedBy"}
    fields |= {"linkLastModifiedAt", "createdAt", "images"}
    image_fields = {"id", "customId", "feedId", "identityId", "url", "boundingBox", "groupId"}
    image_fields |= {"boundingBoxConfidence", "type", "isFrontal", "sharpness", "width"}
    image_fields |= {"height", "createdAt"}
    links = set()
    for group_id in ("demo-fractions", "demo-pixels", "demo-crowd", "demo-person-a1"):
        group = get_group(server, "acme", group_id)
        assert fields <= set(group)
        assert group["id"] == group_id
        links.add(group["linkModifiedBy"])
        for image in group["images"]:
            assert set(image) == image_fields
            assert image["type"] == "FACE"
            assert 0 < image["boundingBoxConfidence"] <= 1
            assert image["createdAt"] > 1_790_000_000_000  # milliseconds in Nov 2026
    assert links == {"ML", "MANUAL", "HITL"}


def test_fraction_group_images_decode_at_the_reported_size(server: DemoServer) -> None:
    group = get_group(server, "acme", "demo-fractions")
    assert len(group["images"]) == 24
    sizes = set()
    for image in group["images"][:8]:
        box = image["boundingBox"]
        assert all(0 <= v <= 1 and round(v, 5) == v for v in box.values())
        decoded = fetch_image(image["url"])
        assert decoded.format == "JPEG"
        assert decoded.size == (image["width"], image["height"])
        sizes.add(decoded.size)
    assert len(sizes) >= 3


def test_pixel_group_reports_two_sizes_that_differ_from_the_image(server: DemoServer) -> None:
    group = get_group(server, "acme", "demo-pixels")
    scaled = []
    for image in group["images"]:
        box = image["boundingBox"]
        assert all(isinstance(v, int) for v in box.values())
        assert box["xMax"] <= image["width"] and box["yMax"] <= image["height"]
        assert max(box.values()) > 1
        size = fetch_image(image["url"]).size
        if size != (image["width"], image["height"]):
            scaled.append((image["width"] / size[0], image["height"] / size[1]))
    assert scaled == [(2.0, 2.0), (2.0, 2.0)]


def test_crowd_frames_hold_other_faces_and_shared_urls(server: DemoServer) -> None:
    group = get_group(server, "acme", "demo-crowd")
    urls = [image["url"] for image in group["images"]]
    assert len(set(urls)) < len(urls)
    specs = [server.data.photos["/images/" + url.split("/images/", 1)[1]] for url in set(urls)]
    assert all(3 <= len(spec.faces) <= 6 for spec in specs)
    assert all(len({face.person for face in spec.faces}) >= 2 for spec in specs)


def test_broken_group_has_each_kind_of_breakage(server: DemoServer) -> None:
    images = get_group(server, "acme", "demo-broken")["images"]
    statuses = {}
    for image in images:
        if "url" in image:
            statuses[image["customId"]] = requests.get(image["url"], timeout=10).status_code
    assert statuses.pop("broken-url-404") == 404
    assert set(statuses.values()) == {200}
    assert sum("url" not in image for image in images) == 1
    assert sum("boundingBox" not in image for image in images) == 1
    by_name = {image["customId"]: image for image in images}
    inverted = by_name["broken-inverted-box"]["boundingBox"]
    assert inverted["xMin"] > inverted["xMax"] and inverted["yMin"] > inverted["yMax"]
    not_image = requests.get(by_name["broken-not-an-image"]["url"], timeout=10)
    assert not_image.headers["Content-Type"].startswith("text/html")


def test_large_group_has_the_configured_faces_and_frames(
    server: DemoServer, knobs: DemoServer
) -> None:
    for demo, faces, photos in ((server, 2000, 300), (knobs, 321, 77)):
        group = get_group(demo, "acme", "demo-large")
        images = group["images"]
        assert len(images) == faces
        assert len({i["url"] for i in images}) == photos
        assert len({i["id"] for i in images}) == faces
        assert demo.data is not None
        others = demo.data.impostor_ids
        assert others <= {i["id"] for i in images}
        assert len(others) == round(faces * 0.02)
    frontal = [i["isFrontal"] for i in get_group(server, "acme", "demo-large")["images"]]
    assert 0.1 < frontal.count(False) / len(frontal) < 0.3
    assert impostor_ids() == server.data.impostor_ids


def test_impostors_are_drawn_as_another_person(server: DemoServer) -> None:
    assert server.data is not None
    images = get_group(server, "acme", "demo-large")["images"]
    impostor = next(i for i in images if i["id"] in server.data.impostor_ids)
    spec = server.data.photos["/images/" + impostor["url"].split("/images/", 1)[1]]
    w, h = spec.wh
    box = impostor["boundingBox"]
    drawn = {(round(f.xyxy[0] / w, 5), round(f.xyxy[1] / h, 5)): f.person for f in spec.faces}
    other = drawn[(box["xMin"], box["yMin"])]
    usual = {f.person for f in spec.faces} - {other}
    assert len(usual) <= 1
    if usual:
        assert look_for(other) != look_for(usual.pop())


def test_the_same_person_in_two_groups(server: DemoServer) -> None:
    a1 = get_group(server, "acme", "demo-person-a1")
    a2 = get_group(server, "acme", "demo-person-a2")
    b = get_group(server, "acme", "demo-person-b")
    assert a1["identityId"] == a2["identityId"] != b["identityId"]
    assert {i["url"] for i in a1["images"]}.isdisjoint(i["url"] for i in a2["images"])
    assert len(a1["images"]) == len(a2["images"]) == len(b["images"]) == 12


def test_bad_data_group_carries_malformed_values(server: DemoServer) -> None:
    raw = requests.get(group_url(server, "acme", "demo-bad-data"), headers=AUTH, timeout=10).text
    assert "NaN" in raw and "Infinity" in raw
    images = json.loads(raw)["images"]
    faces = [i for i in images if isinstance(i, dict)]
    ids = [i.get("id") for i in faces if i.get("id")]
    assert len(ids) > len(set(ids))
    assert any(i.get("customId") == "<script>alert(1)</script>" for i in faces)
    assert any(i.get("feedId") == "<b>bold</b>" for i in faces)
    assert any(isinstance(i.get("feedId"), list) for i in faces)
    assert any(isinstance(i.get("url"), int) for i in faces)
    assert any(isinstance(i.get("boundingBoxConfidence"), str) for i in faces)
    assert any(isinstance(i.get("createdAt"), int) and i["createdAt"] < 10**11 for i in faces)
    assert any(isinstance(i.get("sharpness"), float) and math.isinf(i["sharpness"]) for i in faces)
    assert not all(isinstance(i, dict) for i in images)
    good = [i for i in faces if isinstance(i.get("url"), str)]
    assert len(good) > len(images) / 2


def test_other_namespace_has_its_own_group(server: DemoServer) -> None:
    assert get_group(server, "acme2", "demo-small")["namespace"] == "acme2"


def test_build_groups_is_deterministic() -> None:
    first = build_groups("http://127.0.0.1:1", large_faces=50, large_photos=20)
    second = build_groups("http://127.0.0.1:1", large_faces=50, large_photos=20)
    assert json.dumps(first[("acme", "demo-bad-data")]) == json.dumps(
        second[("acme", "demo-bad-data")]
    )  # NaN is not equal to itself, so compare the text
    del first[("acme", "demo-bad-data")], second[("acme", "demo-bad-data")]
    assert first == second
    assert len(first[("acme", "demo-large")]["images"]) == 50
    other = build_groups("http://127.0.0.1:2", large_faces=50, large_photos=20)
    assert other[("acme", "demo-fractions")]["images"][0]["url"].startswith("http://127.0.0.1:2/")


# --- search -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"limit": 0}, "limit"),
        ({"limit": 101}, "limit"),
        ({"limit": "5"}, "limit"),
        ({"limit": True}, "limit"),
        ({"offset": -1}, "offset"),
        ({"offset": 101}, "offset"),
        ({"sortBy": "up"}, "sortBy"),
        ({"start": "yesterday"}, "start"),
        ({"end": -5}, "end"),
        ({"ids": "demo-large"}, "ids"),
        ({"feedIds": [1]}, "feedIds"),
        ({"customIds": {"a": 1}}, "customIds"),
        ([], "object"),
    ],
)
def test_search_refuses_bad_fields(server: DemoServer, body: Any, field: str) -> None:
    response = search(server, body)
    assert response.status_code == 400
    assert field in response.json()["message"]


def test_search_pages_through_distinct_groups_newest_first(server: DemoServer) -> None:
    pages = [search(server, {"limit": 4, "offset": offset}).json() for offset in (0, 4, 8, 12)]
    ids = [g["id"] for page in pages for g in page]
    assert [len(p) for p in pages] == [4, 4, 3, 0]
    assert len(set(ids)) == len(ids) == 11
    assert SAMPLE_GROUP_ID in ids and "demo-small" not in ids
    created = [g["createdAt"] for page in pages for g in page]
    assert created == sorted(created, reverse=True)
    ascending = search(server, {"limit": 100, "sortBy": "ASC"}).json()
    assert [g["id"] for g in ascending] == ids[::-1]
    assert all("images" in g for g in ascending)


def test_search_filters(server: DemoServer) -> None:
    default = search(server, {}).json()
    assert len(default) == 11  # default limit 20
    by_feed = search(server, {"feedIds": ["Camera_123456"]}).json()
    assert [g["id"] for g in by_feed] == [SAMPLE_GROUP_ID]
    by_ids = search(server, {"ids": ["demo-crowd", "demo-pixels", "nope"]}).json()
    assert sorted(g["id"] for g in by_ids) == ["demo-crowd", "demo-pixels"]
    by_custom = search(server, {"customIds": ["some_person_filled_image"]}).json()
    assert [g["id"] for g in by_custom] == [SAMPLE_GROUP_ID]
    old = search(server, {"end": 1_600_000_000_000}).json()
    assert [g["id"] for g in old] == [SAMPLE_GROUP_ID]
    recent = search(server, {"start": 1_600_000_000_000}).json()
    assert len(recent) == 10 and SAMPLE_GROUP_ID not in {g["id"] for g in recent}
    assert search(server, {}, namespace="nobody").json() == []


# --- images -----------------------------------------------------------------------------


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


# --- faults -----------------------------------------------------------------------------


def test_fault_kinds_answer_as_named(server: DemoServer) -> None:
    def fault(kind: str) -> requests.Response:
        return requests.get(group_url(server, "faults", kind), headers=AUTH, timeout=10)

    too_many = fault("429")
    assert too_many.status_code == 429 and too_many.headers["Retry-After"] == "1"
    assert fault("not-object").json() == [1, 2, 3]
    empty = fault("empty")
    assert empty.status_code == 200 and empty.content == b""
    assert empty.headers["Content-Length"] == "0"
    assert fault("html").headers["Content-Type"].startswith("text/html")
    with pytest.raises(ValueError):
        fault("truncated-json").json()
    assert [fault(str(code)).status_code for code in (500, 502, 503)] == [500, 502, 503]
    huge = fault("huge")
    assert len(huge.content) >= 8 * 1024 * 1024
    assert huge.json()["id"] == SAMPLE_GROUP_ID
    assert fault("no-such-kind").status_code == 404


@pytest.mark.parametrize(("kind", "status"), [("429-once", 429), ("503-once", 503)])
def test_once_faults_fail_the_first_request_only(
    server: DemoServer, kind: str, status: int
) -> None:
    server.reset_counts()
    url = group_url(server, "faults", kind)
    codes = [requests.get(url, headers=AUTH, timeout=10).status_code for _ in range(3)]
    assert codes == [status, 200, 200]
    server.reset_counts()
    assert requests.get(url, headers=AUTH, timeout=10).status_code == status


def test_reset_fault_breaks_the_connection(server: DemoServer) -> None:
    broken = (requests.exceptions.ConnectionError, requests.exceptions.ChunkedEncodingError)
    with pytest.raises(broken, match=r"reset|broken|aborted"):
        requests.get(group_url(server, "faults", "reset"), headers=AUTH, timeout=10)


def test_latency_fault_delays_the_answer(server: DemoServer) -> None:
    with pytest.raises(requests.exceptions.ReadTimeout):
        requests.get(group_url(server, "faults", "latency"), headers=AUTH, timeout=(2, 0.5))


def test_api_fault_applies_to_every_group_get() -> None:
    with DemoServer(api_fault="503", large_faces=10, large_photos=5) as demo:
        for group_id in (SAMPLE_GROUP_ID, "demo-pixels"):
            response = requests.get(group_url(demo, "acme", group_id), headers=AUTH, timeout=10)
            assert response.status_code == 503
        assert search(demo, {"limit": 2}).status_code == 200
    with pytest.raises(ValueError):
        DemoServer(api_fault="nonsense")
    assert "trickle" in FAULT_KINDS and "reset" in FAULT_KINDS


# --- counts and knobs -------------------------------------------------------------------


def test_request_count_counts_by_prefix(server: DemoServer) -> None:
    server.reset_counts()
    assert server.request_count() == 0
    requests.get(f"{server.base_url}/images/sample/image-001.jpg", timeout=10)
    requests.get(f"{server.base_url}/images/sample/image-001.jpg?x=1", timeout=10)
    requests.get(group_url(server, "acme", "demo-small"), headers=AUTH, timeout=10)
    assert server.request_count("/images/sample/") == 2
    assert server.request_count("/v2/recognition/groups/acme/") == 1
    assert server.request_count("/v2/oauth") == 0
    assert server.request_count() == 3
    server.reset_counts()
    assert server.request_count() == 0


def test_latency_knobs_delay_answers(knobs: DemoServer) -> None:
    started = time.monotonic()
    requests.get(f"{knobs.base_url}/images/photo/frac-001.jpg", timeout=10)
    assert time.monotonic() - started >= 0.3
    started = time.monotonic()
    requests.get(group_url(knobs, "acme", SAMPLE_GROUP_ID), headers=AUTH, timeout=10)
    assert time.monotonic() - started >= 0.2


def test_bandwidth_cap_slows_image_bodies() -> None:
    rate = 100_000  # bytes a second
    with DemoServer(bandwidth_bps=rate * 8, large_faces=10, large_photos=5) as demo:
        url = f"{demo.base_url}/images/photo/frac-002.jpg"
        requests.get(url, timeout=10)  # made and cached
        started = time.monotonic()
        body = requests.get(url, timeout=10).content
        elapsed = time.monotonic() - started
    assert len(body) > 20_000
    assert elapsed >= 0.9 * len(body) / rate


def test_stop_closes_the_port() -> None:
    demo = DemoServer(large_faces=10, large_photos=5).start()
    url = group_url(demo, "acme", SAMPLE_GROUP_ID)
    assert requests.get(url, headers=AUTH, timeout=5).status_code == 200
    demo.stop()
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.get(url, headers=AUTH, timeout=5)


def test_data_set_renders_any_path() -> None:
    data = DataSet("http://127.0.0.1:9", large_faces=10, large_photos=5)
    body, content_type, status = data.render_image("/images/sample/image-001.jpg")
    assert (content_type, status) == ("image/jpeg", 200)
    assert Image.open(io.BytesIO(body)).size == (150, 200)
    assert data.render_image("/images/elsewhere.png")[2] == 404


def test_command_line_serves_until_interrupted() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "viewer.demo", "--port", "0", "--quiet", "--large-faces", "20"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline().strip()
        assert first.startswith("Demo API: http://127.0.0.1:")
        api_url = first.removeprefix("Demo API: ")
        url = f"{api_url}/recognition/groups/acme/demo-large"
        assert len(requests.get(url, headers=AUTH, timeout=5).json()["images"]) == 20
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=10) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
