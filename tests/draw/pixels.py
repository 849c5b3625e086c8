"""Pixel helpers for drawing tests: masks and counts of a colour, plain test images."""

from __future__ import annotations

from PIL import Image, ImageChops

from viewer.draw.color import Color

BACKGROUND = (128, 128, 128)
RED = Color(220, 20, 30)


def mask_of(image: Image.Image, color: Color, tolerance: int = 0) -> Image.Image:
    """An L mask, 255 where ``image`` is within ``tolerance`` of ``color`` on every channel."""
    diff = ImageChops.difference(image.convert("RGB"), Image.new("RGB", image.size, color.as_rgb()))
    r, g, b = diff.split()
    worst = ImageChops.lighter(ImageChops.lighter(r, g), b)
    return worst.point(lambda v: 255 if v <= tolerance else 0)


def count_of(image: Image.Image, color: Color, tolerance: int = 0) -> int:
    return mask_of(image, color, tolerance).histogram()[255]


def grey(wh: tuple[int, int]) -> Image.Image:
    return Image.new("RGB", wh, BACKGROUND)


def checkerboard(wh: tuple[int, int], cell: int = 8) -> Image.Image:
    image = Image.new("RGB", wh, (0, 0, 0))
    for y in range(0, wh[1], cell):
        for x in range((y // cell % 2) * cell, wh[0], 2 * cell):
            image.paste((255, 255, 255), (x, y, x + cell, y + cell))
    return image


def runs_of(image: Image.Image, color: Color, row: int, tolerance: int = 0) -> list[int]:
    """Lengths of the runs of ``color`` along pixel row ``row``, left to right."""
    mask = mask_of(image.crop((0, row, image.width, row + 1)), color, tolerance)
    runs: list[int] = []
    length = 0
    for value in [*mask.tobytes(), 0]:
        if value:
            length += 1
        elif length:
            runs.append(length)
            length = 0
    return runs
