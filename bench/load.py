"""``python -m bench.load``: several analysts at once on one Streamlit server.

Starts the demo API and ``streamlit run app.py``, then opens ``demo-large`` in ``--sessions``
browser sessions at once (contexts of one headless Chromium, each its own Streamlit session)
and has each click to the next gallery page ``--pages`` times. A page counts as done when the
script run is over (the stApp element's ``data-test-script-state`` is ``notRunning``), no
element of an earlier run is left and every gallery picture of the page has loaded. Meanwhile
the RSS of the streamlit process and its children is read from /proc: at rest before the
sessions, its peak during them and after they have closed. Prints a table, then one JSON line.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench import naive
from bench.browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    REPO,
    VIEWPORT,
    _free_port,
    _stop,
    _wait_healthy,
    app_env,
    streamlit_command,
    unavailable,
)
from bench.report import Row, table
from bench.server import ServerOptions, ServerProcess

NAMESPACE = "acme"
GROUP = "demo-large"
SESSIONS = 8
PAGES = 3  # clicks to the next page, after the first
WAIT_S = 300.0  # one page at most: 8 sessions and Chromium on 2 busy cores took up to 120 s
SAMPLE_S = 0.1
AFTER_S = 3.0  # pause after the sessions closed before "after" is read
PROC = Path("/proc")

# The page's pictures as one string once the run is over and all of them have loaded, else
# false. A gallery picture carries a caption; the plain tile holding its place does not.
# ``previous`` is the string of the page before: the next page is done when it differs.
_PAGE_DONE = """
([previous, expected]) => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  if (app.getAttribute('data-test-connection-state') !== 'CONNECTED') return false;
  if (document.querySelector('[data-stale="true"], [data-testid="stSkeleton"]')) return false;
  const main = document.querySelector('[data-testid="stMain"]');
  if (!main) return false;
  const boxes = Array.from(main.querySelectorAll('[data-testid="stImageContainer"]'));
  const shown = boxes.filter((box) => box.querySelector('[data-testid="stImageCaption"]'));
  const imgs = shown.map((box) => box.querySelector('img')).filter((img) => img);
  if (imgs.length < expected) return false;
  if (!imgs.every((img) => img.complete && img.naturalWidth > 0)) return false;
  const seen = shown.map((box) => box.querySelector('[data-testid="stImageCaption"]').innerText);
  const text = seen.join('\\n');
  return text !== previous ? text : false;
}
"""
# What the page shows when it did not finish, for the failure's sentence.
_STATE = """
() => {
  const app = document.querySelector('[data-testid="stApp"]');
  const main = document.querySelector('[data-testid="stMain"]');
  const boxes = main ? Array.from(main.querySelectorAll('[data-testid="stImageContainer"]')) : [];
  const shown = boxes.filter((box) => box.querySelector('[data-testid="stImageCaption"]'));
  const imgs = shown.map((box) => box.querySelector('img')).filter((img) => img);
  const error = document.querySelector('[data-testid="stException"], [data-testid="stAlert"]');
  return [
    'script ' + (app && app.getAttribute('data-test-script-state')),
    'connection ' + (app && app.getAttribute('data-test-connection-state')),
    'stale ' + document.querySelectorAll('[data-stale="true"]').length,
    'skeletons ' + document.querySelectorAll('[data-testid="stSkeleton"]').length,
    'pictures ' + imgs.length + ' (loaded ' + imgs.filter((i) => i.complete).length + ')',
    'placeholders ' + (boxes.length - shown.length),
    error ? 'says ' + error.innerText.slice(0, 120) : '',
  ].filter((x) => x).join(', ');
}
"""
_NEXT = '[data-testid="stMain"] [data-testid="stPaginationNext"]'


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0 to 100) of ``values``, interpolated between the two nearest
    ranks (as numpy's default); raises ValueError for no values or ``q`` outside 0 to 100."""
    if not values:
        raise ValueError("percentile of no values: measure at least one page.")
    if not 0 <= q <= 100:
        raise ValueError(f"percentile must lie between 0 and 100, not {q}.")
    ordered = sorted(values)
    at = (len(ordered) - 1) * q / 100
    low = int(at)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (at - low)


def _parent(stat: str) -> int:
    """The parent pid in the text of /proc/<pid>/stat; the command name may hold spaces and
    parentheses, so the fields are counted from its last closing parenthesis."""
    return int(stat[stat.rindex(")") + 1 :].split()[1])


def process_tree(root: int, proc: Path = PROC) -> list[int]:
    """``root`` and every process descended from it, read from ``proc``'s stat files."""
    children: dict[int, list[int]] = {}
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            parent = _parent((entry / "stat").read_text())
        except (OSError, ValueError, IndexError):
            continue  # gone meanwhile, or not a process
        children.setdefault(parent, []).append(int(entry.name))
    tree, todo = [], [root]
    while todo:
        pid = todo.pop()
        tree.append(pid)
        todo += children.get(pid, [])
    return tree


def rss_bytes(pid: int, proc: Path = PROC) -> int:
    """The resident set size of ``pid`` (VmRSS), or 0 when it has gone or holds no memory."""
    try:
        text = (proc / str(pid) / "status").read_text()
    except OSError:
        return 0
    for line in text.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024  # in kB
    return 0  # a kernel thread or a zombie


def tree_rss_mb(root: int, proc: Path = PROC) -> float:
    """The RSS of ``root`` and its descendants, summed, in MB."""
    return sum(rss_bytes(pid, proc) for pid in process_tree(root, proc)) / 1e6


class Sampler:
    """Reads a process tree's RSS every ``every_s`` in a thread of its own; keeps its peak, and
    the peak of the root process alone."""

    def __init__(self, root: int, every_s: float = SAMPLE_S) -> None:
        self.root = root
        self.every_s = every_s
        self.peak_mb = 0.0
        self.peak_root_mb = 0.0
        self.samples = 0
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._done.is_set():
            self.peak_mb = max(self.peak_mb, tree_rss_mb(self.root))
            self.peak_root_mb = max(self.peak_root_mb, rss_bytes(self.root) / 1e6)
            self.samples += 1
            self._done.wait(self.every_s)

    def __enter__(self) -> Sampler:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._done.set()
        self._thread.join()


async def _session(  # type: ignore[no-untyped-def]
    browser, url: str, expected: Sequence[int], wait_s: float = WAIT_S
) -> tuple[list[float], str | None]:
    """One analyst: opens ``url``, then clicks to the next page ``len(expected) - 1`` times.

    Returns the seconds each page took (the first from navigation, the others from the click)
    and, when a page did not finish, why.
    """
    context = await browser.new_context(viewport=VIEWPORT)
    page = await context.new_page()
    timeout = wait_s * 1000
    times: list[float] = []
    try:
        start = time.perf_counter()
        await page.goto(url, wait_until="commit")
        shown = ""
        for n, least in enumerate(expected):
            if n:
                start = time.perf_counter()
                await page.locator(_NEXT).first.click(timeout=timeout)
            done = await page.wait_for_function(
                _PAGE_DONE, arg=[shown, least], polling=50, timeout=timeout
            )
            times.append(time.perf_counter() - start)
            shown = await done.json_value()
        return times, None
    except Exception as error:  # one session's failure is reported, not raised
        first = str(error).strip().splitlines()[0][:200] if str(error).strip() else ""
        try:
            shows = await page.evaluate(_STATE)
        except Exception:  # the page itself has gone
            shows = "page gone"
        return times, f"page {len(times) + 1}: {type(error).__name__}: {first} ({shows})"
    finally:
        await context.close()


async def _sessions(
    url: str, base: str, sessions: int, expected: Sequence[int], pid: int, wait_s: float
) -> dict[str, Any]:
    """The empty page once (the app's modules load once per process), one session alone (it
    fills the caches every session shares: the group, downloaded and drawn pictures), then
    ``sessions`` at once, with the app's memory read at rest between the steps."""
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            context = await browser.new_context(viewport=VIEWPORT)
            page = await context.new_page()
            await page.goto(base, wait_until="commit")
            await page.get_by_text("Enter a namespace").wait_for(timeout=wait_s * 1000)
            await context.close()
            idle_mb = tree_rss_mb(pid)
            alone = await _session(browser, url, expected, wait_s)
            await asyncio.sleep(AFTER_S)
            one_mb = tree_rss_mb(pid)
            started = time.perf_counter()
            with Sampler(pid) as sampler:
                results = await asyncio.gather(
                    *(_session(browser, url, expected, wait_s) for _ in range(sessions))
                )
            wall_s = time.perf_counter() - started
        finally:
            await browser.close()
    await asyncio.sleep(AFTER_S)
    return {
        "results": list(results),
        "alone": alone,
        "idle_mb": idle_mb,
        "one_mb": one_mb,
        "peak_mb": sampler.peak_mb,
        "peak_root_mb": sampler.peak_root_mb,
        "children": len(process_tree(pid)) - 1,
        "after_mb": tree_rss_mb(pid),
        "wall_s": wall_s,
    }


def page_sizes(server: ServerProcess, per_page: int, pages: int) -> list[int]:
    """How many pictures each of the first ``pages`` gallery pages of demo-large shows."""
    group = naive.get_group(server.api_url, server.static_token, NAMESPACE, GROUP)
    images = len({f["url"] for f in group["images"] if f.get("url")})
    return [min(per_page, images - n * per_page) for n in range(pages) if images > n * per_page]


def run(
    server: ServerProcess, sessions: int = SESSIONS, pages: int = PAGES, wait_s: float = WAIT_S
) -> dict[str, Any]:
    """Start the app on ``server``'s API, measure ``sessions`` analysts at once, stop the app."""
    from viewer.ui.state import ViewState

    skipped = unavailable()
    if skipped:
        return {"skipped": skipped}
    expected = page_sizes(server, ViewState().per_page, pages + 1)
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    url = f"{base}/?namespace={NAMESPACE}&group={GROUP}"
    with tempfile.TemporaryDirectory() as home, tempfile.TemporaryFile() as log:
        env = app_env(server.api_url, server.static_token)
        env.update(
            II_REVIEW_DB=str(Path(home) / "review.sqlite3"), II_CACHE_DIR=str(Path(home) / "cache")
        )
        process = subprocess.Popen(
            streamlit_command(port), cwd=REPO, env=env, stdout=log, stderr=log
        )
        try:
            _wait_healthy(port, process)
            measured = asyncio.run(_sessions(url, base, sessions, expected, process.pid, wait_s))
        except Exception:
            log.seek(0)
            tail = log.read()[-3000:].decode(errors="replace")
            print(f"streamlit log (end):\n{tail}", file=sys.stderr)
            raise
        finally:
            _stop(process)
    return summary(sessions=sessions, pages_per_session=len(expected), **measured)


def summary(
    results: Sequence[tuple[list[float], str | None]],
    sessions: int,
    idle_mb: float,
    peak_mb: float,
    after_mb: float,
    wall_s: float,
    alone: tuple[list[float], str | None] = ([], None),
    one_mb: float | None = None,
    pages_per_session: int | None = None,
    peak_root_mb: float | None = None,
    children: int | None = None,
) -> dict[str, Any]:
    """The run's numbers: page times of the sessions at once, failures, memory and its share
    per session: peak above idle over the sessions, and peak above the app's size after one
    session alone (whose pages fill the caches every session shares) over the sessions."""
    first = [times[0] for times, _ in results if times]
    later = [t for times, _ in results for t in times[1:]]
    every = first + later
    failures = [why for _, why in results if why]

    def pct(values: list[float], q: float) -> float | None:
        return round(percentile(values, q), 3) if values else None

    return {
        "sessions": sessions,
        "pages_per_session": pages_per_session or max((len(t) for t, _ in results), default=0),
        "pages_done": len(every),
        "failures": failures,
        "p50_s": pct(every, 50),
        "p95_s": pct(every, 95),
        "first_p50_s": pct(first, 50),
        "first_p95_s": pct(first, 95),
        "next_p50_s": pct(later, 50),
        "next_p95_s": pct(later, 95),
        "max_s": round(max(every), 3) if every else None,
        "idle_rss_mb": round(idle_mb, 1),
        "peak_rss_mb": round(peak_mb, 1),
        "after_rss_mb": round(after_mb, 1),
        "peak_rss_streamlit_alone_mb": None if peak_root_mb is None else round(peak_root_mb, 1),
        "children": children,
        "per_session_mb": round((peak_mb - idle_mb) / sessions, 1),
        "alone_s": [round(t, 3) for t in alone[0]],
        "alone_failure": alone[1],
        "one_session_rss_mb": None if one_mb is None else round(one_mb, 1),
        "per_session_shared_warm_mb": (
            None if one_mb is None else round((peak_mb - one_mb) / sessions, 1)
        ),
        "wall_s": round(wall_s, 1),
        "cpus": os.cpu_count(),
    }


def rows(r: dict[str, Any]) -> list[Row]:
    n = r.get("sessions", SESSIONS)
    title = f"{n} analyst{'s' if n != 1 else ''} at once on one server, paging demo-large"
    out = [Row("section", title)]
    if "skipped" in r:
        return [*out, Row("load run", f"skipped: {r['skipped']}")]
    ms = 1000

    def both(a: float | None, b: float | None) -> str:
        return "none" if a is None or b is None else f"{a * ms:,.0f} / {b * ms:,.0f} ms"

    failed = len(r["failures"])
    out += [
        Row(
            "pages done (first + next pages, all sessions)",
            f"{r['pages_done']} of {r['sessions'] * r['pages_per_session']}",
            ("none failing", failed == 0),
        ),
        Row("page time p50 / p95, every page", both(r["p50_s"], r["p95_s"])),
        Row("  first page (opening the link)", both(r["first_p50_s"], r["first_p95_s"])),
        Row("  next page (click to all loaded)", both(r["next_p50_s"], r["next_p95_s"])),
        Row("slowest page", "none" if r["max_s"] is None else f"{r['max_s'] * ms:,.0f} ms"),
        Row(
            "server RSS idle / peak / after (with children)",
            f"{r['idle_rss_mb']:,.0f} / {r['peak_rss_mb']:,.0f} / {r['after_rss_mb']:,.0f} MB",
        ),
        Row(
            "  peak of the streamlit process alone",
            "none"
            if r["peak_rss_streamlit_alone_mb"] is None
            else f"{r['peak_rss_streamlit_alone_mb']:,.0f} MB ({r['children']} child processes)",
        ),
        Row("(peak − idle) / sessions", f"{r['per_session_mb']:,.1f} MB"),
        Row(
            "(peak − after one session alone) / sessions",
            "none"
            if r["per_session_shared_warm_mb"] is None
            else f"{r['per_session_shared_warm_mb']:,.1f} MB "
            f"(alone: {r['one_session_rss_mb']:,.0f} MB)",
        ),
        Row(
            "one session alone, its pages",
            " / ".join(f"{t * ms:,.0f}" for t in r["alone_s"]) + " ms" if r["alone_s"] else "none",
        ),
        Row("run took (all sessions, one Chromium)", f"{r['wall_s']:.0f} s"),
    ]
    out += [Row(f"  failed: {why[:60]}", "") for why in r["failures"]]
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__)
    parser.add_argument("--sessions", type=int, default=SESSIONS, help="analysts at once")
    parser.add_argument("--pages", type=int, default=PAGES, help="clicks to the next page")
    parser.add_argument("--latency-ms", type=float, default=40.0, help="delay of every image")
    parser.add_argument("--api-latency-ms", type=float, default=40.0, help="delay of the API")
    parser.add_argument("--wait-s", type=float, default=WAIT_S, help="longest wait for a page")
    args = parser.parse_args(argv)
    if args.sessions < 1 or args.pages < 0:
        parser.error("--sessions must be at least 1 and --pages at least 0.")
    options = ServerOptions(
        api_latency_s=args.api_latency_ms / 1000, image_latency_s=args.latency_ms / 1000
    )
    with ServerProcess(options) as server:
        result = run(server, args.sessions, args.pages, args.wait_s)
    print(table(rows(result)))
    print(json.dumps(result))
    return 0 if not result.get("failures") else 1


if __name__ == "__main__":
    sys.exit(main())
