"""What each face gets when it is drawn: its label, its mark, blur and badge, and where it lands.

Pure: a decoded image and faces in, a picture out; no threads, no network, no cache. The
pipeline schedules downloads around these functions and caches what they make.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property

from PIL import Image

from viewer import geometry
from viewer.decoding import Decoded, DraftFor, at_scale, orient
from viewer.draw.boxes import (
    Badge,
    BoxAnnotator,
    Mark,
    Style,
    badge,
    badge_row,
    blur_scene,
    crop_face,
)
from viewer.draw.color import BLUISH_GREEN, VERMILLION, YELLOW, color_for, line_pattern
from viewer.draw.encode import to_jpeg
from viewer.draw.sheet import contact_sheet
from viewer.draw.tiles import error_tile, letterbox
from viewer.exceptions import ImageError
from viewer.models import Face, Group
from viewer.numbers import decimal, percent
from viewer.review.triage import VERDICT_SYMBOLS
from viewer.review.values import BELONGS, NOT_THIS_PERSON, UNSURE

TURNED = (5, 6, 7, 8)  # EXIF orientations that swap width and height
CROP_MARGIN = 0.25  # around a face crop, times the box's larger side (crop_face's default)
# A verdict's badge: its symbol says it without the colour (the page uses the same symbols).
VERDICT_BADGES = {
    verdict: Badge(VERDICT_SYMBOLS[verdict], color)
    for verdict, color in ((BELONGS, BLUISH_GREEN), (NOT_THIS_PERSON, VERMILLION), (UNSURE, YELLOW))
}

FaceBadges = tuple[tuple[str, tuple[Badge, ...]], ...]  # (face key, its badges), by key


@dataclass(frozen=True)
class ViewOptions:
    """How pictures are drawn; part of every cache key, so a change re-draws, never re-downloads.

    ``flagged`` and ``badges`` are per face: pictures are cached under ``only_for`` their own
    faces, so a verdict on one face re-draws only the pictures that show it.
    """

    color_mode: str = "frontal"
    show_labels: bool = True
    blur: bool = False
    boxes_on: str = "stored"  # boxes refer to "stored" pixels, or to the "upright" (EXIF) image
    flagged: frozenset[str] = frozenset()  # face keys that carry a quality flag
    focus: frozenset[str] = frozenset()  # face keys a picture is about: drawn apart from others
    quality: int = 85
    badges: FaceBadges = ()  # marks each face carries (a verdict; other evidence later)
    # CSS px the picture (its tile, when fitted into one) is shown at; None: at its own size
    shown_width: int | None = None

    def with_badges(self, badges: Mapping[str, Sequence[Badge]]) -> ViewOptions:
        """These options with ``badges`` (by face key) in place of any before."""
        return replace(self, badges=tuple(sorted((k, tuple(v)) for k, v in badges.items() if v)))

    @cached_property
    def _badge_map(self) -> dict[str, tuple[Badge, ...]]:
        return dict(self.badges)

    def badges_for(self, key: str) -> tuple[Badge, ...]:
        """The badges of the face with this key, in drawing order."""
        return self._badge_map.get(key, ())

    def only_for(self, faces: Iterable[Face]) -> ViewOptions:
        """These options narrowed to what ``faces`` carry: what their pictures' cache keys hold."""
        keys = {f.key for f in faces}
        badges = tuple((k, self._badge_map[k]) for k in sorted(keys) if k in self._badge_map)
        return replace(self, flagged=self.flagged & keys, focus=self.focus & keys, badges=badges)


def verdict_badges(verdicts: Mapping[str, str]) -> dict[str, tuple[Badge, ...]]:
    """Each face's verdict badge, from its verdict word by face key."""
    return {key: (VERDICT_BADGES[v],) for key, v in verdicts.items() if v in VERDICT_BADGES}


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


def face_label(face: Face) -> str:
    """``"91% · sharp 0.67 · frontal"``, numbers written as everywhere (``viewer.numbers``);
    a missing number shows as ``–``. Every caption of a face reads the same."""
    return f"{percent(face.confidence)} · sharp {decimal(face.sharpness)} · {face.pose}"


def place_faces(
    faces: Sequence[Face], stored_wh: tuple[int, int], orientation: int, boxes_on: str
) -> tuple[dict[str, geometry.Placement], tuple[int, int]]:
    """Resolve every face's box in the space the boxes are drawn in; return that space's size."""
    wh = stored_wh
    if boxes_on == "upright" and orientation in TURNED:
        wh = (stored_wh[1], stored_wh[0])
    return {f.key: geometry.resolve_box(f.box, f.reported_wh, wh) for f in faces}, wh


def marks_for(
    faces: Sequence[Face],
    placements: Mapping[str, geometry.Placement],
    scale_xy: tuple[float, float],
    options: ViewOptions,
) -> list[Mark]:
    """A mark for each face whose box was placed, scaled by ``scale_xy`` into the picture drawn.

    It carries the face's label, its colour in ``options.color_mode`` and the line pattern
    that goes with the colour, its quality flag, its badges, and whether the picture is
    about it (``options.focus``).
    """
    sx, sy = scale_xy
    return [
        Mark(
            geometry.scale_xyxy(p.xyxy, sx, sy),
            face_label(f),
            color,
            f.key in options.flagged,
            options.badges_for(f.key),
            line_pattern(color),
            f.key in options.focus,
        )
        for f in faces
        if (p := placements[f.key]).xyxy and (color := color_for(f, options.color_mode))
    ]


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


def _px_per_css(drawn_width: int, shown_width: int | None) -> float:
    """Pixels of the drawn picture per CSS pixel of the page: a picture (or tile)
    ``drawn_width`` px wide shown ``shown_width`` CSS px wide (None: at its own size)."""
    if not shown_width or shown_width < 1:
        return 1.0
    return max(1.0, drawn_width / shown_width)


def _in_box_space(decoded: Decoded, options: ViewOptions) -> Image.Image:
    """The decoded pixels in the space boxes refer to: stored, or turned upright first."""
    if options.boxes_on == "upright":
        return orient(decoded.image, decoded.orientation)
    return decoded.image


def display_draft(width: int | None, height: int | None = None) -> DraftFor | None:
    """What a picture shown ``width`` wide (and within ``height``) needs decoded: its display
    scale of the stored pixels, so a thumbnail of a large photo is decoded at 1/2 to 1/8."""
    if not width:
        return None

    def draft(stored_wh: tuple[int, int], orientation: int) -> tuple[int, int] | None:
        w, h = stored_wh[::-1] if orientation in TURNED else stored_wh
        scale = width / w if not height else min(width / w, height / h)
        return at_scale(stored_wh, scale)

    return draft


def crop_draft(face: Face, boxes_on: str, size: int) -> DraftFor:
    """What a ``size`` px crop of ``face`` needs decoded: enough pixels for its square to stay
    at least ``size`` wide, so a face 2 to 8 times larger than its crop is decoded at 1/2 to 1/8."""

    def draft(stored_wh: tuple[int, int], orientation: int) -> tuple[int, int] | None:
        placements, space_wh = place_faces([face], stored_wh, orientation, boxes_on)
        xyxy = placements[face.key].xyxy
        if xyxy is None:
            return None
        padded = geometry.pad_xyxy(xyxy, CROP_MARGIN, space_wh)
        side = max(padded[2] - padded[0], padded[3] - padded[1])
        return at_scale(stored_wh, size / side) if side > 0 else None

    return draft


def has_detail(decoded: Decoded, draft: DraftFor) -> bool:
    """Whether ``decoded`` holds at least the detail ``draft`` asks of it."""
    wanted = draft(decoded.stored_wh, decoded.orientation) or decoded.stored_wh
    return decoded.image.width >= wanted[0] and decoded.image.height >= wanted[1]


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
    image = _in_box_space(decoded, options)
    turned = decoded.orientation in TURNED
    placements, space_wh = place_faces(
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
    scale_xy = (image.width / space_wh[0], image.height / space_wh[1])
    marks = marks_for(faces, placements, scale_xy, options)
    if options.blur:
        image = blur_scene(image)
    upright_width = image.height if turned and options.boxes_on == "stored" else image.width
    px_per_css = _px_per_css(width or upright_width, options.shown_width)
    style = Style(show_labels=options.show_labels, px_per_css=px_per_css)
    annotated = BoxAnnotator(style).annotate(image, marks)
    if options.boxes_on == "stored":
        annotated = orient(annotated, decoded.orientation)
    if width and height:
        annotated = letterbox(annotated, (width, height))
    return annotated, placements


def crop_decoded(
    decoded: Decoded, face: Face, options: ViewOptions, size: int
) -> tuple[Image.Image, geometry.Placement]:
    """A square crop of one face with a margin, its box drawn thinly, flagged faces badged.

    Raises ImageError when the face has no box to crop.
    """
    image = _in_box_space(decoded, options)
    placements, space_wh = place_faces(
        [face], decoded.stored_wh, decoded.orientation, options.boxes_on
    )
    placement = placements[face.key]
    if placement.xyxy is None:
        raise ImageError(f"No face to crop: {placement.reason}.")
    sx, sy = image.width / space_wh[0], image.height / space_wh[1]
    xyxy = geometry.scale_xyxy(placement.xyxy, sx, sy)
    if options.blur:
        image = blur_scene(image)
    color = color_for(face, options.color_mode)
    marked = BoxAnnotator(Style(show_labels=False)).annotate(image, [Mark(xyxy, "", color)])
    tile = crop_face(marked, xyxy, size=size, margin=CROP_MARGIN)
    if options.boxes_on == "stored":
        tile = orient(tile, decoded.orientation)
    if face.key in options.flagged:
        tile = badge(tile, "!", VERMILLION, corner="tr")
    if badges := options.badges_for(face.key):
        tile = badge_row(tile, badges)
    return tile, placement


def render_annotated(
    decoded: Decoded,
    faces: Sequence[Face],
    options: ViewOptions,
    width: int | None,
    height: int | None = None,
) -> Rendered:
    """``annotate_decoded`` as JPEG bytes, with where each face's box landed."""
    image, placements = annotate_decoded(decoded, faces, options, width, height)
    return Rendered(to_jpeg(image, options.quality), image.size, decoded.stored_wh, placements)


def render_crop(decoded: Decoded, face: Face, options: ViewOptions, size: int) -> Rendered:
    """``crop_decoded`` as JPEG bytes, with where the face's box landed."""
    tile, placement = crop_decoded(decoded, face, options, size)
    return Rendered(
        to_jpeg(tile, options.quality), tile.size, decoded.stored_wh, {face.key: placement}
    )


def sheet_title(group: Group, faces: Sequence[Face], limit: int) -> str:
    """The contact sheet's title: the group, its face count, and how many are shown if not all."""
    title = f"Group {group.id or '(no id)'} · {len(faces):,} faces"
    if len(faces) > limit:
        title += f" (first {limit:,} shown)"
    return title


def face_sheet(
    faces: Sequence[Face], crops: Mapping[str, Result], tile: int, width: int, title: str
) -> Image.Image:
    """A contact sheet of the faces' crops, each captioned with the face and its label.

    A face whose crop failed shows as an error tile saying why.
    """
    cells: list[tuple[Image.Image, str]] = []
    for face in faces:
        crop = crops[face.key]
        if isinstance(crop, Rendered):
            with Image.open(io.BytesIO(crop.jpeg)) as opened:
                picture = opened.convert("RGB")
        else:
            picture = error_tile((tile, tile), crop.reason)
        cells.append((picture, f"{face.label} · {face_label(face)}"))
    return contact_sheet(cells, width=width, title=title)
