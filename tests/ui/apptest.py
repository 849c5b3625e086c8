"""The page driven headless with AppTest, and the files it sent to the browser."""

from __future__ import annotations

import io
import re
import time
from collections.abc import Callable
from pathlib import Path

from PIL import Image
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[2] / "app.py")
SAMPLE = "ab36de62-fe3e-4907-8a03-7d27c21fa01a"
SMALL_LARGE = {"large_faces": 200, "large_photos": 30}  # the demo the face model tests score
# The media store of each run of ``run_keeping_media``, newest last. AppTest gives every run
# a store of its own and lets it go when the run ends; the page only holds URLs into it.
MEDIA: list[MediaFileManager] = []


def run(**params: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=90)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    return at


def _app_keeping_media() -> None:
    """app.py as it is, then a hold on this run's media store."""
    import runpy

    from streamlit import runtime

    from tests.ui.apptest import APP, MEDIA

    runpy.run_path(APP, run_name="__main__")
    MEDIA.append(runtime.get_instance().media_file_mgr)


def run_keeping_media(**params: str) -> AppTest:
    """Like ``run``; every run of the returned AppTest keeps its media for ``picture`` and
    ``download``."""
    MEDIA.clear()
    at = AppTest.from_function(_app_keeping_media, default_timeout=90)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    return at


def picture(image_element: object) -> Image.Image:
    """The first picture of an image element, decoded from the bytes the last run sent."""
    url = image_element.proto.imgs[0].url  # type: ignore[attr-defined]
    stored = MEDIA[-1].read_file(url.rsplit("/", 1)[-1])
    assert stored is not None, f"{url} is not in the last run's media"
    return Image.open(io.BytesIO(stored.content))


def download(at: AppTest, key: str) -> bytes:
    """The file a download button gives, built as a click builds it (by its callable)."""
    (button,) = [b for b in at.get("download_button") if b.key == key]
    url = MEDIA[-1].execute_deferred(button.proto.deferred_file_id)
    stored = MEDIA[-1].read_file(url.rsplit("/", 1)[-1])
    assert stored is not None, f"{url} is not in the last run's media"
    return stored.content


def unescaped(markdown: str) -> str:
    """Text as the page shows it: the viewer escapes Markdown specials with backslashes."""
    return re.sub(r"\\(.)", r"\1", markdown)


def gallery_images(at: AppTest) -> list:
    """Images in the main area (the sidebar holds the colour legend)."""
    return list(at.main.image)


def rerun_until(at: AppTest, done: Callable[[AppTest], bool], timeout_s: float = 120.0) -> AppTest:
    """Rerun the page (as its refresh would) until ``done`` says it shows what is awaited."""
    deadline = time.monotonic() + timeout_s
    while not done(at):
        assert not at.exception, at.exception
        assert time.monotonic() < deadline, "the page never showed what was awaited"
        time.sleep(1.0)
        at.run()
    assert not at.exception, at.exception
    return at
