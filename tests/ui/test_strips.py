"""A group's best faces as a strip: failed images and blurry faces give way to the next best."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tests.ui.apptest import unescaped
from viewer.demo.server import DemoServer


def _strip_of_failing_faces() -> None:
    """demo-broken's faces whose image is a 404 or no image at all, drawn as a strip."""
    from viewer.compose import ViewOptions
    from viewer.ui import resources
    from viewer.ui.strips import best_strip

    s = resources.settings()
    group = resources.group(s, "acme", "demo-broken")
    failing = [f for f in group.faces if f.custom_id in ("broken-url-404", "broken-not-an-image")]
    best_strip(resources.pipeline(s), failing, ViewOptions(), 6)


def test_a_strip_with_no_usable_face_says_so(on_demo: DemoServer) -> None:
    at = AppTest.from_function(_strip_of_failing_faces, default_timeout=60).run()
    assert not at.exception
    assert not at.image
    assert [unescaped(c.value) for c in at.caption] == [
        "No usable face to show: 2 faces whose image failed. Open the group to see every face."
    ]
