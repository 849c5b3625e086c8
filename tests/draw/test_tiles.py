"""Error tiles: a sign and the reason, fitted to the tile."""

from __future__ import annotations

from PIL import ImageChops

from tests.draw.pixels import count_of, mask_of
from viewer.draw.text import line_height
from viewer.draw.tiles import TILE_BACKGROUND, TILE_INK, error_tile


def test_error_tile_shows_a_sign_and_the_message() -> None:
    tile = error_tile((160, 160), "Could not download the image: 404 Not Found")
    assert tile.size == (160, 160)
    assert tile.getpixel((0, 0)) == TILE_BACKGROUND.as_rgb()
    ink = count_of(tile, TILE_INK, tolerance=60)
    sign_only = count_of(error_tile((160, 160), ""), TILE_INK, tolerance=60)
    assert sign_only > 100
    assert ink > sign_only + 100
    text = ImageChops.difference(
        mask_of(tile, TILE_INK, 60),
        mask_of(error_tile((160, 160), ""), TILE_INK, 60),
    )
    left, top, right, bottom = text.getbbox()
    assert left > 0 and right < 160  # wrapped to fit, not cut at the edges
    assert bottom - top > 2 * line_height(round(160 / 13))  # two lines or more
    assert error_tile((24, 16), "x" * 500).size == (24, 16)
