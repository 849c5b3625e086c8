"""This viewer's pipeline on the demo API: first page cold and warm, paging, bytes per thumbnail."""

from __future__ import annotations

import io
import statistics
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from dataclasses import dataclass

from viewer.api import Client
from viewer.compose import PictureFailure, ViewOptions, annotate_decoded
from viewer.config import Settings
from viewer.decoding import decode
from viewer.draw.encode import to_jpeg
from viewer.hosts import HostPolicy
from viewer.images import Fetched
from viewer.models import Face
from viewer.pipeline import Pipeline, group_by_image

Items = list[tuple[str | None, list[Face]]]
Shape = Callable[[Sequence[Face]], Items]


def gallery_pages(faces: Sequence[Face], per_page: int) -> list[Items]:
    """The gallery's pages: ``per_page`` images each, every image with all its shown faces."""
    images = group_by_image(faces)
    return [images[i : i + per_page] for i in range(0, len(images), per_page)]


def first_faces(count: int) -> Shape:
    """The first ``count`` faces, one picture per image they lie in."""
    return lambda faces: group_by_image(faces[:count])


def first_gallery_page(per_page: int) -> Shape:
    return lambda faces: gallery_pages(faces, per_page)[0] if faces else []


def floor_s(api_s: float, image_s: float, downloads: int, concurrency: int) -> float:
    """The least a page can take: the group, then the downloads in waves of ``concurrency``."""
    return api_s + -(-downloads // concurrency) * image_s


@dataclass(frozen=True)
class FirstPage:
    cold_s: float  # group fetched, page downloaded, drawn and encoded; median of the runs
    cold_images_s: float  # the page alone, group already held; median
    cold_cpu_s: float  # CPU seconds this process spent on the page alone (all threads); median
    warm_s: float  # the same page again (the app keeps the group); median
    cold_runs: list[float]
    images: int
    faces: int
    downloads: int
    warm_image_requests: int
    failures: int
    jpeg_bytes: list[int]


def first_page(
    settings: Settings,
    policy: HostPolicy,
    namespace: str,
    group_id: str,
    shape: Shape,
    wh: tuple[int, int],
    repeat: int,
    count_images: Callable[[], int],
) -> FirstPage:
    """Each run uses a new client and a new pipeline, so caches and connections start cold."""
    colds: list[float] = []
    cold_images: list[float] = []
    cpus: list[float] = []
    warms: list[float] = []
    warm_requests = 0
    options = ViewOptions()
    for _ in range(repeat):
        with closing(Client(settings)) as client, closing(Pipeline(settings, policy)) as pipe:
            start = time.perf_counter()
            group = client.get_group(namespace, group_id)
            items = shape(group.faces)
            loaded = time.perf_counter()
            cpu = time.process_time()
            results = pipe.annotated_many(items, options, wh[0], height=wh[1])
            done = time.perf_counter()
            cpus.append(time.process_time() - cpu)
            before = count_images()
            again = time.perf_counter()
            pipe.annotated_many(items, options, wh[0], height=wh[1])
            warms.append(time.perf_counter() - again)
            warm_requests = max(warm_requests, count_images() - before)
            colds.append(done - start)
            cold_images.append(done - loaded)
            downloads = pipe.fetcher.downloads
    return FirstPage(
        cold_s=statistics.median(colds),
        cold_images_s=statistics.median(cold_images),
        cold_cpu_s=statistics.median(cpus),
        warm_s=statistics.median(warms),
        cold_runs=colds,
        images=len(items),
        faces=sum(len(fs) for _, fs in items),
        downloads=downloads,
        warm_image_requests=warm_requests,
        failures=sum(isinstance(r, PictureFailure) for r in results),
        jpeg_bytes=[len(r.jpeg) for r in results if not isinstance(r, PictureFailure)],
    )


@dataclass(frozen=True)
class Paging:
    cold_s: float  # time the analyst waits, summed over the pages
    warm_s: float
    cold_pages_s: list[float]
    downloads: int
    failures: int


def paging(
    settings: Settings,
    policy: HostPolicy,
    pages: Sequence[Items],
    count: int,
    wh: tuple[int, int],
    *,
    prefetch: bool = True,
    predraw: bool = False,
    think_s: float = 0.0,
) -> Paging:
    """Page through the first ``count`` gallery pages twice with one pipeline, as the gallery does.

    After each page the next one is prefetched (unless ``prefetch`` is off); ``think_s`` is a
    pause between pages that is not counted, the time an analyst spends looking at a page.
    ``predraw`` instead draws the whole next page in the background during that pause, to show
    what drawing ahead (not only downloading ahead) would give.
    """
    options = ViewOptions()
    background = ThreadPoolExecutor(1, thread_name_prefix="predraw")
    with closing(Pipeline(settings, policy)) as pipe, closing(_Shutdown(background)):
        runs: list[list[float]] = []
        failures = 0
        for _ in range(2):
            waits = []
            for i, items in enumerate(pages[:count]):
                start = time.perf_counter()
                results = pipe.annotated_many(items, options, wh[0], height=wh[1])
                waits.append(time.perf_counter() - start)
                failures += sum(isinstance(r, PictureFailure) for r in results)
                if predraw and i + 1 < len(pages):
                    nxt = pages[i + 1]
                    background.submit(pipe.annotated_many, nxt, options, wh[0], height=wh[1])
                elif prefetch and i + 1 < len(pages):
                    pipe.prefetch(url for url, _ in pages[i + 1])
                if think_s:
                    time.sleep(think_s)
            runs.append(waits)
        downloads = pipe.fetcher.downloads
    return Paging(sum(runs[0]), sum(runs[1]), runs[0], downloads, failures)


class _Shutdown:
    def __init__(self, pool: ThreadPoolExecutor) -> None:
        self.pool = pool

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


@dataclass(frozen=True)
class ThumbBytes:
    """Mean bytes sent to the browser per gallery thumbnail, by way of serving it."""

    viewer_jpeg: float  # the pipeline's JPEG at display width, handed to st.image as bytes
    st_image_same: float  # st.image(PIL image at display width): a quality-100 JPEG
    st_image_full: float  # st.image(PIL image at full size), what a naive script hands over
    matches_pipeline: bool  # our re-made JPEG has the pipeline's exact length


def _jpeg_q100(image: object) -> int:
    """What Streamlit's ``st.image`` makes of an RGB PIL image: JPEG at quality 100."""
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=100)  # type: ignore[attr-defined]
    return len(out.getvalue())


def thumb_bytes(
    settings: Settings, policy: HostPolicy, items: Items, wh: tuple[int, int]
) -> ThumbBytes:
    options = ViewOptions()
    ours: list[int] = []
    same: list[int] = []
    full: list[int] = []
    matches = True
    with closing(Pipeline(settings, policy)) as pipe:
        width, height = wh
        results = pipe.annotated_many(items, options, width, height=height)
        for (url, faces), result in zip(items, results, strict=True):
            fetched = pipe.fetcher.cached(url) if url else None
            if isinstance(result, PictureFailure) or not isinstance(fetched, Fetched):
                continue
            decoded = decode(fetched.data, settings.max_image_pixels, (width, 1))
            image, _ = annotate_decoded(decoded, faces, options, width, height)
            jpeg = to_jpeg(image, options.quality)
            matches = matches and len(jpeg) == len(result.jpeg)
            ours.append(len(result.jpeg))
            same.append(_jpeg_q100(image))
            whole, _ = annotate_decoded(
                decode(fetched.data, settings.max_image_pixels), faces, options, None
            )
            full.append(_jpeg_q100(whole))
    mean = statistics.fmean
    return ThumbBytes(mean(ours), mean(same), mean(full), matches)
