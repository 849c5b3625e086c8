"""The image pipeline's behaviour against the demo API: what is downloaded, when, and in what form.

Behaviour only, never timing: requests are counted where they arrive, at the demo server. Tests
that count run against a demo server of their own, so no other test's traffic (or a download
still finishing in the background) can change the numbers.
"""

from __future__ import annotations

import io
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest
import requests
from PIL import Image

from viewer import pipeline as pipeline_module
from viewer.api import Client
from viewer.compose import Rendered, ViewOptions, verdict_badges
from viewer.config import Settings
from viewer.decoding import Decoded, decode
from viewer.demo.server import DemoServer
from viewer.draw.encode import to_jpeg
from viewer.hosts import HostPolicy
from viewer.images import Fetched
from viewer.models import Face
from viewer.pipeline import Pipeline, group_by_image
from viewer.review.values import BELONGS
from viewer.ui.gallery import THUMB_HEIGHT, THUMB_WIDTH

IMAGES = "/images/"
OPTIONS = ViewOptions()
JPEG_MAGIC = b"\xff\xd8"
LARGE_WH = (1280, 720)  # every photo of demo-large
Items = list[tuple[str | None, list[Face]]]


def settings_for(server: DemoServer, **changes: object) -> Settings:
    base = Settings(
        api_url=server.api_url,
        access_token=server.static_token,
        image_deadline_s=10.0,
        image_read_timeout_s=5.0,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def pipeline_for(server: DemoServer, **changes: object) -> Pipeline:
    return Pipeline(settings_for(server, **changes), HostPolicy(False, [server.base_url]))


def faces_of(server: DemoServer, group_id: str) -> list[Face]:
    with closing(Client(settings_for(server))) as client:
        return list(client.get_group("acme", group_id).faces)


def path_of(url: str) -> str:
    return urlsplit(url).path


@pytest.fixture()
def own_demo() -> Iterator[DemoServer]:
    """A demo API for this test alone: its request counts see only this test's requests."""
    server = DemoServer(large_faces=120, large_photos=30).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture()
def pipe(own_demo: DemoServer) -> Iterator[Pipeline]:
    with closing(pipeline_for(own_demo)) as made:
        yield made


@pytest.fixture()
def page(own_demo: DemoServer) -> Items:
    """A gallery page of six distinct images of demo-large, each with all its faces."""
    items = group_by_image(faces_of(own_demo, "demo-large"))[:6]
    assert len({url for url, _ in items}) == 6
    return items


def render_page(pipe: Pipeline, items: Items, options: ViewOptions = OPTIONS) -> list[Rendered]:
    results = pipe.annotated_many(items, options, THUMB_WIDTH, height=THUMB_HEIGHT)
    rendered = [r for r in results if isinstance(r, Rendered)]
    assert len(rendered) == len(items), results
    return rendered


# ---------------------------------------------------------------------------------------------
# Caching


def test_a_page_seen_before_makes_no_request(
    own_demo: DemoServer, pipe: Pipeline, page: Items
) -> None:
    first = render_page(pipe, page)
    after_first = own_demo.request_count(IMAGES)
    draws = pipe.draws
    assert after_first == len(page)  # one download per image, none before

    second = render_page(pipe, page)

    assert own_demo.request_count(IMAGES) == after_first
    assert pipe.draws == draws  # not drawn again either
    assert [r.jpeg for r in second] == [r.jpeg for r in first]


CHANGES = [
    pytest.param({"color_mode": "confidence"}, id="colour-by-confidence"),
    pytest.param({"blur": True}, id="blur"),
    pytest.param({"show_labels": False}, id="no-labels"),
]


@pytest.mark.parametrize("change", CHANGES)
def test_new_view_options_redraw_the_page_without_downloading(
    own_demo: DemoServer, pipe: Pipeline, page: Items, change: dict[str, object]
) -> None:
    before = render_page(pipe, page)
    requests_before, draws_before = own_demo.request_count(IMAGES), pipe.draws

    after = render_page(pipe, page, replace(OPTIONS, **change))

    assert own_demo.request_count(IMAGES) == requests_before
    assert pipe.draws == draws_before + len(page)
    assert any(a.jpeg != b.jpeg for a, b in zip(after, before, strict=True))


@pytest.mark.parametrize("change", CHANGES[:2])  # face tiles never carry labels
def test_new_view_options_recrop_the_faces_without_downloading(
    own_demo: DemoServer, pipe: Pipeline, page: Items, change: dict[str, object]
) -> None:
    faces = [f for _, fs in page for f in fs][:12]
    before = pipe.crops(faces, OPTIONS, 160)
    requests_before = own_demo.request_count(IMAGES)
    assert requests_before == len({f.url for f in faces})

    after = pipe.crops(faces, replace(OPTIONS, **change), 160)

    assert own_demo.request_count(IMAGES) == requests_before
    assert all(isinstance(r, Rendered) for r in [*after.values(), *before.values()])
    assert any(after[k] != before[k] for k in before)


def test_a_badge_on_one_face_redraws_only_the_pictures_that_show_it(
    own_demo: DemoServer, pipe: Pipeline, page: Items
) -> None:
    faces = [fs[0] for _, fs in page]
    pictures = render_page(pipe, page)
    before = pipe.crops(faces, OPTIONS, 160)
    draws = pipe.draws
    marked = OPTIONS.with_badges(verdict_badges({faces[0].key: BELONGS}))

    after = render_page(pipe, page, marked)
    crops = pipe.crops(faces, marked, 160)

    assert after[0].jpeg != pictures[0].jpeg and crops[faces[0].key] != before[faces[0].key]
    assert all(a is b for a, b in zip(after[1:], pictures[1:], strict=True))  # from the cache
    assert all(crops[f.key] is before[f.key] for f in faces[1:])
    assert pipe.draws - draws <= 2  # its photo drawn, and decoded again for its crop at most


def test_the_cache_stays_under_its_cap(own_demo: DemoServer) -> None:
    """A 1 MB cache paged through about 2 MB of photos and pictures holds at most 1 MB."""
    with closing(pipeline_for(own_demo, cache_mb=1)) as pipe:
        cap = pipe.cache.cap_bytes
        assert cap == 1024 * 1024
        images = group_by_image(faces_of(own_demo, "demo-large"))[:30]  # a photo per face
        urls = [url for url, _ in images if url]
        for start in range(0, len(images), 6):
            render_page(pipe, images[start : start + 6])
            assert pipe.cache.size_bytes <= cap
        assert own_demo.request_count(IMAGES) == len(urls) == 30

        assert pipe.fetcher.cached(urls[0]) is None  # the oldest photo was let go
        held = [r for r in map(pipe.fetcher.cached, urls) if isinstance(r, Fetched)]
        assert 0 < len(held) < len(urls)
        assert sum(len(r.data) for r in held) <= pipe.cache.size_bytes <= cap


def test_the_cache_counts_each_download_and_picture_by_its_nbytes(
    pipe: Pipeline, page: Items
) -> None:
    """Downloads and pictures share one cache, each counted by the size it tells."""
    pictures = render_page(pipe, page)
    downloads = [pipe.fetcher.cached(url) for url, _ in page if url]
    assert all(isinstance(d, Fetched) for d in downloads)
    held = sum(d.nbytes for d in downloads if d) + sum(p.nbytes for p in pictures)
    assert pipe.cache.size_bytes == held
    assert pipe.fetcher.cache is pipe.cache


# ---------------------------------------------------------------------------------------------
# Deduplication


@pytest.fixture()
def slowish_demo() -> Iterator[DemoServer]:
    """Images take 0.3 s, so that requests made together are surely in flight together."""
    server = DemoServer(image_latency_s=0.3, large_faces=20, large_photos=5).start()
    try:
        yield server
    finally:
        server.stop()


def shared_urls(faces: list[Face]) -> list[str]:
    counts: dict[str, int] = {}
    for face in faces:
        if face.url:
            counts[face.url] = counts.get(face.url, 0) + 1
    return [url for url, n in counts.items() if n > 1]


def test_one_url_asked_for_by_many_threads_at_once_is_downloaded_once(
    slowish_demo: DemoServer,
) -> None:
    shared = shared_urls(faces_of(slowish_demo, "demo-crowd"))
    assert shared, "demo-crowd has photos holding two of the group's faces"
    url = shared[0]
    ready = threading.Barrier(8)

    with closing(pipeline_for(slowish_demo)) as pipe:

        def ask(_: int) -> object:
            ready.wait()
            return pipe.fetcher.fetch(url)

        with ThreadPoolExecutor(8) as pool:
            results = list(pool.map(ask, range(8)))

    assert slowish_demo.request_count(path_of(url)) == 1
    assert all(isinstance(r, Fetched) for r in results)
    assert len({r.data for r in results}) == 1  # type: ignore[union-attr]


def test_faces_sharing_a_photo_download_it_once_across_views(slowish_demo: DemoServer) -> None:
    """The gallery, the face tiles and a prefetch asking at the same time: one request a photo."""
    faces = faces_of(slowish_demo, "demo-crowd")
    distinct = {f.url for f in faces if f.url}
    assert len(distinct) < len(faces)
    items = group_by_image(faces)
    ready = threading.Barrier(3)

    with closing(pipeline_for(slowish_demo)) as pipe:

        def gallery_view() -> object:
            ready.wait()
            return pipe.annotated_many(items, OPTIONS, THUMB_WIDTH, height=THUMB_HEIGHT)

        def faces_view() -> object:
            ready.wait()
            return pipe.crops(faces, OPTIONS, 160)

        def prefetch() -> object:
            ready.wait()
            return pipe.prefetch(f.url for f in faces)

        with ThreadPoolExecutor(3) as pool:
            runs = [pool.submit(view) for view in (gallery_view, faces_view, prefetch)]
            pictures, crops, _ = (run.result() for run in runs)

        assert slowish_demo.request_count(IMAGES) == len(distinct)
        assert all(slowish_demo.request_count(path_of(url)) == 1 for url in distinct)
        assert all(isinstance(r, Rendered) for r in pictures)  # type: ignore[attr-defined]
        assert all(isinstance(r, Rendered) for r in crops.values())  # type: ignore[attr-defined]
        assert pipe.fetcher.downloads == len(distinct)


# ---------------------------------------------------------------------------------------------
# Prefetch


@pytest.fixture()
def slow_demo() -> Iterator[DemoServer]:
    """Every image takes a full second to arrive."""
    server = DemoServer(image_latency_s=1.0, large_faces=20, large_photos=8).start()
    try:
        yield server
    finally:
        server.stop()


def test_prefetch_returns_at_once_and_a_later_fetch_uses_its_downloads(
    slow_demo: DemoServer,
) -> None:
    items = group_by_image(faces_of(slow_demo, "demo-large"))[:4]
    urls = [url for url, _ in items if url]
    assert len(urls) == 4

    with closing(pipeline_for(slow_demo)) as pipe:
        started = pipe.prefetch(urls)
        # Still downloading: had prefetch waited for them, they would be cached by now.
        pending = [url for url in urls if pipe.fetcher.cached(url) is None]
        assert started == 4
        assert pending == urls

        fetched = pipe.fetcher.fetch_many(urls)
        pictures = render_page(pipe, items)

        assert all(isinstance(r, Fetched) for r in fetched.values())
        assert len(pictures) == 4
        assert slow_demo.request_count(IMAGES) == 4  # not 8: the fetch joined the prefetch
        assert pipe.fetcher.downloads == 4


def test_prefetch_skips_what_is_cached(own_demo: DemoServer, pipe: Pipeline, page: Items) -> None:
    render_page(pipe, page)
    before = own_demo.request_count(IMAGES)

    started = pipe.prefetch(url for url, _ in page)

    assert started == 0
    assert own_demo.request_count(IMAGES) == before


class HeldImages:
    """A loopback image host that holds every request until released, counting arrivals."""

    def __init__(self) -> None:
        self.released = threading.Event()
        self.received = 0
        body = to_jpeg(Image.new("RGB", (64, 48), (90, 120, 150)))
        host = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *_: object) -> None:
                pass

            def do_GET(self) -> None:
                with lock:
                    host.received += 1
                host.released.wait(20)
                self.send_response(200)
                self.send_header("Content-Type", "image/jpeg")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> HeldImages:
        self.thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.released.set()
        self.server.shutdown()
        self.server.server_close()


def wait_until(condition: Callable[[], bool], limit_s: float = 5.0) -> bool:
    """Whether ``condition`` came true within ``limit_s`` (a limit, not a measurement)."""
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.01)
    return condition()


def test_a_page_wanted_while_its_prefetch_is_queued_downloads_all_at_once() -> None:
    with HeldImages() as host:
        settings = Settings(api_url=host.base_url, image_deadline_s=30, image_read_timeout_s=25)
        urls = [f"{host.base_url}/photo-{i}.jpg" for i in range(12)]
        with closing(Pipeline(settings, HostPolicy(False, [host.base_url]))) as pipe:
            assert pipe.prefetch(urls) == 12
            assert wait_until(lambda: host.received > 0)
            assert host.received < len(urls)  # the prefetch pool is smaller than the page

            fetching = threading.Thread(target=pipe.fetcher.fetch_many, args=(urls,))
            fetching.start()
            all_asked = wait_until(lambda: host.received == len(urls), limit_s=3.0)
            asked = host.received
            host.released.set()
            fetching.join(20)

            assert pipe.fetcher.downloads == len(urls)
            assert all(isinstance(pipe.fetcher.cached(url), Fetched) for url in urls)
    assert all_asked, f"{asked} of {len(urls)} images asked for while none had arrived"


def test_drawing_ahead_returns_at_once_and_the_page_then_opens_from_the_cache(
    slow_demo: DemoServer,
) -> None:
    items = group_by_image(faces_of(slow_demo, "demo-large"))[:4]

    with closing(pipeline_for(slow_demo)) as pipe:
        ahead = pipe.draw_ahead(items, OPTIONS, THUMB_WIDTH, THUMB_HEIGHT)
        # Still downloading: had it waited, the photos would be cached by now.
        assert not ahead.done()
        assert all(pipe.fetcher.cached(url) is None for url, _ in items if url)
        ahead.result(timeout=20)
        draws = pipe.draws
        assert draws == len(items)

        pictures = render_page(pipe, items)

        assert len(pictures) == len(items)
        assert pipe.draws == draws  # drawn ahead, not again
        assert slow_demo.request_count(IMAGES) == len(items)


def test_face_crops_drawn_ahead_open_from_the_cache(own_demo: DemoServer, pipe: Pipeline) -> None:
    face = faces_of(own_demo, "demo-large")[5]
    photo = [(face.url, [face])]
    pipe.draw_ahead(photo, OPTIONS, 640, crops=[(face, 384)]).result(timeout=20)
    draws, fetched = pipe.draws, own_demo.request_count(IMAGES)
    assert fetched == 1

    (picture,) = pipe.annotated_many(photo, OPTIONS, 640)
    crop = pipe.crops([face], OPTIONS, 384)[face.key]

    assert isinstance(picture, Rendered) and isinstance(crop, Rendered)
    assert crop.size == (384, 384)
    assert (pipe.draws, own_demo.request_count(IMAGES)) == (draws, fetched)


# ---------------------------------------------------------------------------------------------
# Display size and format


def large_photo(demo: DemoServer) -> bytes:
    face = faces_of(demo, "demo-large")[0]
    assert face.url
    answer = requests.get(face.url, timeout=10)
    answer.raise_for_status()
    return answer.content


@pytest.mark.parametrize("width", [320, THUMB_WIDTH])
def test_decoding_for_a_thumbnail_uses_jpeg_draft_mode(demo: DemoServer, width: int) -> None:
    data = large_photo(demo)

    full = decode(data, 64_000_000)
    small = decode(data, 64_000_000, draft_wh=(width, 1))

    assert full.image.size == LARGE_WH
    assert small.stored_wh == LARGE_WH  # boxes are still placed on the stored pixels
    assert width <= small.image.width < LARGE_WH[0]
    assert small.image.width * small.image.height < LARGE_WH[0] * LARGE_WH[1]


@pytest.mark.parametrize(("width", "height"), [(320, None), (THUMB_WIDTH, THUMB_HEIGHT)])
def test_the_pipeline_decodes_thumbnails_small_and_draws_them_at_display_size(
    demo: DemoServer,
    settings: Settings,
    policy: HostPolicy,
    monkeypatch: pytest.MonkeyPatch,
    width: int,
    height: int | None,
) -> None:
    decoded: list[Decoded] = []
    real_decode = pipeline_module.decode

    def recording_decode(*args: object, **kwargs: object) -> Decoded:
        result = real_decode(*args, **kwargs)  # type: ignore[arg-type]
        decoded.append(result)
        return result

    monkeypatch.setattr(pipeline_module, "decode", recording_decode)
    items = group_by_image(faces_of(demo, "demo-large"))[:3]
    with closing(Pipeline(settings, policy)) as pipe:
        results = pipe.annotated_many(items, OPTIONS, width, height=height)

    assert len(decoded) == 3
    for made in decoded:
        assert made.stored_wh == LARGE_WH
        assert width <= made.image.width < LARGE_WH[0]  # decoded at a JPEG draft scale
    expected = (width, height or round(width * LARGE_WH[1] / LARGE_WH[0]))
    for result in results:
        assert isinstance(result, Rendered)
        assert result.size == expected
        assert Image.open(io.BytesIO(result.jpeg)).size == expected


def test_export_pictures_stay_out_of_the_shared_cache(demo: DemoServer) -> None:
    """Full-size pictures for an export are drawn once and must not evict the page's tiles."""
    items = group_by_image(faces_of(demo, "demo-crowd"))[:3]
    with closing(pipeline_for(demo)) as kept, closing(pipeline_for(demo)) as passed:
        kept.annotated_many(items, ViewOptions(), None)
        passed.annotated_many(items, ViewOptions(), None, cache=False)
        downloads_only = passed.cache.size_bytes
        assert kept.cache.size_bytes > downloads_only  # the kept pictures are the difference
        assert len(passed.cache) == 3  # the three downloads, no picture
