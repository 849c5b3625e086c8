"""Plain shape records built by layout code, and ``paint``, the only caller of ImageDraw."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PIL import Image, ImageDraw

from viewer.draw.color import Color
from viewer.draw.text import load_font, text_origin

IntRect = tuple[int, int, int, int]  # inclusive corners, as ImageDraw takes them
Point = tuple[int, int]


@dataclass(frozen=True)
class Rect:
    xyxy: IntRect
    fill: Color | None = None
    outline: Color | None = None
    width: int = 1


@dataclass(frozen=True)
class Line:
    xy: tuple[Point, ...]
    fill: Color
    width: int = 1


@dataclass(frozen=True)
class Polygon:
    xy: tuple[Point, ...]
    fill: Color


@dataclass(frozen=True)
class Ellipse:
    xyxy: IntRect
    fill: Color


@dataclass(frozen=True)
class Text:
    xy: Point  # top-left of the text's line box
    text: str
    size: int
    fill: Color


Shape = Rect | Line | Polygon | Ellipse | Text


def paint(image: Image.Image, shapes: Sequence[Shape]) -> Image.Image:
    """Draw ``shapes`` onto ``image`` in place; callers pass an image they have just made."""
    draw = ImageDraw.Draw(image)
    for shape in shapes:
        if isinstance(shape, Rect):
            draw.rectangle(
                shape.xyxy,
                fill=shape.fill.as_rgb() if shape.fill else None,
                outline=shape.outline.as_rgb() if shape.outline else None,
                width=shape.width,
            )
        elif isinstance(shape, Line):
            draw.line(shape.xy, fill=shape.fill.as_rgb(), width=shape.width)
        elif isinstance(shape, Polygon):
            draw.polygon(shape.xy, fill=shape.fill.as_rgb())
        elif isinstance(shape, Ellipse):
            draw.ellipse(shape.xyxy, fill=shape.fill.as_rgb())
        else:
            origin = text_origin(shape.xy, shape.text, shape.size)
            draw.text(origin, shape.text, font=load_font(shape.size), fill=shape.fill.as_rgb())
    return image
