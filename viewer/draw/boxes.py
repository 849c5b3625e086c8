"""Face boxes with labels and quality flags, corner badges, face crops and privacy blur."""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

from PIL import Image, ImageFilter

from viewer import geometry
from viewer.decoding import to_rgb
from viewer.draw.color import NEUTRAL, Color, Pattern
from viewer.draw.shapes import IntRect, Line, Point, Rect, Shape, Text, paint
from viewer.draw.text import fit_text, line_height, text_width, truncate_drawable
from viewer.geometry import XYXY


@dataclass(frozen=True)
class Badge:
    """A small square mark on a face: a letter or symbol (so it never says by colour alone)
    on a colour."""

    text: str
    color: Color


@dataclass(frozen=True)
class Mark:
    """One face to draw, in the target image's pixel space."""

    xyxy: XYXY
    label: str
    color: Color
    flagged: bool = False  # a quality flag: dashed inner outline and a "!" badge
    badges: tuple[Badge, ...] = ()  # drawn in a row inside the box's top-left corner
    pattern: Pattern = None  # the outline's (dash, gap) in line widths; None: solid
    focus: bool = False  # the face the picture is about: a double-width line, in a thin halo


@dataclass(frozen=True)
class Style:
    """How boxes look: scales multiply the sizes geometry.style_sizes picks for an image."""

    line_scale: float = 1.0
    font_scale: float = 1.0
    show_labels: bool = True
    px_per_css: float = 1.0  # image pixels per CSS pixel of the page it is shown on

    def __post_init__(self) -> None:
        for name, value in (
            ("line_scale", self.line_scale),
            ("font_scale", self.font_scale),
            ("px_per_css", self.px_per_css),
        ):
            if not (math.isfinite(value) and value > 0):
                raise ValueError(f"{name} must be a positive number, not {value!r}")

    def sizes(self, image_wh: tuple[int, int]) -> tuple[int, int]:
        """(line width, font size) in px for an image of ``image_wh``."""
        line, font = geometry.style_sizes(image_wh, self.px_per_css)
        return max(1, round(line * self.line_scale)), max(6, round(font * self.font_scale))


DEFAULT_STYLE = Style()


def _label_pad(size: int) -> tuple[int, int]:
    return max(2, size // 3), max(1, size // 5)


def _text_box(xy: Point, text: str, size: int, color: Color, min_w: int = 0) -> list[Shape]:
    """A solid ``color`` box at ``xy`` holding ``text``, centred, in the contrasting colour."""
    w, h = _text_box_wh(text, size)
    w = max(w, min_w)
    x, y = xy
    text_xy = (x + (w - text_width(text, size)) // 2, y + (h - line_height(size)) // 2)
    return [
        Rect((x, y, x + w - 1, y + h - 1), fill=color),
        Text(text_xy, text, size, color.text_color()),
    ]


def _text_box_wh(text: str, size: int) -> tuple[int, int]:
    pad_x, pad_y = _label_pad(size)
    return text_width(text, size) + 2 * pad_x, line_height(size) + 2 * pad_y


def _rgb_copy(image: Image.Image) -> Image.Image:
    rgb = to_rgb(image)
    return rgb.copy() if rgb is image else rgb


def _outline_rect(xyxy: XYXY, line: int, image_wh: tuple[int, int]) -> IntRect | None:
    """The outline drawn just outside a box, kept inside the image; None if it cannot show."""
    if not all(math.isfinite(v) for v in xyxy):
        return None
    img_w, img_h = image_wh
    x0, x1 = sorted((xyxy[0], xyxy[2]))
    y0, y1 = sorted((xyxy[1], xyxy[3]))
    left, top = max(0, math.floor(x0) - line), max(0, math.floor(y0) - line)
    right = min(img_w - 1, math.ceil(x1) - 1 + line)
    bottom = min(img_h - 1, math.ceil(y1) - 1 + line)
    if right < left or bottom < top:
        return None
    return (left, top, right, bottom)


def _grow(rect: IntRect, by: int, image_wh: tuple[int, int]) -> IntRect:
    """``rect`` grown by ``by`` px on every side, kept inside the image."""
    return (
        max(0, rect[0] - by),
        max(0, rect[1] - by),
        min(image_wh[0] - 1, rect[2] + by),
        min(image_wh[1] - 1, rect[3] + by),
    )


def _dashes(a: Point, b: Point, dash: int, gap: int, color: Color, width: int) -> list[Shape]:
    """Dashes along a horizontal or vertical segment."""
    (x0, y0), (x1, y1) = a, b
    length = max(abs(x1 - x0), abs(y1 - y0))
    dx, dy = (x1 > x0) - (x1 < x0), (y1 > y0) - (y1 < y0)
    out: list[Shape] = []
    for start in range(0, length + 1, dash + gap):
        end = min(start + dash - 1, length)
        out.append(
            Line(((x0 + dx * start, y0 + dy * start), (x0 + dx * end, y0 + dy * end)), color, width)
        )
    return out


def _spans(lo: int, hi: int, dash: int, gap: int, from_hi: bool) -> list[tuple[int, int]]:
    """Inclusive (first, last) spans of dashes from ``lo`` to ``hi``, starting at ``hi``
    when ``from_hi``."""
    out: list[tuple[int, int]] = []
    length = hi - lo + 1
    for start in range(0, length, dash + gap):
        end = min(start + dash, length) - 1
        out.append((hi - end, hi - start) if from_hi else (lo + start, lo + end))
    return out


def dashed_outline(rect: IntRect, line: int, pattern: Pattern, color: Color) -> list[Shape]:
    """The outline of ``rect``, ``line`` px wide inwards, solid or in dashes of ``pattern``.

    Dashes run clockwise from each corner, so every corner is drawn."""
    if pattern is None:
        return [Rect(rect, outline=color, width=line)]
    x0, y0, x1, y1 = rect
    t = max(1, min(line, x1 - x0 + 1, y1 - y0 + 1))
    dash, gap = max(1, pattern[0] * line), max(1, pattern[1] * line)
    shapes: list[Shape] = []
    for a, b in _spans(x0, x1, dash, gap, False):  # top, left to right
        shapes.append(Rect((a, y0, b, y0 + t - 1), fill=color))
    for a, b in _spans(y0, y1, dash, gap, False):  # right, downwards
        shapes.append(Rect((x1 - t + 1, a, x1, b), fill=color))
    for a, b in _spans(x0, x1, dash, gap, True):  # bottom, right to left
        shapes.append(Rect((a, y1 - t + 1, b, y1), fill=color))
    for a, b in _spans(y0, y1, dash, gap, True):  # left, upwards
        shapes.append(Rect((x0, a, x0 + t - 1, b), fill=color))
    return shapes


def _flag_shapes(rect: IntRect, line: int, size: int, color: Color) -> list[Shape]:
    """A dashed outline in the contrasting colour just inside the box, and a "!" corner badge."""
    ink = color.text_color()
    inset = line + line // 2
    x0, y0 = rect[0] + inset, rect[1] + inset
    x1, y1 = rect[2] - inset, rect[3] - inset
    shapes: list[Shape] = []
    if x1 > x0 and y1 > y0:
        corners = [(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)]
        for a, b in itertools.pairwise(corners):
            shapes += _dashes(a, b, 3 * line, 2 * line, ink, line)
    w, h = _text_box_wh("!", size)
    side = max(w, h)
    shapes += _text_box((max(rect[0], rect[2] - side + 1), rect[1]), "!", size, color, side)
    return shapes


class BoxAnnotator:
    """Draws face boxes with labels. Set up with a style; feed it marks per image."""

    def __init__(self, style: Style = DEFAULT_STYLE) -> None:
        self.style = style

    def annotate(self, image: Image.Image, marks: Sequence[Mark]) -> Image.Image:
        """A new RGB image with every mark drawn. Marks with no usable box are skipped."""
        canvas = _rgb_copy(image)
        return paint(canvas, self._shapes(canvas.size, marks))

    def _shapes(self, image_wh: tuple[int, int], marks: Sequence[Mark]) -> list[Shape]:
        line, size = self.style.sizes(image_wh)
        halo_w = max(1, line // 2)
        shapes: list[Shape] = []
        for mark, rect in self._outlined(image_wh, marks, line):
            weight = 2 * line if mark.focus else line  # the focus's extra width falls inwards
            if mark.focus and (halo := _outline_rect(mark.xyxy, line + halo_w, image_wh)):
                shapes.append(Rect(halo, outline=mark.color.text_color(), width=halo_w))
            shapes += dashed_outline(rect, weight, mark.pattern, mark.color)
            if mark.flagged:
                inner = _grow(rect, line - weight, image_wh)  # inside the focus's wider line
                shapes += _flag_shapes(inner, line, size, mark.color)
            shapes += _badge_row((rect[0] + weight, rect[1] + weight), mark.badges, size)
        for mark, spot, text in self.label_spots(image_wh, marks):
            shapes += _text_box(spot[:2], text, size, mark.color)
        return shapes

    @staticmethod
    def _outlined(
        image_wh: tuple[int, int], marks: Sequence[Mark], line: int
    ) -> list[tuple[Mark, IntRect]]:
        """The marks that can show, with their outlines; the face the picture is about goes
        first, so its label gets the first choice of spot."""
        ordered = sorted(marks, key=lambda m: not m.focus)
        return [(m, r) for m in ordered if (r := _outline_rect(m.xyxy, line, image_wh))]

    def label_spots(
        self, image_wh: tuple[int, int], marks: Sequence[Mark]
    ) -> list[tuple[Mark, IntRect, str]]:
        """Where each mark's label is drawn (inclusive corners) and the text it shows;
        none when labels are off."""
        if not self.style.show_labels:
            return []
        line, size = self.style.sizes(image_wh)
        halo_w = max(1, line // 2)
        pad_x, _ = _label_pad(size)
        labelled = [
            (mark, _grow(rect, halo_w if mark.focus else 0, image_wh), text)
            for mark, rect in self._outlined(image_wh, marks, line)
            if (text := fit_text(truncate_drawable(mark.label), size, image_wh[0] - 2 * pad_x))
        ]
        boxes = [(r[0], r[1], r[2] + 1.0, r[3] + 1.0) for _, r, _ in labelled]
        sizes = [_text_box_wh(text, size) for _, _, text in labelled]
        spots = geometry.place_labels(boxes, sizes, image_wh)
        out: list[tuple[Mark, IntRect, str]] = []
        for (mark, _, text), spot, (w, h) in zip(labelled, spots, sizes, strict=True):
            x, y = round(spot[0]), round(spot[1])
            out.append((mark, (x, y, x + w - 1, y + h - 1), text))
        return out


_CORNERS = ("tl", "tr", "bl", "br")


CHECK, CROSS = "\u2713", "\u2717"  # drawn as strokes: the built-in font has neither
_STROKES = {
    CHECK: (((0.22, 0.55), (0.42, 0.76), (0.8, 0.28)),),
    CROSS: (((0.26, 0.26), (0.74, 0.74)), ((0.74, 0.26), (0.26, 0.74))),
}


def _badge_row(xy: Point, badges: Sequence[Badge], size: int) -> list[Shape]:
    """Square badges side by side from ``xy`` rightwards, a pixel apart; a check or a cross
    is drawn as strokes, any other text as text."""
    shapes: list[Shape] = []
    x, y = xy
    side = max(_text_box_wh("W", size))
    for item in badges:
        strokes = _STROKES.get(item.text)
        if strokes is None:
            shapes += _text_box((x, y), truncate_drawable(item.text), size, item.color, side)
        else:
            shapes.append(Rect((x, y, x + side - 1, y + side - 1), fill=item.color))
            width = max(2, round(side / 7))
            for stroke in strokes:
                points = tuple((x + round(fx * side), y + round(fy * side)) for fx, fy in stroke)
                shapes.append(Line(points, item.color.text_color(), width))
        x += side + 1
    return shapes


def badge_row(image: Image.Image, badges: Sequence[Badge]) -> Image.Image:
    """A new RGB image with ``badges`` side by side in its top-left corner."""
    out = _rgb_copy(image)
    line, size = geometry.style_sizes(out.size)
    return paint(out, _badge_row((line, line), badges, size))


def badge(image: Image.Image, text: str, color: Color, corner: str = "tl") -> Image.Image:
    """A new RGB image with a small ``text`` badge in ``color`` at ``corner`` (tl, tr, bl, br)."""
    if corner not in _CORNERS:
        raise ValueError(f"unknown corner {corner!r}; use one of {', '.join(_CORNERS)}")
    out = _rgb_copy(image)
    img_w, img_h = out.size
    line, size = geometry.style_sizes(out.size)
    pad_x, _ = _label_pad(size)
    text = fit_text(truncate_drawable(text), size, img_w - 2 * line - 2 * pad_x)
    w, h = _text_box_wh(text, size)
    w = max(w, h)  # a one-character badge is a square, not a sliver
    x = line if corner[1] == "l" else img_w - line - w
    y = line if corner[0] == "t" else img_h - line - h
    shapes = _text_box((max(0, x), max(0, y)), text, size, color, w)
    return paint(out, shapes)


# ---------------------------------------------------------------------------------------------
# Crops and blur


def crop_face(image: Image.Image, xyxy: XYXY, size: int = 160, margin: float = 0.25) -> Image.Image:
    """A ``size`` x ``size`` RGB tile of the face and ``margin`` (times its larger side) around it.

    Where the image is too small for the square, the rest is neutral grey.
    Raises ValueError if the box does not overlap the image.
    """
    if size < 1:
        raise ValueError(f"tile size must be at least 1 px, not {size}")
    if not (math.isfinite(margin) and margin >= 0):
        raise ValueError(f"margin must be zero or more, not {margin!r}")
    img_w, img_h = image.size
    if not all(math.isfinite(v) for v in xyxy) or img_w < 1 or img_h < 1:
        raise ValueError("face box or image has no usable size")
    padded = geometry.pad_xyxy(xyxy, margin, image.size)
    pw, ph = padded[2] - padded[0], padded[3] - padded[1]
    if pw <= 0 or ph <= 0:
        raise ValueError(f"face box {tuple(round(v, 1) for v in xyxy)} lies outside the image")
    side = max(pw, ph)
    if side <= min(img_w, img_h):
        square = geometry.square_xyxy(padded, image.size)
    else:  # centre on the face where the image allows, else centre the image in the square
        cx, cy = (padded[0] + padded[2]) / 2, (padded[1] + padded[3]) / 2
        x0 = min(max(cx - side / 2, 0.0), img_w - side) if side <= img_w else (img_w - side) / 2
        y0 = min(max(cy - side / 2, 0.0), img_h - side) if side <= img_h else (img_h - side) / 2
        square = (x0, y0, x0 + side, y0 + side)
    seen = geometry.clamp_xyxy(square, image.size)
    scale = size / side
    # Crop whole pixels first so only the face region is converted, then resample exactly.
    ix0, iy0 = math.floor(seen[0]), math.floor(seen[1])
    ix1, iy1 = math.ceil(seen[2]), math.ceil(seen[3])
    region = to_rgb(image.crop((ix0, iy0, ix1, iy1)))
    out_w = min(size, max(1, round((seen[2] - seen[0]) * scale)))
    out_h = min(size, max(1, round((seen[3] - seen[1]) * scale)))
    box = (seen[0] - ix0, seen[1] - iy0, seen[2] - ix0, seen[3] - iy0)
    face = region.resize((out_w, out_h), Image.Resampling.LANCZOS, box=box, reducing_gap=3.0)
    if (out_w, out_h) == (size, size):
        return face
    tile = Image.new("RGB", (size, size), NEUTRAL.as_rgb())
    offset = (round((seen[0] - square[0]) * scale), round((seen[1] - square[1]) * scale))
    tile.paste(face, (min(offset[0], size - out_w), min(offset[1], size - out_h)))
    return tile


# A whole picture is blurred at this many pixels across its shorter side: a person who fills
# the frame is a few pixels wide there, beyond recognition, while the scene's layout stays.
SCENE_WORK_SIDE = 32


def blur_scene(image: Image.Image) -> Image.Image:
    """A new RGB image blurred whole, so no one in it can be recognised, whether the API
    found their face or not; its size is kept."""
    out = _rgb_copy(image)
    shrink = max(1.0, min(out.size) / SCENE_WORK_SIDE, max(out.size) / (8 * SCENE_WORK_SIDE))
    small_wh = (max(1, round(out.width / shrink)), max(1, round(out.height / shrink)))
    small = out.resize(small_wh, Image.Resampling.BOX).filter(ImageFilter.GaussianBlur(1))
    return small.resize(out.size, Image.Resampling.BILINEAR)
