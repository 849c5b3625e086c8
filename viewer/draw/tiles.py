"""Tiles: for an image that failed, one on its way, a picture of another shape; the legend."""

from __future__ import annotations

from PIL import Image

from viewer.draw.color import INK, WHITE, Color, Pattern, legend_lines
from viewer.draw.shapes import Ellipse, IntRect, Line, Polygon, Rect, Shape, Text, paint
from viewer.draw.text import drawable, line_height, text_width, truncate_drawable, wrap_text

TILE_BACKGROUND = Color.from_hex("#EEEEEE")
TILE_INK = Color.from_hex("#666666")


def _broken_glyph(xyxy: IntRect, ink: Color, paper: Color) -> list[Shape]:
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
        Rect(xyxy, outline=ink, width=line),
        Polygon(hill, ink),
        Ellipse(sun, ink),
        Line(tear, paper, max(2, round(line * 1.5))),
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
    lines = wrap_text(truncate_drawable(message), font_size, w - 2 * pad, max_lines)
    block = glyph_h + (len(lines) * step - (step - text_h) if lines else 0)
    top = max(pad, (h - block) // 2)
    shapes: list[Shape] = []
    if glyph_h:
        gx = (w - glyph) // 2
        shapes += _broken_glyph((gx, top, gx + glyph, top + glyph), TILE_INK, TILE_BACKGROUND)
    for i, text in enumerate(lines):
        x = (w - text_width(text, font_size)) // 2
        shapes.append(Text((x, top + glyph_h + i * step), text, font_size, TILE_INK))
    return paint(Image.new("RGB", (w, h), TILE_BACKGROUND.as_rgb()), shapes)


def letterbox(image: Image.Image, wh: tuple[int, int]) -> Image.Image:
    """``image`` centred on a neutral tile of exactly ``wh`` (``image`` itself if it fits)."""
    if image.size == wh:
        return image
    tile = Image.new("RGB", wh, TILE_BACKGROUND.as_rgb())
    tile.paste(image, ((wh[0] - image.width) // 2, (wh[1] - image.height) // 2))
    return tile


def waiting_tile(size: tuple[int, int]) -> Image.Image:
    """A quiet placeholder tile shown while a picture is on its way."""
    w, h = size
    font_size = max(10, round(min(w, h) / 12))
    text = "Loading…"
    x = (w - text_width(drawable(text), font_size)) // 2
    y = (h - line_height(font_size)) // 2
    shapes: list[Shape] = [Text((x, y), drawable(text), font_size, Color.from_hex("#9A9A9A"))]
    return paint(Image.new("RGB", (w, h), (242, 242, 242)), shapes)


def legend_image(mode: str, width: int = 480) -> Image.Image:
    """The colour legend for ``mode``: one framed swatch and its meaning per row, on white.

    The legend is its own card, so it reads the same on the page's light and dark themes."""
    rows = legend_lines(mode)
    size = 26
    step = line_height(size) + 14
    stroke, sample = 6, 90  # a box's line as it is stroked: solid, long or short dashes, dotted
    shapes: list[Shape] = []
    for i, (meaning, color, pattern) in enumerate(rows):
        top = 8 + i * step
        swatch = step - 14
        # framed in ink, so a light swatch (orange, grey) stands out from the legend's paper
        shapes.append(Rect((8, top, 8 + swatch, top + swatch), color, INK, 2))
        x = 20 + swatch
        y = top + (swatch - stroke) // 2
        for a, b in _line_sample(x, x + sample - 1, stroke, pattern):
            shapes.append(Rect((a, y, b, y + stroke - 1), fill=color))
        shapes.append(Text((x + sample + 12, top), drawable(meaning), size, INK))
    return paint(Image.new("RGB", (width, 16 + len(rows) * step), WHITE.as_rgb()), shapes)


def _line_sample(x0: int, x1: int, stroke: int, pattern: Pattern) -> list[tuple[int, int]]:
    """(first, last) x of each dash of a sample line from ``x0`` to ``x1`` in ``pattern``."""
    if pattern is None:
        return [(x0, x1)]
    dash, gap = pattern[0] * stroke, pattern[1] * stroke
    return [(x, min(x + dash, x1 + 1) - 1) for x in range(x0, x1 + 1, dash + gap)]
