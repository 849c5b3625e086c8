"""A loopback HTTP server that answers like the Image Intelligence API, for demos and tests.

It serves the demo catalogue (``viewer.demo.catalogue``): token exchange, group retrieval and
search and identities under ``/v2``, images under ``/images``, and injected faults under the
``faults`` namespace (and on identity writes). This module holds the transport and the server's
life cycle and bookkeeping; ``routes`` says what each path answers, ``faults``, ``search``,
``identities`` and ``identity_routes`` the rest.
"""

from __future__ import annotations

import contextlib
import json
import secrets
import select
import socket
import struct
import sys
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

from viewer.cache import ByteLRU
from viewer.demo.bad_images import BAD_KINDS, Payload
from viewer.demo.catalogue import build_data_set
from viewer.demo.dataset import DataSet
from viewer.demo.faults import FAULT_KINDS, FAULT_NAMESPACE, JSON
from viewer.demo.identities import IdentityStore
from viewer.demo.identity_routes import ALL_SCOPES, WRITE_FAULT_KINDS, WriteFaults
from viewer.demo.routes import FORBIDDEN_NAMESPACE, route
from viewer.demo.search import search_ids

__all__ = [
    "FAULT_KINDS",
    "FAULT_NAMESPACE",
    "FORBIDDEN_NAMESPACE",
    "WRITE_FAULT_KINDS",
    "DemoHandler",
    "DemoServer",
    "start_demo_server",
]

TOKEN_LIFETIME_MS = 24 * 3600 * 1000
EVERY_SCOPE = frozenset(ALL_SCOPES)
TRICKLE_LIMIT_S = 60.0
DRIP_INTERVAL_S = 0.5  # between header bytes: well inside any read timeout
MAX_BODY_BYTES = 1024 * 1024


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128  # a viewer opens 16 connections at once; the default backlog is 5
    demo: DemoServer

    def __init__(self, address: tuple[str, int]):
        super().__init__(address, DemoHandler)
        self.open_sockets: set[socket.socket] = set()
        self.sockets_lock = threading.Lock()

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hangs up early (an image fetcher on a 404) is normal, not an error."""
        error = sys.exc_info()[1]
        if isinstance(error, (ConnectionError, TimeoutError)):
            return
        super().handle_error(request, client_address)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self.sockets_lock:
            self.open_sockets.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self.sockets_lock:
            self.open_sockets.discard(request)
        super().shutdown_request(request)

    def drop_connections(self) -> None:
        """End every open connection, idle keep-alive ones included."""
        with self.sockets_lock:
            sockets = list(self.open_sockets)
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)


class DemoHandler(BaseHTTPRequestHandler):
    """One connection: reads requests, hands them to ``routes.route``, and writes answers."""

    protocol_version = "HTTP/1.1"
    server_version = "GroupViewerDemo/1.0"
    timeout = 30  # idle keep-alive connections are closed after this
    # Headers and body go out in two writes: with Nagle's algorithm the body waits for the
    # client's delayed ACK of the headers, about 40 ms per answer on a reused connection.
    disable_nagle_algorithm = True
    server: _HTTPServer

    @property
    def demo(self) -> DemoServer:
        return self.server.demo

    def log_message(self, format: str, *args: Any) -> None:
        if not self.demo.quiet:
            super().log_message(format, *args)

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_HEAD(self) -> None:
        self._dispatch("HEAD")

    def do_PUT(self) -> None:
        self._dispatch("PUT")

    def do_DELETE(self) -> None:
        self._dispatch("DELETE")

    def do_PATCH(self) -> None:
        self._dispatch("PATCH")

    def _dispatch(self, method: str) -> None:
        path = urlsplit(self.path).path
        self.demo.record_request(path)
        try:
            body = self._read_body()
            if body is not None:
                route(self, method, path, body)
        except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError, TimeoutError):
            self.close_connection = True
        except Exception as exc:  # a bug here must not kill the connection without an answer
            self.log_error("demo server error on %s: %r", path, exc)
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.reply_error(500, "Internal server error")

    def _read_body(self) -> bytes | None:
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            self.reply_error(400, "Content-Length is not a number")
            self.close_connection = True
            return None
        if length > MAX_BODY_BYTES:
            self.reply_error(413, "Request body is too large")
            self.close_connection = True
            return None
        return self.rfile.read(length) if length > 0 else b""

    def reply(
        self,
        status: int,
        content_type: str,
        body: bytes,
        headers: tuple[tuple[str, str], ...] = (),
        *,
        length: int | None = None,
    ) -> None:
        """Status line and headers; the body too unless ``length`` announces another size."""
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body) if length is None else length))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        if length is None and self.command != "HEAD":
            self.wfile.write(body)

    def reply_json(self, status: int, data: Any, headers: tuple[tuple[str, str], ...] = ()) -> None:
        self.reply(status, JSON, json.dumps(data).encode(), headers)

    def reply_error(
        self, status: int, message: str, headers: tuple[tuple[str, str], ...] = ()
    ) -> None:
        self.reply_json(status, {"message": message}, headers)

    def _client_gone(self) -> bool:
        """True once the client has closed its end of the connection."""
        try:
            readable, _, _ = select.select([self.connection], [], [], 0)
            return bool(readable) and self.connection.recv(1, socket.MSG_PEEK) == b""
        except OSError:
            return True

    def trickle(self, status: int, content_type: str, body: bytes) -> None:
        """Announce the whole body, then send it a byte a second for at most a minute."""
        self.reply(status, content_type, body, length=len(body))
        self.close_connection = True
        deadline = time.monotonic() + TRICKLE_LIMIT_S
        for i in range(len(body)):
            if time.monotonic() >= deadline or self._client_gone():
                return
            self.wfile.write(body[i : i + 1])
            if self.demo.pause(1.0):
                return

    def drip_headers(self, status: int, content_type: str, body: bytes) -> None:
        """Send the status line and headers a byte every half second (for at most a minute),
        then the body: each byte comes within a read timeout, the whole far later."""
        self.close_connection = True
        head = (
            f"HTTP/1.1 {status} {self.responses.get(status, ('',))[0]}\r\n"
            f"Content-Type: {content_type}\r\nContent-Length: {len(body)}\r\n"
            f"X-Padding: {'.' * 200}\r\n\r\n"
        ).encode()
        deadline = time.monotonic() + TRICKLE_LIMIT_S
        for i in range(len(head)):
            if time.monotonic() >= deadline or self._client_gone():
                return
            self.wfile.write(head[i : i + 1])
            if self.demo.pause(DRIP_INTERVAL_S):
                return
        self.wfile.write(body)

    def abort(self) -> None:
        """Drop the connection with a TCP reset, answering nothing."""
        self.close_connection = True
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()

    def hang(self, limit_s: float) -> None:
        """Answer nothing until the client hangs up, ``limit_s`` passes or the server stops."""
        deadline = time.monotonic() + limit_s
        while time.monotonic() < deadline and not self._client_gone():
            if self.demo.pause(0.05):
                return

    def reset(self, content_type: str, body: bytes) -> None:
        """Announce the whole body, send half, then drop the connection with a TCP reset."""
        self.reply(200, content_type, body, length=len(body))
        self.wfile.write(body[: len(body) // 2])
        self.abort()


class DemoServer:
    """The demo API on a loopback port, served from a background thread.

    ``api_latency_s`` delays every ``/v2`` answer and ``image_latency_s`` every image.
    ``bandwidth_bps`` caps image bodies in bits per second. ``api_fault`` applies one of
    ``FAULT_KINDS`` to every group GET. ``port=0`` picks a free port. Images are drawn on
    first request and kept in a cache of ``image_cache_bytes``. ``identities`` holds identity
    membership; ``inject_write_fault`` makes the next identity writes fail.
    """

    static_token = "demo-token"  # noqa: S105 - the demo's public, documented token

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        api_latency_s: float = 0.0,
        image_latency_s: float = 0.0,
        bandwidth_bps: int | None = None,
        large_faces: int = 2000,
        large_photos: int = 300,
        api_fault: str | None = None,
        quiet: bool = True,
        image_cache_bytes: int = 128 * 1024 * 1024,
    ):
        if api_fault is not None and api_fault not in FAULT_KINDS:
            raise ValueError(f"api_fault must be one of {', '.join(FAULT_KINDS)}")
        if bandwidth_bps is not None and bandwidth_bps <= 0:
            raise ValueError("bandwidth_bps must be positive")
        self.host, self.port = host, port
        self.api_latency_s = api_latency_s
        self.image_latency_s = image_latency_s
        self.bandwidth_bps = bandwidth_bps
        self.large_faces = large_faces
        self.large_photos = large_photos
        self.api_fault = api_fault
        self.quiet = quiet
        self.data: DataSet | None = None  # set by start()
        self.identities = IdentityStore({})  # seeded from the data set by start()
        self.write_faults = WriteFaults()
        self._images = ByteLRU(image_cache_bytes, sizeof=lambda payload: len(payload.body))
        self._drawing: dict[str, threading.Lock] = {}
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._counts: Counter[str] = Counter()
        self._tokens: dict[str, tuple[int, frozenset[str]]] = {}
        self._fired: set[tuple[str, str]] = set()
        self._group_cache: dict[tuple[str, str], bytes] = {}

    # -- life cycle -----------------------------------------------------------------------

    def start(self) -> DemoServer:
        """Bind, build the data set and serve in a daemon thread; returns once listening."""
        if self._httpd is not None:
            return self
        httpd = _HTTPServer((self.host, self.port))
        httpd.demo = self
        self.port = httpd.server_address[1]
        self.data = build_data_set(self.base_url, self.large_faces, self.large_photos)
        self.identities = IdentityStore(self.data.groups)
        self._stopping.clear()
        self._httpd = httpd
        self._thread = threading.Thread(
            target=httpd.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True
        )
        self._thread.name = f"demo-api-{self.port}"
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket; waits and trickles in progress end too."""
        httpd, self._httpd = self._httpd, None
        if httpd is None:
            return
        self._stopping.set()
        httpd.shutdown()
        httpd.drop_connections()
        httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> DemoServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        host = "127.0.0.1" if self.host in ("", "0.0.0.0") else self.host  # noqa: S104
        return f"http://{host}:{self.port}"

    @property
    def api_url(self) -> str:
        return self.base_url + "/v2"

    def pause(self, seconds: float) -> bool:
        """Sleep ``seconds``; True if the server is stopping (the caller should give up)."""
        if seconds <= 0:
            return self._stopping.is_set()
        return self._stopping.wait(seconds)

    # -- bookkeeping ----------------------------------------------------------------------

    def record_request(self, path: str) -> None:
        """Count one request for ``path`` (see ``request_count``)."""
        with self._lock:
            self._counts[path] += 1

    def request_count(self, prefix: str = "") -> int:
        """How many requests had a path starting with ``prefix`` (query strings ignored)."""
        with self._lock:
            return sum(n for path, n in self._counts.items() if path.startswith(prefix))

    def reset_counts(self) -> None:
        """Zero the request counts; ``*-once`` faults fire again on their next request."""
        with self._lock:
            self._counts.clear()
            self._fired.clear()

    def fire_once(self, kind: str, path: str) -> bool:
        """True the first time fault ``kind`` is asked for at ``path`` since the last reset."""
        with self._lock:
            if (kind, path) in self._fired:
                return False
            self._fired.add((kind, path))
            return True

    def issue_token(self, scopes: frozenset[str] = EVERY_SCOPE) -> tuple[str, int, int]:
        """A new access token for ``scopes`` with its issue and expiry times in milliseconds."""
        issued = int(time.time() * 1000)
        token = secrets.token_urlsafe(24)
        with self._lock:
            self._tokens[token] = (issued + TOKEN_LIFETIME_MS, scopes)
        return token, issued, issued + TOKEN_LIFETIME_MS

    def token_scopes(self, header: str | None) -> frozenset[str]:
        """The scopes of the token in an ``Authorization`` header (the static one has all)."""
        if not header:
            return frozenset()
        scheme, _, token = header.partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            return frozenset()
        if secrets.compare_digest(token.encode(), self.static_token.encode()):
            return EVERY_SCOPE
        with self._lock:
            expires, scopes = self._tokens.get(token, (0, frozenset()))
        return scopes if expires > time.time() * 1000 else frozenset()

    def is_authorized(self, header: str | None) -> bool:
        """True for an ``Authorization`` header bearing the static or an unexpired token."""
        return bool(self.token_scopes(header))

    def inject_write_fault(
        self, kind: str, count: int = 1, *, after: int = 0, retry_after_s: int = 1
    ) -> None:
        """Fail ``count`` identity writes with ``kind`` (``WRITE_FAULT_KINDS``) after ``after``."""
        self.write_faults.inject(kind, count, after=after, retry_after_s=retry_after_s)

    # -- answers --------------------------------------------------------------------------

    def index(self) -> dict[str, Any]:
        """What ``GET /`` answers: where things are and which groups exist."""
        assert self.data is not None
        return {
            "api": self.api_url,
            "token": self.static_token,
            "groups": [
                {"namespace": ns, "id": gid, "faces": len(g.get("images") or [])}
                for (ns, gid), g in self.data.groups.items()
            ],
            "faults": [f"/v2/recognition/groups/{FAULT_NAMESPACE}/{k}" for k in FAULT_KINDS],
            "bad_images": [f"/images/bad/{kind}" for kind in BAD_KINDS],
        }

    def serve_group_body(self, namespace: str, group_id: str, body: bytes) -> None:
        """Answer the group with ``body`` as it is (a very large group, built as JSON text)."""
        with self._lock:
            self._group_cache[(namespace, group_id)] = body

    def group_body(self, namespace: str, group_id: str) -> bytes | None:
        """The group's JSON body, encoded once (or as identity changes left it); None: no group."""
        assert self.data is not None
        changed = self.identities.group_body(namespace, group_id)
        if changed is not None:
            return changed
        key = (namespace, group_id)
        with self._lock:
            cached = self._group_cache.get(key)
        if cached is not None:
            return cached
        group = self.data.groups.get(key)
        if group is None:
            return None
        body = json.dumps(group).encode()
        with self._lock:
            self._group_cache[key] = body
        return body

    def search_body(self, namespace: str, query: dict[str, Any]) -> bytes:
        """The JSON array of groups a validated search ``query`` finds in ``namespace``."""
        assert self.data is not None
        ids = search_ids(self.data.groups, namespace, query)
        return b"[" + b", ".join(self.group_body(namespace, gid) or b"null" for gid in ids) + b"]"

    def image_payload(self, path: str) -> Payload:
        """The answer for an image path, drawn once even when many ask for it at once."""
        assert self.data is not None
        payload = self._images.get(path)
        if payload is not None:
            return payload
        with self._lock:
            drawing = self._drawing.setdefault(path, threading.Lock())
        try:
            with drawing:
                payload = self._images.get(path)
                if payload is None:
                    payload = self.data.render(path)
                    self._images.put(path, payload)
        finally:
            with self._lock:
                self._drawing.pop(path, None)
        return payload


def start_demo_server(**kwargs: Any) -> DemoServer:
    """A started DemoServer; stop it with ``.stop()`` or use it in a ``with`` block."""
    return DemoServer(**kwargs).start()
