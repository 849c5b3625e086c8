"""Gallery and Faces in Chromium: tiles follow the sort order row by row at desktop and phone
widths, and clicking a picture opens its face (or, on a photo of several, the face chosen).

Run with `pytest tests/browser/test_grid.py`.
"""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import require_browser

require_browser()

from playwright.sync_api import Locator, Page, expect  # noqa: E402

from tests.browser.test_browser import (  # noqa: E402
    ACTIVE_PANEL,
    CROWD,
    WAIT_MS,
    assert_no_exception,
    loaded_images,
    query,
    settle,
)

pytestmark = [pytest.mark.browser, pytest.mark.timeout(180)]

LARGE = "demo-large"
# Each tile's place on the screen, its face index (from its key) and its caption.
TILES_JS = """(scope) => [...document.querySelectorAll(scope + ' [class*="st-key-tile_"]')]
  .map((tile) => {
    const box = tile.getBoundingClientRect();
    const key = [...tile.classList].find((c) => c.startsWith('st-key-tile_'));
    const caption = tile.querySelector('[data-testid="stImageCaption"]');
    return {x: box.x, y: box.y, index: Number(key.split('_').pop()),
            caption: caption ? caption.textContent : ''};
  })"""


def tiles(page: Page) -> list[dict]:
    """The tiles of the open view, in the order they appear on the screen: row by row, top
    to bottom, each row left to right."""
    found = page.evaluate(TILES_JS, ACTIVE_PANEL)
    return sorted(found, key=lambda t: (round(t["y"]), t["x"]))


def rows(placed: list[dict]) -> list[list[dict]]:
    """Tiles grouped by the top edge they share."""
    out: dict[int, list[dict]] = {}
    for t in placed:
        out.setdefault(round(t["y"]), []).append(t)
    return list(out.values())


def click_picture(picture: Locator) -> None:
    """Click the middle of a picture with the mouse, as an analyst would (whatever lies on top
    of it gets the click)."""
    picture.scroll_into_view_if_needed()
    box = picture.bounding_box()
    assert box is not None
    picture.page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)


def open_faces(page: Page, base: str, width: int, sort: str = "index") -> None:
    page.set_viewport_size({"width": width, "height": 1400})
    page.goto(f"{base}/?namespace=acme&group={LARGE}&view=faces&per=24&sort={sort}&order=desc")
    settle(page)
    loaded_images(page, 24)


@pytest.mark.parametrize(("width", "per_row"), [(1440, 6), (390, 2)])
def test_face_tiles_follow_the_sort_order_row_by_row(
    page: Page, app_url: str, width: int, per_row: int
) -> None:
    open_faces(page, app_url, width)
    placed = tiles(page)
    assert len(placed) == 24
    # group order, last face first: every tile's face comes before the one on its left
    indices = [t["index"] for t in placed]
    assert indices == sorted(indices, reverse=True), f"not in reading order: {indices}"
    assert len(set(indices)) == 24
    lines = rows(placed)
    assert [len(line) for line in lines] == [per_row] * (24 // per_row)
    assert_no_exception(page)


def test_gallery_tiles_follow_group_order_row_by_row_on_a_phone(page: Page, app_url: str) -> None:
    page.set_viewport_size({"width": 390, "height": 1400})
    page.goto(f"{app_url}/?namespace=acme&group={CROWD}&view=gallery")
    settle(page)
    loaded_images(page, 10)
    placed = tiles(page)
    names = [re.search(r"crowd-\d+", t["caption"]).group(0) for t in placed]  # type: ignore[union-attr]
    assert len(names) == 10
    assert names == sorted(names)
    assert_no_exception(page)


def test_clicking_a_face_tile_opens_that_face(page: Page, app_url: str) -> None:
    open_faces(page, app_url, 1440)
    chosen = tiles(page)[8]  # the second row's third tile
    image = page.locator(f'{ACTIVE_PANEL} .st-key-tile_f_{chosen["index"]} [data-testid="stImage"]')
    click_picture(image)
    page.wait_for_url(lambda url: "view=detail" in url, timeout=WAIT_MS)
    settle(page)
    assert query(page)["face"] == str(chosen["index"])
    expect(page.get_by_role("tab", name="Detail", exact=True)).to_have_attribute(
        "aria-selected", "true"
    )
    assert_no_exception(page)


def test_clicking_a_photo_of_several_faces_offers_each(page: Page, app_url: str) -> None:
    page.goto(f"{app_url}/?namespace=acme&group={CROWD}&view=gallery")
    settle(page)
    loaded_images(page, 10)
    several = next(t for t in tiles(page) if "+1 face" in t["caption"])
    tile = page.locator(f"{ACTIVE_PANEL} .st-key-tile_g_{several['index']}")
    click_picture(tile.get_by_test_id("stImage"))
    choices = page.get_by_test_id("stPopoverBody").locator('[class*="st-key-open_gf_"] button')
    expect(choices).to_have_count(2)
    second = choices.nth(1)
    key = second.locator("xpath=ancestor::*[contains(@class, 'st-key-open_gf_')][1]")
    index = re.search(r"st-key-open_gf_(\d+)", key.get_attribute("class") or "").group(1)  # type: ignore[union-attr]
    assert index != str(several["index"])  # not the photo's first face
    second.click()
    page.wait_for_url(lambda url: "view=detail" in url, timeout=WAIT_MS)
    settle(page)
    assert query(page)["face"] == index
    assert_no_exception(page)


SCALE_JS = """(scope) => [...document.querySelectorAll(scope + ' [class*="st-key-tile_f_"] img')]
  .map((img) => img.getBoundingClientRect().width)"""


def test_the_dense_grid_enlarges_the_face_under_the_pointer(page: Page, app_url: str) -> None:
    open_faces(page, app_url, 1440)
    page.locator(ACTIVE_PANEL).get_by_text("Dense grid", exact=True).click()
    settle(page)
    assert loaded_images(page, 48) == 48
    placed = tiles(page)
    assert len(rows(placed)[0]) > 6  # more to a row than the ordinary grid
    picture = page.locator(
        f'{ACTIVE_PANEL} .st-key-tile_f_{placed[9]["index"]} [data-testid="stImage"]'
    )
    before = page.evaluate(SCALE_JS, ACTIVE_PANEL)
    box = picture.bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_timeout(400)  # the enlarging transition
    after = page.evaluate(SCALE_JS, ACTIVE_PANEL)
    grown = [i for i, (b, a) in enumerate(zip(before, after, strict=True)) if a > 2 * b]
    assert len(grown) == 1  # only the face under the pointer
    assert_no_exception(page)
