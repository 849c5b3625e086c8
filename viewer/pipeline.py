"""From faces to pictures: schedule downloads, decode at display size, draw, cache, stream.

What each picture shows is viewer.compose's business; this module decides when pictures are
made, keeps them in the shared cache, and hands them out as they are ready.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from concurrent.futures import TimeoutError as FuturesTimeout
from typing import TypeVar

from viewer.cache import ByteLRU
from viewer.compose import (
    PictureFailure,
    Result,
    ViewOptions,
    crop_draft,
    display_draft,
    has_detail,
    render_annotated,
    render_crop,
)
from viewer.config import Settings
from viewer.decoding import Decoded, decode
from viewer.exceptions import ImageError
from viewer.hosts import HostPolicy
from viewer.images import Fetched, Fetcher, FetchFailure, FetchResult, left, make_cache
from viewer.models import Face

T = TypeVar("T")
R = TypeVar("R")
PICTURE_FAILURE_TTL_S = 60.0
FULL_DECODES_KEPT = 2
FAILURES_KEPT = 10_000  # image URLs whose pictures failed, remembered for the flags


class Pipeline:
    """Downloads and draws pictures for the UI, the exports and the command line.

    ``cache`` holds, within one byte cap, the downloads (the fetcher stores them there) and the
    pictures, keyed by URL, faces, size and options, so a page already seen is neither
    downloaded nor drawn again.
    """

    def __init__(self, settings: Settings, policy: HostPolicy | None = None) -> None:
        self.settings = settings
        self.cache = make_cache(settings)
        self.fetcher = Fetcher(settings, policy, self.cache)
        self._draw_pool = ThreadPoolExecutor(2, thread_name_prefix="draw")
        self._ahead_pool = ThreadPoolExecutor(1, thread_name_prefix="ahead")
        self._ahead: Future[None] | None = None
        # decodes of the images whose faces are being cropped: counted, not sized
        self._decoded = ByteLRU(FULL_DECODES_KEPT, sizeof=lambda _: 1)
        self._failures = ByteLRU(FAILURES_KEPT, sizeof=lambda _: 1)  # reason by image URL
        self.draws = 0

    def close(self) -> None:
        self._ahead_pool.shutdown(wait=False, cancel_futures=True)
        self._draw_pool.shutdown(wait=False, cancel_futures=True)
        self.fetcher.close()

    # --- annotated images -----------------------------------------------------------------

    def annotated_many(
        self,
        items: Sequence[tuple[str | None, Sequence[Face]]],
        options: ViewOptions,
        width: int | None,
        on_progress: Callable[[int, int], None] | None = None,
        height: int | None = None,
        cache: bool = True,
    ) -> list[Result]:
        """One annotated picture per (url, faces of that image), in the same order.

        ``width`` None draws at full size; with ``height`` pictures are fitted into tiles.
        ``on_progress(done, total)`` counts pictures. ``cache=False`` leaves the pictures out
        of the shared cache (exports: large, and wanted once).
        """
        results: dict[int, Result] = {}
        for i, result in self.annotated_stream(items, options, width, height, cache=cache):
            results[i] = result
            if on_progress:
                on_progress(len(results), len(items))
        return [results[i] for i in range(len(items))]

    def annotated_stream(
        self,
        items: Sequence[tuple[str | None, Sequence[Face]]],
        options: ViewOptions,
        width: int | None,
        height: int | None = None,
        cache: bool = True,
        until: float | None = None,
    ) -> Iterator[tuple[int, Result]]:
        """Yield (index into ``items``, picture) as each is ready: cached ones first.
        ``until``: stop at that ``time.monotonic()`` time, the rest left to finish behind."""
        keys = [
            ("annotated", url, tuple(faces), options.only_for(faces), width, height)
            for url, faces in items
        ]
        pending: dict[str, list[int]] = {}
        for i, ((url, faces), key) in enumerate(zip(items, keys, strict=True)):
            hit = self.cache.get(key)
            if hit is not None:
                yield i, hit
            elif not url:
                reason = faces[0].missing_image if faces else "This face has no image URL."
                yield i, PictureFailure(None, reason)
            else:
                pending.setdefault(url, []).append(i)

        def make(i: int, got: FetchResult) -> Result:
            result = self._annotate(got, items[i][1], options, width, height)
            if cache:
                self._store(keys[i], result)
            return result

        yield from self._draw_as_fetched(pending, make, until)

    def _store(self, key: Hashable, result: Result) -> None:
        """Cache a picture; a failure only for a while, so that it is tried again."""
        failed = isinstance(result, PictureFailure)
        self.cache.put(key, result, ttl_s=PICTURE_FAILURE_TTL_S if failed else None)

    def _draw_as_fetched(
        self,
        pending: dict[str, list[T]],
        make: Callable[[T, FetchResult], R],
        until: float | None = None,
    ) -> Iterator[tuple[T, R]]:
        """Download the pending URLs and draw each item as soon as its image arrives;
        ``until`` (a ``time.monotonic()`` time): stop yielding there, while what is still
        downloading or drawing goes on in the background and is cached when done."""
        drawing: dict[Future[R], T] = {}
        for url, got in self.fetcher.fetch_iter(pending, until):
            for item in pending[url]:
                drawing[self._draw_pool.submit(make, item, got)] = item
            for future in [f for f in drawing if f.done()]:
                yield drawing.pop(future), future.result()
        try:
            for future in as_completed(drawing, timeout=left(until)):
                yield drawing[future], future.result()
        except FuturesTimeout:
            return

    def _annotate(
        self,
        fetched: Fetched | FetchFailure,
        faces: Sequence[Face],
        options: ViewOptions,
        width: int | None,
        height: int | None = None,
    ) -> Result:
        if isinstance(fetched, FetchFailure):
            return self._failed(fetched.url, fetched.reason)
        self.draws += 1
        try:
            draft = display_draft(width, height)
            decoded = decode(fetched.data, self.settings.max_image_pixels, draft)
            return render_annotated(decoded, faces, options, width, height)
        except ImageError as error:
            return self._failed(fetched.url, error.message)
        except Exception as error:  # a drawing bug shows as one failed tile, not a crash
            reason = f"The image could not be drawn ({type(error).__name__})."
            return PictureFailure(fetched.url, reason)

    # --- face crops -------------------------------------------------------------------------

    def crops(
        self,
        faces: Sequence[Face],
        options: ViewOptions,
        size: int = 160,
        on_progress: Callable[[int, int], None] | None = None,
    ) -> dict[str, Result]:
        """One square face crop per face, keyed by ``face.key``."""
        results: dict[str, Result] = {}
        for key, result in self.crops_stream(faces, options, size):
            results[key] = result
            if on_progress:
                on_progress(len(results), len(faces))
        return {f.key: results[f.key] for f in faces}

    def crops_stream(
        self,
        faces: Sequence[Face],
        options: ViewOptions,
        size: int = 160,
        until: float | None = None,
    ) -> Iterator[tuple[str, Result]]:
        """Yield (face key, crop) as each is ready: cached ones first. ``until``: stop at
        that ``time.monotonic()`` time, the rest left to finish behind."""
        keys = {f.key: ("crop", f, options.only_for([f]), size) for f in faces}
        pending: dict[str, list[str]] = {}
        by_key = {f.key: f for f in faces}
        for f in faces:
            hit = self.cache.get(keys[f.key])
            if hit is not None:
                yield f.key, hit
            elif not f.url:
                yield f.key, PictureFailure(None, f.missing_image)
            else:
                pending.setdefault(f.url, []).append(f.key)

        def make(key: str, got: FetchResult) -> Result:
            result = self._crop(got, by_key[key], options, size)
            self._store(keys[key], result)
            return result

        yield from self._draw_as_fetched(pending, make, until)

    def _crop(self, got: FetchResult, face: Face, options: ViewOptions, size: int) -> Result:
        if isinstance(got, FetchFailure):
            return self._failed(got.url, got.reason)
        try:
            decoded = self._decoded_for_crop(got, face, options, size)
            return render_crop(decoded, face, options, size)
        except ImageError as error:
            return self._failed(got.url, error.message)
        except Exception as error:  # a drawing bug shows as one failed tile, not a crash
            reason = f"The face could not be cropped ({type(error).__name__})."
            return PictureFailure(got.url, reason)

    def _decoded_for_crop(
        self, got: Fetched, face: Face, options: ViewOptions, size: int
    ) -> Decoded:
        """The image decoded at the scale the face's crop is shown (a JPEG at 1/2 to 1/8 when
        the face's square is that many times larger than the crop), once per image while its
        faces are cropped: a kept decode serves every face it holds enough detail for."""
        draft = crop_draft(face, options.boxes_on, size)
        hit = self._decoded.get(got.url)
        if hit is not None and has_detail(hit, draft):
            return hit
        decoded = decode(got.data, self.settings.max_image_pixels, draft)
        self.draws += 1
        self._decoded.put(got.url, decoded)
        return decoded

    def _failed(self, url: str, reason: str) -> PictureFailure:
        """A picture whose image could not be had or read: remembered for ``failed_images``."""
        self._failures.put(url, reason, ttl_s=PICTURE_FAILURE_TTL_S)
        return PictureFailure(url, reason)

    def failed_images(self) -> dict[str, str]:
        """The images whose pictures failed lately (not had, or not readable), with why: a
        short list, so a rerun asks it once rather than once per face."""
        return self._failures.snapshot()  # type: ignore[return-value]

    def prefetch(self, urls: Iterable[str | None]) -> int:
        return self.fetcher.prefetch(u for u in urls if u)

    def draw_ahead(
        self,
        items: Sequence[tuple[str | None, Sequence[Face]]],
        options: ViewOptions,
        width: int | None,
        height: int | None = None,
        crops: Sequence[tuple[Face, int]] = (),
    ) -> Future[None]:
        """Download and draw pictures in the background and return at once, so that the page
        they make opens from the cache. ``crops``: (face, size) of face crops to make too.
        Only the latest page asked for is drawn ahead; the future is done once its pictures
        are in the cache."""
        items = [(url, list(faces)) for url, faces in items]
        crops = list(crops)
        self.prefetch([*(url for url, _ in items), *(face.url for face, _ in crops)])
        if self._ahead is not None:
            self._ahead.cancel()  # a page the analyst has moved past need not be drawn

        def draw() -> None:
            for _ in self.annotated_stream(items, options, width, height):
                pass
            for face, size in crops:
                for _ in self.crops_stream([face], options, size):
                    pass

        self._ahead = self._ahead_pool.submit(draw)
        return self._ahead


def group_by_image(faces: Sequence[Face]) -> list[tuple[str | None, list[Face]]]:
    """Faces grouped by image URL in first-seen order; faces without a URL stand alone."""
    grouped: dict[str, list[Face]] = {}
    items: list[tuple[str | None, list[Face]]] = []
    for face in faces:
        if face.url is None:
            items.append((None, [face]))
        elif face.url in grouped:
            grouped[face.url].append(face)
        else:
            grouped[face.url] = [face]
            items.append((face.url, grouped[face.url]))
    return items
