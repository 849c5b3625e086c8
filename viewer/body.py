"""Reading a response body within a byte limit and an overall deadline."""

from __future__ import annotations

import time

import requests
from urllib3.exceptions import HTTPError, ReadTimeoutError

CHUNK = 64 * 1024


class BodyError(Exception):
    """Why a body could not be read: ``kind`` is too_large, too_slow, stalled or broken."""

    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind


def read_body(response: requests.Response, limit: int, deadline: float) -> bytes:
    """The whole (decoded) body, or BodyError.

    Reads whatever has arrived (``read1``) and checks the deadline on every pass, so a host
    that trickles a byte at a time is cut off at the deadline, not when it stops.
    """
    raw = response.raw
    buffer = bytearray()
    while True:
        if time.monotonic() > deadline:
            raise BodyError("too_slow")
        try:
            chunk = raw.read1(CHUNK, decode_content=True)
        except ReadTimeoutError:
            raise BodyError("stalled") from None
        except (HTTPError, OSError):
            raise BodyError("broken") from None
        if not chunk:
            return bytes(buffer)
        buffer += chunk
        if len(buffer) > limit:
            raise BodyError("too_large")
