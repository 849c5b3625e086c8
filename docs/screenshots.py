"""Take the README's screenshots of the running app in real Chromium, in one run.

The app runs on the embedded demo API (no II_* credentials), with the local face model on so
that the identity views have their distances. Desktop shots are 1440 px wide; the phone shot
is 390 px; the dark shot asks for the browser's dark preference. Run from the repository root:
``python docs/screenshots.py`` (about three minutes: the face model scores demo-large first).
"""

from __future__ import annotations

import io
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.browser import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from tests.browser.conftest import running_app  # noqa: E402
from tests.browser.test_browser import SETTLED_JS  # noqa: E402

OUT = ROOT / "docs" / "img"
WAIT_MS = 120_000
SCORED_S = 600.0  # the face model on demo-large's 2,000 faces, on two cores


@dataclass(frozen=True)
class Shot:
    name: str
    query: str
    width: int = 1440
    height: int = 1000
    dark: bool = False
    scored: bool = False  # wait until every face of the group is scored
    scroll_to: str | None = None  # text to scroll into view before the shot


SHOTS = (
    Shot("first-screen", "namespace=acme"),
    Shot("gallery", "namespace=acme&group=demo-crowd", scroll_to="Gallery"),
    Shot("gallery-dark", "namespace=acme&group=demo-crowd", dark=True, scroll_to="Gallery"),
    Shot("faces", "namespace=acme&group=demo-large&view=faces&sort=worst", scroll_to="Dense grid"),
    Shot("faces-phone", "namespace=acme&group=demo-large&view=faces&sort=worst", 390, 844),
    Shot("table", "namespace=acme&group=demo-broken&view=table", scroll_to="Gallery"),
    Shot("detail", "namespace=acme&group=demo-crowd&view=detail&face=3", scroll_to="Gallery"),
    Shot(
        "least-like",
        "namespace=acme&group=demo-large&view=faces&sort=least",
        scored=True,
        scroll_to="Dense grid",
    ),
    Shot("stats", "namespace=acme&group=demo-large&view=stats", scored=True, scroll_to="Gallery"),
    Shot("browse", "mode=browse&namespace=acme"),
    Shot(
        "compare",
        "mode=compare&namespace=acme&compare=demo-person-a1%0Ademo-person-a2%0Ademo-person-b",
    ),
)


def settle(page) -> None:  # type: ignore[no-untyped-def]
    page.wait_for_function(SETTLED_JS, polling=200, timeout=WAIT_MS)


def wait_scored(page) -> None:  # type: ignore[no-untyped-def]
    """Reload until the identity line says every face is scored."""
    deadline = time.monotonic() + SCORED_S
    while "2,000 of 2,000 faces scored" not in page.inner_text('[data-testid="stMain"]'):
        if time.monotonic() > deadline:
            raise SystemExit("demo-large was not scored in time")
        page.wait_for_timeout(5000)
        page.reload()
        settle(page)


def take(browser, url: str, shot: Shot) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(
        viewport={"width": shot.width, "height": shot.height},
        color_scheme="dark" if shot.dark else "light",
        device_scale_factor=1,
    )
    page = context.new_page()
    page.goto(f"{url}/?{shot.query}")
    settle(page)
    if shot.scored:
        wait_scored(page)
    if shot.scroll_to:
        page.get_by_text(shot.scroll_to, exact=True).first.scroll_into_view_if_needed()
    page.wait_for_function(
        "() => [...document.querySelectorAll('img')].every((i) => i.complete)", timeout=WAIT_MS
    )
    settle(page)
    page.wait_for_timeout(800)  # charts finish drawing
    png = page.screenshot()
    context.close()
    with Image.open(io.BytesIO(png)) as image:
        image.convert("RGB").save(OUT / f"{shot.name}.jpg", quality=82, optimize=True)
    print(f"docs/img/{shot.name}.jpg")


def main(names: list[str]) -> None:
    from playwright.sync_api import sync_playwright

    chosen = [s for s in SHOTS if not names or s.name in names]
    with running_app(face_model=any(s.scored for s in chosen)) as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for shot in chosen:
                take(browser, url, shot)
        finally:
            browser.close()


if __name__ == "__main__":
    main(sys.argv[1:])
