"""``python -m bench``: this viewer's image pipeline against a naive viewer, on the demo API.

Prints a table, then as its last line one JSON object with every number. Targets are reported,
not asserted. See ``python -m bench --help`` for the options.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import requests

from bench import browser, growth, load, measure, naive, scaled
from bench.report import Row, table
from bench.server import REPO, ServerOptions, ServerProcess
from viewer.api import Client
from viewer.config import Settings
from viewer.hosts import HostPolicy
from viewer.ui.faces import TILE
from viewer.ui.gallery import THUMB_HEIGHT, THUMB_WIDTH
from viewer.ui.state import ViewState

NAMESPACE = "acme"
GROUP = "demo-large"
PER_PAGE = ViewState().per_page  # the gallery's default page: this many images
THUMB = (THUMB_WIDTH, THUMB_HEIGHT)  # the gallery's tile


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--latency-ms", type=float, default=40.0, help="delay of every image")
    parser.add_argument("--api-latency-ms", type=float, default=40.0, help="delay of the API")
    parser.add_argument("--faces", type=int, default=2000, help="faces in demo-large")
    parser.add_argument("--photos", type=int, default=300, help="photos in demo-large")
    parser.add_argument("--pages", type=int, default=10, help="pages to step through")
    parser.add_argument("--repeat", type=int, default=3, help="runs per first-page timing")
    parser.add_argument("--naive-repeat", type=int, default=1, help="runs of the naive viewer")
    parser.add_argument("--think-s", type=float, default=0.5, help="pause between pages")
    parser.add_argument("--no-browser", action="store_true", help="skip the Chromium run")
    parser.add_argument(
        "--no-growth", action="store_true", help="skip the 2,000 to 1,000,000 faces run"
    )
    parser.add_argument(
        "--no-load", action="store_true", help="skip the several-analysts-at-once Chromium run"
    )
    parser.add_argument(
        "--sessions", type=int, default=load.SESSIONS, help="sessions in the load run"
    )
    parser.add_argument(
        "--quick", action="store_true", help="smoke run: 400 faces, 60 photos, 3 pages, 1 run"
    )
    return parser


def _say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def _warm_server(server: ServerProcess) -> int:
    """Ask for every image once, so the demo API draws its pictures before anything is timed."""
    group = naive.get_group(server.api_url, server.static_token, NAMESPACE, GROUP)
    urls = list(dict.fromkeys(f["url"] for f in group["images"] if f.get("url")))

    def get(url: str) -> None:
        requests.get(url, timeout=60).raise_for_status()

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(get, urls))
    server.reset_counts()
    return len(urls)


def _paging_process(server: ServerProcess, view: str) -> dict[str, Any]:
    command = [
        sys.executable,
        "-m",
        "bench.paging",
        "--api-url",
        server.api_url,
        "--token",
        server.static_token,
        "--origin",
        server.base_url,
        "--namespace",
        NAMESPACE,
        "--group",
        GROUP,
        "--view",
        view,
        "--width",
        str(THUMB_WIDTH),
        "--height",
        str(THUMB_HEIGHT),
        "--tile",
        str(TILE),
        "--per-page",
        str(PER_PAGE),
    ]
    done = subprocess.run(
        command, cwd=REPO, capture_output=True, text=True, timeout=240, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"bench.paging failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _load_1m() -> float | None:
    """The machine's one-minute load average: other work running skews every timing."""
    try:
        with open("/proc/loadavg") as fh:
            return float(fh.read().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.quick:
        args.faces, args.photos, args.pages, args.repeat = 400, 60, 3, 1
    repeat = max(1, args.repeat)
    options = ServerOptions(
        api_latency_s=args.api_latency_ms / 1000,
        image_latency_s=args.latency_ms / 1000,
        large_faces=args.faces,
        large_photos=args.photos,
    )
    started = time.perf_counter()
    load_start = _load_1m()
    with ServerProcess(options) as server:
        settings = Settings(api_url=server.api_url, access_token=server.static_token)
        policy = HostPolicy(False, [server.base_url])
        token = server.static_token
        concurrency = settings.concurrency

        _say(f"Demo API at {server.base_url}; drawing its {args.photos} photos once…")
        photos = _warm_server(server)

        _say("Naive viewer…")
        naive_page = [
            naive.per_image_page(server.api_url, token, NAMESPACE, GROUP, PER_PAGE)
            for _ in range(max(1, args.naive_repeat))
        ]
        naive_faces = [
            naive.per_face_page(server.api_url, token, NAMESPACE, GROUP, PER_PAGE)
            for _ in range(max(1, args.naive_repeat))
        ]

        _say("This viewer, first page…")

        def count_images() -> int:
            return server.request_count("/images/")

        page = measure.first_page(
            settings,
            policy,
            NAMESPACE,
            GROUP,
            measure.first_gallery_page(PER_PAGE),
            THUMB,
            repeat,
            count_images,
        )
        faces = measure.first_page(
            settings,
            policy,
            NAMESPACE,
            GROUP,
            measure.first_faces(PER_PAGE),
            THUMB,
            repeat,
            count_images,
        )

        _say(f"Paging through {args.pages} pages…")
        with Client(settings) as client:
            group = client.get_group(NAMESPACE, GROUP)
        pages = measure.gallery_pages(group.faces, PER_PAGE)
        rapid = measure.paging(settings, policy, pages, args.pages, THUMB)
        thinking = measure.paging(settings, policy, pages, args.pages, THUMB, think_s=args.think_s)
        plain = measure.paging(settings, policy, pages, args.pages, THUMB, prefetch=False)
        ahead = measure.paging(
            settings, policy, pages, args.pages, THUMB, predraw=True, think_s=args.think_s
        )

        _say("Bytes per thumbnail…")
        thumbs = measure.thumb_bytes(settings, policy, pages[0], THUMB)

        _say("Peak memory over the whole group, in a separate process…")
        rss_gallery = _paging_process(server, "gallery")
        rss_faces = _paging_process(server, "faces")

        run = None
        skipped = "--no-browser" if args.no_browser else browser.unavailable()
        if skipped:
            _say(f"Browser run skipped: {skipped}.")
        else:
            _say("Streamlit in headless Chromium…")
            run = browser.run(
                server.api_url,
                token,
                NAMESPACE,
                GROUP,
                min(PER_PAGE, len(pages[0])),
                count_images,
            )

        loaded = None
        if args.no_load or skipped:
            _say(f"Load run skipped: {'--no-load' if args.no_load else skipped}.")
        else:
            _say(f"{args.sessions} browser sessions at once on one Streamlit server…")
            loaded = load.run(server, max(1, args.sessions))

    _say("One face crop of a 50 MP JPEG, full decode and at the crop's scale…")
    crop_50mp = scaled.measure()
    grew = None
    if not args.no_growth:
        _say("Groups of 2,000 to 1,000,000 faces, each in a process of its own…")
        grew = growth.measure()

    naive_s = min(r.seconds for r in naive_page)
    naive_faces_s = min(r.seconds for r in naive_faces)
    lat, api_lat = options.image_latency_s, options.api_latency_s
    floor_s = measure.floor_s(api_lat, lat, page.images, concurrency)
    floor_faces_s = measure.floor_s(api_lat, lat, faces.images, concurrency)
    naive_png = [n for r in naive_page for n in r.png_bytes]
    result: dict[str, Any] = {
        "naive_s": round(naive_s, 3),
        "cold_s": round(page.cold_s, 3),
        "warm_s": round(page.warm_s, 5),
        "floor_s": round(floor_s, 3),
        "speedup_vs_naive": round(naive_s / page.cold_s, 1),
        "cold_vs_floor": round(page.cold_s / floor_s, 2),
        "warm_vs_cold": round(page.warm_s / page.cold_s, 4),
        "peak_rss_mb": rss_gallery["peak_rss_mb"],
        "browser_s": None if run is None else round(run.cold_s, 3),
        "page": "first gallery page: group_by_image(faces)[:24]",
        "page_images": page.images,
        "page_faces": page.faces,
        "cold_runs_s": [round(x, 3) for x in page.cold_runs],
        "cold_images_s": round(page.cold_images_s, 3),
        "cold_cpu_s": round(page.cold_cpu_s, 3),
        "warm_image_requests": page.warm_image_requests,
        "page_failures": page.failures,
        "naive_faces_s": round(naive_faces_s, 3),
        "cold_faces_s": round(faces.cold_s, 3),
        "warm_faces_s": round(faces.warm_s, 5),
        "floor_faces_s": round(floor_faces_s, 3),
        "faces_page_images": faces.images,
        "speedup_faces_vs_naive": round(naive_faces_s / faces.cold_s, 1),
        "paging_pages": min(args.pages, len(pages)),
        "paging_cold_s": round(rapid.cold_s, 3),
        "paging_warm_s": round(rapid.warm_s, 4),
        "paging_cold_per_page_s": [round(x, 3) for x in rapid.cold_pages_s],
        "paging_cold_think_s": round(thinking.cold_s, 3),
        "paging_cold_no_prefetch_s": round(plain.cold_s, 3),
        "paging_cold_predraw_think_s": round(ahead.cold_s, 3),
        "paging_floor_s": round(
            sum(measure.floor_s(0, lat, len(p), concurrency) for p in pages[: args.pages]), 3
        ),
        "rss_baseline_mb": rss_gallery["baseline_rss_mb"],
        "rss_cache_mb": rss_gallery["cache_mb"],
        "peak_rss_faces_view_mb": rss_faces["peak_rss_mb"],
        "thumb_bytes": round(thumbs.viewer_jpeg),
        "thumb_bytes_st_image": round(thumbs.st_image_same),
        "thumb_bytes_st_image_full": round(thumbs.st_image_full),
        "naive_png_bytes": round(sum(naive_png) / len(naive_png)),
        "thumb_bytes_remade_match": thumbs.matches_pipeline,
        "browser_warm_s": None if run is None else round(run.warm_s, 3),
        "browser_first_picture_s": None if run is None else round(run.first_picture_s, 3),
        "browser_shell_s": None if run is None else round(run.shell_s, 3),
        "browser_socket_open_s": None if run is None else round(run.socket_open_s or 0, 3),
        "browser_last_message_s": None if run is None else round(run.last_message_s or 0, 3),
        "browser_messages": None if run is None else run.messages,
        "browser_images": None if run is None else run.images,
        "browser_image_widths": None if run is None else sorted(set(run.natural_widths)),
        "browser_image_requests": None if run is None else run.image_requests,
        "browser_skipped": skipped,
        "load": loaded,
        "crop_50mp": crop_50mp,
        "growth": grew,
        "image_latency_ms": args.latency_ms,
        "api_latency_ms": args.api_latency_ms,
        "faces": args.faces,
        "photos": photos,
        "concurrency": concurrency,
        "thumb_width": THUMB_WIDTH,
        "repeat": repeat,
        "think_s": args.think_s,
        "total_s": round(time.perf_counter() - started, 1),
        "load_1m_start": load_start,
        "load_1m_end": _load_1m(),
    }
    print(table(_rows(result)))
    print(json.dumps(result))
    return 0


def _rows(r: dict[str, Any]) -> list[Row]:
    ms = 1000
    pages = r["paging_pages"]
    rows = [
        Row("section", f"first gallery page: {r['page_images']} images, {r['page_faces']} faces"),
        Row("naive (sequential GET, full decode, PNG)", f"{r['naive_s'] * ms:,.0f} ms"),
        Row("viewer cold (group + page)", f"{r['cold_s'] * ms:,.0f} ms", None),
        Row("viewer cold, page only (group held)", f"{r['cold_images_s'] * ms:,.0f} ms"),
        Row("  CPU spent on it (all threads)", f"{r['cold_cpu_s'] * ms:,.0f} ms"),
        Row("latency floor", f"{r['floor_s'] * ms:,.0f} ms"),
        Row(
            "speedup vs naive",
            f"{r['speedup_vs_naive']:.1f}×",
            ("≥ 10×", r["speedup_vs_naive"] >= 10),
        ),
        Row("cold / floor", f"{r['cold_vs_floor']:.2f}×", ("≤ 2×", r["cold_vs_floor"] <= 2)),
        Row(
            "viewer warm (page again)",
            f"{r['warm_s'] * ms:.2f} ms, {r['warm_image_requests']} image requests",
        ),
        Row("warm / cold", f"{r['warm_vs_cold']:.2%}", ("< 10%", r["warm_vs_cold"] < 0.10)),
        Row("section", f"first 24 faces: {r['faces_page_images']} images"),
        Row("naive (one GET per face)", f"{r['naive_faces_s'] * ms:,.0f} ms"),
        Row("viewer cold (group + page)", f"{r['cold_faces_s'] * ms:,.0f} ms"),
        Row("latency floor (distinct images)", f"{r['floor_faces_s'] * ms:,.0f} ms"),
        Row(
            "speedup vs naive",
            f"{r['speedup_faces_vs_naive']:.1f}×",
            ("≥ 10×", r["speedup_faces_vs_naive"] >= 10),
        ),
        Row("section", f"paging through {pages} gallery pages (time waited, summed)"),
        Row("cold, next page prefetched, no pause", f"{r['paging_cold_s'] * ms:,.0f} ms"),
        Row(
            "cold, next page prefetched, pause between pages",
            f"{r['paging_cold_think_s'] * ms:,.0f} ms",
        ),
        Row("cold, no prefetch", f"{r['paging_cold_no_prefetch_s'] * ms:,.0f} ms"),
        Row(
            "cold, next page drawn ahead, pause between pages",
            f"{r['paging_cold_predraw_think_s'] * ms:,.0f} ms",
        ),
        Row("downloads floor (no group, no CPU)", f"{r['paging_floor_s'] * ms:,.0f} ms"),
        Row("warm", f"{r['paging_warm_s'] * ms:,.1f} ms"),
        Row("section", "memory and bytes"),
        Row(
            "peak RSS, whole group in the gallery",
            f"{r['peak_rss_mb']:.0f} MB (at start {r['rss_baseline_mb']:.0f} MB)",
            ("< 400 MB", r["peak_rss_mb"] < 400),
        ),
        Row("peak RSS, whole group as face tiles", f"{r['peak_rss_faces_view_mb']:.0f} MB"),
        Row("bytes per thumbnail, viewer JPEG", f"{r['thumb_bytes']:,}"),
        Row("st.image of the same PIL image (q100)", f"{r['thumb_bytes_st_image']:,}"),
        Row("st.image of the full-size PIL image", f"{r['thumb_bytes_st_image_full']:,}"),
        Row("naive PNG", f"{r['naive_png_bytes']:,}"),
        Row("section", "end to end in Chromium"),
    ]
    if r["browser_s"] is None:
        rows.append(Row("browser", f"skipped: {r['browser_skipped']}"))
    else:
        rows += [
            Row(
                f"first visit, {r['browser_images']} images loaded",
                f"{r['browser_s'] * ms:,.0f} ms",
                ("< 3 s", r["browser_s"] < 3),
            ),
            Row("  app's websocket open", f"{r['browser_socket_open_s'] * ms:,.0f} ms"),
            Row(
                "  server's last message",
                f"{r['browser_last_message_s'] * ms:,.0f} ms ({r['browser_messages']} messages)",
            ),
            Row("  first picture loaded", f"{r['browser_first_picture_s'] * ms:,.0f} ms"),
            Row("second visit, new session", f"{r['browser_warm_s'] * ms:,.0f} ms"),
            Row("the app's empty page (Streamlit alone)", f"{r['browser_shell_s'] * ms:,.0f} ms"),
            Row(
                "image requests during the first visit",
                f"{r['browser_image_requests']} (widths {r['browser_image_widths']})",
            ),
        ]
    if r["load"] is not None:
        rows += load.rows(r["load"])
    rows += scaled.rows(r["crop_50mp"])
    if r["growth"] is not None:
        rows += growth.rows(r["growth"])
    rows += [
        Row("section", "settings"),
        Row("image / API latency", f"{r['image_latency_ms']:g} ms / {r['api_latency_ms']:g} ms"),
        Row("demo-large", f"{r['faces']} faces over {r['photos']} photos"),
        Row("concurrency, thumbnail width", f"{r['concurrency']}, {r['thumb_width']} px"),
        Row("pause between pages, runs per timing", f"{r['think_s']:g} s, {r['repeat']}"),
        Row("load average at start / end", f"{r['load_1m_start']} / {r['load_1m_end']}"),
        Row("run took", f"{r['total_s']:.0f} s"),
    ]
    return rows


if __name__ == "__main__":
    sys.exit(main())
