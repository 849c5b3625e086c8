"""End to end: the Streamlit app in headless Chromium, timed until the gallery has loaded."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
REPO = Path(__file__).resolve().parent.parent
START_TIMEOUT_S = 60.0
LOAD_TIMEOUT_S = 60.0

# True once at least ``expected`` captioned images are in the main area and all have loaded.
# A gallery picture carries a caption; the plain tile holding its place until it is drawn
# does not, so placeholders are not counted.
_ALL_LOADED = """
(expected) => {
  const main = document.querySelector('[data-testid="stMain"]');
  if (!main) return false;
  const boxes = Array.from(main.querySelectorAll('[data-testid="stImageContainer"]'));
  const shown = boxes.filter((box) => box.querySelector('[data-testid="stImageCaption"]'));
  const imgs = shown.map((box) => box.querySelector('img')).filter((img) => img);
  if (imgs.length < expected) return false;
  if (!imgs.every((img) => img.complete && img.naturalWidth > 0)) return false;
  return {count: imgs.length, widths: imgs.map((img) => img.naturalWidth)};
}
"""


@dataclass(frozen=True)
class BrowserRun:
    cold_s: float | None  # first visit of the group on a fresh app process
    warm_s: float | None  # a second visit, new browser session, same app process
    first_picture_s: float | None  # first visit: until the first gallery picture had loaded
    shell_s: float | None  # the app's empty page in a new session: Streamlit's own cost
    socket_open_s: float | None  # first visit: until the app's websocket opened
    last_message_s: float | None  # first visit: until the server's last message arrived
    messages: int  # first visit: websocket messages from the server before the page was done
    images: int
    natural_widths: list[int]
    image_requests: int  # image requests the app made during the cold visit
    skipped: str | None = None


def unavailable() -> str | None:
    """Why the browser run cannot happen here, or None."""
    if not CHROMIUM.exists():
        return f"no browser at {CHROMIUM}"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed"
    return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def streamlit_command(port: int) -> list[str]:
    """`streamlit run app.py` headless on loopback ``port``, with no usage stats or file watcher."""
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        "app.py",
        "--server.headless",
        "true",
        "--server.address",
        "127.0.0.1",
        "--server.port",
        str(port),
        "--browser.gatherUsageStats",
        "false",
        "--server.fileWatcherType",
        "none",
    ]


def _wait_healthy(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    url = f"http://127.0.0.1:{port}/_stcore/health"
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited with status {process.returncode}")
        with contextlib.suppress(OSError), urllib.request.urlopen(url, timeout=1) as answer:
            if answer.status == 200:
                return
        time.sleep(0.1)
    raise RuntimeError(f"streamlit did not answer on port {port} within {START_TIMEOUT_S:g} s")


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Stop the app by its own pid: SIGTERM, then SIGKILL if it lingers."""
    if process.poll() is None:
        os.kill(process.pid, signal.SIGTERM)
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            os.kill(process.pid, signal.SIGKILL)
            process.wait(5)


def app_env(api_url: str, token: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("II_")}
    env.update(
        {
            "II_API_URL": api_url,
            "II_ACCESS_TOKEN": token,
            "II_ALLOW_PRIVATE_IMAGE_HOSTS": "1",
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


def run(
    api_url: str,
    token: str,
    namespace: str,
    group_id: str,
    expected_images: int,
    count_images: Callable[[], int],
) -> BrowserRun:
    """Start the app, warm it with a visit to its empty page, then time two visits of the group.

    The warm-up visit loads the app's modules, which every process does once; it fetches no
    group and no image, so the first timed visit still finds the pipeline's caches empty.
    """
    reason = unavailable()
    if reason:
        return BrowserRun(None, None, None, None, None, None, 0, 0, [], 0, skipped=reason)
    from playwright.sync_api import sync_playwright

    port = _free_port()
    command = streamlit_command(port)
    base = f"http://127.0.0.1:{port}"
    target = f"{base}/?namespace={namespace}&group={group_id}"
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(
            command, cwd=REPO, env=app_env(api_url, token), stdout=log, stderr=log
        )
        try:
            _wait_healthy(port, process)
            with sync_playwright() as pw:
                browser = pw.chromium.launch(
                    executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
                )
                try:
                    _shell_visit(browser, base)  # loads the app's modules in the app process
                    shell = _shell_visit(browser, base)
                    before = count_images()
                    cold_visit = _timed_visit(browser, target, expected_images)
                    image_requests = count_images() - before
                    warm = _timed_visit(browser, target, expected_images).seconds
                finally:
                    browser.close()
        except Exception:
            log.seek(0)
            tail = log.read()[-3000:].decode(errors="replace")
            print(f"streamlit log (end):\n{tail}", file=sys.stderr)
            raise
        finally:
            _stop(process)
    v = cold_visit
    return BrowserRun(
        v.seconds,
        warm,
        v.first_s,
        shell,
        v.socket_open_s,
        v.last_message_s,
        v.messages,
        len(v.widths),
        v.widths,
        image_requests,
    )


VIEWPORT = {"width": 1600, "height": 1000}


def _shell_visit(browser, base: str) -> float:  # type: ignore[no-untyped-def]
    """Seconds until the app's page without a group has rendered, in a new session."""
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    try:
        start = time.perf_counter()
        page.goto(base, wait_until="commit")
        page.get_by_text("Enter a namespace").wait_for(timeout=LOAD_TIMEOUT_S * 1000)
        return time.perf_counter() - start
    finally:
        context.close()


@dataclass
class _Visit:
    seconds: float = 0.0
    first_s: float = 0.0
    socket_open_s: float | None = None
    last_message_s: float | None = None
    messages: int = 0
    widths: list[int] = field(default_factory=list)


def _timed_visit(browser, url: str, expected: int) -> _Visit:  # type: ignore[no-untyped-def]
    """Seconds from navigation until the first and until ``expected`` gallery pictures have
    loaded, in a new session; and when the app's websocket opened and last spoke."""
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    timeout = LOAD_TIMEOUT_S * 1000
    visit = _Visit()

    def on_message(_: object) -> None:
        if visit.seconds:  # the page was done: later messages do not count
            return
        visit.messages += 1
        visit.last_message_s = time.perf_counter() - start

    def on_socket(socket) -> None:  # type: ignore[no-untyped-def]
        if visit.socket_open_s is None:
            visit.socket_open_s = time.perf_counter() - start
        socket.on("framereceived", on_message)

    page.on("websocket", on_socket)
    try:
        start = time.perf_counter()
        page.goto(url, wait_until="commit")
        page.wait_for_function(_ALL_LOADED, arg=1, polling=20, timeout=timeout)
        visit.first_s = time.perf_counter() - start
        handle = page.wait_for_function(_ALL_LOADED, arg=expected, polling=20, timeout=timeout)
        visit.seconds = time.perf_counter() - start
        visit.widths = list(handle.json_value()["widths"])
        return visit
    finally:
        context.close()
