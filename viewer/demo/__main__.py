"""Run the demo API in the foreground: ``python -m viewer.demo --port 8765``."""

from __future__ import annotations

import argparse
import threading

from viewer.demo.catalogue import CATALOGUE
from viewer.demo.server import FAULT_KINDS, DemoServer


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m viewer.demo", description="Serve the Group Viewer demo API."
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default loopback)")
    parser.add_argument("--port", type=int, default=0, help="port; 0 picks a free one")
    parser.add_argument("--latency-ms", type=float, default=0.0, help="delay of every API answer")
    parser.add_argument("--image-latency-ms", type=float, default=0.0, help="delay of every image")
    parser.add_argument(
        "--bandwidth-kbps", type=float, default=None, help="cap image bodies, kilobits a second"
    )
    parser.add_argument(
        "--large-faces", type=int, default=2000, help="faces in demo-large, one per frame"
    )
    parser.add_argument(
        "--large-photos",
        type=int,
        default=300,
        help="camera visits in demo-large: bursts of frames of one scene that share its faces",
    )
    parser.add_argument("--fault", choices=FAULT_KINDS, default=None, help="fault on every GET")
    parser.add_argument("--quiet", action="store_true", help="do not log requests")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    server = DemoServer(
        args.host,
        args.port,
        api_latency_s=args.latency_ms / 1000,
        image_latency_s=args.image_latency_ms / 1000,
        bandwidth_bps=None if args.bandwidth_kbps is None else int(args.bandwidth_kbps * 1000),
        large_faces=args.large_faces,
        large_photos=args.large_photos,
        api_fault=args.fault,
        quiet=args.quiet,
    )
    with server:
        print(f"Demo API: {server.api_url}")
        print(f"Bearer token: {server.static_token} (or exchange any id and secret)")
        for entry in CATALOGUE:
            print(f"  {entry.namespace}/{entry.group_id}: {entry.description}")
        print("Press Ctrl-C to stop.", flush=True)
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            print("Stopping.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
