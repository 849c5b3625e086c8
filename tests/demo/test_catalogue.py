"""The catalogue's groups as served: fields, sizes, planted errors, determinism, README table."""

from __future__ import annotations

import io
import json
import math
import re
from pathlib import Path

import requests
from PIL import Image

from viewer.demo import (
    CATALOGUE,
    NAMESPACE,
    SAMPLE_GROUP,
    SAMPLE_GROUP_ID,
    DemoServer,
    build_data_set,
    build_groups,
    conflict_ids,
    duplicate_ids,
    impostor_ids,
)
from viewer.demo.catalogue import PERSON_A, PERSON_B, PERSON_CROWD, PERSON_LARGE
from viewer.demo.scenes import PhotoSpec, look_for

from .support import AUTH, fetch_image, get_group, group_url

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
    documented = json.loads((Path(__file__).parents[1] / "data" / "sample_group.json").read_text())
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


def photo_of(demo: DemoServer, url: str) -> PhotoSpec:
    assert demo.data is not None
    return demo.data.photos["/images/" + url.split("/images/", 1)[1]]


def test_large_group_has_the_configured_faces_frames_and_visits(
    server: DemoServer, knobs: DemoServer
) -> None:
    for demo, faces, visits in ((server, 2000, 300), (knobs, 321, 77)):
        group = get_group(demo, "acme", "demo-large")
        images = group["images"]
        assert len(images) == faces
        assert len({i["url"] for i in images}) == faces  # a frame of its own for each face
        assert len({photo_of(demo, i["url"]).seed for i in images}) == visits  # one scene each
        assert len({i["id"] for i in images}) == faces
        assert demo.data is not None
        others = demo.data.impostor_ids
        assert others <= {i["id"] for i in images}
        assert len(others) == round(faces * 0.02)
    frontal = [i["isFrontal"] for i in get_group(server, "acme", "demo-large")["images"]]
    assert 0.1 < frontal.count(False) / len(frontal) < 0.3
    assert impostor_ids() == server.data.impostor_ids
    assert impostor_ids(321, 77) == knobs.data.impostor_ids


def test_a_visit_is_a_burst_of_one_scene(server: DemoServer) -> None:
    images = get_group(server, "acme", "demo-large")["images"]
    visits: dict[int, list[PhotoSpec]] = {}
    for image in images:
        spec = photo_of(server, image["url"])
        visits.setdefault(spec.seed, []).append(spec)
    for frames in visits.values():
        assert len({f.feed_id for f in frames}) == 1
        times = [f.created_ms for f in frames]
        assert times == sorted(times) and times[-1] - times[0] < 15_000
        bystanders = [sorted(face.person for face in f.faces[1:]) for f in frames]
        assert all(b == bystanders[0] for b in bystanders)  # the same people, moving about
    assert max(len(frames) for frames in visits.values()) > 1


def test_large_group_shows_its_person_once_a_frame_among_bystanders(server: DemoServer) -> None:
    assert server.data is not None
    images = get_group(server, "acme", "demo-large")["images"]
    crowded = 0
    for image in images:
        spec = photo_of(server, image["url"])
        w, h = spec.wh
        box = image["boundingBox"]
        drawn = {(round(f.xyxy[0] / w, 5), round(f.xyxy[1] / h, 5)): f for f in spec.faces}
        face = drawn[(box["xMin"], box["yMin"])]
        rest = [f.person for f in spec.faces if f is not face]
        assert PERSON_LARGE not in rest  # nobody else in the frame is the group's person
        assert (face.person == PERSON_LARGE) == (image["id"] not in server.data.impostor_ids)
        crowded += bool(rest)
    assert 0.5 < crowded / len(images) < 0.95  # most frames hold bystanders, not members


def test_impostors_are_drawn_as_another_person(server: DemoServer) -> None:
    assert server.data is not None
    images = get_group(server, "acme", "demo-large")["images"]
    drawn_as = set()
    for impostor in (i for i in images if i["id"] in server.data.impostor_ids):
        spec = photo_of(server, impostor["url"])
        w, h = spec.wh
        box = impostor["boundingBox"]
        drawn = {(round(f.xyxy[0] / w, 5), round(f.xyxy[1] / h, 5)): f.person for f in spec.faces}
        other = drawn[(box["xMin"], box["yMin"])]
        assert PERSON_LARGE not in drawn.values()
        assert look_for(other).skin != look_for(PERSON_LARGE).skin
        drawn_as.add(other)
    assert len(drawn_as) > 1  # several people were merged in, not one


def iou(a: dict[str, float], b: dict[str, float]) -> float:
    w = min(a["xMax"], b["xMax"]) - max(a["xMin"], b["xMin"])
    h = min(a["yMax"], b["yMax"]) - max(a["yMin"], b["yMin"])
    inter = max(0.0, w) * max(0.0, h)

    def area(r: dict[str, float]) -> float:
        return (r["xMax"] - r["xMin"]) * (r["yMax"] - r["yMin"])

    return inter / (area(a) + area(b) - inter)


def test_faces_share_a_photo_only_where_errors_are_planted() -> None:
    """Per group, faces with a usable box that share an image URL are exactly the planted
    conflicts (boxes apart) and the planted double detection (IoU of at least 0.5)."""
    groups = build_groups("http://127.0.0.1:1", large_faces=400, large_photos=60)
    apart: set[str] = set()
    overlapping: set[str] = set()
    for group in groups.values():
        by_url: dict[str, list[dict]] = {}
        for image in group["images"]:
            if isinstance(image, dict) and isinstance(image.get("boundingBox"), dict):
                by_url.setdefault(str(image.get("url")), []).append(image)
        for shared in (faces for faces in by_url.values() if len(faces) > 1):
            assert len(shared) == 2, group["id"]
            first, second = shared
            if iou(first["boundingBox"], second["boundingBox"]) >= 0.5:
                overlapping |= {first["id"], second["id"]}
            else:
                assert iou(first["boundingBox"], second["boundingBox"]) == 0.0
                apart |= {first["id"], second["id"]}
    assert apart == conflict_ids() and len(apart) == 4
    assert overlapping == duplicate_ids() and len(overlapping) == 2
    crowd = {i["id"] for i in groups[("acme", "demo-crowd")]["images"]}
    assert apart | overlapping <= crowd


def test_the_double_detection_is_one_drawn_face(server: DemoServer) -> None:
    images = get_group(server, "acme", "demo-crowd")["images"]
    pair = [i for i in images if i["id"] in duplicate_ids()]
    assert len({i["url"] for i in pair}) == 1
    spec = photo_of(server, pair[0]["url"])
    assert [f.person for f in spec.faces].count(PERSON_CROWD) == 1
    assert server.data is not None
    assert server.data.conflict_ids == conflict_ids()
    assert server.data.duplicate_ids == duplicate_ids()


def test_the_same_person_in_two_groups(server: DemoServer) -> None:
    a1 = get_group(server, "acme", "demo-person-a1")
    a2 = get_group(server, "acme", "demo-person-a2")
    b = get_group(server, "acme", "demo-person-b")
    assert a1["identityId"] == a2["identityId"] != b["identityId"]
    assert {i["url"] for i in a1["images"]}.isdisjoint(i["url"] for i in a2["images"])
    assert len(a1["images"]) == len(a2["images"]) == len(b["images"]) == 12
    assert look_for(PERSON_A).skin != look_for(PERSON_B).skin


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


def test_data_set_renders_any_path() -> None:
    data = build_data_set("http://127.0.0.1:9", large_faces=10, large_photos=5)
    body, content_type, status = data.render_image("/images/sample/image-001.jpg")
    assert (content_type, status) == ("image/jpeg", 200)
    assert Image.open(io.BytesIO(body)).size == (150, 200)
    assert data.render_image("/images/elsewhere.png")[2] == 404


README = Path(__file__).resolve().parents[2] / "README.md"
TABLE_HEADING = "Groups in namespace `acme`:"
ROW = re.compile(r"\| `(?P<id>[^`]+)`(?: \(namespace `(?P<ns>[^`]+)`\))? \| (?P<text>.*) \|")


def readme_demo_rows() -> list[tuple[str, str, str]]:
    """(namespace, group id, description) for each row of the README's demo table."""
    lines = README.read_text(encoding="utf-8").splitlines()
    start = next(n for n, line in enumerate(lines) if line.endswith(TABLE_HEADING))
    rows = []
    for line in lines[start + 1 :]:
        if rows and not line.startswith("|"):
            break
        match = ROW.fullmatch(line)
        if match:
            rows.append((match["ns"] or NAMESPACE, match["id"], match["text"]))
        else:
            assert not line.startswith("| `"), f"a README demo row the test cannot read: {line}"
    return rows


def test_readme_demo_table_lists_the_catalogue() -> None:
    rows = readme_demo_rows()
    listed = [(namespace, group_id) for namespace, group_id, _ in rows]
    assert len(listed) == len(set(listed)), "a group is listed twice"
    assert {(ns, gid): text for ns, gid, text in rows} == {
        (e.namespace, e.group_id): e.description for e in CATALOGUE
    }
