"""Pillow drawing: face boxes and labels, face crops, privacy blur, error tiles, contact sheets.

geometry.py decides where things go; this module draws them. Public functions return a new image
and leave their input alone. Layout code builds plain shape records; only ``_paint`` calls
ImageDraw.
"""

from __future__ import annotations

import functools
import io
import itertools
import math
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from PIL import Image, ImageDraw, ImageFilter, ImageFont, ImageOps

from viewer import geometry
from viewer.geometry import XYXY
from viewer.images import to_rgb
from viewer.models import Face

Font = ImageFont.FreeTypeFont | ImageFont.ImageFont

# ---------------------------------------------------------------------------------------------
# Colours


_HEX = re.compile(r"#?([0-9a-fA-F]{6}|[0-9a-fA-F]{3})")


def _linear(channel: int) -> float:
    c = channel / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


@dataclass(frozen=True)
class Color:
    """An sRGB colour with 0..255 channels."""

    r: int
    g: int
    b: int

    def __post_init__(self) -> None:
        for name, value in (("r", self.r), ("g", self.g), ("b", self.b)):
            if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 255:
                raise ValueError(f"colour channel {name} must be an int in 0..255, not {value!r}")

    @classmethod
    def from_hex(cls, hex: str) -> Color:
        """Parse ``#RRGGBB``, ``RRGGBB`` or ``#RGB`` (any case)."""
        match = _HEX.fullmatch(hex.strip())
        if match is None:
            raise ValueError(f"not a hex colour: {hex!r}")
        digits = match.group(1)
        if len(digits) == 3:
            digits = "".join(c * 2 for c in digits)
        return cls(int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16))

    def as_rgb(self) -> tuple[int, int, int]:
        return (self.r, self.g, self.b)

    def as_hex(self) -> str:
        return f"#{self.r:02X}{self.g:02X}{self.b:02X}"

    def luminance(self) -> float:
        """WCAG relative luminance, 0 (black) to 1 (white)."""
        return 0.2126 * _linear(self.r) + 0.7152 * _linear(self.g) + 0.0722 * _linear(self.b)

    def contrast(self, other: Color) -> float:
        """WCAG contrast ratio, 1 to 21."""
        high, low = sorted((self.luminance(), other.luminance()), reverse=True)
        return (high + 0.05) / (low + 0.05)

    def text_color(self) -> Color:
        """Black or white, whichever reads better on this colour."""
        return BLACK if self.contrast(BLACK) >= self.contrast(WHITE) else WHITE


BLACK = Color(0, 0, 0)
WHITE = Color(255, 255, 255)
NEUTRAL = Color(128, 128, 128)
BLUE = Color.from_hex("#0072B2")
ORANGE = Color.from_hex("#E69F00")
VERMILLION = Color.from_hex("#D55E00")
GREY = Color.from_hex("#999999")


@dataclass(frozen=True)
class Palette:
    """An ordered set of colours, indexed without bounds."""

    colors: tuple[Color, ...]

    def __post_init__(self) -> None:
        if not self.colors:
            raise ValueError("a palette needs at least one colour")

    @classmethod
    def from_hex(cls, hexes: Sequence[str]) -> Palette:
        return cls(tuple(Color.from_hex(h) for h in hexes))

    def by_idx(self, i: int) -> Color:
        """The colour for index ``i``, wrapping around (negative indices count from the end)."""
        return self.colors[i % len(self.colors)]

    def __len__(self) -> int:
        return len(self.colors)


# Okabe & Ito's colour-blind-safe eight, black last so index 0 stands out on photographs.
OKABE_ITO = Palette.from_hex(
    ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]
)

COLOR_MODES = ("frontal", "confidence")
HIGH_CONFIDENCE = 0.9
LOW_CONFIDENCE = 0.7

_LEGENDS: dict[str, tuple[tuple[str, Color], ...]] = {
    "frontal": (("frontal", BLUE), ("profile", ORANGE), ("pose unknown", GREY)),
    "confidence": (
        ("confidence ≥ 90%", BLUE),
        ("confidence 70–89%", ORANGE),
        ("confidence below 70%", VERMILLION),
        ("confidence unknown", GREY),
    ),
}


def _check_mode(mode: str) -> None:
    if mode not in COLOR_MODES:
        raise ValueError(f"unknown colour mode {mode!r}; use one of {', '.join(COLOR_MODES)}")


def color_for(face: Face, mode: str = "frontal") -> Color:
    """The box colour of a face: by pose (``frontal``) or by confidence band (``confidence``)."""
    _check_mode(mode)
    if mode == "frontal":
        if face.is_frontal is None:
            return GREY
        return BLUE if face.is_frontal else ORANGE
    confidence = face.confidence
    if confidence is None or not math.isfinite(confidence):
        return GREY
    if confidence >= HIGH_CONFIDENCE:
        return BLUE
    if confidence >= LOW_CONFIDENCE:
        return ORANGE
    return VERMILLION


def legend(mode: str) -> list[tuple[str, str]]:
    """(meaning, hex colour) rows explaining ``color_for`` in this mode."""
    _check_mode(mode)
    return [(meaning, color.as_hex()) for meaning, color in _LEGENDS[mode]]


def _percent(value: float) -> int:
    """Whole percent rounded down, so a label never claims a band its colour does not show."""
    return math.floor(value * 100 + 1e-9)


def face_label(face: Face) -> str:
    """``"91% · sharp 0.67 · frontal"``; a missing number shows as ``–``, unknown pose as ``?``."""
    confidence = face.confidence
    sharpness = face.sharpness
    conf = (
        f"{_percent(confidence)}%" if confidence is not None and math.isfinite(confidence) else "–"
    )
    sharp = f"{sharpness:.2f}" if sharpness is not None and math.isfinite(sharpness) else "–"
    pose = {True: "frontal", False: "profile"}.get(face.is_frontal, "?")
    return f"{conf} · sharp {sharp} · {pose}"


# ---------------------------------------------------------------------------------------------
# Fonts and text


@functools.lru_cache(maxsize=64)
def load_font(size: int) -> Font:
    """Pillow's built-in scalable font at ``size`` px; no system font is needed."""
    return ImageFont.load_default(size=size)


# The built-in font covers basic Latin only; these stand in for characters it lacks.
_FALLBACKS = {
    **dict.fromkeys("‐‑‒–—―−", "-"),
    "≥": ">=",
    "≤": "<=",
    "×": "x",
    "•": "·",
    "→": "->",
    "ß": "ss",
    "æ": "ae",
    "Æ": "AE",
    "œ": "oe",
    "Œ": "OE",
    "ø": "o",
    "Ø": "O",
    "ł": "l",
    "Ł": "L",
    "đ": "d",
    "Đ": "D",
}
_PROBE_SIZE = 16


@functools.lru_cache(maxsize=1)
def _missing_glyph() -> bytes:
    return bytes(load_font(_PROBE_SIZE).getmask("\U000f0000"))


@functools.lru_cache(maxsize=4096)
def _has_glyph(char: str) -> bool:
    return bytes(load_font(_PROBE_SIZE).getmask(char)) != _missing_glyph()


def drawable(text: str) -> str:
    """``text`` rewritten to what the built-in font can show.

    Dashes become ``-``, accents are dropped (``é`` -> ``e``), line breaks become spaces,
    invisible format characters go, and anything else the font lacks becomes ``?``.
    """
    out: list[str] = []
    for char in text:
        category = unicodedata.category(char)
        if char in _FALLBACKS:
            out.append(_FALLBACKS[char])
        elif category == "Cc":
            out.append(" " if char.isspace() else "")
        elif category == "Cf":
            continue
        elif char == " " or _has_glyph(char):
            out.append(char)
        else:
            base = "".join(
                c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c)
            )
            out.append(base if base and all(_has_glyph(c) for c in base) else "?")
    return "".join(out)


@functools.lru_cache(maxsize=64)
def _line_box(size: int) -> tuple[int, int]:
    """(top, bottom) of a line of text at ``size``, the same for every string."""
    _, top, _, bottom = load_font(size).getbbox("Hgjpy|")
    return top, bottom


def line_height(size: int) -> int:
    top, bottom = _line_box(size)
    return bottom - top


@functools.lru_cache(maxsize=8192)
def _text_bbox(text: str, size: int) -> tuple[int, int, int, int]:
    """The text's ink box; measured once per label, for layout and for painting."""
    return load_font(size).getbbox(text)


def text_width(text: str, size: int) -> int:
    left, _, right, _ = _text_bbox(text, size)
    return right - left


_MAX_TEXT = 2000  # more characters than any label, caption or tile can show


def _shown(text: str) -> str:
    return drawable(text[:_MAX_TEXT])


def _prefix_that_fits(text: str, size: int, max_width: int, suffix: str = "") -> int:
    """Length of the longest prefix that, with ``suffix``, is at most ``max_width`` px wide."""
    lo, hi = 0, len(text)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if text_width(text[:mid].rstrip() + suffix, size) <= max_width:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _fit(text: str, size: int, max_width: int) -> str:
    """``text`` cut with an ellipsis so it is at most ``max_width`` px wide ('' if nothing fits)."""
    if len(text) <= _MAX_TEXT and text_width(text, size) <= max_width:
        return text
    text = text[:_MAX_TEXT]
    keep = _prefix_that_fits(text, size, max_width, "…")
    if keep == 0:
        return "…" if text_width("…", size) <= max_width else ""
    return text[:keep].rstrip() + "…"


def _wrap(text: str, size: int, max_width: int, max_lines: int) -> list[str]:
    """Greedy word wrap; over-long words are split, and text past the last line becomes '…'."""
    if max_lines < 1 or max_width < 1:
        return []
    lines: list[str] = []
    current = ""
    stack = text[:_MAX_TEXT].split()[::-1]
    while stack and len(lines) <= max_lines:
        word = stack.pop()
        candidate = f"{current} {word}" if current else word
        if text_width(candidate, size) <= max_width:
            current = candidate
        elif current:
            lines.append(current)
            current = ""
            stack.append(word)
        else:  # one word wider than a line: split it
            cut = max(1, _prefix_that_fits(word, size, max_width))
            lines.append(word[:cut])
            if word[cut:]:
                stack.append(word[cut:])
    if current:
        lines.append(current)
    if len(lines) > max_lines:
        lines = [*lines[: max_lines - 1], _fit(lines[max_lines - 1] + " …", size, max_width)]
    return lines


# ---------------------------------------------------------------------------------------------
# Shapes: plain records that ``_paint`` draws

IntRect = tuple[int, int, int, int]  # inclusive corners, as ImageDraw takes them
Point = tuple[int, int]


@dataclass(frozen=True)
class _Rect:
    xyxy: IntRect
    fill: Color | None = None
    outline: Color | None = None
    width: int = 1


@dataclass(frozen=True)
class _Line:
    xy: tuple[Point, ...]
    fill: Color
    width: int = 1


@dataclass(frozen=True)
class _Polygon:
    xy: tuple[Point, ...]
    fill: Color


@dataclass(frozen=True)
class _Ellipse:
    xyxy: IntRect
    fill: Color


@dataclass(frozen=True)
class _Text:
    xy: Point  # top-left of the text's line box
    text: str
    size: int
    fill: Color


_Shape = _Rect | _Line | _Polygon | _Ellipse | _Text


def _paint(image: Image.Image, shapes: Sequence[_Shape]) -> Image.Image:
    """Draw ``shapes`` onto ``image`` in place; callers pass an image they have just made."""
    draw = ImageDraw.Draw(image)
    for shape in shapes:
        if isinstance(shape, _Rect):
            draw.rectangle(
                shape.xyxy,
                fill=shape.fill.as_rgb() if shape.fill else None,
                outline=shape.outline.as_rgb() if shape.outline else None,
                width=shape.width,
            )
        elif isinstance(shape, _Line):
            draw.line(shape.xy, fill=shape.fill.as_rgb(), width=shape.width)
        elif isinstance(shape, _Polygon):
            draw.polygon(shape.xy, fill=shape.fill.as_rgb())
        elif isinstance(shape, _Ellipse):
            draw.ellipse(shape.xyxy, fill=shape.fill.as_rgb())
        else:
            font = load_font(shape.size)
            left = _text_bbox(shape.text, shape.size)[0]
            top = _line_box(shape.size)[0]
            origin = (shape.xy[0] - left, shape.xy[1] - top)
            draw.text(origin, shape.text, font=font, fill=shape.fill.as_rgb())
    return image


def _label_pad(size: int) -> tuple[int, int]:
    return max(2, size // 3), max(1, size // 5)


def _text_box(xy: Point, text: str, size: int, color: Color, min_w: int = 0) -> list[_Shape]:
    """A solid ``color`` box at ``xy`` holding ``text``, centred, in the contrasting colour."""
    w, h = _text_box_wh(text, size)
    w = max(w, min_w)
    x, y = xy
    text_xy = (x + (w - text_width(text, size)) // 2, y + (h - line_height(size)) // 2)
    return [
        _Rect((x, y, x + w - 1, y + h - 1), fill=color),
        _Text(text_xy, text, size, color.text_color()),
    ]


def _text_box_wh(text: str, size: int) -> tuple[int, int]:
    pad_x, pad_y = _label_pad(size)
    return text_width(text, size) + 2 * pad_x, line_height(size) + 2 * pad_y


# ---------------------------------------------------------------------------------------------
# Images in, images out


def _rgb_copy(image: Image.Image) -> Image.Image:
    rgb = to_rgb(image)
    return rgb.copy() if rgb is image else rgb


# ---------------------------------------------------------------------------------------------
# Face boxes


@dataclass(frozen=True)
class Mark:
    """One face to draw, in the target image's pixel space."""

    xyxy: XYXY
    label: str
    color: Color
    flagged: bool = False  # a quality flag: dashed inner outline and a "!" badge


@dataclass(frozen=True)
class Style:
    """How boxes look: scales multiply the sizes geometry.style_sizes picks for an image."""

    line_scale: float = 1.0
    font_scale: float = 1.0
    show_labels: bool = True

    def __post_init__(self) -> None:
        for name, value in (("line_scale", self.line_scale), ("font_scale", self.font_scale)):
            if not (math.isfinite(value) and value > 0):
                raise ValueError(f"{name} must be a positive number, not {value!r}")

    def sizes(self, image_wh: tuple[int, int]) -> tuple[int, int]:
        """(line width, font size) in px for an image of ``image_wh``."""
        line, font = geometry.style_sizes(image_wh)
        return max(1, round(line * self.line_scale)), max(6, round(font * self.font_scale))


DEFAULT_STYLE = Style()


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


def _dashes(a: Point, b: Point, dash: int, gap: int, color: Color, width: int) -> list[_Shape]:
    """Dashes along a horizontal or vertical segment."""
    (x0, y0), (x1, y1) = a, b
    length = max(abs(x1 - x0), abs(y1 - y0))
    dx, dy = (x1 > x0) - (x1 < x0), (y1 > y0) - (y1 < y0)
    out: list[_Shape] = []
    for start in range(0, length + 1, dash + gap):
        end = min(start + dash - 1, length)
        out.append(
            _Line(
                ((x0 + dx * start, y0 + dy * start), (x0 + dx * end, y0 + dy * end)), color, width
            )
        )
    return out


def _flag_shapes(rect: IntRect, line: int, size: int, color: Color) -> list[_Shape]:
    """A dashed outline in the contrasting colour just inside the box, and a "!" corner badge."""
    ink = color.text_color()
    inset = line + line // 2
    x0, y0 = rect[0] + inset, rect[1] + inset
    x1, y1 = rect[2] - inset, rect[3] - inset
    shapes: list[_Shape] = []
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
        return _paint(canvas, self._shapes(canvas.size, marks))

    def _shapes(self, image_wh: tuple[int, int], marks: Sequence[Mark]) -> list[_Shape]:
        line, size = self.style.sizes(image_wh)
        outlined = [(m, r) for m in marks if (r := _outline_rect(m.xyxy, line, image_wh))]
        shapes: list[_Shape] = []
        for mark, rect in outlined:
            shapes.append(_Rect(rect, outline=mark.color, width=line))
            if mark.flagged:
                shapes += _flag_shapes(rect, line, size, mark.color)
        if not self.style.show_labels:
            return shapes
        pad_x, _ = _label_pad(size)
        labelled = [
            (mark, rect, text)
            for mark, rect in outlined
            if (text := _fit(_shown(mark.label), size, image_wh[0] - 2 * pad_x))
        ]
        boxes = [(r[0], r[1], r[2] + 1.0, r[3] + 1.0) for _, r, _ in labelled]
        sizes = [_text_box_wh(text, size) for _, _, text in labelled]
        spots = geometry.place_labels(boxes, sizes, image_wh)
        for (mark, _, text), spot in zip(labelled, spots, strict=True):
            shapes += _text_box((round(spot[0]), round(spot[1])), text, size, mark.color)
        return shapes


def annotate(
    image: Image.Image, marks: Sequence[Mark], style: Style = DEFAULT_STYLE
) -> Image.Image:
    """Shorthand for ``BoxAnnotator(style).annotate(image, marks)``."""
    return BoxAnnotator(style).annotate(image, marks)


# ---------------------------------------------------------------------------------------------
# Crops, blur, tiles, sheets


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


_BLUR_WORK_SIDE = 24  # faces are blurred at this resolution, then scaled back up


def blur_regions(image: Image.Image, boxes: Sequence[XYXY], strength: float = 1.0) -> Image.Image:
    """A new RGB image with each box blurred beyond recognition; pixels outside are untouched.

    The blur radius is a fifth of the box's larger side times ``strength`` (which must be > 0).
    """
    if not (math.isfinite(strength) and strength > 0):
        raise ValueError(f"blur strength must be a positive number, not {strength!r}")
    out = _rgb_copy(image)
    img_w, img_h = out.size
    for xyxy in boxes:
        if not all(math.isfinite(v) for v in xyxy):
            continue
        x0, x1 = sorted((xyxy[0], xyxy[2]))
        y0, y1 = sorted((xyxy[1], xyxy[3]))
        left, top = max(0, math.floor(x0)), max(0, math.floor(y0))
        right, bottom = min(img_w, math.ceil(x1)), min(img_h, math.ceil(y1))
        if right <= left or bottom <= top:
            continue
        w, h = right - left, bottom - top
        shrink = max(1.0, max(w, h) / _BLUR_WORK_SIDE)
        small_wh = (max(1, round(w / shrink)), max(1, round(h / shrink)))
        region = out.crop((left, top, right, bottom))
        small = region.resize(small_wh, Image.Resampling.BOX)
        radius = strength * max(small_wh) / 5
        blurred = small.filter(ImageFilter.GaussianBlur(radius)).resize(
            (w, h), Image.Resampling.BILINEAR
        )
        out.paste(blurred, (left, top))
    return out


TILE_BACKGROUND = Color.from_hex("#EEEEEE")
TILE_INK = Color.from_hex("#666666")


def _broken_glyph(xyxy: IntRect, ink: Color, paper: Color) -> list[_Shape]:
    """A framed picture (hill and sun) torn by a zigzag: the "broken image" sign."""
    x0, y0, x1, y1 = xyxy
    side = x1 - x0
    line = max(1, side // 14)
    u = side / 12
    hill = (
        (x0 + line, y1 - line),
        (round(x0 + 4 * u), round(y0 + 6 * u)),
        (round(x0 + 7 * u), round(y0 + 9 * u)),
        (round(x0 + 9 * u), round(y0 + 7 * u)),
        (x1 - line, y1 - line),
    )
    sun = (round(x0 + 7.5 * u), round(y0 + 2.5 * u), round(x0 + 9.5 * u), round(y0 + 4.5 * u))
    tear = tuple(
        (round(x0 + i * side / 6), round(y0 + side * (0.78 if i % 2 else 0.62))) for i in range(7)
    )
    return [
        _Rect(xyxy, outline=ink, width=line),
        _Polygon(hill, ink),
        _Ellipse(sun, ink),
        _Line(tear, paper, max(2, round(line * 1.5))),
    ]


def error_tile(size: tuple[int, int], message: str) -> Image.Image:
    """A neutral tile with a "broken image" sign and ``message`` wrapped to fit below it."""
    w, h = size
    if w < 1 or h < 1:
        raise ValueError(f"tile size must be positive, not {size}")
    short = min(w, h)
    pad = max(2, short // 16)
    glyph = max(8, round(short * 0.3))
    glyph_h = glyph + pad if glyph + 2 * pad <= short else 0
    font_size = max(10, round(short / 13))
    text_h = line_height(font_size)
    step = text_h + max(1, font_size // 5)
    max_lines = max(0, (h - 2 * pad - glyph_h + step - text_h) // step)
    lines = _wrap(_shown(message), font_size, w - 2 * pad, max_lines)
    block = glyph_h + (len(lines) * step - (step - text_h) if lines else 0)
    top = max(pad, (h - block) // 2)
    shapes: list[_Shape] = []
    if glyph_h:
        gx = (w - glyph) // 2
        shapes += _broken_glyph((gx, top, gx + glyph, top + glyph), TILE_INK, TILE_BACKGROUND)
    for i, text in enumerate(lines):
        x = (w - text_width(text, font_size)) // 2
        shapes.append(_Text((x, top + glyph_h + i * step), text, font_size, TILE_INK))
    return _paint(Image.new("RGB", (w, h), TILE_BACKGROUND.as_rgb()), shapes)


SHEET_BACKGROUND = WHITE
SHEET_INK = Color.from_hex("#222222")
_CELL_TARGET = 240  # default columns aim at cells about this wide
MAX_SHEET_HEIGHT = 65_000  # JPEG cannot hold more than 65,535 rows


def contact_sheet(
    tiles: Sequence[tuple[Image.Image, str]],
    width: int = 1920,
    columns: int | None = None,
    title: str | None = None,
) -> Image.Image:
    """A grid of (tile, caption) pairs, exactly ``width`` px wide, for a slide or a report.

    Tiles are scaled to square cells and centred; captions take up to two lines under each;
    ``title`` adds a row on top. Default columns give cells about 240 px wide, so sheets with
    different face counts share one tile size.
    """
    if columns is None:
        columns = max(1, width // _CELL_TARGET)
    if columns < 1:
        raise ValueError(f"columns must be at least 1, not {columns}")
    gutter = max(4, round(width / 128))
    cell = (width - gutter * (columns + 1)) // columns
    if cell < 16:
        raise ValueError(f"{width} px is too narrow for {columns} columns")
    caption_size = max(10, round(cell * 0.07))
    caption_step = line_height(caption_size) + max(1, caption_size // 5)
    row_h = cell + gutter // 2 + 2 * caption_step + gutter

    shapes: list[_Shape] = []
    y = gutter
    if title:
        title_size = max(caption_size + 4, round(width / 55))
        text = _fit(_shown(title), title_size, width - 2 * gutter)
        shapes.append(_Text((gutter, y), text, title_size, SHEET_INK))
        y += line_height(title_size) + gutter
    if not tiles:
        shapes.append(_Text((gutter, y), "No faces to show.", caption_size, SHEET_INK))
        height = y + line_height(caption_size) + gutter
        return _paint(Image.new("RGB", (width, height), SHEET_BACKGROUND.as_rgb()), shapes)

    used = min(columns, len(tiles))
    x_start = (width - used * cell - (used - 1) * gutter) // 2
    rows = math.ceil(len(tiles) / columns)
    if y + rows * row_h > MAX_SHEET_HEIGHT:
        per_sheet = (MAX_SHEET_HEIGHT - y) // row_h * columns
        raise ValueError(
            f"{len(tiles)} faces make a sheet too tall to save; use sheets of {per_sheet} or fewer"
        )
    sheet = Image.new("RGB", (width, y + rows * row_h), SHEET_BACKGROUND.as_rgb())
    for i, (tile, caption) in enumerate(tiles):
        row, col = divmod(i, columns)
        cx, cy = x_start + col * (cell + gutter), y + row * row_h
        fitted = ImageOps.contain(to_rgb(tile), (cell, cell), Image.Resampling.LANCZOS)
        sheet.paste(fitted, (cx + (cell - fitted.width) // 2, cy + (cell - fitted.height) // 2))
        lines = _wrap(_shown(caption), caption_size, cell, 2)
        for j, text in enumerate(lines):
            tx = cx + (cell - text_width(text, caption_size)) // 2
            shapes.append(
                _Text(
                    (tx, cy + cell + gutter // 2 + j * caption_step), text, caption_size, SHEET_INK
                )
            )
    return _paint(sheet, shapes)


_CORNERS = ("tl", "tr", "bl", "br")


def badge(image: Image.Image, text: str, color: Color, corner: str = "tl") -> Image.Image:
    """A new RGB image with a small ``text`` badge in ``color`` at ``corner`` (tl, tr, bl, br)."""
    if corner not in _CORNERS:
        raise ValueError(f"unknown corner {corner!r}; use one of {', '.join(_CORNERS)}")
    out = _rgb_copy(image)
    img_w, img_h = out.size
    line, size = geometry.style_sizes(out.size)
    pad_x, _ = _label_pad(size)
    text = _fit(_shown(text), size, img_w - 2 * line - 2 * pad_x)
    w, h = _text_box_wh(text, size)
    w = max(w, h)  # a one-character badge is a square, not a sliver
    x = line if corner[1] == "l" else img_w - line - w
    y = line if corner[0] == "t" else img_h - line - h
    shapes = _text_box((max(0, x), max(0, y)), text, size, color, w)
    return _paint(out, shapes)


def to_jpeg(image: Image.Image, quality: int = 85) -> bytes:
    """Baseline RGB JPEG bytes (transparency laid on grey)."""
    if not 1 <= quality <= 100:
        raise ValueError(f"JPEG quality must be 1..100, not {quality}")
    buffer = io.BytesIO()
    to_rgb(image).save(buffer, "JPEG", quality=quality, optimize=False, progressive=False)
    return buffer.getvalue()


_PNG_MODES = {"1", "L", "LA", "I", "I;16", "P", "RGB", "RGBA"}


def to_png(image: Image.Image) -> bytes:
    """PNG bytes; modes PNG cannot hold are converted to RGB."""
    buffer = io.BytesIO()
    (image if image.mode in _PNG_MODES else to_rgb(image)).save(buffer, "PNG")
    return buffer.getvalue()


def legend_image(mode: str, width: int = 480) -> Image.Image:
    """The colour legend for ``mode``: one swatch and its meaning per row, on white."""
    rows = legend(mode)
    size = 26
    step = line_height(size) + 14
    shapes: list[_Shape] = []
    for i, (meaning, hex_) in enumerate(rows):
        top = 8 + i * step
        swatch = step - 14
        shapes.append(_Rect((8, top, 8 + swatch, top + swatch), Color.from_hex(hex_), None, 0))
        shapes.append(_Text((20 + swatch, top), drawable(meaning), size, SHEET_INK))
    return _paint(Image.new("RGB", (width, 16 + len(rows) * step), WHITE.as_rgb()), shapes)


def waiting_tile(size: tuple[int, int]) -> Image.Image:
    """A quiet placeholder tile shown while a picture is on its way."""
    w, h = size
    font_size = max(10, round(min(w, h) / 12))
    text = "Loading…"
    x = (w - text_width(drawable(text), font_size)) // 2
    y = (h - line_height(font_size)) // 2
    shapes: list[_Shape] = [_Text((x, y), drawable(text), font_size, Color.from_hex("#9A9A9A"))]
    return _paint(Image.new("RGB", (w, h), (242, 242, 242)), shapes)
