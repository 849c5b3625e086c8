"""Take docs/img/apply-preview.jpg: the Apply panel's preview of demo-large in real Chromium.

The app runs on the embedded demo API (no II_* credentials) with a verdict store of its own,
in which demo-large's planted faces are marked "not this person". Run from the repository
root: ``python docs/apply_screenshot.py``.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.browser import (  # noqa: E402
    CHROMIUM,
    CHROMIUM_ARGS,
    _free_port,
    _wait_healthy,
    streamlit_command,
)
from viewer.api import Client  # noqa: E402
from viewer.config import Settings  # noqa: E402
from viewer.demo.server import DemoServer  # noqa: E402
from viewer.review.faces import store_ids  # noqa: E402
from viewer.review.store import open_store  # noqa: E402

OUT = ROOT / "docs" / "img" / "apply-preview.jpg"
NS, LARGE = "acme", "demo-large"


def mark_planted(db: Path) -> None:
    """Mark demo-large's planted faces "not this person" as ann (the demo's data is fixed)."""
    with DemoServer(host="127.0.0.1", port=0, quiet=True) as server:
        with Client(Settings(api_url=server.api_url, access_token=server.static_token)) as c:
            group = c.get_group(NS, LARGE)
        assert server.data is not None
        planted = server.data.impostor_ids
    ids = store_ids(group.faces)
    with open_store(Settings(review_db=db)) as store:
        faces = [(ids[f.key], f.id) for f in group.faces if f.id in planted]
        store.record(NS, LARGE, faces, "not_this_person", "ann")


def main() -> None:
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="apply-shot-") as tmp:
        home = Path(tmp)
        db = home / "review.sqlite3"
        mark_planted(db)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("II_", "STREAMLIT_"))}
        env.update(HOME=str(home), II_REVIEW_DB=str(db), II_ANALYST="ann", II_FACE_MODEL="off")
        port = _free_port()
        command = streamlit_command(port)
        proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)  # noqa: S603
        try:
            _wait_healthy(port, proc)
            url = f"http://127.0.0.1:{port}"
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
                page = browser.new_page(viewport={"width": 1600, "height": 1000})
                page.set_default_timeout(60_000)
                page.goto(f"{url}/?namespace={NS}&group={LARGE}")
                page.get_by_text("Apply to the API").click()
                page.get_by_role("button", name="Preview the requests").click()
                page.get_by_text("I have read the requests").wait_for()
                page.wait_for_timeout(1500)
                panel = page.locator('[data-testid="stExpander"]', has_text="Apply to the API")
                panel.scroll_into_view_if_needed()
                shot = panel.screenshot()
                browser.close()
        finally:
            proc.terminate()
            proc.wait(timeout=10)
    Image.open(io.BytesIO(shot)).convert("RGB").save(OUT, quality=85)
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
