"""What the identity paths answer, and the faults a test can inject into writes.

``/v2/recognition/identities/{namespace}``: POST creates; ``.../{id}``: GET, PATCH, DELETE;
``.../search``: POST. Writes need the token's ``recognition:create``, ``recognition:update``
or ``recognition:remove`` scope (403 without). A write fault, once injected with
``WriteFaults.inject``, replaces the answer of the next matching writes:

- ``429``: refused with ``Retry-After``; nothing changes.
- ``500``: a server error; nothing changes.
- ``reset``: the connection is reset before any answer; nothing changes.
- ``timeout-after-apply``: the change is made, then no answer comes until the client gives up.
- ``reset-after-apply``: the change is made, then the connection is reset without an answer.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from viewer.demo.identities import parse_creation, parse_patch
from viewer.demo.search import BadRequest, parse_json_object

if TYPE_CHECKING:
    from viewer.demo.server import DemoHandler, DemoServer

WRITE_FAULT_KINDS: tuple[str, ...] = (
    "429",
    "500",
    "reset",
    "timeout-after-apply",
    "reset-after-apply",
)
HANG_LIMIT_S = 60.0
READ_SCOPE = "recognition:read"
ALL_SCOPES = (READ_SCOPE, "recognition:create", "recognition:update", "recognition:remove")
SCOPES = {  # what each write needs
    "POST": "recognition:create",
    "PATCH": "recognition:update",
    "DELETE": "recognition:remove",
}


@dataclass
class _Planned:
    kind: str
    after: int
    count: int
    retry_after_s: int


class WriteFaults:
    """Faults waiting for the next identity writes (PATCH, POST that creates, DELETE)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._planned: list[_Planned] = []

    def inject(self, kind: str, count: int = 1, *, after: int = 0, retry_after_s: int = 1) -> None:
        """Fail ``count`` writes with ``kind``, once ``after`` more writes have succeeded."""
        if kind not in WRITE_FAULT_KINDS:
            raise ValueError(f"kind must be one of {', '.join(WRITE_FAULT_KINDS)}")
        if count < 1 or after < 0 or retry_after_s < 0:
            raise ValueError("count must be >= 1, after and retry_after_s >= 0")
        with self._lock:
            self._planned.append(_Planned(kind, after, count, retry_after_s))

    def clear(self) -> None:
        with self._lock:
            self._planned.clear()

    def take(self) -> _Planned | None:
        """The fault this write gets, if any; counts the write."""
        with self._lock:
            if not self._planned:
                return None
            head = self._planned[0]
            if head.after > 0:
                head.after -= 1
                return None
            head.count -= 1
            if head.count == 0:
                self._planned.pop(0)
            return head


Outcome = tuple[int, Any]  # status and JSON answer of a write
Write = Callable[["DemoServer", dict[str, Any]], Outcome]


def answer_identities(reply: DemoHandler, method: str, parts: list[str], body: bytes) -> None:
    """Answer ``/v2/recognition/identities/`` + ``parts`` (decoded path segments)."""
    if not parts or not all(parts) or len(parts) > 2:
        reply.reply_error(404, "Not found")
        return
    namespace = parts[0]
    if len(parts) == 1:
        if method == "POST":
            _write(reply, method, body, lambda demo, data: _create(demo, namespace, data))
        else:
            reply.reply_error(405, "Method not allowed")
        return
    identity_id = parts[1]
    if method == "POST" and identity_id == "search":
        _search(reply, namespace, body)
    elif method in ("GET", "HEAD"):
        found = reply.demo.identities.get(namespace, identity_id)
        if found is None:
            reply.reply_json(*_not_found(namespace, identity_id))
        else:
            reply.reply_json(200, found)
    elif method == "PATCH":
        _write(reply, method, body, lambda demo, data: _patch(demo, namespace, identity_id, data))
    elif method == "DELETE":
        _write(reply, method, body, lambda demo, _: _delete(demo, namespace, identity_id))
    else:
        reply.reply_error(405, "Method not allowed")


def _not_found(namespace: str, identity_id: str) -> Outcome:
    return 404, {"message": f"Identity {identity_id!r} not found in namespace {namespace!r}"}


def _bad(exc: BadRequest) -> Outcome:
    return 400, {"message": str(exc)}


def _search(reply: DemoHandler, namespace: str, body: bytes) -> None:
    try:
        found = reply.demo.identities.search(namespace, parse_json_object(body))
    except BadRequest as exc:
        reply.reply_json(*_bad(exc))
        return
    reply.reply_json(200, found)


def _write(reply: DemoHandler, method: str, body: bytes, write: Write) -> None:
    """Check scope and body, make the change and answer, unless an injected fault intervenes."""
    scope = SCOPES[method]
    if scope not in reply.demo.token_scopes(reply.headers.get("Authorization")):
        reply.reply_error(403, f"Forbidden: the token lacks the scope {scope}")
        return
    try:
        if not body.strip() and method != "DELETE":
            raise BadRequest("Request body is required")
        data = parse_json_object(body)
    except BadRequest as exc:
        reply.reply_json(*_bad(exc))
        return
    fault = reply.demo.write_faults.take()
    if fault is None:
        reply.reply_json(*write(reply.demo, data))
    elif fault.kind == "429":
        reply.reply_error(429, "Too many requests", (("Retry-After", str(fault.retry_after_s)),))
    elif fault.kind == "500":
        reply.reply_error(500, "Internal server error")
    elif fault.kind == "reset":
        reply.abort()
    else:  # the change is made; its answer never arrives
        write(reply.demo, data)
        if fault.kind == "timeout-after-apply":
            reply.hang(HANG_LIMIT_S)
        reply.abort()


def _patch(demo: DemoServer, namespace: str, identity_id: str, data: dict[str, Any]) -> Outcome:
    try:
        found = demo.identities.patch(namespace, identity_id, parse_patch(data))
    except BadRequest as exc:
        return _bad(exc)
    return (200, found) if found is not None else _not_found(namespace, identity_id)


def _create(demo: DemoServer, namespace: str, data: dict[str, Any]) -> Outcome:
    try:
        return 200, demo.identities.create(namespace, parse_creation(data))
    except BadRequest as exc:
        return _bad(exc)


def _delete(demo: DemoServer, namespace: str, identity_id: str) -> Outcome:
    if demo.identities.delete(namespace, identity_id):
        return 200, {"id": identity_id}
    return _not_found(namespace, identity_id)
