"""Contact sheets: captioned tiles in a grid, for a slide or a report."""

from __future__ import annotations

import math
from collections.abc import Sequence

from PIL import Image, ImageOps

from viewer.decoding import to_rgb
from viewer.draw.color import INK, WHITE
from viewer.draw.shapes import Shape, Text, paint
from viewer.draw.text import fit_text, line_height, text_width, truncate_drawable, wrap_text

SHEET_BACKGROUND = WHITE
SHEET_INK = INK
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

    shapes: list[Shape] = []
    y = gutter
    if title:
        title_size = max(caption_size + 4, round(width / 55))
        text = fit_text(truncate_drawable(title), title_size, width - 2 * gutter)
        shapes.append(Text((gutter, y), text, title_size, SHEET_INK))
        y += line_height(title_size) + gutter
    if not tiles:
        shapes.append(Text((gutter, y), "No faces to show.", caption_size, SHEET_INK))
        height = y + line_height(caption_size) + gutter
        return paint(Image.new("RGB", (width, height), SHEET_BACKGROUND.as_rgb()), shapes)

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
        lines = wrap_text(truncate_drawable(caption), caption_size, cell, 2)
        for j, text in enumerate(lines):
            tx = cx + (cell - text_width(text, caption_size)) // 2
            shapes.append(
                Text(
                    (tx, cy + cell + gutter // 2 + j * caption_step), text, caption_size, SHEET_INK
                )
            )
    return paint(sheet, shapes)
