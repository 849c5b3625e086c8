"""``python -m bench.growth``: groups of 2,000 to 1,000,000 faces from the demo API, in one run.

The demo API (a child process, 40 ms latency per answer and per image) serves ``demo-grown-N``:
demo-large's faces repeated, each copy its own face and its own image URL. Each size is measured
in a fresh process of its own, so the peak RSS (VmHWM) is that size's alone:

- the group fetched and parsed (``Client.get_group``), and the first gallery page drawn: the
  first page as the analyst waits for it;
- one filter change over all faces: ``flag_faces``, ``apply_filters`` and ``sort_faces``, as
  each rerun of the app does;
- this process's CPU time beside the wall time of both, for a machine other work shares;
- then, apart, where the memory goes: the JSON text, and the faces parse_group_body builds
  over it (each face keeps its text, not a parsed copy).

Prints a table, then one JSON line.
"""

from __future__ import annotations

import argparse
import gc
import json
import subprocess
import sys
import time
from contextlib import closing
from dataclasses import replace
from typing import Any

import requests

from bench.report import Row, table
from bench.server import REPO, ServerOptions, ServerProcess
from viewer.api import Client
from viewer.compose import PictureFailure, ViewOptions
from viewer.config import Settings
from viewer.hosts import HostPolicy
from viewer.models import parse_group_body
from viewer.pipeline import Pipeline, group_by_image
from viewer.select import Filters, apply_filters, flag_faces, sort_faces
from viewer.ui.gallery import THUMB_HEIGHT, THUMB_WIDTH

SIZES = (2_000, 20_000, 200_000, 1_000_000)
PER_PAGE = 24
TARGET_FIRST_PAGE_S, TARGET_MEMORY_MB, TARGET_FILTER_S = 6.0, 1024.0, 1.0
LIMIT_MB = 2048  # II_MAX_GROUP_MB for this run: every size is read


def _status_mb(field: str) -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    raise RuntimeError(f"no {field} in /proc/self/status")


def one(api_url: str, token: str, origin: str, size: int) -> dict[str, Any]:
    """Measure one size in this process."""
    settings = replace(
        Settings(api_url=api_url, access_token=token),
        max_response_bytes=LIMIT_MB * 1024 * 1024,
        api_timeout_s=120.0,
    )
    group_id = f"demo-grown-{size}"
    baseline = _status_mb("VmRSS")
    with (
        closing(Client(settings)) as client,
        closing(Pipeline(settings, HostPolicy(False, [origin]))) as pipe,
    ):
        start, start_cpu = time.perf_counter(), time.process_time()
        group = client.get_group("acme", group_id)
        parsed, parsed_cpu = time.perf_counter(), time.process_time()
        items = group_by_image(group.faces)[:PER_PAGE]
        results = pipe.annotated_many(items, ViewOptions(), THUMB_WIDTH, height=THUMB_HEIGHT)
        shown = time.perf_counter()
        failures = sum(isinstance(r, PictureFailure) for r in results)

        change, change_cpu = time.perf_counter(), time.process_time()
        flags = flag_faces(group.faces)
        flagged = time.perf_counter()
        passing = apply_filters(group.faces, Filters(min_confidence=0.8, pose="frontal"), flags)
        ordered = sort_faces(passing, "worst")
        changed, changed_cpu = time.perf_counter(), time.process_time()
    gc.collect()
    held = _status_mb("VmRSS") - baseline
    peak = _status_mb("VmHWM") - baseline
    faces = len(group.faces)
    del group, flags, passing, ordered, items, results
    gc.collect()

    # Where the memory goes, measured apart (the peak above is already taken).
    body = requests.get(
        f"{api_url}/recognition/groups/acme/{group_id}",
        headers={"Authorization": f"Bearer {token}"},
        timeout=120,
    ).content
    before = _status_mb("VmRSS")
    loads = time.perf_counter()
    again = parse_group_body(body)
    built = time.perf_counter()
    objects = _status_mb("VmRSS") - before
    assert len(again.faces) == faces
    return {
        "faces": faces,
        "json_mb": round(len(body) / 2**20, 1),
        "fetch_parse_s": round(parsed - start, 3),
        "fetch_parse_cpu_s": round(parsed_cpu - start_cpu, 3),
        "parse_body_s": round(built - loads, 3),
        "first_page_s": round(shown - start, 3),
        "page_only_s": round(shown - parsed, 3),
        "page_failures": failures,
        "filter_change_s": round(changed - change, 3),
        "filter_change_cpu_s": round(changed_cpu - change_cpu, 3),
        "flag_faces_s": round(flagged - change, 3),
        "peak_rss_mb": round(peak + baseline, 1),
        "peak_over_start_mb": round(peak, 1),
        "held_mb": round(held, 1),
        "faces_mb": round(objects, 1),
        "baseline_mb": round(baseline, 1),
    }


def _child(server: ServerProcess, size: int) -> dict[str, Any]:
    command = [sys.executable, "-m", "bench.growth", "--one", str(size)]
    command += ["--api-url", server.api_url, "--token", server.static_token]
    command += ["--origin", server.base_url]
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        return {"faces": size, "error": done.stderr.strip().splitlines()[-1][:300]}
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure(sizes: tuple[int, ...] = SIZES) -> dict[str, Any]:
    with ServerProcess(ServerOptions(grown=sizes)) as server:
        # the demo draws each photo on first request: draw the first page's once, untimed
        with closing(
            Client(Settings(api_url=server.api_url, access_token=server.static_token))
        ) as c:
            for face in c.get_group("acme", "demo-large").faces[:PER_PAGE]:
                requests.get(face.url or "", timeout=60)
        return {"sizes": [_child(server, size) for size in sizes]}


def rows(r: dict[str, Any]) -> list[Row]:
    out = [
        Row("section", "growth: one group of N faces, 40 ms latency (first page = group + page)")
    ]
    for m in r["sizes"]:
        n = f"{m['faces']:,} faces"
        if "error" in m:
            out.append(Row(n, f"failed: {m['error']}"))
            continue
        big = m["faces"] >= 1_000_000
        out += [
            Row(n, f"{m['json_mb']:,.0f} MB of JSON"),
            Row(
                "  first page",
                f"{m['first_page_s']:,.2f} s (fetch + parse {m['fetch_parse_s']:,.2f} s, "
                f"CPU {m['fetch_parse_cpu_s']:,.2f} s)",
                ("≤ 6 s", m["first_page_s"] <= TARGET_FIRST_PAGE_S) if big else None,
            ),
            Row(
                "  one filter change",
                f"{m['filter_change_s'] * 1000:,.0f} ms (flags {m['flag_faces_s'] * 1000:,.0f} ms, "
                f"CPU {m['filter_change_cpu_s'] * 1000:,.0f} ms)",
                ("≤ 1 s", m["filter_change_s"] <= TARGET_FILTER_S) if big else None,
            ),
            Row(
                "  peak RSS",
                f"{m['peak_rss_mb']:,.0f} MB (group held: {m['held_mb']:,.0f} MB)",
                ("≤ 1 GB", m["peak_rss_mb"] <= TARGET_MEMORY_MB) if big else None,
            ),
            Row(
                "  parse_group_body",
                f"{m['parse_body_s']:,.2f} s, faces {m['faces_mb']:,.0f} MB over the body",
            ),
        ]
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.growth", description=__doc__)
    parser.add_argument(
        "--sizes",
        type=lambda text: tuple(int(n) for n in text.split(",") if n),
        default=SIZES,
        help="comma-separated group sizes (default 2000,20000,200000,1000000)",
    )
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--api-url", help=argparse.SUPPRESS)
    parser.add_argument("--token", help=argparse.SUPPRESS)
    parser.add_argument("--origin", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:
        print(json.dumps(one(args.api_url, args.token, args.origin, args.one)))
        return 0
    result = measure(args.sizes)
    print(table(rows(result)))
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
