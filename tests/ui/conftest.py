"""Fixtures for the page's tests: no ambient settings, and the app pointed at a demo API."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.ui.apptest import SMALL_LARGE
from viewer.demo.server import DemoServer


@pytest.fixture(autouse=True)
def _no_ambient_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No API or analyst from the environment; verdicts in a SQLite file of the test's own;
    no face scoring (its downloads would count among the requests the tests count)."""
    for name in (
        "II_API_URL",
        "II_ACCESS_TOKEN",
        "II_CLIENT_ID",
        "II_CLIENT_SECRET",
        "II_DATABASE_URL",
        "II_ANALYST",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("II_REVIEW_DB", str(tmp_path / "review.sqlite3"))
    # the face model scores every face in the background; the tests of identity turn it on
    monkeypatch.setenv("II_FACE_MODEL", "off")
    monkeypatch.setenv("II_CACHE_DIR", str(tmp_path / "cache"))


@pytest.fixture()
def on_demo(monkeypatch: pytest.MonkeyPatch, demo: DemoServer) -> DemoServer:
    """Point the app at the test's own demo API, so requests can be counted."""
    monkeypatch.setenv("II_API_URL", demo.api_url)
    monkeypatch.setenv("II_ACCESS_TOKEN", demo.static_token)
    monkeypatch.setenv("II_ALLOW_PRIVATE_IMAGE_HOSTS", "1")
    return demo


@pytest.fixture()
def on_own_demo(monkeypatch: pytest.MonkeyPatch) -> Iterator[DemoServer]:
    """A demo API for this test alone, so its request counts see only this test's requests
    (a new API URL also gives the app a new, empty pipeline)."""
    server = DemoServer(host="127.0.0.1", port=0).start()
    monkeypatch.setenv("II_API_URL", server.api_url)
    monkeypatch.setenv("II_ACCESS_TOKEN", server.static_token)
    monkeypatch.setenv("II_ALLOW_PRIVATE_IMAGE_HOSTS", "1")
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture()
def scoring_demo(monkeypatch: pytest.MonkeyPatch) -> Iterator[DemoServer]:
    """A demo whose demo-large has 200 faces (4 planted), with the face model on."""
    server = DemoServer(host="127.0.0.1", port=0, **SMALL_LARGE).start()
    monkeypatch.setenv("II_API_URL", server.api_url)
    monkeypatch.setenv("II_ACCESS_TOKEN", server.static_token)
    monkeypatch.setenv("II_ALLOW_PRIVATE_IMAGE_HOSTS", "1")
    monkeypatch.setenv("II_FACE_MODEL", "on")
    try:
        yield server
    finally:
        server.stop()
