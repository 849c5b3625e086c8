"""The running app in Chromium: loading groups, the error for an unknown group, every view,
downloads, and a screenshot of each view in screenshots/.

Run with `pytest tests/browser`; skip with `pytest -m "not browser"`.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from tests.browser.conftest import ROOT, require_browser
from viewer.ui.table import ROW_HEIGHT

require_browser()

from playwright.sync_api import Locator, Page, expect  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.timeout(180)]

SAMPLE = "ab36de62-fe3e-4907-8a03-7d27c21fa01a"
CROWD = "demo-crowd"
SCREENSHOTS = ROOT / "screenshots"
MAIN = '[data-testid="stMain"]'
ACTIVE_PANEL = f'{MAIN} [data-testid="stTabPanel"]:not([data-st-inactive])'
WAIT_MS = 30_000

SETTLED_JS = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  return !!app && app.getAttribute('data-test-script-state') === 'notRunning'
    && app.getAttribute('data-test-connection-state') === 'CONNECTED'
    && !document.querySelector('[data-stale="true"], [data-testid="stSkeleton"]');
}"""

IMAGES_JS = """([scope, least]) => {
  const root = document.querySelector(scope);
  if (!root) return false;
  const images = [...root.querySelectorAll('[data-testid="stImage"] img')];
  return images.length >= least && images.every((img) => img.complete);
}"""


def settle(page: Page) -> None:
    """Wait until the script run is over, no element of an earlier run is left, and every
    element has mounted (the frontend fetches an element's code on first use)."""
    page.wait_for_function(SETTLED_JS, polling=100, timeout=WAIT_MS)


def loaded_images(page: Page, least: int, scope: str = ACTIVE_PANEL) -> int:
    """Wait for at least `least` images in `scope` to finish; assert each decoded; the count."""
    page.wait_for_function(IMAGES_JS, arg=[scope, least], polling=100, timeout=WAIT_MS)
    settle(page)
    widths = page.eval_on_selector_all(
        f'{scope} [data-testid="stImage"] img', "imgs => imgs.map((img) => img.naturalWidth)"
    )
    assert all(w > 0 for w in widths), f"images that did not decode: {widths}"
    return len(widths)


def assert_no_exception(page: Page) -> None:
    exceptions = page.get_by_test_id("stException")
    if exceptions.count():
        pytest.fail("the page shows an exception:\n" + "\n---\n".join(exceptions.all_inner_texts()))


def metric(page: Page, label: str) -> int:
    """A whole number from the header's metric with this label."""
    box = (
        page.locator(MAIN)
        .get_by_test_id("stMetric")
        .filter(has=page.get_by_test_id("stMetricLabel").get_by_text(label, exact=True))
    )
    return int(box.get_by_test_id("stMetricValue").inner_text().replace(",", ""))


def per_page(page: Page) -> int:
    """The sidebar's page size: how many images or faces one page of a view holds."""
    return int(page.get_by_test_id("stSidebar").get_by_label("Per page").input_value())


def query(page: Page) -> dict[str, str]:
    return {k: v[-1] for k, v in parse_qs(urlsplit(page.url).query).items()}


def open_group(page: Page, base: str, namespace: str, group: str) -> None:
    """Open a group by its link, as an analyst would paste it, and wait for the run to end."""
    page.goto(f"{base}/?namespace={namespace}&group={group}")
    expect(page.get_by_test_id("stApp")).to_be_visible()
    settle(page)


def shoot(page: Page, name: str) -> Path:
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=path)
    return path


def test_sample_group_shows_its_one_image(page: Page, app_url: str) -> None:
    open_group(page, app_url, "acme", SAMPLE)

    assert loaded_images(page, 1) == 1
    assert metric(page, "Images") == 1
    expect(page.get_by_test_id("stSidebar")).to_contain_text("Demo data")
    expect(page.locator(MAIN).get_by_role("heading", name=SAMPLE)).to_be_visible()
    expect(page.get_by_test_id("stAlertContentError")).to_have_count(0)
    assert_no_exception(page)


def test_load_button_opens_the_typed_group(page: Page, app_url: str) -> None:
    open_group(page, app_url, "acme", SAMPLE)
    loaded_images(page, 1)
    sidebar = page.get_by_test_id("stSidebar")

    sidebar.get_by_label("Namespace").fill("acme")
    sidebar.get_by_label("Group ID").fill(CROWD)
    sidebar.get_by_role("button", name="Load").click()

    page.wait_for_url(re.compile(rf"[?&]group={CROWD}(&|$)"), timeout=WAIT_MS)
    settle(page)
    expect(page.locator(MAIN).get_by_role("heading", name=CROWD)).to_be_visible()
    expected = min(metric(page, "Images"), per_page(page))
    assert expected > 1
    assert loaded_images(page, expected) == expected
    assert query(page)["namespace"] == "acme"
    expect(page.get_by_test_id("stAlertContentError")).to_have_count(0)
    assert_no_exception(page)


def test_unknown_group_says_so(page: Page, app_url: str) -> None:
    open_group(page, app_url, "acme", "no-such-group")

    alert = page.get_by_test_id("stAlert").filter(has_text="No such group")
    expect(alert).to_be_visible()
    expect(page.locator(MAIN).get_by_test_id("stImage")).to_have_count(0)
    assert query(page)["group"] == "no-such-group"
    assert_no_exception(page)


def _check_gallery(page: Page) -> None:
    expected = min(metric(page, "Images"), per_page(page))
    assert loaded_images(page, expected) == expected


def _check_faces(page: Page) -> None:
    expected = min(metric(page, "Shown"), per_page(page))
    assert loaded_images(page, expected) == expected


def _check_table(page: Page) -> None:
    frame = page.locator(ACTIVE_PANEL).get_by_test_id("stDataFrame").last
    rows = min(metric(page, "Shown"), per_page(page))  # a page of rows, the sidebar's size
    expect(frame.locator("table")).to_have_attribute("aria-rowcount", str(rows + 1))
    box = frame.bounding_box()
    assert box is not None
    assert box["height"] >= rows * ROW_HEIGHT  # every row in view, no box scrolled inside


def _check_stats(page: Page) -> None:
    charts = page.locator(ACTIVE_PANEL).get_by_test_id("stVegaLiteChart")
    expect(charts.first.locator("svg.marks, canvas").first).to_be_visible()
    assert charts.count() >= 2
    expect(page.locator(ACTIVE_PANEL).get_by_test_id("stMetric").first).to_be_visible()


def _check_detail(page: Page) -> None:
    # the face beside five of the group's best faces (the model is off here), then its photo
    assert loaded_images(page, 7) == 7
    expect(page.locator(ACTIVE_PANEL).get_by_test_id("stDataFrame").first).to_be_visible()


VIEWS = {
    "gallery": ("Gallery", _check_gallery),
    "faces": ("Faces", _check_faces),
    "table": ("Table", _check_table),
    "stats": ("Stats", _check_stats),
    "detail": ("Detail", _check_detail),
}


def show_view(page: Page, view: str) -> None:
    """Click a view's tab and wait for the run it starts to finish and reach the URL."""
    tab = page.get_by_role("tab", name=VIEWS[view][0], exact=True)
    tab.click()
    expect(tab).to_have_attribute("aria-selected", "true")
    page.wait_for_url(
        lambda url: parse_qs(urlsplit(url).query).get("view", ["gallery"])[-1] == view,
        timeout=WAIT_MS,
    )
    settle(page)


@pytest.fixture(scope="module")
def crowd(shared_page: Page, app_url: str) -> Page:
    """The demo-crowd group, opened once; the view tests click through its tabs."""
    open_group(shared_page, app_url, "acme", CROWD)
    return shared_page


@pytest.mark.parametrize("view", list(VIEWS))
def test_each_view_renders(crowd: Page, view: str) -> None:
    show_view(crowd, view)

    VIEWS[view][1](crowd)
    assert query(crowd)["group"] == CROWD
    assert_no_exception(crowd)
    assert shoot(crowd, view).stat().st_size > 0


def _check_download(content: bytes, name: str) -> None:
    """The file is what its name says: a readable ZIP, or a PNG or JPEG image."""
    suffix = Path(name).suffix.lower()
    assert content, f"{name} is empty"
    if content.startswith(b"PK\x03\x04"):
        assert suffix == ".zip", f"{name} holds a ZIP"
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            assert archive.namelist(), f"{name} is an empty ZIP"
            assert archive.testzip() is None, f"{name} has a corrupt member"
    elif content.startswith(b"\x89PNG\r\n\x1a\n"):
        assert suffix == ".png", f"{name} holds a PNG"
    elif content.startswith(b"\xff\xd8\xff"):
        assert suffix in (".jpg", ".jpeg"), f"{name} holds a JPEG"
    else:
        pytest.fail(f"{name} is neither ZIP, PNG nor JPEG: starts {content[:16]!r}")


def _reveal(button: Locator) -> None:
    """Open the expander a button sits in, when it is folded away."""
    if button.is_visible():
        return
    expander = button.locator('xpath=ancestor::*[@data-testid="stExpander"][1]')
    if expander.count():
        expander.locator("summary").first.click()
    expect(button).to_be_visible()


def test_download_buttons_give_valid_files(crowd: Page) -> None:
    page = crowd
    current = query(page).get("view", "gallery")
    checked: list[str] = []
    for view in [current, *(v for v in VIEWS if v != current)]:
        if view != current:
            show_view(page, view)
        settle(page)
        buttons = page.get_by_test_id("stDownloadButton").locator("button")
        for i in range(buttons.count()):
            button = buttons.nth(i)
            if not button.is_enabled():
                continue
            _reveal(button)
            with page.expect_download(timeout=60_000) as info:
                button.click()
            download = info.value
            assert download.failure() is None, f"{download.suggested_filename}: failed"
            _check_download(Path(download.path()).read_bytes(), download.suggested_filename)
            checked.append(download.suggested_filename)
            settle(page)
        if checked:
            break
    if not checked:
        pytest.fail("no enabled download button on any view of the page")
    assert_no_exception(page)


def test_browse_lists_groups_and_opens_one(page: Page, app_url: str) -> None:
    page.goto(f"{app_url}/?mode=browse&namespace=acme")
    settle(page)
    opens = page.locator(f'{MAIN} [class*="st-key-browse_open_"] button')
    expect(opens.first).to_be_visible()
    assert opens.count() == 10  # one per group on the first page
    assert loaded_images(page, 10, scope=MAIN) >= 10  # each group's strip of best faces
    assert_no_exception(page)
    shoot(page, "browse")
    opens.first.click()
    # back to inspecting the chosen group
    page.wait_for_url(lambda url: "group=" in url and "mode=" not in url, timeout=WAIT_MS)
    loaded_images(page, 1)
    assert_no_exception(page)


def test_compare_shows_groups_side_by_side(page: Page, app_url: str) -> None:
    groups = ["demo-person-a1", "demo-person-a2", "demo-person-b"]
    page.goto(f"{app_url}/?mode=compare&namespace=acme&compare={','.join(groups)}")
    settle(page)
    for group in groups:
        expect(page.locator(MAIN).get_by_text(group, exact=True)).to_be_visible()
    assert loaded_images(page, 3 * 8, scope=MAIN) == 3 * 8  # eight best faces per group
    assert query(page)["compare"] == ",".join(groups)
    assert_no_exception(page)
    shoot(page, "compare")


def test_nothing_is_fetched_from_beyond_loopback(page: Page, app_url: str) -> None:
    """The page loads no font, icon or script from another host: analysts may be offline."""
    hosts: set[str] = set()
    page.on("request", lambda request: hosts.add(urlsplit(request.url).hostname or ""))
    open_group(page, app_url, "acme", CROWD)
    loaded_images(page, 3)
    show_view(page, "stats")
    assert hosts <= {"127.0.0.1", "localhost", ""}, f"requests left loopback: {hosts}"


def test_selecting_a_table_row_opens_that_face(page: Page, app_url: str) -> None:
    page.goto(f"{app_url}/?namespace=acme&group={CROWD}&view=table")
    settle(page)
    grid = page.locator(MAIN).get_by_test_id("stDataFrame").last
    expect(grid).to_be_visible()
    box = grid.bounding_box()
    assert box is not None
    # the grid is drawn on a canvas: click the selection cell of the third row (under a
    # header of about 35 px)
    page.mouse.click(box["x"] + 16, box["y"] + 35 + ROW_HEIGHT * 2 + ROW_HEIGHT // 2)
    settle(page)
    page.locator(MAIN).get_by_role("button", name="Open in Detail").click()
    page.wait_for_url(lambda url: "view=detail" in url, timeout=WAIT_MS)
    settle(page)
    assert query(page)["face"] == "2"  # the third face in group order
    expect(page.get_by_role("tab", name="Detail", exact=True)).to_have_attribute(
        "aria-selected", "true"
    )
    assert_no_exception(page)


def test_a_browse_link_reopens_its_page_and_order(page: Page, app_url: str) -> None:
    page.goto(f"{app_url}/?mode=browse&namespace=acme&bpage=2&border=ASC")
    settle(page)
    main = page.locator(MAIN)
    expect(main.get_by_text("Page 2 of 2 · 11 groups", exact=False)).to_be_visible()
    expect(main.get_by_label("Page", exact=True)).to_have_value("2")
    expect(main.locator('[class*="st-key-browse_open_"] button')).to_have_count(1)
    assert {k: query(page).get(k) for k in ("bpage", "border")} == {"bpage": "2", "border": "ASC"}
    assert_no_exception(page)


def test_a_compare_link_keeps_an_id_with_a_comma(page: Page, app_url: str) -> None:
    # the address as the page writes it: the comma inside the second ID escaped
    link = urlencode({"mode": "compare", "namespace": "acme", "compare": "demo-crowd,no%2Cb"})
    page.goto(f"{app_url}/?{link}")
    settle(page)
    box = page.locator(MAIN).get_by_role("textbox", name="Group IDs, one per line")
    expect(box).to_have_value("demo-crowd\nno,b")
    expect(page.locator(MAIN).get_by_text("no,b", exact=True)).to_be_visible()
    assert query(page)["compare"] == "demo-crowd,no%2Cb"
    assert_no_exception(page)
