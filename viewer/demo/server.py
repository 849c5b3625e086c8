"""A loopback HTTP server that answers like the Image Intelligence API, for demos and tests.

It serves the demo data set (``viewer.demo.catalogue``): token exchange, group retrieval and search
under ``/v2``, images under ``/images``, and injected faults under the ``faults`` namespace.
"""

from __future__ import annotations

import contextlib
import json
import math
import secrets
import select
import socket
import struct
import sys
import threading
import time
from collections import Counter, OrderedDict
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote, urlsplit

from viewer.demo.bad_images import BAD_KINDS, Payload
from viewer.demo.catalogue import NAMESPACE, SAMPLE_GROUP_ID, build_data_set
from viewer.demo.dataset import DataSet

FAULT_KINDS: tuple[str, ...] = (
    "latency",
    "429",
    "429-once",
    "500",
    "502",
    "503",
    "503-once",
    "reset",
    "truncated-json",
    "not-object",
    "empty",
    "html",
    "huge",
    "trickle",
)
FAULT_NAMESPACE = "faults"
FORBIDDEN_NAMESPACE = "private"
TOKEN_LIFETIME_MS = 24 * 3600 * 1000
FAULT_LATENCY_S = 2.0
TRICKLE_LIMIT_S = 60.0
HUGE_BYTES = 8 * 1024 * 1024
MAX_BODY_BYTES = 1024 * 1024
_JSON = "application/json"
_HTML = "text/html; charset=utf-8"
_BAD_GATEWAY_PAGE = (
    b"<html><head><title>502 Bad Gateway</title></head>"
    b"<body><center><h1>502 Bad Gateway</h1></center></body></html>"
)
_SIGN_IN_PAGE = (
    b"<!doctype html><html><head><title>Sign in</title></head>"
    b"<body><h1>Welcome</h1><p>Please sign in to continue.</p></body></html>"
)


class _ImageCache:
    """Payloads by path, least recently used dropped first once ``max_bytes`` is exceeded.

    Each path is made once even when many requests ask for it at the same moment.
    """

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self._items: OrderedDict[str, Payload] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()
        self._making: dict[str, threading.Lock] = {}

    def get(self, path: str, make: Callable[[str], Payload]) -> Payload:
        with self._lock:
            if path in self._items:
                self._items.move_to_end(path)
                return self._items[path]
            path_lock = self._making.setdefault(path, threading.Lock())
        with path_lock:
            with self._lock:
                if path in self._items:
                    return self._items[path]
            try:
                payload = make(path)
            except BaseException:
                with self._lock:
                    self._making.pop(path, None)
                raise
            with self._lock:
                self._making.pop(path, None)
                if len(payload.body) <= self.max_bytes:
                    self._items[path] = payload
                    self._size += len(payload.body)
                    while self._size > self.max_bytes:
                        _, old = self._items.popitem(last=False)
                        self._size -= len(old.body)
            return payload


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128  # a viewer opens 16 connections at once; the default backlog is 5
    demo: DemoServer

    def __init__(self, address: tuple[str, int]):
        super().__init__(address, _Handler)
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


class _BadRequest(Exception):
    """A request the API refuses with 400; the message names the field."""


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "GroupViewerDemo/1.0"
    timeout = 30  # idle keep-alive connections are closed after this
    server: _HTTPServer

    # -- plumbing -------------------------------------------------------------------------

    def log_message(self, format: str, *args: Any) -> None:
        if not self.server.demo.quiet:
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
        demo = self.server.demo
        path = urlsplit(self.path).path
        demo._count(path)
        try:
            body = self._read_body()
            if body is None:
                return
            if path.startswith("/v2/"):
                demo._wait(demo.api_latency_s)
                self._api(method, path, body)
            elif path.startswith("/images/"):
                demo._wait(demo.image_latency_s)
                self._image(method, path)
            elif path in ("/", "/v2"):
                self._json(200, demo.index())
            else:
                self._error(404, "Not found")
        except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError, TimeoutError):
            self.close_connection = True
        except Exception as exc:  # a bug here must not kill the connection without an answer
            self.log_error("demo server error on %s: %r", path, exc)
            self.close_connection = True
            with contextlib.suppress(OSError):
                self._error(500, "Internal server error")

    def _read_body(self) -> bytes | None:
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            self._error(400, "Content-Length is not a number")
            self.close_connection = True
            return None
        if length > MAX_BODY_BYTES:
            self._error(413, "Request body is too large")
            self.close_connection = True
            return None
        return self.rfile.read(length) if length > 0 else b""

    def _send(
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

    def _json(self, status: int, data: Any, headers: tuple[tuple[str, str], ...] = ()) -> None:
        self._send(status, _JSON, json.dumps(data).encode(), headers)

    def _error(self, status: int, message: str, headers: tuple[tuple[str, str], ...] = ()) -> None:
        self._json(status, {"message": message}, headers)

    def _client_gone(self) -> bool:
        """True once the client has closed its end of the connection."""
        try:
            readable, _, _ = select.select([self.connection], [], [], 0)
            return bool(readable) and self.connection.recv(1, socket.MSG_PEEK) == b""
        except OSError:
            return True

    def _trickle(self, status: int, content_type: str, body: bytes) -> None:
        """Announce the whole body, then send it a byte a second for at most a minute."""
        demo = self.server.demo
        self._send(status, content_type, body, length=len(body))
        self.close_connection = True
        deadline = time.monotonic() + TRICKLE_LIMIT_S
        for i in range(len(body)):
            if time.monotonic() >= deadline or self._client_gone():
                return
            self.wfile.write(body[i : i + 1])
            if demo._wait(1.0):
                return

    def _reset(self, content_type: str, body: bytes) -> None:
        """Announce the whole body, send half, then drop the connection with a TCP reset."""
        self._send(200, content_type, body, length=len(body))
        self.wfile.write(body[: len(body) // 2])
        self.close_connection = True
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()

    # -- the API --------------------------------------------------------------------------

    def _api(self, method: str, path: str, body: bytes) -> None:
        if path == "/v2/oauth/token":
            if method != "POST":
                self._error(405, "Use POST")
            else:
                self._token(body)
            return
        if not path.startswith("/v2/recognition/"):
            self._error(404, "Not found")
            return
        demo = self.server.demo
        if not demo._authorized(self.headers.get("Authorization")):
            self._error(401, "Unauthorized")
            return
        parts = [unquote(p) for p in path.removeprefix("/v2/recognition/").split("/")]
        if len(parts) != 3 or parts[0] != "groups" or not parts[1] or not parts[2]:
            self._error(404, "Not found")
            return
        _, namespace, last = parts
        if namespace == FORBIDDEN_NAMESPACE:
            self._error(403, f"Forbidden: no access to namespace {namespace!r}")
        elif method == "POST" and last == "search":
            self._search(namespace, body)
        elif method in ("GET", "HEAD"):
            self._group(namespace, last, path)
        else:
            self._error(405, "Method not allowed")

    def _token(self, body: bytes) -> None:
        try:
            data = _json_object(body)
            for name in ("clientId", "clientSecret"):
                value = data.get(name)
                if not isinstance(value, str) or not value:
                    raise _BadRequest(f"{name} is required and must be a non-empty string")
        except _BadRequest as exc:
            self._error(400, str(exc))
            return
        token, issued, expires = self.server.demo._issue_token()
        self._json(
            200,
            {
                "accessToken": token,
                "expiresAt": expires,
                "issuedAt": issued,
                "orgName": "Demo Org",
                "appName": "Group Viewer demo",
                "scope": "recognition:read",
            },
        )

    def _group(self, namespace: str, group_id: str, path: str) -> None:
        demo = self.server.demo
        if namespace == FAULT_NAMESPACE:
            if group_id not in FAULT_KINDS:
                self._error(404, f"No fault kind {group_id!r}; kinds: {', '.join(FAULT_KINDS)}")
                return
            self._fault(group_id, path, demo._group_bytes(NAMESPACE, SAMPLE_GROUP_ID))
            return
        body = demo._group_bytes(namespace, group_id)
        if demo.api_fault:
            self._fault(demo.api_fault, path, body)
        elif body is None:
            self._error(404, f"Group {group_id!r} not found in namespace {namespace!r}")
        else:
            self._send(200, _JSON, body)

    def _fault(self, kind: str, path: str, body: bytes | None) -> None:
        """Answer with fault ``kind``; ``body`` is the group to send where it succeeds."""
        demo = self.server.demo

        def succeed() -> None:
            if body is None:
                self._error(404, "Group not found")
            else:
                self._send(200, _JSON, body)

        retry = (("Retry-After", "1"),)
        if kind == "latency":
            if not demo._wait(FAULT_LATENCY_S):
                succeed()
        elif kind == "429":
            self._error(429, "Too many requests", retry)
        elif kind in ("429-once", "503-once"):
            if demo._first_time(kind, path):
                if kind == "429-once":
                    self._error(429, "Too many requests", retry)
                else:
                    self._error(503, "Service unavailable")
            else:
                succeed()
        elif kind == "500":
            self._error(500, "Internal server error")
        elif kind == "502":
            self._send(502, _HTML, _BAD_GATEWAY_PAGE)
        elif kind == "503":
            self._error(503, "Service unavailable")
        elif kind == "html":
            self._send(200, _HTML, _SIGN_IN_PAGE)
        elif kind == "not-object":
            self._send(200, _JSON, b"[1, 2, 3]")
        elif kind == "empty":
            self._send(200, _JSON, b"")
        else:
            content = body if body is not None else b'{"message": "Group not found"}'
            if kind == "reset":
                self._reset(_JSON, content)
            elif kind == "truncated-json":
                self._send(200, _JSON, content[: len(content) // 2])
            elif kind == "huge":
                pad = max(0, HUGE_BYTES - len(content))
                self._send(200, _JSON, content[:1] + b" " * pad + content[1:])
            elif kind == "trickle":
                self._trickle(200, _JSON, content)

    def _search(self, namespace: str, body: bytes) -> None:
        try:
            query = _search_query(_json_object(body))
        except _BadRequest as exc:
            self._error(400, str(exc))
            return
        self._send(200, _JSON, self.server.demo._search_bytes(namespace, query))

    # -- images ---------------------------------------------------------------------------

    def _image(self, method: str, path: str) -> None:
        if method not in ("GET", "HEAD"):
            self._error(405, "Method not allowed")
            return
        demo = self.server.demo
        payload = demo._images.get(path, demo.data.render)
        if payload.trickle:
            self._trickle(payload.status, payload.content_type, payload.body)
            return
        if demo.bandwidth_bps is None or method == "HEAD":
            self._send(payload.status, payload.content_type, payload.body, payload.headers)
            return
        body = payload.body
        self._send(payload.status, payload.content_type, body, payload.headers, length=len(body))
        rate = demo.bandwidth_bps / 8  # bytes per second
        chunk = max(1, int(rate / 20))
        start = time.monotonic()
        for offset in range(0, len(body), chunk):
            piece = body[offset : offset + chunk]
            self.wfile.write(piece)
            due = start + (offset + len(piece)) / rate
            if demo._wait(due - time.monotonic()):
                self.close_connection = True
                return


def _json_object(body: bytes) -> dict[str, Any]:
    if not body.strip():
        return {}
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise _BadRequest("Request body is not valid JSON") from None
    if not isinstance(data, dict):
        raise _BadRequest("Request body must be a JSON object")
    return data


def _int_field(data: dict[str, Any], name: str, default: int, low: int, high: int) -> int:
    value = data.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise _BadRequest(f"{name} must be an integer from {low} to {high}, not {value!r}")
    return value


def _search_query(data: dict[str, Any]) -> dict[str, Any]:
    """Validate a search body; raises _BadRequest naming the first bad field."""
    query: dict[str, Any] = {
        "limit": _int_field(data, "limit", 20, 1, 100),
        "offset": _int_field(data, "offset", 0, 0, 100),
    }
    for name in ("start", "end"):
        value = data.get(name)
        if value is not None and (
            isinstance(value, bool)
            or not isinstance(value, (int, float))
            or not math.isfinite(value)
            or value < 0
        ):
            raise _BadRequest(f"{name} must be a timestamp in milliseconds, not {value!r}")
        query[name] = value
    sort_by = data.get("sortBy", "DESC")
    if sort_by not in ("ASC", "DESC"):
        raise _BadRequest(f"sortBy must be 'ASC' or 'DESC', not {sort_by!r}")
    query["sortBy"] = sort_by
    for name in ("ids", "feedIds", "customIds"):
        value = data.get(name)
        if value is not None and (
            not isinstance(value, list) or not all(isinstance(v, str) for v in value)
        ):
            raise _BadRequest(f"{name} must be an array of strings")
        query[name] = None if value is None else set(value)
    return query


def _matches(group: dict[str, Any], query: dict[str, Any]) -> bool:
    created = group.get("createdAt")
    if query["start"] is not None and not (
        isinstance(created, (int, float)) and created >= query["start"]
    ):
        return False
    if query["end"] is not None and not (
        isinstance(created, (int, float)) and created <= query["end"]
    ):
        return False
    if query["ids"] is not None and group.get("id") not in query["ids"]:
        return False
    images = [i for i in group.get("images") or [] if isinstance(i, dict)]
    for name, field in (("feedIds", "feedId"), ("customIds", "customId")):
        wanted = query[name]
        if wanted is not None and not any(
            isinstance(i.get(field), str) and i[field] in wanted for i in images
        ):
            return False
    return True


class DemoServer:
    """The demo API on a loopback port, served from a background thread.

    ``api_latency_s`` delays every ``/v2`` answer and ``image_latency_s`` every image.
    ``bandwidth_bps`` caps image bodies in bits per second. ``api_fault`` applies one of
    ``FAULT_KINDS`` to every group GET. ``port=0`` picks a free port.
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
        self._images = _ImageCache(image_cache_bytes)
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._counts: Counter[str] = Counter()
        self._tokens: dict[str, int] = {}
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

    # -- bookkeeping ----------------------------------------------------------------------

    def request_count(self, prefix: str = "") -> int:
        """How many requests had a path starting with ``prefix`` (query strings ignored)."""
        with self._lock:
            return sum(n for path, n in self._counts.items() if path.startswith(prefix))

    def reset_counts(self) -> None:
        """Zero the request counts; ``*-once`` faults fire again on their next request."""
        with self._lock:
            self._counts.clear()
            self._fired.clear()

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

    def _count(self, path: str) -> None:
        with self._lock:
            self._counts[path] += 1

    def _wait(self, seconds: float) -> bool:
        """Sleep ``seconds``; True if the server is stopping (the caller should give up)."""
        if seconds <= 0:
            return self._stopping.is_set()
        return self._stopping.wait(seconds)

    def _issue_token(self) -> tuple[str, int, int]:
        issued = int(time.time() * 1000)
        token = secrets.token_urlsafe(24)
        with self._lock:
            self._tokens[token] = issued + TOKEN_LIFETIME_MS
        return token, issued, issued + TOKEN_LIFETIME_MS

    def _authorized(self, header: str | None) -> bool:
        if not header:
            return False
        scheme, _, token = header.partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            return False
        if secrets.compare_digest(token.encode(), self.static_token.encode()):
            return True
        with self._lock:
            expires = self._tokens.get(token)
        return expires is not None and expires > time.time() * 1000

    def _first_time(self, kind: str, path: str) -> bool:
        with self._lock:
            if (kind, path) in self._fired:
                return False
            self._fired.add((kind, path))
            return True

    def _group_bytes(self, namespace: str, group_id: str) -> bytes | None:
        assert self.data is not None
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

    def _search_bytes(self, namespace: str, query: dict[str, Any]) -> bytes:
        assert self.data is not None
        found = [
            (gid, g)
            for (ns, gid), g in self.data.groups.items()
            if ns == namespace and _matches(g, query)
        ]

        def created(item: tuple[str, dict[str, Any]]) -> tuple[float, str]:
            value = item[1].get("createdAt")
            return (value if isinstance(value, (int, float)) else 0.0, item[0])

        found.sort(key=created, reverse=query["sortBy"] == "DESC")
        page = found[query["offset"] : query["offset"] + query["limit"]]
        parts = [self._group_bytes(namespace, gid) or b"null" for gid, _ in page]
        return b"[" + b", ".join(parts) + b"]"


def start_demo_server(**kwargs: Any) -> DemoServer:
    """A started DemoServer; stop it with ``.stop()`` or use it in a ``with`` block."""
    return DemoServer(**kwargs).start()
