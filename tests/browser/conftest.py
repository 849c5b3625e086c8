"""Browser test fixtures: the app under `streamlit run` in demo mode, and Chromium via Playwright.

The app runs from the repository root on a free loopback port, with no II_* variables and a
temporary HOME, so it always serves the embedded demo API. Chromium is Debian's
(/usr/bin/chromium); Playwright only drives it.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from bench.browser import CHROMIUM, CHROMIUM_ARGS, _free_port, streamlit_command

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page

ROOT = Path(__file__).resolve().parents[2]
VIEWPORT = {"width": 1500, "height": 1800}
STARTUP_TIMEOUT_S = 60.0
HOW_TO_ENABLE = (
    "to run the browser tests: `apt-get install -y chromium` (Debian's browser at "
    "/usr/bin/chromium) and `pip install -r requirements-dev.txt` (Playwright)"
)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "browser: drives the running app in Chromium (deselect with -m 'not browser')"
    )


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


def require_browser() -> None:
    """Skip the calling test module when the browser tests cannot run here; fail it in CI."""
    problem = missing_requirement()
    if problem:
        if in_ci():
            pytest.fail(f"Browser tests cannot run in CI: {problem}", pytrace=False)
        pytest.skip(problem, allow_module_level=True)


def missing_requirement() -> str | None:
    """Why the browser tests cannot run here, or None when they can."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError as error:
        return f"Playwright cannot be imported ({error}); {HOW_TO_ENABLE}."
    if not CHROMIUM.exists():
        return f"{CHROMIUM} does not exist; {HOW_TO_ENABLE}."
    secrets = ROOT / ".streamlit" / "secrets.toml"
    if secrets.exists():
        return f"{secrets} exists and would take the app out of demo mode; move it away."
    return None


def _app_env(home: Path, face_model: bool) -> dict[str, str]:
    """This process's environment without settings that could point the app elsewhere."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("II_", "STREAMLIT_"))}
    env.update(HOME=str(home), PYTHONUNBUFFERED="1", PYTHONDONTWRITEBYTECODE="1")
    # scoring 2,000 faces would compete with Chromium for CPU: on only where a test needs it
    env["II_FACE_MODEL"] = "on" if face_model else "off"
    env["II_CACHE_DIR"] = str(home / "cache")
    return env


def _tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """Stop the app process this fixture started, and nothing else."""
    if proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)


@contextmanager
def running_app(face_model: bool = False) -> Iterator[str]:
    """`streamlit run app.py` on a free port, in demo mode; yields its base URL."""
    with tempfile.TemporaryDirectory(prefix="group-viewer-browser-") as tmp:
        home = Path(tmp)
        log_path = home / "streamlit.log"
        port = _free_port()
        url = f"http://127.0.0.1:{port}"
        command = streamlit_command(port)
        with log_path.open("wb") as log:
            proc = subprocess.Popen(
                command,
                cwd=ROOT,
                env=_app_env(home, face_model),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        try:
            deadline = time.monotonic() + STARTUP_TIMEOUT_S
            while True:
                if proc.poll() is not None:
                    pytest.fail(
                        f"streamlit exited with {proc.returncode} before answering:\n"
                        + _tail(log_path),
                        pytrace=False,
                    )
                try:
                    with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as answer:
                        if answer.status == 200:
                            break
                except (urllib.error.URLError, OSError):
                    pass
                if time.monotonic() > deadline:
                    pytest.fail(
                        f"{url}/_stcore/health did not answer within {STARTUP_TIMEOUT_S:.0f} s:\n"
                        + _tail(log_path),
                        pytrace=False,
                    )
                time.sleep(0.2)
            yield url
        finally:
            _stop(proc)


@pytest.fixture(scope="session")
def app_url() -> Iterator[str]:
    """Base URL of the app, started once for the session, the face model off."""
    with running_app() as url:
        yield url


@pytest.fixture(scope="module")
def scoring_app_url() -> Iterator[str]:
    """Base URL of an app of the module's own with the face model on."""
    with running_app(face_model=True) as url:
        yield url


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, headless, driven by Playwright for the whole session."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def _new_page(browser: Browser) -> tuple[BrowserContext, Page]:
    """A fresh page, and so a fresh app session, at 1500×1800 with downloads accepted."""
    context = browser.new_context(viewport=VIEWPORT, accept_downloads=True)
    context.set_default_timeout(30_000)
    return context, context.new_page()


@pytest.fixture()
def page(browser: Browser) -> Iterator[Page]:
    """A page of its own for one test."""
    context, new = _new_page(browser)
    try:
        yield new
    finally:
        context.close()


@pytest.fixture(scope="module")
def shared_page(browser: Browser) -> Iterator[Page]:
    """One page the tests of a module walk through in turn, to save loading a group each time."""
    context, new = _new_page(browser)
    try:
        yield new
    finally:
        context.close()
