"""Hostile images over real loopback HTTP: each bad answer is one sentence, the rest decodes.

The kinds come from the demo API's ``/images/bad/{kind}``. Cases the demo cannot serve (endless
bodies, gzip bombs, redirects to another origin, PostScript) come from small loopback servers
started here. Nothing is patched: every request crosses a real socket.
"""

from __future__ import annotations

import io
import socket
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import numpy as np
import pytest
import requests
from PIL import Image, ImageChops

from viewer.compose import Rendered, ViewOptions
from viewer.config import Settings
from viewer.decoding import decode, orient
from viewer.demo.bad_images import BAD_KINDS, bad_face, exif_stored_box
from viewer.demo.server import DemoServer
from viewer.exceptions import ImageError
from viewer.hosts import HostPolicy, origin_of
from viewer.images import Fetched, Fetcher, FetchFailure, FetchResult
from viewer.models import Face, parse_face
from viewer.pipeline import Pipeline

BAD = "/images/bad/"
SAMPLE_IMAGE = "/images/sample/image-001.jpg"
GOOD_IMAGE = "/images/photo/hostile-good.jpg"  # where the demo's ``redirect`` kind points

PRIVATE = (
    "The image host resolves to 127.0.0.1, a private or loopback address; set "
    "II_ALLOW_PRIVATE_IMAGE_HOSTS=1 to allow such hosts."
)
METADATA = (
    "The image host resolves to 169.254.169.254, a link-local or cloud-metadata address; "
    "the viewer never downloads from there."
)
TOO_LARGE_1MB = "The image is larger than 1 MB, the download limit."


# ---------------------------------------------------------------------------------------------
# Loopback servers and helpers (also used by test_hostile.py)


@dataclass(frozen=True)
class Seen:
    """One request a loopback server received."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes


Route = Callable[[BaseHTTPRequestHandler], None]


def reply(
    handler: BaseHTTPRequestHandler,
    status: int,
    body: bytes = b"",
    content_type: str = "application/json",
    headers: tuple[tuple[str, str], ...] = (),
) -> None:
    handler.send_response(status)
    handler.send_header("Content-Type", content_type)
    handler.send_header("Content-Length", str(len(body)))
    for name, value in headers:
        handler.send_header(name, value)
    handler.end_headers()
    handler.wfile.write(body)


def redirect_to(location: str, status: int = 302) -> Route:
    return lambda h: reply(h, status, b"", "text/plain", (("Location", location),))


class _Server(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that hangs up early is part of these tests


class _IPv6Server(_Server):
    address_family = socket.AF_INET6


class Loopback:
    """An HTTP/1.1 server on a free loopback port (``host``), served from a thread.

    ``routes`` maps a path (query ignored) to a function answering the request; other paths
    get 404. Every request is recorded in ``seen`` with its headers and body.
    """

    def __init__(self, routes: dict[str, Route], host: str = "127.0.0.1") -> None:
        self.host = host
        self.routes = dict(routes)
        self.seen: list[Seen] = []
        self._lock = threading.Lock()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                owner._handle(self, "GET")

            def do_POST(self) -> None:
                owner._handle(self, "POST")

        server_class = _IPv6Server if ":" in host else _Server
        self._server = server_class((host, 0), Handler)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()

    def _handle(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length) if length else b""
        with self._lock:
            self.seen.append(Seen(method, handler.path, dict(handler.headers), body))
        route = self.routes.get(handler.path.split("?", 1)[0])
        try:
            if route is None:
                reply(handler, 404, b'{"message": "Not found"}')
            else:
                route(handler)
        except OSError:  # the client went away
            handler.close_connection = True

    @property
    def base_url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def url(self, path: str) -> str:
        return self.base_url + path

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture()
def loopback() -> Iterator[Callable[..., Loopback]]:
    """Start loopback servers with ``loopback(routes)``; all are stopped after the test."""
    started: list[Loopback] = []

    def start(routes: dict[str, Route], host: str = "127.0.0.1") -> Loopback:
        server = Loopback(routes, host)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture()
def own_demo() -> Iterator[DemoServer]:
    """A demo API of this test's own, stopped at the end so that trickles end with it."""
    server = DemoServer(host="127.0.0.1", port=0, large_faces=0, large_photos=1).start()
    try:
        yield server
    finally:
        server.stop()
        time.sleep(0.3)  # connections it dropped finish closing while output is captured


def within(seconds: float, work: Callable[[], Any]) -> Any:
    """``work()`` run in a thread; its result, or a failure if it is still running after
    ``seconds`` (the thread is left to end when its server stops)."""
    box: dict[str, Any] = {}

    def run() -> None:
        try:
            box["value"] = work()
        except BaseException as error:
            box["error"] = error

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        pytest.fail(f"still running after {seconds:g} s")
    if "error" in box:
        raise box["error"]
    return box["value"]


def jpeg_bytes(
    wh: tuple[int, int] = (64, 48), color: tuple[int, int, int] = (30, 120, 200)
) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", wh, color).save(out, "JPEG")
    return out.getvalue()


def fetch(settings: Settings, policy: HostPolicy, url: str) -> FetchResult:
    with Fetcher(settings, policy) as fetcher:
        return fetcher.fetch(url)


def fetched_bytes(settings: Settings, policy: HostPolicy, url: str) -> bytes:
    result = fetch(settings, policy, url)
    assert isinstance(result, Fetched), result
    return result.data


def as_image(jpeg: bytes) -> Image.Image:
    return Image.open(io.BytesIO(jpeg)).convert("RGB")


def mean_difference(a: Image.Image, b: Image.Image) -> float:
    assert a.size == b.size
    return float(np.abs(np.asarray(a, float) - np.asarray(b, float)).mean())


# ---------------------------------------------------------------------------------------------
# Downloads that fail: one sentence each


def test_every_bad_kind_is_covered_here() -> None:
    covered = (
        {k for k, _, _ in DOWNLOAD_FAILURES}
        | {k for k, _ in UNDECODABLE}
        | {k for k, _ in ODD_FORMATS}
        | {"oversize", "trickle"}
    )
    assert covered == set(BAD_KINDS)


DOWNLOAD_FAILURES = [
    ("404", "The image is gone from its host (404).", 1),
    ("403", "The image host refused access (403).", 1),
    ("redirect-loop", "The image host redirected more than 4 times.", 5),
    ("redirect-file", "The image URL uses file scheme; only http and https are downloaded.", 1),
    ("redirect-metadata", METADATA, 1),
]


@pytest.mark.parametrize(("kind", "reason", "requests_made"), DOWNLOAD_FAILURES)
def test_download_failures_are_one_sentence(
    settings: Settings,
    policy: HostPolicy,
    demo: DemoServer,
    kind: str,
    reason: str,
    requests_made: int,
) -> None:
    demo.reset_counts()
    url = demo.base_url + BAD + kind
    assert fetch(settings, policy, url) == FetchFailure(url, reason)
    assert demo.request_count(BAD + kind) == requests_made


def test_redirect_is_followed(settings: Settings, policy: HostPolicy, demo: DemoServer) -> None:
    demo.reset_counts()
    url = demo.base_url + BAD + "redirect"
    result = fetch(settings, policy, url)
    assert isinstance(result, Fetched)
    assert result.url == url  # known by the URL the group gave
    assert result.content_type == "image/jpeg"
    assert decode(result.data, settings.max_image_pixels).image.size == (640, 480)
    assert demo.request_count(BAD + "redirect") == 1
    assert demo.request_count(GOOD_IMAGE) == 1


UNDECODABLE = [
    ("not-image", "The file is not an image the viewer can read."),
    ("truncated", "The image is damaged or cut short and could not be decoded."),
    ("bomb", "The image has too many pixels to decode safely."),
]


@pytest.mark.parametrize(("kind", "message"), UNDECODABLE)
def test_undecodable_downloads_are_one_sentence(
    settings: Settings, policy: HostPolicy, demo: DemoServer, kind: str, message: str
) -> None:
    data = fetched_bytes(settings, policy, demo.base_url + BAD + kind)
    with pytest.raises(ImageError) as info:
        decode(data, settings.max_image_pixels)
    assert info.value.message == message


def test_bomb_is_small_on_the_wire(
    settings: Settings, policy: HostPolicy, demo: DemoServer
) -> None:
    data = fetched_bytes(settings, policy, demo.base_url + BAD + "bomb")
    assert len(data) < 1024 * 1024  # 1.6 billion pixels in well under a megabyte
    with pytest.raises(ImageError):
        decode(data, max_pixels=10**12)  # the decoder's own bomb guard still holds


def test_pixel_limit(settings: Settings, policy: HostPolicy, demo: DemoServer) -> None:
    data = fetched_bytes(settings, policy, demo.base_url + BAD + "oversize")
    with pytest.raises(ImageError) as info:
        decode(data, max_pixels=1_000_000)
    assert info.value.message == (
        "The image is 2,200×1,650 pixels, more than the 1,000,000-pixel limit."
    )
    assert decode(data, max_pixels=4_000_000).stored_wh == (2200, 1650)


# ---------------------------------------------------------------------------------------------
# Odd formats that decode: RGB, the right size, the right colours


ODD_FORMATS = [
    ("redirect", "JPEG"),
    ("cmyk", "JPEG"),
    ("16bit", "PNG"),
    ("palette", "PNG"),
    ("transparent", "PNG"),
    ("gif", "GIF"),
    ("exif-rotated", "JPEG"),
    ("webp", "WEBP"),
]


@pytest.mark.parametrize(("kind", "fmt"), ODD_FORMATS)
def test_odd_formats_decode_to_rgb(
    settings: Settings, policy: HostPolicy, demo: DemoServer, kind: str, fmt: str
) -> None:
    decoded = decode(
        fetched_bytes(settings, policy, demo.base_url + BAD + kind), settings.max_image_pixels
    )
    assert decoded.image.mode == "RGB"
    assert decoded.format == fmt
    assert decoded.stored_wh == decoded.image.size == (640, 480)
    assert decoded.orientation == (6 if kind == "exif-rotated" else 1)


@pytest.fixture()
def scene(settings: Settings, policy: HostPolicy, demo: DemoServer) -> Image.Image:
    """The hostile scene as a lossless PNG (64 colours), the reference for colour checks."""
    data = fetched_bytes(settings, policy, demo.base_url + BAD + "palette")
    return decode(data, settings.max_image_pixels).image


@pytest.mark.parametrize(
    ("kind", "grey"),
    [("cmyk", False), ("webp", False), ("gif", False), ("16bit", True)],
)
def test_colours_survive_decoding(
    settings: Settings,
    policy: HostPolicy,
    demo: DemoServer,
    scene: Image.Image,
    kind: str,
    grey: bool,
) -> None:
    """CMYK is not inverted, 16-bit is scaled rather than clipped to white."""
    image = decode(
        fetched_bytes(settings, policy, demo.base_url + BAD + kind), settings.max_image_pixels
    ).image
    reference = scene.convert("L").convert("RGB") if grey else scene
    assert mean_difference(image, reference) < 8
    low, high = image.convert("L").getextrema()
    assert high - low > 100


def test_transparent_png_is_flattened_onto_grey(
    settings: Settings, policy: HostPolicy, demo: DemoServer, scene: Image.Image
) -> None:
    image = decode(
        fetched_bytes(settings, policy, demo.base_url + BAD + "transparent"),
        settings.max_image_pixels,
    ).image
    assert image.getpixel((0, 0)) == (200, 200, 200)  # fully transparent corner
    face = (264, 70, 376, 214)  # opaque where the face is
    assert mean_difference(image.crop(face), scene.crop(face)) < 8


def test_animated_gif_shows_its_first_frame(
    settings: Settings, policy: HostPolicy, demo: DemoServer
) -> None:
    data = fetched_bytes(settings, policy, demo.base_url + BAD + "gif")
    image = decode(data, settings.max_image_pixels).image
    frames = Image.open(io.BytesIO(data))
    assert frames.n_frames == 3
    first = frames.convert("RGB")
    frames.seek(2)
    last = frames.convert("RGB")
    assert ImageChops.difference(image, first).getbbox() is None
    assert ImageChops.difference(image, last).getbbox() is not None


def test_exif_rotated_jpeg_keeps_stored_pixels_and_its_orientation(
    settings: Settings, policy: HostPolicy, demo: DemoServer
) -> None:
    data = fetched_bytes(settings, policy, demo.base_url + BAD + "exif-rotated")
    decoded = decode(data, settings.max_image_pixels)
    assert (decoded.orientation, decoded.stored_wh) == (6, (640, 480))
    assert orient(decoded.image, decoded.orientation).size == (480, 640)


# ---------------------------------------------------------------------------------------------
# EXIF orientation through the pipeline: where the box lands in each mode

UPRIGHT_WH = (480, 640)
UPRIGHT_BOX = (184.0, 150.0, 296.0, 294.0)  # the face on the upright picture
STORED_BOX = exif_stored_box(UPRIGHT_BOX, UPRIGHT_WH)  # the same face in the stored pixels


def box_face(url: str, xyxy: tuple[float, float, float, float], wh: tuple[int, int]) -> Face:
    w, h = wh
    box = {"xMin": xyxy[0] / w, "yMin": xyxy[1] / h, "xMax": xyxy[2] / w, "yMax": xyxy[3] / h}
    return parse_face({"id": "f", "url": url, "isFrontal": True, "boundingBox": box}, 0)


def drawn(
    pipe: Pipeline, url: str, face: Face, options: ViewOptions
) -> tuple[Rendered, tuple[int, int, int, int]]:
    """The picture with the face's box, and the bounding box of the pixels the box changed."""
    with_box, without = pipe.annotated_many([(url, [face]), (url, [])], options, None)
    assert isinstance(with_box, Rendered) and isinstance(without, Rendered)
    diff = ImageChops.difference(as_image(with_box.jpeg), as_image(without.jpeg)).convert("L")
    changed = diff.point(lambda v: 255 if v > 40 else 0).getbbox()
    assert changed is not None
    return with_box, changed


def test_demo_reports_the_exif_face_in_stored_pixels() -> None:
    assert bad_face("exif-rotated") == ((640, 480), STORED_BOX)


@pytest.mark.parametrize(
    ("boxes_on", "box", "box_wh"),
    [
        ("stored", STORED_BOX, (640, 480)),  # the default: boxes refer to the stored pixels
        ("upright", UPRIGHT_BOX, UPRIGHT_WH),  # boxes refer to the picture turned upright
    ],
)
def test_exif_box_lands_on_the_face_in_each_mode(
    settings: Settings,
    policy: HostPolicy,
    demo: DemoServer,
    boxes_on: str,
    box: tuple[float, float, float, float],
    box_wh: tuple[int, int],
) -> None:
    url = demo.base_url + BAD + "exif-rotated"
    face = box_face(url, box, box_wh)
    pipe = Pipeline(settings, policy)
    try:
        rendered, changed = drawn(
            pipe, url, face, ViewOptions(show_labels=False, boxes_on=boxes_on)
        )
    finally:
        pipe.close()
    assert rendered.size == UPRIGHT_WH  # shown upright in both modes
    assert rendered.stored_wh == (640, 480)
    assert rendered.placements[face.key].xyxy == pytest.approx(box, abs=0.01)
    # the outline (2 px wide) sits just outside the upright face, whichever mode drew it
    outline = (UPRIGHT_BOX[0] - 2, UPRIGHT_BOX[1] - 2, UPRIGHT_BOX[2] + 2, UPRIGHT_BOX[3] + 2)
    assert changed == pytest.approx(outline, abs=3)


def test_stored_box_read_as_upright_misses_the_face(
    settings: Settings, policy: HostPolicy, demo: DemoServer
) -> None:
    """The two modes are not interchangeable: the setting must match what the API measured."""
    url = demo.base_url + BAD + "exif-rotated"
    face = box_face(url, STORED_BOX, (640, 480))
    pipe = Pipeline(settings, policy)
    try:
        _, changed = drawn(pipe, url, face, ViewOptions(show_labels=False, boxes_on="upright"))
    finally:
        pipe.close()
    assert abs(changed[1] - (UPRIGHT_BOX[1] - 2)) > 50


# ---------------------------------------------------------------------------------------------
# Byte limits and slow hosts


def test_byte_limit_from_the_declared_length(
    settings: Settings, policy: HostPolicy, demo: DemoServer
) -> None:
    small = replace(settings, max_image_bytes=1024 * 1024)
    url = demo.base_url + BAD + "oversize"
    assert fetch(small, policy, url) == FetchFailure(url, TOO_LARGE_1MB)


def _endless(handler: BaseHTTPRequestHandler) -> None:
    """A body with no declared length that would go on for 256 MB."""
    handler.send_response(200)
    handler.send_header("Content-Type", "image/jpeg")
    handler.send_header("Connection", "close")
    handler.end_headers()
    handler.close_connection = True
    block = b"\xff" * 65536
    for _ in range(4096):
        handler.wfile.write(block)


def _gzip_bomb(handler: BaseHTTPRequestHandler) -> None:
    """24 kB on the wire that unpack to 24 MB."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    body = packer.compress(bytes(24 * 1024 * 1024)) + packer.flush()
    reply(handler, 200, body, "image/jpeg", (("Content-Encoding", "gzip"),))


@pytest.mark.parametrize("route", [_endless, _gzip_bomb], ids=["endless", "gzip-bomb"])
def test_byte_limit_while_reading(
    settings: Settings, loopback: Callable[..., Loopback], route: Route
) -> None:
    host = loopback({"/x.jpg": route})
    small = replace(settings, max_image_bytes=1024 * 1024)
    url = host.url("/x.jpg")
    assert fetch(small, HostPolicy(allow_private=True), url) == FetchFailure(url, TOO_LARGE_1MB)


def _cut_short(handler: BaseHTTPRequestHandler) -> None:
    """Announce 100 kB, send 1 kB, hang up."""
    handler.send_response(200)
    handler.send_header("Content-Type", "image/jpeg")
    handler.send_header("Content-Length", str(100_000))
    handler.end_headers()
    handler.wfile.write(jpeg_bytes()[:1000])
    handler.close_connection = True


def test_connection_closed_mid_image(settings: Settings, loopback: Callable[..., Loopback]) -> None:
    host = loopback({"/x.jpg": _cut_short})
    result = fetch(settings, HostPolicy(allow_private=True), host.url("/x.jpg"))
    assert isinstance(result, FetchFailure)
    assert result.reason == "The image download broke off before the end."


def test_trickle_is_stopped_by_the_overall_deadline(
    settings: Settings, own_demo: DemoServer
) -> None:
    # the read timeout (3 s) never fires: the demo sends one byte every second
    slow = replace(settings, image_deadline_s=1.5, image_read_timeout_s=3.0)
    policy = HostPolicy(allowed_origins=[own_demo.base_url])
    url = own_demo.base_url + BAD + "trickle"
    started = time.monotonic()
    result = within(4.0, lambda: fetch(slow, policy, url))
    assert result == FetchFailure(
        url, "The image took longer than 1.5 s to download; the host is too slow."
    )
    assert time.monotonic() - started < 4.0


def test_stalled_image_says_the_host_stopped_sending(
    settings: Settings, policy: HostPolicy, demo: DemoServer
) -> None:
    stalling = replace(settings, image_deadline_s=10.0, image_read_timeout_s=0.5)
    url = demo.base_url + BAD + "trickle"
    result = within(5.0, lambda: fetch(stalling, policy, url))
    assert result == FetchFailure(url, "The image host stopped sending the image.")


EPS = (
    b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 64 48\n"
    b"newpath 0 0 moveto 64 48 lineto stroke showpage\n%%EOF\n"
)


def test_postscript_is_not_an_image(settings: Settings, loopback: Callable[..., Loopback]) -> None:
    host = loopback({"/x.jpg": lambda h: reply(h, 200, EPS, "image/jpeg")})
    data = fetched_bytes(settings, HostPolicy(allow_private=True), host.url("/x.jpg"))
    with pytest.raises(ImageError) as info:
        decode(data, settings.max_image_pixels)
    assert info.value.message == "The file is not an image the viewer can read."


def test_malformed_url_is_one_failure(settings: Settings) -> None:
    url = "http://[::1/x.jpg"
    result = fetch(settings, HostPolicy(allow_private=True), url)
    assert isinstance(result, FetchFailure)
    assert result.reason.endswith(".")


# ---------------------------------------------------------------------------------------------
# Where images may come from


def test_loopback_image_is_refused_by_default_and_never_requested(
    settings: Settings, demo: DemoServer
) -> None:
    demo.reset_counts()
    url = demo.base_url + SAMPLE_IMAGE
    assert fetch(settings, HostPolicy(), url) == FetchFailure(url, PRIVATE)
    assert demo.request_count() == 0


def test_allow_private_downloads(settings: Settings, demo: DemoServer) -> None:
    demo.reset_counts()
    data = fetched_bytes(settings, HostPolicy(allow_private=True), demo.base_url + SAMPLE_IMAGE)
    assert decode(data, settings.max_image_pixels).image.size == (150, 200)
    assert demo.request_count(SAMPLE_IMAGE) == 1


def test_demo_mode_allows_the_api_origin_only(settings: Settings, demo: DemoServer) -> None:
    from viewer.hosts import image_policy

    policy = image_policy(False, settings.api_url)
    data = fetched_bytes(settings, policy, demo.base_url + SAMPLE_IMAGE)
    assert data[:2] == b"\xff\xd8"
    demo.reset_counts()
    other = f"http://localhost:{demo.port}{SAMPLE_IMAGE}"  # the same server, another origin
    result = fetch(settings, policy, other)
    assert isinstance(result, FetchFailure)
    assert "II_ALLOW_PRIVATE_IMAGE_HOSTS=1" in result.reason
    assert demo.request_count() == 0


@pytest.mark.parametrize(
    "host", ["localhost", "127.1", "2130706433", "0x7f.0.0.1", "[::ffff:127.0.0.1]", "[::1]"]
)
def test_every_spelling_of_loopback_is_refused(
    settings: Settings, demo: DemoServer, host: str
) -> None:
    demo.reset_counts()
    policy = HostPolicy(allowed_origins=[demo.base_url])  # the demo's exact origin only
    result = fetch(settings, policy, f"http://{host}:{demo.port}{SAMPLE_IMAGE}")
    assert isinstance(result, FetchFailure)
    assert "a private or loopback address; set II_ALLOW_PRIVATE_IMAGE_HOSTS=1" in result.reason
    assert demo.request_count() == 0


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data/",
        "http://[::ffff:169.254.169.254]/latest/meta-data/",
        "http://[fd00:ec2::254]/latest/meta-data/",
        "http://169.254.170.2/v2/credentials",
    ],
)
def test_metadata_is_refused_even_when_private_hosts_are_allowed(
    settings: Settings, url: str
) -> None:
    policy = HostPolicy(allow_private=True, allowed_origins=[url])
    result = fetch(settings, policy, url)
    assert isinstance(result, FetchFailure)
    assert "a link-local or cloud-metadata address; the viewer never downloads from there." in (
        result.reason
    )


@pytest.mark.parametrize(
    "location",
    [
        "http://169.254.169.254/latest/meta-data/",
        "//169.254.169.254/latest/meta-data/",  # scheme-relative
        "http://[::ffff:169.254.169.254]/",
    ],
)
def test_redirect_to_metadata_is_refused_even_when_private_hosts_are_allowed(
    settings: Settings, loopback: Callable[..., Loopback], location: str
) -> None:
    host = loopback({"/x.jpg": redirect_to(location)})
    url = host.url("/x.jpg")
    result = fetch(settings, HostPolicy(allow_private=True), url)
    assert result == FetchFailure(url, METADATA)
    assert len(host.seen) == 1


def test_demo_redirect_to_metadata_is_refused_with_private_hosts_allowed(
    settings: Settings, demo: DemoServer
) -> None:
    url = demo.base_url + BAD + "redirect-metadata"
    assert fetch(settings, HostPolicy(allow_private=True), url) == FetchFailure(url, METADATA)


def test_redirect_from_an_allowed_origin_to_another_private_one_is_refused(
    settings: Settings, loopback: Callable[..., Loopback]
) -> None:
    sink = loopback({"/x.jpg": lambda h: reply(h, 200, jpeg_bytes(), "image/jpeg")})
    hop = loopback({"/x.jpg": redirect_to(sink.url("/x.jpg"))})
    url = hop.url("/x.jpg")
    assert fetch(settings, HostPolicy(allowed_origins=[hop.base_url]), url) == FetchFailure(
        url, PRIVATE
    )
    assert sink.seen == []
    # with both origins allowed the same redirect is followed
    both = HostPolicy(allowed_origins=[hop.base_url, sink.base_url])
    assert isinstance(fetch(settings, both, url), Fetched)
    assert len(sink.seen) == 1


class FirstAnswerPublic(HostPolicy):
    """Checks URLs as if their name had resolved to a public address, as a rebinding DNS
    server's first answer would; the connection itself then lands on loopback."""

    def check_url(self, url: str) -> None:
        self.check_ip("93.184.216.34", origin_of(url))


def test_connection_time_peer_check_refuses_rebinding(
    settings: Settings, loopback: Callable[..., Loopback]
) -> None:
    host = loopback({"/x.jpg": lambda h: reply(h, 200, jpeg_bytes(), "image/jpeg")})
    url = f"http://localhost:{host.port}/x.jpg"
    assert fetch(settings, FirstAnswerPublic(), url) == FetchFailure(url, PRIVATE)
    assert host.seen == []  # connected, checked, closed: no request was sent


def test_plain_http_get_reaches_the_loopback_host(
    loopback: Callable[..., Loopback],
) -> None:
    """The control for the refusals above: the same host answers an unguarded client."""
    host = loopback({"/x.jpg": lambda h: reply(h, 200, jpeg_bytes(), "image/jpeg")})
    assert requests.get(f"http://localhost:{host.port}/x.jpg", timeout=5).status_code == 200


def _has_ipv6_loopback() -> bool:
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as probe:
            probe.bind(("::1", 0))
    except OSError:
        return False
    return True


@pytest.mark.skipif(not _has_ipv6_loopback(), reason="no IPv6 loopback here")
def test_ipv6_literal_image_host_downloads(
    settings: Settings, loopback: Callable[..., Loopback]
) -> None:
    host = loopback({"/x.jpg": lambda h: reply(h, 200, jpeg_bytes(), "image/jpeg")}, "::1")
    url = host.url("/x.jpg")
    assert url.startswith("http://[::1]:")
    result = fetch(settings, HostPolicy(allow_private=True), url)
    assert isinstance(result, Fetched), result


def test_headers_sent_a_byte_at_a_time_meet_the_overall_deadline() -> None:
    """The deadline covers the headers too: a read timeout alone never fires on a slow drip."""
    sent = []
    done = threading.Event()

    def drip(conn: socket.socket) -> None:
        with conn:
            conn.recv(65536)
            conn.sendall(b"HTTP/1.1 200 OK\r\n")
            for _ in range(30):  # one header byte a second, each well within the read timeout
                if done.is_set():
                    return
                try:
                    conn.sendall(b"X")
                except OSError:
                    return
                sent.append(1)
                time.sleep(1)

    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]
    threading.Thread(target=lambda: drip(server.accept()[0]), daemon=True).start()
    settings = Settings(image_deadline_s=2.0, image_read_timeout_s=5.0)
    try:
        result = fetch(settings, HostPolicy(allow_private=True), f"http://127.0.0.1:{port}/a.jpg")
        header_bytes = len(sent)
    finally:
        done.set()
        server.close()
    assert isinstance(result, FetchFailure)
    assert result.reason == "The image took longer than 2 s to download; the host is too slow."
    assert header_bytes < 30  # cut off long before the host stopped dripping
