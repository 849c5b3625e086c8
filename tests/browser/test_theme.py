"""The page follows the browser's colour preference: dark when it prefers dark, light when it
prefers light (the config fixes no base theme)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.browser.conftest import VIEWPORT, require_browser

require_browser()

from playwright.sync_api import Browser, Page  # noqa: E402

from tests.browser.test_browser import SAMPLE, loaded_images, open_group  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.timeout(180)]

# The app's background colour, as the browser paints it: "rgb(r, g, b)".
BACKGROUND_JS = """() => getComputedStyle(document.querySelector('[data-testid="stApp"]'))
  .backgroundColor"""


def _luminance(css: str) -> float:
    """Relative luminance (0 black .. 1 white) of a CSS ``rgb()``/``rgba()`` colour."""
    r, g, b = (float(x) / 255 for x in css[css.index("(") + 1 : css.index(")")].split(",")[:3])

    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b)


@pytest.fixture(params=["dark", "light"])
def scheme_page(request: pytest.FixtureRequest, browser: Browser) -> Iterator[tuple[str, Page]]:
    context = browser.new_context(viewport=VIEWPORT, color_scheme=request.param)
    context.set_default_timeout(30_000)
    try:
        yield request.param, context.new_page()
    finally:
        context.close()


def test_the_app_background_follows_the_preferred_scheme(
    scheme_page: tuple[str, Page], app_url: str
) -> None:
    scheme, page = scheme_page
    open_group(page, app_url, "acme", SAMPLE)
    loaded_images(page, 1)
    background = page.evaluate(BACKGROUND_JS)
    if scheme == "dark":
        assert _luminance(background) < 0.05, background
    else:
        assert _luminance(background) > 0.8, background
