"""The demo API in a process of its own, so that serving images does not compete with the code
measured for the interpreter lock.

``python -m bench.server`` runs :class:`viewer.demo.server.DemoServer`, prints its base URL and
then answers one-line JSON commands on stdin (request counts, reset, stop). Its listen backlog is
raised to what a production image host accepts: with the standard library's default of 5, a
burst of 16 new connections overflows the queue, the kernel drops SYNs, and each dropped one
costs the client a one-second retransmit that no client-side work can avoid.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

LISTEN_BACKLOG = 128
REPO = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class ServerOptions:
    api_latency_s: float = 0.04
    image_latency_s: float = 0.04
    large_faces: int = 2000
    large_photos: int = 300
    nagle: bool = False  # keep Nagle's algorithm on, as the demo API had it, to measure it
    grown: tuple[int, ...] = ()  # sizes of the groups "demo-grown-N" served too (bench.growth)


class ServerProcess:
    """A started demo API in a child process; use it in a ``with`` block."""

    static_token = "demo-token"  # noqa: S105 - the demo API's public token

    def __init__(self, options: ServerOptions) -> None:
        self.options = options
        self.base_url = ""
        self._process: subprocess.Popen[str] | None = None

    def start(self) -> ServerProcess:
        o = self.options
        command = [
            sys.executable,
            "-m",
            "bench.server",
            "--api-latency-s",
            str(o.api_latency_s),
            "--image-latency-s",
            str(o.image_latency_s),
            "--large-faces",
            str(o.large_faces),
            "--large-photos",
            str(o.large_photos),
            *(["--nagle"] if o.nagle else []),
            *(["--grown", ",".join(map(str, o.grown))] if o.grown else []),
        ]
        self._process = subprocess.Popen(
            command, cwd=REPO, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1
        )
        line = self._process.stdout.readline() if self._process.stdout else ""
        if not line.startswith("http"):
            self.stop()
            raise RuntimeError("The demo API did not start.")
        self.base_url = line.strip()
        return self

    @property
    def api_url(self) -> str:
        return self.base_url + "/v2"

    def _ask(self, command: str, arg: Any = None) -> Any:
        process = self._process
        if process is None or process.stdin is None or process.stdout is None:
            raise RuntimeError("The demo API is not running.")
        process.stdin.write(json.dumps([command, arg]) + "\n")
        process.stdin.flush()
        return json.loads(process.stdout.readline())

    def request_count(self, prefix: str = "") -> int:
        return int(self._ask("count", prefix))

    def reset_counts(self) -> None:
        self._ask("reset")

    def stop(self) -> None:
        """Ask the child to stop, then wait for its own pid; kill it if it lingers."""
        process, self._process = self._process, None
        if process is None:
            return
        if process.poll() is None and process.stdin is not None:
            try:
                process.stdin.write(json.dumps(["stop", None]) + "\n")
                process.stdin.close()
            except OSError:
                pass
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)
        if process.stdout is not None:
            process.stdout.close()

    def __enter__(self) -> ServerProcess:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()


def grown_group_body(demo: Any, size: int) -> bytes:
    """The JSON of a group of ``size`` faces made of demo-large's, repeated: each copy has its
    own id, customId and URL (a query string the demo ignores), so every face is its own image
    to the viewer while the demo draws only demo-large's photos. Built as text, not objects."""
    group = json.loads(demo.group_body("acme", "demo-large"))
    formats = []
    for image in group["images"]:
        marked = {**image, "id": "@ID@", "customId": "@CID@", "url": image["url"] + "?copy=@N@"}
        text = json.dumps(marked).replace("{", "{{").replace("}", "}}")
        formats.append(text.replace("@ID@", "{id}").replace("@CID@", "{cid}").replace("@N@", "{n}"))
    faces = ",".join(
        formats[i % len(formats)].format(
            id=f"{i:08x}-0000-4000-8000-{i:012x}", cid=f"grown-{i:07d}", n=i
        )
        for i in range(size)
    )
    text = json.dumps({**group, "id": f"demo-grown-{size}", "images": []})
    at = text.rindex("[]")
    return (text[:at] + "[" + faces + "]" + text[at + 2 :]).encode()


def _serve(args: argparse.Namespace) -> int:
    from viewer.demo import server as demo_server

    demo_server._HTTPServer.request_queue_size = LISTEN_BACKLOG
    demo_server.DemoHandler.disable_nagle_algorithm = not args.nagle
    demo = demo_server.DemoServer(
        "127.0.0.1",
        0,
        api_latency_s=args.api_latency_s,
        image_latency_s=args.image_latency_s,
        large_faces=args.large_faces,
        large_photos=args.large_photos,
    ).start()
    for size in args.grown:
        body = grown_group_body(demo, size)
        demo.serve_group_body("acme", f"demo-grown-{size}", body)
    try:
        print(demo.base_url, flush=True)
        for line in sys.stdin:  # ends when the parent closes the pipe or goes away
            command, arg = json.loads(line)
            if command == "stop":
                break
            if command == "count":
                answer: Any = demo.request_count(arg)
            elif command == "reset":
                demo.reset_counts()
                answer = None
            else:
                answer = None
            print(json.dumps(answer), flush=True)
    finally:
        demo.stop()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.server")
    parser.add_argument("--api-latency-s", type=float, default=0.04)
    parser.add_argument("--image-latency-s", type=float, default=0.04)
    parser.add_argument("--large-faces", type=int, default=2000)
    parser.add_argument("--large-photos", type=int, default=300)
    parser.add_argument("--nagle", action="store_true", help="keep Nagle's algorithm on")
    parser.add_argument(
        "--grown",
        type=lambda text: tuple(int(n) for n in text.split(",") if n),
        default=(),
        help="comma-separated sizes of groups demo-grown-N to serve",
    )
    return _serve(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
