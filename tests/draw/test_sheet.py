"""Contact sheets: exact width, rows that grow, captions that show."""

from __future__ import annotations

import pytest
from PIL import Image

from tests.draw.pixels import RED, count_of, mask_of
from viewer.draw.color import Color
from viewer.draw.sheet import SHEET_INK, contact_sheet


def _tile(color: Color) -> Image.Image:
    return Image.new("RGB", (160, 160), color.as_rgb())


@pytest.mark.parametrize(
    ("count", "width", "columns", "title"),
    [
        (0, 1920, None, None),
        (1, 1920, None, "Group 1"),
        (7, 1920, None, None),
        (8, 1920, None, "Group — demo"),
        (9, 1920, None, None),
        (25, 1920, None, None),
        (5, 800, 3, None),
        (13, 1000, 7, "t"),
    ],
)
def test_contact_sheet_has_exactly_the_asked_width(
    count: int, width: int, columns: int | None, title: str | None
) -> None:
    tiles = [(_tile(RED), f"face {i}") for i in range(count)]
    sheet = contact_sheet(tiles, width=width, columns=columns, title=title)
    assert sheet.width == width
    assert sheet.mode == "RGB"
    if count:
        left, _, right, _ = mask_of(sheet, RED).getbbox()
        assert left > 0 and right < width


def test_contact_sheet_grows_by_rows_and_captions_show() -> None:
    eight = contact_sheet([(_tile(RED), "a")] * 8)
    nine = contact_sheet([(_tile(RED), "a")] * 9)
    assert nine.height > eight.height
    one = contact_sheet([(_tile(RED), "caption")])
    left, top, right, bottom = mask_of(one, RED).getbbox()
    assert right - left == bottom - top >= 200
    below = one.crop((left, bottom, right, one.height))
    assert count_of(below, SHEET_INK, tolerance=80) > 20
