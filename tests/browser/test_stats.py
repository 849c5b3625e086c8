"""Stats in Chromium: the flag thresholds drawn across the histograms, and a brush across a
histogram that becomes the sidebar's filter.

Run with `pytest tests/browser`; skip with `pytest -m "not browser"`.
"""

from __future__ import annotations

import pytest

from tests.browser.conftest import require_browser

require_browser()

from playwright.sync_api import Page, expect  # noqa: E402

from tests.browser.test_browser import (  # noqa: E402
    ACTIVE_PANEL,
    WAIT_MS,
    assert_no_exception,
    metric,
    query,
    settle,
    shoot,
)

pytestmark = [pytest.mark.browser, pytest.mark.timeout(180)]


def test_brushing_the_confidence_histogram_sets_the_filter(page: Page, app_url: str) -> None:
    page.goto(f"{app_url}/?namespace=acme&group=demo-large&view=stats")
    settle(page)
    before = metric(page, "Shown")
    chart = page.locator(ACTIVE_PANEL).get_by_test_id("stVegaLiteChart").first
    expect(chart).to_be_visible(timeout=WAIT_MS)
    chart.scroll_into_view_if_needed()
    canvas = chart.locator("svg.marks, canvas").first
    box = canvas.bounding_box()
    assert box is not None
    # drag across the middle of the plot, well inside the axes
    y = box["y"] + box["height"] * 0.5
    page.mouse.move(box["x"] + box["width"] * 0.45, y)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.65, y, steps=8)
    page.mouse.up()
    page.wait_for_url(lambda url: "conf=" in url and "confmax=" in url, timeout=WAIT_MS)
    settle(page)
    params = query(page)
    low, high = float(params["conf"]), float(params["confmax"])
    assert 0 < low < high < 1
    after = metric(page, "Shown")
    assert 0 < after < before  # the figures count only the faces in the brushed range
    slider = page.get_by_test_id("stSidebar").get_by_role("slider")
    ends = slider.evaluate_all("els => els.map((e) => e.value)")
    values = [float(v) for v in ends[:2]]
    assert values == [low, high]
    assert_no_exception(page)
    shoot(page, "stats-brushed")
