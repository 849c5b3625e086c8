"""Detail through the app: long values shown whole, the photo with the group's other faces in
it, and the photo at its own pixel size."""

from __future__ import annotations

import base64
import io

from PIL import Image

from tests.ui.apptest import picture, run_keeping_media
from viewer.demo.server import DemoServer
from viewer.ui.detail import DETAIL_SHOWN, FULL_SIZE, LONG_VALUE

LONG_ID = "crowd-0002-" + "0123456789" * 8  # no spaces: nothing to wrap at but the width
LONG_FEED = "Camera_" + "north-entrance-" * 6
QUERY = "?signature=" + "abcdef0123" * 9


def _lengthen(server: DemoServer) -> str:
    """Give face #3 of demo-crowd (it shares its photo with #4) a long customId, feedId and
    URL; the URL's query string does not change the picture. Returns the long URL."""
    faces = server.data.groups[("acme", "demo-crowd")]["images"]
    long_url = faces[2]["url"] + QUERY
    faces[2].update(customId=LONG_ID, feedId=LONG_FEED, url=long_url)
    faces[3]["url"] = long_url
    return long_url


def test_long_values_are_shown_whole_and_the_photo_at_full_size(
    on_own_demo: DemoServer,
) -> None:
    long_url = _lengthen(on_own_demo)
    assert min(len(LONG_ID), len(LONG_FEED), len(long_url)) > LONG_VALUE
    at = run_keeping_media(namespace="acme", group="demo-crowd", view="detail", face="2")
    assert not at.exception
    shown = [c.value for c in at.main.code]
    for value in (LONG_ID, LONG_FEED, long_url):
        assert value in shown, value  # whole, in a block that wraps, not cut
    assert "the group's 1 other face(s) in this photo" in " ".join(c.value for c in at.main.caption)
    photo = picture(at.main.image[-1])
    at.button(key=FULL_SIZE).click().run()
    assert not at.exception
    (html,) = [h.proto.body for h in at.get("html") if "full size" in h.proto.body]
    assert "data:image/jpeg;base64," in html and "max-width:none" in html
    assert LONG_ID not in html and QUERY not in html  # our picture only, no API text
    data = html.split("data:image/jpeg;base64,", 1)[1].split('"', 1)[0]
    with Image.open(io.BytesIO(base64.b64decode(data))) as full:
        assert full.size == photo.size  # every pixel of the photo, one to one
    assert photo.width > DETAIL_SHOWN  # more than the page's column shows
