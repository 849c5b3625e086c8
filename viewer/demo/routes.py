"""What each path answers: token exchange, groups, search, images and the index.

Identity paths are answered by ``identity_routes``.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING
from urllib.parse import unquote

from viewer.demo.catalogue import NAMESPACE, SAMPLE_GROUP_ID
from viewer.demo.faults import FAULT_KINDS, FAULT_NAMESPACE, JSON, answer_fault
from viewer.demo.identity_routes import ALL_SCOPES, READ_SCOPE, answer_identities
from viewer.demo.search import BadRequest, parse_json_object, parse_search_query

if TYPE_CHECKING:
    from viewer.demo.server import DemoHandler

FORBIDDEN_NAMESPACE = "private"
READ_ONLY_CLIENT = "read-only"  # a client id whose tokens may read but not edit identities


def route(reply: DemoHandler, method: str, path: str, body: bytes) -> None:
    """Answer one request whose path (no query string) is ``path``."""
    demo = reply.demo
    if path.startswith("/v2/"):
        demo.pause(demo.api_latency_s)
        _api(reply, method, path, body)
    elif path.startswith("/images/"):
        demo.pause(demo.image_latency_s)
        _image(reply, method, path)
    elif path in ("/", "/v2"):
        reply.reply_json(200, demo.index())
    else:
        reply.reply_error(404, "Not found")


def _api(reply: DemoHandler, method: str, path: str, body: bytes) -> None:
    if path == "/v2/oauth/token":
        if method != "POST":
            reply.reply_error(405, "Use POST")
        else:
            _token(reply, body)
        return
    if not path.startswith("/v2/recognition/"):
        reply.reply_error(404, "Not found")
        return
    if not reply.demo.is_authorized(reply.headers.get("Authorization")):
        reply.reply_error(401, "Unauthorized")
        return
    parts = [unquote(p) for p in path.removeprefix("/v2/recognition/").split("/")]
    if parts[0] == "identities":
        if len(parts) > 1 and parts[1] == FORBIDDEN_NAMESPACE:
            reply.reply_error(403, f"Forbidden: no access to namespace {parts[1]!r}")
        else:
            answer_identities(reply, method, parts[1:], body)
        return
    if len(parts) != 3 or parts[0] != "groups" or not parts[1] or not parts[2]:
        reply.reply_error(404, "Not found")
        return
    _, namespace, last = parts
    if namespace == FORBIDDEN_NAMESPACE:
        reply.reply_error(403, f"Forbidden: no access to namespace {namespace!r}")
    elif method == "POST" and last == "search":
        _search(reply, namespace, body)
    elif method in ("GET", "HEAD"):
        _group(reply, namespace, last, path)
    else:
        reply.reply_error(405, "Method not allowed")


def _token(reply: DemoHandler, body: bytes) -> None:
    try:
        data = parse_json_object(body)
        for name in ("clientId", "clientSecret"):
            value = data.get(name)
            if not isinstance(value, str) or not value:
                raise BadRequest(f"{name} is required and must be a non-empty string")
    except BadRequest as exc:
        reply.reply_error(400, str(exc))
        return
    if data["clientId"] == READ_ONLY_CLIENT:
        scopes: tuple[str, ...] = (READ_SCOPE,)
    else:
        scopes = ALL_SCOPES
    token, issued, expires = reply.demo.issue_token(frozenset(scopes))
    reply.reply_json(
        200,
        {
            "accessToken": token,
            "expiresAt": expires,
            "issuedAt": issued,
            "orgName": "Demo Org",
            "appName": "Group Viewer demo",
            "scope": " ".join(scopes),
        },
    )


def _group(reply: DemoHandler, namespace: str, group_id: str, path: str) -> None:
    demo = reply.demo
    if namespace == FAULT_NAMESPACE:
        if group_id not in FAULT_KINDS:
            reply.reply_error(404, f"No fault kind {group_id!r}; kinds: {', '.join(FAULT_KINDS)}")
            return
        answer_fault(reply, group_id, path, demo.group_body(NAMESPACE, SAMPLE_GROUP_ID))
        return
    body = demo.group_body(namespace, group_id)
    if demo.api_fault:
        answer_fault(reply, demo.api_fault, path, body)
    elif body is None:
        reply.reply_error(404, f"Group {group_id!r} not found in namespace {namespace!r}")
    else:
        reply.reply(200, JSON, body)


def _search(reply: DemoHandler, namespace: str, body: bytes) -> None:
    try:
        query = parse_search_query(parse_json_object(body))
    except BadRequest as exc:
        reply.reply_error(400, str(exc))
        return
    reply.reply(200, JSON, reply.demo.search_body(namespace, query))


def _image(reply: DemoHandler, method: str, path: str) -> None:
    if method not in ("GET", "HEAD"):
        reply.reply_error(405, "Method not allowed")
        return
    demo = reply.demo
    payload = demo.image_payload(path)
    if payload.trickle:
        reply.trickle(payload.status, payload.content_type, payload.body)
        return
    if demo.bandwidth_bps is None or method == "HEAD":
        reply.reply(payload.status, payload.content_type, payload.body, payload.headers)
        return
    body = payload.body
    reply.reply(payload.status, payload.content_type, body, payload.headers, length=len(body))
    rate = demo.bandwidth_bps / 8  # bytes per second
    chunk = max(1, int(rate / 20))
    start = time.monotonic()
    for offset in range(0, len(body), chunk):
        piece = body[offset : offset + chunk]
        reply.wfile.write(piece)
        due = start + (offset + len(piece)) / rate
        if demo.pause(due - time.monotonic()):
            reply.close_connection = True
            return
