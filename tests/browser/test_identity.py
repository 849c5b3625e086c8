"""Identity evidence in the running app: faces scored by the model's worker processes under
`streamlit run`, shown as the page refreshes itself, and Compare's centre distance."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import require_browser
from tests.browser.test_browser import MAIN, assert_no_exception, settle

require_browser()

from playwright.sync_api import Page, expect  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.timeout(240)]
SCORING_MS = 150_000  # loading the model in the workers, then 12 faces


def test_faces_are_scored_in_the_background_and_the_page_fills_in(
    page: Page, scoring_app_url: str
) -> None:
    page.goto(f"{scoring_app_url}/?namespace=acme&group=demo-person-a1&view=faces&sort=least")
    settle(page)
    main = page.locator(MAIN)
    # no click: the page reruns itself as the workers' scores arrive
    expect(main).to_contain_text("12 of 12 faces scored", timeout=SCORING_MS)
    settle(page)
    captions = main.get_by_test_id("stImageCaption").all_inner_texts()
    distances = [float(m.group(1)) for c in captions if (m := re.search(r"distance (\d\.\d+)", c))]
    assert len(distances) == 12
    assert distances[0] == max(distances)  # least like the rest first
    assert_no_exception(page)


def test_compare_says_two_groups_of_one_person_are_likely_the_same(
    page: Page, scoring_app_url: str
) -> None:
    page.goto(
        f"{scoring_app_url}/?namespace=acme&mode=compare&compare=demo-person-a1,demo-person-a2"
    )
    settle(page)
    expect(page.locator(MAIN)).to_contain_text(
        re.compile(r"Centres 0\.\d+ apart: likely the same person"), timeout=SCORING_MS
    )
    assert_no_exception(page)
