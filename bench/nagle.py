"""``python -m bench.nagle``: gallery paging against the demo API with Nagle's algorithm on its
connections (as it was) and off (as it is), in one run.

The demo API writes an answer's headers and body separately; with Nagle's algorithm on, the body
waits for the client's delayed ACK, about 40 ms an answer on a reused connection. Each server
is a child process with the benchmark's latency (40 ms per image and per API answer); the same
paging measure as ``python -m bench`` (10 pages of 24 images, cold, next page prefetched, and
with no prefetch), and images fetched one after another on one connection, as the naive viewer
does. Prints a table, then one JSON line.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from contextlib import closing
from typing import Any

import requests

from bench import measure
from bench.report import Row, table
from bench.server import ServerOptions, ServerProcess
from viewer.api import Client
from viewer.config import Settings
from viewer.hosts import HostPolicy
from viewer.ui.gallery import THUMB_HEIGHT, THUMB_WIDTH

NAMESPACE, GROUP, PER_PAGE = "acme", "demo-large", 24
SEQUENTIAL = 50  # images fetched one after another on one connection


def _run(nagle: bool, pages_count: int, latency_s: float) -> dict[str, Any]:
    options = ServerOptions(api_latency_s=latency_s, image_latency_s=latency_s, nagle=nagle)
    with ServerProcess(options) as server:
        settings = Settings(api_url=server.api_url, access_token=server.static_token)
        policy = HostPolicy(False, [server.base_url])
        with closing(Client(settings)) as client:
            group = client.get_group(NAMESPACE, GROUP)
        pages = measure.gallery_pages(group.faces, PER_PAGE)
        wh = (THUMB_WIDTH, THUMB_HEIGHT)
        # the demo draws each photo once on first request: draw them all before timing
        measure.paging(settings, policy, pages, pages_count, wh)
        ahead = measure.paging(settings, policy, pages, pages_count, wh)
        plain = measure.paging(settings, policy, pages, pages_count, wh, prefetch=False)
        urls = list(dict.fromkeys(f.url for f in group.faces if f.url))[:SEQUENTIAL]
        with requests.Session() as session:  # one connection, one answer after another
            start = time.perf_counter()
            for url in urls:
                session.get(url, timeout=30).raise_for_status()
            sequential_s = (time.perf_counter() - start) / len(urls)
    count = min(pages_count, len(pages))
    return {
        "pages": count,
        "prefetch_per_page_s": round(ahead.cold_s / count, 4),
        "no_prefetch_per_page_s": round(plain.cold_s / count, 4),
        "failures": ahead.failures + plain.failures,
        "sequential_per_image_s": round(sequential_s, 4),
    }


def measure_nagle(pages: int = 10, latency_s: float = 0.04) -> dict[str, Any]:
    on, off = _run(True, pages, latency_s), _run(False, pages, latency_s)
    return {
        "latency_ms": latency_s * 1000,
        "nagle_on": on,
        "nagle_off": off,
        "no_prefetch_speedup": round(
            on["no_prefetch_per_page_s"] / off["no_prefetch_per_page_s"], 2
        ),
        "prefetch_speedup": round(on["prefetch_per_page_s"] / off["prefetch_per_page_s"], 2),
        "sequential_speedup": round(
            on["sequential_per_image_s"] / off["sequential_per_image_s"], 2
        ),
    }


def rows(r: dict[str, Any]) -> list[Row]:
    on, off = r["nagle_on"], r["nagle_off"]
    ms = 1000
    return [
        Row("section", f"gallery page time, {on['pages']} pages, {r['latency_ms']:g} ms latency"),
        Row(
            "no prefetch, Nagle on / off",
            f"{on['no_prefetch_per_page_s'] * ms:,.0f} / {off['no_prefetch_per_page_s'] * ms:,.0f}"
            f" ms: {r['no_prefetch_speedup']:.2f}×",
        ),
        Row(
            "next page prefetched, Nagle on / off",
            f"{on['prefetch_per_page_s'] * ms:,.0f} / {off['prefetch_per_page_s'] * ms:,.0f}"
            f" ms: {r['prefetch_speedup']:.2f}×",
        ),
        Row(
            f"one connection, {SEQUENTIAL} images in turn, per image",
            f"{on['sequential_per_image_s'] * ms:,.1f} / {off['sequential_per_image_s'] * ms:,.1f}"
            f" ms: {r['sequential_speedup']:.2f}×",
        ),
        Row("failed pictures", f"{on['failures'] + off['failures']}"),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.nagle", description=__doc__)
    parser.add_argument("--pages", type=int, default=10)
    parser.add_argument("--latency-ms", type=float, default=40.0)
    args = parser.parse_args(argv)
    result = measure_nagle(args.pages, args.latency_ms / 1000)
    print(table(rows(result)))
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
