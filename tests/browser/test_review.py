"""Verdicts in the running app, in Chromium: the review queue driven by its keys alone, and a
bulk verdict on rows selected in the table. Each test uses a group no other test marks.

Run with `pytest tests/browser`; skip with `pytest -m "not browser"`.
"""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import require_browser
from viewer.ui.table import ROW_HEIGHT

require_browser()

from playwright.sync_api import Page, expect  # noqa: E402

from tests.browser.test_browser import (  # noqa: E402
    MAIN,
    WAIT_MS,
    assert_no_exception,
    loaded_images,
    query,
    settle,
    shoot,
)

pytestmark = [pytest.mark.browser, pytest.mark.timeout(180)]


def name_the_analyst(page: Page, name: str) -> None:
    field = page.get_by_test_id("stSidebar").get_by_role("textbox", name="Your name, for verdicts")
    field.fill(name)
    field.press("Enter")
    settle(page)
    page.locator(MAIN).get_by_role("heading").first.click()  # focus off the input: keys act


def progress(page: Page) -> str:
    return page.locator(MAIN).get_by_text(re.compile(r"of \d+ reviewed")).inner_text()


def test_the_queue_takes_a_verdict_per_key_moves_on_and_keeps_them(
    page: Page, app_url: str
) -> None:
    page.goto(f"{app_url}/?namespace=acme&group=demo-pixels&mode=review")
    settle(page)
    loaded_images(page, 3, scope=MAIN)
    name_the_analyst(page, "Kim")
    # The verdict buttons (and their keys) stay disabled until the run that takes the name is
    # over; the page can look settled before that run has begun.
    belongs = page.locator(MAIN).get_by_role("button", name=re.compile(r"^Belongs"))
    expect(belongs).to_be_enabled(timeout=WAIT_MS)
    assert progress(page) == "0 of 16 reviewed · 0 not this person"
    seen = [query(page)["face"]]
    for key, line in (
        ("n", "1 of 16 reviewed · 1 not this person"),
        ("b", "2 of 16 reviewed · 1 not this person"),
        ("u", "3 of 16 reviewed · 1 not this person"),
    ):
        page.keyboard.press(key)
        expect(page.locator(MAIN).get_by_text(line)).to_be_visible(timeout=WAIT_MS)
        page.wait_for_url(lambda url: f"face={seen[-1]}" not in url, timeout=WAIT_MS)
        settle(page)
        seen.append(query(page)["face"])
    assert len(set(seen)) == 4  # a new face after each verdict
    page.keyboard.press("k")  # back to the face marked "unsure"
    page.wait_for_url(lambda url: f"face={seen[2]}" in url, timeout=WAIT_MS)
    settle(page)
    expect(page.locator(MAIN).get_by_text(re.compile(r"unsure · Kim · "))).to_be_visible()
    assert_no_exception(page)
    shoot(page, "queue")

    page.reload()  # a new session: the verdicts come back from the store
    settle(page)
    assert progress(page) == "3 of 16 reviewed · 1 not this person"
    assert_no_exception(page)


def test_rows_selected_in_the_table_get_one_verdict(page: Page, app_url: str) -> None:
    page.goto(f"{app_url}/?namespace=acme&group=demo-fractions&view=table")
    settle(page)
    name_the_analyst(page, "Lee")
    grid = page.locator(MAIN).get_by_test_id("stDataFrame").last
    expect(grid).to_be_visible()
    box = grid.bounding_box()
    assert box is not None
    for row in (0, 3):  # the grid is drawn on a canvas: each row's selection cell
        page.mouse.click(box["x"] + 16, box["y"] + 35 + ROW_HEIGHT * row + ROW_HEIGHT // 2)
        settle(page)
    expect(page.locator(MAIN).get_by_text("2 selected", exact=True)).to_be_visible()
    page.locator(MAIN).get_by_role("button", name="Unsure").click()
    expect(page.get_by_text("Marked 2 faces “unsure”.")).to_be_visible(timeout=WAIT_MS)
    settle(page)
    assert (
        page.locator(MAIN)
        .get_by_test_id("stMetric")
        .filter(has_text="Reviewed")
        .inner_text()
        .endswith("2")
    )
    assert_no_exception(page)
