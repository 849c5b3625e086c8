"""Tiles: an error sign with its reason, a picture centred on a tile, the colour legend."""

from __future__ import annotations

import pytest
from PIL import Image, ImageChops

from tests.draw.pixels import RED, count_of, mask_of, runs_of
from viewer.draw.color import INK, Color, legend, legend_lines
from viewer.draw.text import line_height
from viewer.draw.tiles import TILE_BACKGROUND, TILE_INK, error_tile, legend_image, letterbox


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


def test_letterbox_centres_a_picture_on_the_tile() -> None:
    picture = Image.new("RGB", (100, 40), RED.as_rgb())
    tile = letterbox(picture, (120, 80))
    assert tile.size == (120, 80)
    assert mask_of(tile, RED).getbbox() == (10, 20, 110, 60)
    assert count_of(tile, TILE_BACKGROUND) == 120 * 80 - 100 * 40
    assert letterbox(picture, (100, 40)) is picture


@pytest.mark.parametrize("mode", ["frontal", "confidence"])
def test_legend_image_has_a_swatch_per_row(mode: str) -> None:
    image = legend_image(mode)
    for _, hex_ in legend(mode):
        assert count_of(image, Color.from_hex(hex_)) > 100, hex_


# The page's background in Streamlit's light and dark themes: the app follows the browser.
PAGES = {"light": Color.from_hex("#FFFFFF"), "dark": Color.from_hex("#0E1117")}


@pytest.mark.parametrize("mode", ["frontal", "confidence"])
def test_legend_reads_on_its_own_paper_whatever_the_page(mode: str) -> None:
    """Text and every swatch's frame contrast with the legend's own paper (WCAG: 4.5:1 for
    text, 3:1 for graphics), and the card stands apart from the dark page."""
    image = legend_image(mode)
    paper = Color(*image.getpixel((0, 0)))
    assert paper.contrast(INK) >= 4.5
    assert paper.contrast(PAGES["dark"]) >= 3
    for _, hex_ in legend(mode):
        swatch = mask_of(image, Color.from_hex(hex_)).getbbox()
        assert swatch is not None, hex_
        x0, y0, _, _ = swatch
        frame = Color(*image.getpixel((x0 - 1, y0 + 4)))  # just left of the swatch's fill
        assert paper.contrast(frame) >= 3, hex_


def test_tiles_read_on_either_page() -> None:
    """An error tile's ink reads on the tile, and the tile stands apart from the dark page."""
    assert TILE_BACKGROUND.contrast(TILE_INK) >= 4.5
    assert TILE_BACKGROUND.contrast(PAGES["dark"]) >= 3


def test_the_legend_shows_each_bands_line_so_bands_differ_by_more_than_hue() -> None:
    image = legend_image("confidence")
    samples = []
    for _, color, _ in legend_lines("confidence"):
        _, y0, _, y1 = mask_of(image.crop((0, 0, 40, image.height)), color).getbbox()  # swatch
        samples.append(tuple(runs_of(image, color, (y0 + y1) // 2)[1:]))  # past the swatch
    assert all(samples), samples
    assert len(set(samples)) == len(samples), samples  # solid, long, short dashes, dotted
    assert len(samples[0]) == 1 and len(samples[1]) < len(samples[2])  # orange's dashes longer
