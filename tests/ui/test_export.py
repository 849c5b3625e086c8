"""The Export panel: lazy download buttons, and files that hold exactly the faces shown."""

from __future__ import annotations

import csv
import io
import zipfile

from streamlit.testing.v1 import AppTest

from tests.ui.apptest import download, run_keeping_media
from viewer.demo.server import DemoServer
from viewer.models import parse_group
from viewer.ui.export import export_file_names


def test_export_buttons_are_offered_for_the_shown_faces(on_demo: DemoServer) -> None:
    at = run_keeping_media(namespace="acme", group="demo-crowd", pose="frontal")
    assert not at.exception
    keys = {b.key for b in at.get("download_button")}
    assert {"download_zip", "download_sheet_png", "download_sheet_jpg"} <= keys
    # the ZIP, built as a click builds it, holds the faces that pass the filter, no others
    frontal = [
        f["id"] for f in on_demo.data.groups[("acme", "demo-crowd")]["images"] if f["isFrontal"]
    ]
    assert 0 < len(frontal) < 13
    archive = zipfile.ZipFile(io.BytesIO(download(at, "download_zip")))
    rows = list(csv.DictReader(io.StringIO(archive.read("faces.csv").decode("utf-8"))))
    assert [r["id"] for r in rows] == frontal
    assert {m.label: m.value for m in at.metric}["Shown"] == str(len(frontal))
    assert f"Faces:        {len(frontal)} of 13 in the group" in archive.read("README.txt").decode()


def _panel_app(api_url: str, base_url: str) -> None:
    from viewer.api import Client
    from viewer.compose import ViewOptions
    from viewer.config import Settings
    from viewer.hosts import HostPolicy
    from viewer.pipeline import Pipeline
    from viewer.ui.export import export_panel

    s = Settings(api_url=api_url, client_id="panel", client_secret="panel-secret")
    with Client(s) as client:
        group = client.get_group("acme", "demo-crowd")
    export_panel(Pipeline(s, HostPolicy(False, [base_url])), group, group.faces, ViewOptions(), s)


def test_export_panel_offers_three_lazy_downloads(demo: DemoServer) -> None:
    demo.reset_counts()
    at = AppTest.from_function(_panel_app, args=(demo.api_url, demo.base_url)).run(timeout=30)
    assert not at.exception
    buttons = {b.key: b for b in at.get("download_button")}
    assert sorted(buttons) == ["download_sheet_jpg", "download_sheet_png", "download_zip"]
    for button in buttons.values():
        assert button.proto.deferred_file_id  # data is a callable, built on click
    assert demo.request_count("/images/") == 0  # so nothing was downloaded to show them
    assert "13 of 13 faces" in at.caption[0].value


def test_export_file_names_come_from_a_safe_group_id() -> None:
    names = export_file_names(parse_group({"id": "../../x y"}))
    assert names == {
        "zip": "group-x_y.zip",
        "png": "group-x_y-faces.png",
        "jpeg": "group-x_y-faces.jpg",
    }
