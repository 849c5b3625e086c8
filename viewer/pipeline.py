"""From faces to pictures: download, decode at display size, place boxes, draw, encode, cache."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from typing import TypeVar

from PIL import Image

from viewer import geometry
from viewer.compose import face_label
from viewer.config import Settings
from viewer.draw.boxes import BoxAnnotator, Mark, Style, badge, blur_regions, crop_face
from viewer.draw.color import VERMILLION, color_for
from viewer.draw.encode import to_jpeg
from viewer.exceptions import ImageError
from viewer.hosts import HostPolicy
from viewer.images import Decoded, Fetched, Fetcher, FetchFailure, FetchResult, decode, orient
from viewer.models import Face


@dataclass(frozen=True)
class ViewOptions:
    """How pictures are drawn; part of every cache key, so a change re-draws, never re-downloads."""

    color_mode: str = "frontal"
    show_labels: bool = True
    blur: bool = False
    boxes_on: str = "stored"  # boxes refer to "stored" pixels, or to the "upright" (EXIF) image
    flagged: frozenset[str] = frozenset()  # face keys that carry a quality flag
    quality: int = 85


@dataclass(frozen=True)
class Rendered:
    """An annotated picture as JPEG bytes, with where each face's box landed."""

    jpeg: bytes
    size: tuple[int, int]
    stored_wh: tuple[int, int]
    placements: Mapping[str, geometry.Placement] = field(default_factory=dict)

    @property
    def nbytes(self) -> int:
        return len(self.jpeg) + 300 * (len(self.placements) + 1)


@dataclass(frozen=True)
class PictureFailure:
    """A picture that could not be made; ``reason`` is one sentence for the analyst."""

    url: str | None
    reason: str

    @property
    def nbytes(self) -> int:
        return 300 + len(self.reason)


Result = Rendered | PictureFailure
T = TypeVar("T")
R = TypeVar("R")
TILE_BACKGROUND = (236, 236, 236)


def _decode_for(fetched: Fetched, settings: Settings, width: int | None) -> Decoded:
    draft = (width, 1) if width else None
    return decode(fetched.data, settings.max_image_pixels, draft)


def _placements(
    faces: Sequence[Face], stored_wh: tuple[int, int], orientation: int, boxes_on: str
) -> tuple[dict[str, geometry.Placement], tuple[int, int]]:
    """Resolve every face's box in the space the boxes are drawn in; return that space's size."""
    wh = stored_wh
    if boxes_on == "upright" and orientation in (5, 6, 7, 8):
        wh = (stored_wh[1], stored_wh[0])
    return {f.key: geometry.resolve_box(f.box, f.reported_wh, wh) for f in faces}, wh


def _display_scale(
    image: Image.Image, upright: bool, width: int | None, height: int | None
) -> float:
    """The one scale that fits the upright picture to ``width`` (and within ``height``)."""
    w, h = (image.height, image.width) if upright else image.size
    if not width:
        return 1.0
    scale = width / w
    if height:
        scale = min(scale, height / h)
    return scale


def annotate_decoded(
    decoded: Decoded,
    faces: Sequence[Face],
    options: ViewOptions,
    width: int | None,
    height: int | None = None,
) -> tuple[Image.Image, dict[str, geometry.Placement]]:
    """Draw the faces' boxes on a decoded image shown ``width`` wide (None: full size).

    With ``height`` too, the picture is fitted inside width × height and centred on a neutral
    tile of exactly that size, so a gallery of mixed shapes lines up.
    """
    image = decoded.image
    turned = decoded.orientation in (5, 6, 7, 8)
    if options.boxes_on == "upright":
        image = orient(image, decoded.orientation)
    placements, space_wh = _placements(
        faces, decoded.stored_wh, decoded.orientation, options.boxes_on
    )
    scale = _display_scale(image, turned and options.boxes_on == "stored", width, height)
    if scale != 1.0:
        # small images are enlarged before drawing, so labels are drawn crisp at display size
        size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
        # Shrinking, Pillow widens the filter by the scale, so bilinear is antialiased and looks
        # like Lanczos at thumbnail size for a third of the time; enlarging keeps Lanczos.
        resample = Image.Resampling.BILINEAR if scale < 1 else Image.Resampling.LANCZOS
        image = image.resize(size, resample, reducing_gap=2.0)
    sx, sy = image.width / space_wh[0], image.height / space_wh[1]
    drawn = [
        (f, geometry.scale_xyxy(p.xyxy, sx, sy)) for f in faces if (p := placements[f.key]).xyxy
    ]
    if options.blur and drawn:
        image = blur_regions(image, [xyxy for _, xyxy in drawn])
    marks = [
        Mark(
            xyxy,
            face_label(f),
            color_for(f, options.color_mode),
            f.key in options.flagged,
        )
        for f, xyxy in drawn
    ]
    annotated = BoxAnnotator(Style(show_labels=options.show_labels)).annotate(image, marks)
    if options.boxes_on == "stored":
        annotated = orient(annotated, decoded.orientation)
    if width and height and annotated.size != (width, height):
        tile = Image.new("RGB", (width, height), TILE_BACKGROUND)
        tile.paste(annotated, ((width - annotated.width) // 2, (height - annotated.height) // 2))
        annotated = tile
    return annotated, placements


def crop_decoded(
    decoded: Decoded, face: Face, options: ViewOptions, size: int
) -> tuple[Image.Image, geometry.Placement]:
    """A square crop of one face with a margin, its box drawn thinly, flagged faces badged."""
    image = decoded.image
    if options.boxes_on == "upright":
        image = orient(image, decoded.orientation)
    placements, space_wh = _placements(
        [face], decoded.stored_wh, decoded.orientation, options.boxes_on
    )
    placement = placements[face.key]
    if placement.xyxy is None:
        raise ImageError(f"No face to crop: {placement.reason}.")
    sx, sy = image.width / space_wh[0], image.height / space_wh[1]
    xyxy = geometry.scale_xyxy(placement.xyxy, sx, sy)
    if options.blur:
        image = blur_regions(image, [xyxy])
    color = color_for(face, options.color_mode)
    marked = BoxAnnotator(Style(show_labels=False)).annotate(image, [Mark(xyxy, "", color, False)])
    tile = crop_face(marked, xyxy, size=size)
    if options.boxes_on == "stored":
        tile = orient(tile, decoded.orientation)
    if face.key in options.flagged:
        tile = badge(tile, "!", VERMILLION, corner="tr")
    return tile, placement


class Pipeline:
    """Downloads and draws pictures for the UI, the exports and the command line.

    Pictures are cached by URL, faces, size and options in the fetcher's byte-capped cache, so
    a page already seen is neither downloaded nor drawn again.
    """

    def __init__(self, settings: Settings, policy: HostPolicy | None = None) -> None:
        self.settings = settings
        self.fetcher = Fetcher(settings, policy)
        self.cache = self.fetcher.cache
        self._draw_pool = ThreadPoolExecutor(2, thread_name_prefix="draw")
        self._ahead_pool = ThreadPoolExecutor(1, thread_name_prefix="ahead")
        self._ahead: Future[None] | None = None
        self._decoded: dict[str, Decoded] = {}
        self._decoded_lock = threading.Lock()
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
    ) -> Iterator[tuple[int, Result]]:
        """Yield (index into ``items``, picture) as each is ready: cached ones first."""
        keys = [("annotated", url, tuple(faces), options, width, height) for url, faces in items]
        pending: dict[str, list[int]] = {}
        for i, ((url, _), key) in enumerate(zip(items, keys, strict=True)):
            hit = self.cache.get(key)
            if hit is not None:
                yield i, hit
            elif not url:
                yield i, PictureFailure(None, "This face has no image URL.")
            else:
                pending.setdefault(url, []).append(i)

        def make(i: int, got: FetchResult) -> Result:
            result = self._annotate(got, items[i][1], options, width, height)
            if cache:
                self.cache.put(
                    keys[i], result, ttl_s=60.0 if isinstance(result, PictureFailure) else None
                )
            return result

        yield from self._draw_as_fetched(pending, make)

    def _draw_as_fetched(
        self, pending: dict[str, list[T]], make: Callable[[T, FetchResult], R]
    ) -> Iterator[tuple[T, R]]:
        """Download the pending URLs and draw each item as soon as its image arrives."""
        drawing: dict[Future[R], T] = {}
        for url, got in self.fetcher.fetch_iter(pending):
            for item in pending[url]:
                drawing[self._draw_pool.submit(make, item, got)] = item
            for future in [f for f in drawing if f.done()]:
                yield drawing.pop(future), future.result()
        for future in as_completed(drawing):
            yield drawing[future], future.result()

    def _annotate(
        self,
        fetched: Fetched | FetchFailure,
        faces: Sequence[Face],
        options: ViewOptions,
        width: int | None,
        height: int | None = None,
    ) -> Result:
        if isinstance(fetched, FetchFailure):
            return PictureFailure(fetched.url, fetched.reason)
        self.draws += 1
        try:
            decoded = _decode_for(fetched, self.settings, width)
            image, placements = annotate_decoded(decoded, faces, options, width, height)
        except ImageError as error:
            return PictureFailure(fetched.url, error.message)
        except Exception as error:  # a drawing bug shows as one failed tile, not a crash
            return PictureFailure(
                fetched.url, f"The image could not be drawn ({type(error).__name__})."
            )
        return Rendered(to_jpeg(image, options.quality), image.size, decoded.stored_wh, placements)

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
        self, faces: Sequence[Face], options: ViewOptions, size: int = 160
    ) -> Iterator[tuple[str, Result]]:
        """Yield (face key, crop) as each is ready: cached ones first."""
        keys = {f.key: ("crop", f, options, size) for f in faces}
        pending: dict[str, list[str]] = {}
        by_key = {f.key: f for f in faces}
        for f in faces:
            hit = self.cache.get(keys[f.key])
            if hit is not None:
                yield f.key, hit
            elif not f.url:
                yield f.key, PictureFailure(None, "This face has no image URL.")
            else:
                pending.setdefault(f.url, []).append(f.key)

        def make(key: str, got: FetchResult) -> Result:
            result = self._crop(got, by_key[key], options, size)
            self.cache.put(
                keys[key], result, ttl_s=60.0 if isinstance(result, PictureFailure) else None
            )
            return result

        yield from self._draw_as_fetched(pending, make)

    def _crop(self, got: FetchResult, face: Face, options: ViewOptions, size: int) -> Result:
        if isinstance(got, FetchFailure):
            return PictureFailure(got.url, got.reason)
        try:
            # crops want the face's full detail: decode the image at full size
            decoded = self._decoded_full(got)
            tile, placement = crop_decoded(decoded, face, options, size)
        except ImageError as error:
            return PictureFailure(got.url, error.message)
        except Exception as error:  # a drawing bug shows as one failed tile, not a crash
            return PictureFailure(
                got.url, f"The face could not be cropped ({type(error).__name__})."
            )
        return Rendered(
            to_jpeg(tile, options.quality),
            tile.size,
            decoded.stored_wh,
            {face.key: placement},
        )

    def _decoded_full(self, got: Fetched) -> Decoded:
        """Decode at full size once per image while its faces are cropped (a small LRU)."""
        with self._decoded_lock:
            hit = self._decoded.get(got.url)
        if hit is not None:
            return hit
        decoded = _decode_for(got, self.settings, None)
        self.draws += 1
        with self._decoded_lock:
            self._decoded[got.url] = decoded
            while len(self._decoded) > 2:
                self._decoded.pop(next(iter(self._decoded)))
        return decoded

    def prefetch(self, urls: Iterable[str | None]) -> int:
        return self.fetcher.prefetch(u for u in urls if u)

    def draw_ahead(
        self,
        items: Sequence[tuple[str | None, Sequence[Face]]],
        options: ViewOptions,
        width: int | None,
        height: int | None = None,
    ) -> Future[None]:
        """Download and draw pictures in the background and return at once, so that the page
        they make opens from the cache. Only the latest page asked for is drawn ahead; the
        future is done once its pictures are in the cache."""
        items = [(url, list(faces)) for url, faces in items]
        self.prefetch(url for url, _ in items)
        if self._ahead is not None:
            self._ahead.cancel()  # a page the analyst has moved past need not be drawn

        def draw() -> None:
            for _ in self.annotated_stream(items, options, width, height):
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
