"""Injected API faults: the answers a group GET gets under namespace ``faults`` or ``api_fault``."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from viewer.demo.server import DemoHandler

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
    "slow-headers",
)
FAULT_NAMESPACE = "faults"
FAULT_LATENCY_S = 2.0
HUGE_BYTES = 8 * 1024 * 1024
JSON = "application/json"
HTML = "text/html; charset=utf-8"
_BAD_GATEWAY_PAGE = (
    b"<html><head><title>502 Bad Gateway</title></head>"
    b"<body><center><h1>502 Bad Gateway</h1></center></body></html>"
)
_SIGN_IN_PAGE = (
    b"<!doctype html><html><head><title>Sign in</title></head>"
    b"<body><h1>Welcome</h1><p>Please sign in to continue.</p></body></html>"
)


def answer_fault(reply: DemoHandler, kind: str, path: str, body: bytes | None) -> None:
    """Answer with fault ``kind``; ``body`` is the group to send where it succeeds."""

    def succeed() -> None:
        if body is None:
            reply.reply_error(404, "Group not found")
        else:
            reply.reply(200, JSON, body)

    retry = (("Retry-After", "1"),)
    if kind == "latency":
        if not reply.demo.pause(FAULT_LATENCY_S):
            succeed()
    elif kind == "429":
        reply.reply_error(429, "Too many requests", retry)
    elif kind in ("429-once", "503-once"):
        if reply.demo.fire_once(kind, path):
            if kind == "429-once":
                reply.reply_error(429, "Too many requests", retry)
            else:
                reply.reply_error(503, "Service unavailable")
        else:
            succeed()
    elif kind == "500":
        reply.reply_error(500, "Internal server error")
    elif kind == "502":
        reply.reply(502, HTML, _BAD_GATEWAY_PAGE)
    elif kind == "503":
        reply.reply_error(503, "Service unavailable")
    elif kind == "html":
        reply.reply(200, HTML, _SIGN_IN_PAGE)
    elif kind == "not-object":
        reply.reply(200, JSON, b"[1, 2, 3]")
    elif kind == "empty":
        reply.reply(200, JSON, b"")
    else:
        content = body if body is not None else b'{"message": "Group not found"}'
        if kind == "reset":
            reply.reset(JSON, content)
        elif kind == "truncated-json":
            reply.reply(200, JSON, content[: len(content) // 2])
        elif kind == "huge":
            pad = max(0, HUGE_BYTES - len(content))
            reply.reply(200, JSON, content[:1] + b" " * pad + content[1:])
        elif kind == "trickle":
            reply.trickle(200, JSON, content)
        elif kind == "slow-headers":
            reply.drip_headers(200, JSON, content)
