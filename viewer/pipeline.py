"""From faces to pictures: download, decode at display size, place boxes, draw, encode, cache."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from PIL import Image

from viewer import geometry, render
from viewer.config import Settings
from viewer.exceptions import ImageError
from viewer.hosts import HostPolicy
from viewer.images import Decoded, Fetched, Fetcher, FetchFailure, decode, orient
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
class Failed:
    """A picture that could not be made; ``reason`` is one sentence for the analyst."""

    url: str | None
    reason: str

    @property
    def nbytes(self) -> int:
        return 300 + len(self.reason)


Result = Rendered | Failed


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


def annotate_decoded(
    decoded: Decoded, faces: Sequence[Face], options: ViewOptions, width: int | None
) -> tuple[Image.Image, dict[str, geometry.Placement]]:
    """Draw the faces' boxes on a decoded image, at ``width`` (None: full size)."""
    image = decoded.image
    if options.boxes_on == "upright":
        image = orient(image, decoded.orientation)
    placements, space_wh = _placements(
        faces, decoded.stored_wh, decoded.orientation, options.boxes_on
    )
    if width and image.width != width:
        # small images are enlarged before drawing, so labels are drawn crisp at display size
        height = max(1, round(image.height * width / image.width))
        image = image.resize((width, height), Image.Resampling.LANCZOS, reducing_gap=2.0)
    sx, sy = image.width / space_wh[0], image.height / space_wh[1]
    drawn = [
        (f, geometry.scale_xyxy(p.xyxy, sx, sy)) for f in faces if (p := placements[f.key]).xyxy
    ]
    if options.blur and drawn:
        image = render.blur_regions(image, [xyxy for _, xyxy in drawn])
    marks = [
        render.Mark(
            xyxy,
            render.face_label(f),
            render.color_for(f, options.color_mode),
            f.key in options.flagged,
        )
        for f, xyxy in drawn
    ]
    annotated = render.BoxAnnotator(render.Style(show_labels=options.show_labels)).annotate(
        image, marks
    )
    if options.boxes_on == "stored":
        annotated = orient(annotated, decoded.orientation)
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
        image = render.blur_regions(image, [xyxy])
    color = render.color_for(face, options.color_mode)
    marked = render.BoxAnnotator(render.Style(show_labels=False)).annotate(
        image, [render.Mark(xyxy, "", color, False)]
    )
    tile = render.crop_face(marked, xyxy, size=size)
    if options.boxes_on == "stored":
        tile = orient(tile, decoded.orientation)
    if face.key in options.flagged:
        tile = render.badge(tile, "!", render.VERMILLION, corner="tr")
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
        self.draws = 0

    def close(self) -> None:
        self._draw_pool.shutdown(wait=False, cancel_futures=True)
        self.fetcher.close()

    # --- annotated images -----------------------------------------------------------------

    def annotated_many(
        self,
        items: Sequence[tuple[str | None, Sequence[Face]]],
        options: ViewOptions,
        width: int | None,
        on_progress: Callable[[int, int], None] | None = None,
    ) -> list[Result]:
        """One annotated picture per (url, faces of that image), in the same order."""
        keys = [("annotated", url, tuple(faces), options, width) for url, faces in items]
        results: list[Result | None] = [self.cache.get(k) for k in keys]
        wanted = [url for (url, _), r in zip(items, results, strict=True) if r is None and url]
        fetched = self.fetcher.fetch_many(wanted, on_progress) if wanted else {}
        todo = [i for i, r in enumerate(results) if r is None]

        def make(i: int) -> Result:
            url, faces = items[i]
            if not url:
                return Failed(None, "This face has no image URL.")
            return self._annotate(fetched[url], faces, options, width)

        for i, result in zip(todo, self._draw_pool.map(make, todo), strict=True):
            results[i] = result
            self.cache.put(keys[i], result, ttl_s=60.0 if isinstance(result, Failed) else None)
        return [r for r in results if r is not None]

    def _annotate(
        self,
        fetched: Fetched | FetchFailure,
        faces: Sequence[Face],
        options: ViewOptions,
        width: int | None,
    ) -> Result:
        if isinstance(fetched, FetchFailure):
            return Failed(fetched.url, fetched.reason)
        self.draws += 1
        try:
            decoded = _decode_for(fetched, self.settings, width)
            image, placements = annotate_decoded(decoded, faces, options, width)
        except ImageError as error:
            return Failed(fetched.url, error.message)
        except Exception as error:  # a drawing bug shows as one failed tile, not a crash
            return Failed(fetched.url, f"The image could not be drawn ({type(error).__name__}).")
        return Rendered(
            render.to_jpeg(image, options.quality), image.size, decoded.stored_wh, placements
        )

    # --- face crops -------------------------------------------------------------------------

    def crops(
        self,
        faces: Sequence[Face],
        options: ViewOptions,
        size: int = 160,
        on_progress: Callable[[int, int], None] | None = None,
    ) -> dict[str, Result]:
        """One square face crop per face, keyed by ``face.key``."""
        keys = {f.key: ("crop", f, options, size) for f in faces}
        results: dict[str, Result] = {}
        missing: list[Face] = []
        for f in faces:
            hit = self.cache.get(keys[f.key])
            if hit is None:
                missing.append(f)
            else:
                results[f.key] = hit
        urls = [f.url for f in missing if f.url]
        fetched = self.fetcher.fetch_many(urls, on_progress) if urls else {}
        by_url: dict[str | None, list[Face]] = {}
        for f in missing:
            by_url.setdefault(f.url, []).append(f)

        def make(url: str | None) -> dict[str, Result]:
            group = by_url[url]
            if not url:
                return {f.key: Failed(None, "This face has no image URL.") for f in group}
            got = fetched[url]
            if isinstance(got, FetchFailure):
                return {f.key: Failed(url, got.reason) for f in group}
            out: dict[str, Result] = {}
            try:
                # crops want the face's full detail: decode the image at full size
                decoded = _decode_for(got, self.settings, None)
            except ImageError as error:
                return {f.key: Failed(url, error.message) for f in group}
            self.draws += 1
            for f in group:
                try:
                    tile, placement = crop_decoded(decoded, f, options, size)
                    out[f.key] = Rendered(
                        render.to_jpeg(tile, options.quality),
                        tile.size,
                        decoded.stored_wh,
                        {f.key: placement},
                    )
                except ImageError as error:
                    out[f.key] = Failed(url, error.message)
                except Exception as error:
                    out[f.key] = Failed(
                        url, f"The face could not be cropped ({type(error).__name__})."
                    )
            return out

        for made in self._draw_pool.map(make, list(by_url)):
            for key, result in made.items():
                results[key] = result
        for f in missing:
            result = results[f.key]
            self.cache.put(keys[f.key], result, ttl_s=60.0 if isinstance(result, Failed) else None)
        return {f.key: results[f.key] for f in faces}

    def prefetch(self, urls: Iterable[str | None]) -> int:
        return self.fetcher.prefetch(u for u in urls if u)


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
