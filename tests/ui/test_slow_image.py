"""A slow image never holds the page: the page settles with that tile still loading, says
so, and shows the picture once it has arrived. Over loopback HTTP: the demo API, with one
face's image on a server of the test's own that answers only when the test lets it."""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from PIL import Image

from tests.ui.apptest import gallery_images, rerun_until, run
from viewer.demo.server import DemoServer

GROUP = ("acme", "demo-crowd")


class HeldImage:
    """A loopback image host whose one picture is sent only once ``release`` is called."""

    def __init__(self) -> None:
        self.released = threading.Event()
        self.asked = threading.Event()
        buffer = io.BytesIO()
        Image.new("RGB", (1280, 720), (90, 140, 200)).save(buffer, "JPEG")
        body, held = buffer.getvalue(), self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                held.asked.set()
                held.released.wait(60)
                self.send_response(200)
                self.send_header("Content-Type", "image/jpeg")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *_: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/held.jpg"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.released.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture()
def held(on_own_demo: DemoServer) -> Iterator[HeldImage]:
    host = HeldImage()
    assert on_own_demo.data is not None
    on_own_demo.data.groups[GROUP]["images"][0]["url"] = host.url  # the group's first face
    try:
        yield host
    finally:
        host.close()


def loading(at) -> list[str]:  # type: ignore[no-untyped-def]
    return [c for i in gallery_images(at) for c in i.captions if "still loading" in c]


@pytest.mark.parametrize("view", ["gallery", "faces"])
def test_a_held_image_leaves_the_page_settled_and_fills_in_once_it_arrives(
    held: HeldImage, view: str
) -> None:
    at = run(namespace=GROUP[0], group=GROUP[1], view=view)  # returns: the image is still held
    assert not at.exception
    assert held.asked.is_set() and not held.released.is_set()
    assert len(loading(at)) == 1  # that one tile, and only it
    said = " ".join(c.value for c in at.main.caption)
    assert "1 picture still loading" in said and "the page can be used meanwhile" in said
    held.released.set()
    rerun_until(at, lambda at: not loading(at), timeout_s=30)
    assert not at.exception
    assert "still loading" not in " ".join(c.value for c in at.main.caption)
