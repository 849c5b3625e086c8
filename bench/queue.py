"""``python -m bench.queue``: from a verdict key to the next face fully shown, in Chromium.

Starts the app (demo mode, a new SQLite file, II_ANALYST set) on a free port, opens the review
queue of ``demo-large`` (2,000 faces) and presses B, N and U in turn. Each press is timed in
the page, from the key event to the frame in which the progress line counts the verdict, the
script run is over, nothing of the previous face is left and every picture has decoded. A few
presses warm the process first. Prints a table, then as its last line one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    REPO,
    _free_port,
    _stop,
    _wait_healthy,
    streamlit_command,
    unavailable,
)
from bench.report import Row, table

GROUP = "demo-large"
TARGET_MS = 300.0
VIEWPORT = {"width": 1500, "height": 1100}
KEYS = ("b", "n", "u")

# True (the milliseconds since the key) once the next face is fully shown.
_SHOWN = """
([want, t0]) => {
  const app = document.querySelector('[data-testid="stApp"]');
  const main = document.querySelector('[data-testid="stMain"]');
  if (!app || !main || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  if (document.querySelector('[data-stale="true"], [data-testid="stSkeleton"]')) return false;
  if (!main.innerText.includes(want)) return false;
  const imgs = [...main.querySelectorAll('[data-testid="stImage"] img')];
  if (imgs.length < 3 || !imgs.every((img) => img.complete && img.naturalWidth > 0)) return false;
  return performance.now() - t0;
}
"""


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    at = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[at]


def measure(presses: int, warmup: int) -> dict[str, Any]:
    """Milliseconds from each verdict key to the next face shown, after ``warmup`` presses."""
    from playwright.sync_api import sync_playwright

    port = _free_port()
    with tempfile.TemporaryDirectory(prefix="bench-queue-") as tmp:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("II_", "STREAMLIT_"))}
        env.update(
            HOME=tmp,
            II_REVIEW_DB=str(Path(tmp) / "review.sqlite3"),
            II_ANALYST="bench",
            PYTHONUNBUFFERED="1",
        )
        command = streamlit_command(port)
        with (Path(tmp) / "streamlit.log").open("wb") as log:
            process = subprocess.Popen(command, cwd=REPO, env=env, stdout=log, stderr=log)
        try:
            _wait_healthy(port, process)
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
                try:
                    page = browser.new_context(viewport=VIEWPORT).new_page()
                    page.goto(f"http://127.0.0.1:{port}/?namespace=acme&group={GROUP}&mode=review")
                    page.wait_for_function(_SHOWN, arg=["0 of 2,000 reviewed", 0], timeout=120_000)
                    times: list[float] = []
                    for n in range(warmup + presses):
                        t0 = page.evaluate("performance.now()")
                        page.keyboard.press(KEYS[n % len(KEYS)])
                        want = f"{n + 1:,} of 2,000 reviewed"
                        handle = page.wait_for_function(
                            _SHOWN, arg=[want, t0], polling="raf", timeout=60_000
                        )
                        if n >= warmup:
                            times.append(float(handle.json_value()))
                        time.sleep(0.2)  # an analyst looks before the next key
                finally:
                    browser.close()
        finally:
            _stop(process)
    return {
        "presses": len(times),
        "median_ms": statistics.median(times),
        "p95_ms": _percentile(times, 0.95),
        "max_ms": max(times),
        "min_ms": min(times),
        "target_ms": TARGET_MS,
        "all_ms": [round(t, 1) for t in times],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.queue", description=__doc__)
    parser.add_argument("--presses", type=int, default=20, help="verdict keys timed")
    parser.add_argument("--warmup", type=int, default=3, help="keys pressed before timing")
    args = parser.parse_args(argv)
    reason = unavailable()
    if reason:
        print(f"skipped: {reason}", file=sys.stderr)
        return 1
    result = measure(args.presses, args.warmup)
    rows = [
        Row("section", f"Review queue of {GROUP}: verdict key to next face shown"),
        Row("presses timed", f"{result['presses']}"),
        Row(
            "median",
            f"{result['median_ms']:.0f} ms",
            (f"<= {TARGET_MS:.0f} ms", result["median_ms"] <= TARGET_MS),
        ),
        Row("95th percentile", f"{result['p95_ms']:.0f} ms"),
        Row("fastest / slowest", f"{result['min_ms']:.0f} / {result['max_ms']:.0f} ms"),
    ]
    print(table(rows))
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
