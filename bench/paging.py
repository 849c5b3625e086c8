"""Page through a whole group in a process of its own and report its peak memory.

Run by the benchmark as ``python -m bench.paging ...``; prints one JSON object. Only the
viewer's core is imported (no Streamlit), so the peak is that of the pipeline and its caches.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from contextlib import closing
from pathlib import Path

from viewer.api import Client
from viewer.compose import PictureFailure, ViewOptions
from viewer.config import Settings
from viewer.hosts import HostPolicy
from viewer.pipeline import Pipeline, group_by_image


def memory_mb() -> tuple[float, float]:
    """(current, peak) resident memory of this process in MB."""
    status = Path("/proc/self/status")
    if status.exists():
        fields = dict(line.split(":", 1) for line in status.read_text().splitlines() if ":" in line)
        return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KB on Linux
    return peak, peak


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench.paging")
    parser.add_argument("--api-url", required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--origin", required=True, help="the image host allowed on loopback")
    parser.add_argument("--namespace", default="acme")
    parser.add_argument("--group", default="demo-large")
    parser.add_argument("--view", choices=("gallery", "faces"), default="gallery")
    parser.add_argument("--width", type=int, default=480, help="gallery tile width")
    parser.add_argument("--height", type=int, default=360, help="gallery tile height")
    parser.add_argument("--tile", type=int, default=160, help="face tile size")
    parser.add_argument("--per-page", type=int, default=24)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    settings = Settings(api_url=args.api_url, access_token=args.token)
    policy = HostPolicy(False, [args.origin])
    baseline_mb, _ = memory_mb()
    options = ViewOptions()
    failures = 0
    start = time.perf_counter()
    with closing(Client(settings)) as client, closing(Pipeline(settings, policy)) as pipe:
        group = client.get_group(args.namespace, args.group)
        if args.view == "gallery":
            images = group_by_image(group.faces)
            pages = [images[i : i + args.per_page] for i in range(0, len(images), args.per_page)]
            for i, items in enumerate(pages):
                results = pipe.annotated_many(items, options, args.width, height=args.height)
                failures += sum(isinstance(r, PictureFailure) for r in results)
                if i + 1 < len(pages):
                    pipe.prefetch(url for url, _ in pages[i + 1])
        else:
            faces = group.faces
            pages = [faces[i : i + args.per_page] for i in range(0, len(faces), args.per_page)]
            for i, page in enumerate(pages):
                crops = pipe.crops(page, options, args.tile)
                failures += sum(isinstance(r, PictureFailure) for r in crops.values())
                if i + 1 < len(pages):
                    pipe.prefetch(f.url for f in pages[i + 1])
        seconds = time.perf_counter() - start
        cache_mb = pipe.cache.size_bytes / (1024 * 1024)
        downloads = pipe.fetcher.downloads
    current_mb, peak_mb = memory_mb()
    print(
        json.dumps(
            {
                "view": args.view,
                "pages": len(pages),
                "faces": len(group.faces),
                "downloads": downloads,
                "failures": failures,
                "seconds": round(seconds, 3),
                "baseline_rss_mb": round(baseline_mb, 1),
                "final_rss_mb": round(current_mb, 1),
                "peak_rss_mb": round(peak_mb, 1),
                "cache_mb": round(cache_mb, 1),
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
