"""Cutting a connection whose response headers are still arriving when a deadline passes.

A read timeout bounds each wait for bytes, not their sum: a host that sends a header byte a
second would otherwise hold the request for as long as it likes. Set ``deadline.value`` (a
``time.monotonic()`` reading) around a request made on a connection class that mixes in
``DeadlineMixin``; each thread makes one request at a time, so the value is per thread.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time

deadline = threading.local()  # the deadline of the request this thread is making


class DeadlineMixin:
    """For an ``HTTPConnection``: shut its socket down if ``deadline.value`` passes while the
    status line and headers arrive (the caller's read then fails)."""

    def getresponse(self):  # type: ignore[no-untyped-def]
        until = getattr(deadline, "value", None)
        sock = getattr(self, "sock", None)
        timer = None
        if until is not None and sock is not None:

            def cut() -> None:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)

            timer = threading.Timer(max(0.0, until - time.monotonic()), cut)
            timer.daemon = True
            timer.start()
        try:
            return super().getresponse()  # type: ignore[misc]
        finally:
            if timer is not None:
                timer.cancel()
