"""Shared fixtures: the embedded demo API on a free loopback port, and settings pointed at it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest

from viewer.config import Settings
from viewer.demo.server import DemoServer
from viewer.hosts import HostPolicy


@pytest.fixture(scope="session")
def demo() -> Iterator[DemoServer]:
    """One demo API for the whole run (latency off); request counts are reset per test use."""
    server = DemoServer(host="127.0.0.1", port=0, large_faces=2000, large_photos=300).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture()
def settings(demo: DemoServer) -> Settings:
    """Client-credential settings for the demo API, with short timeouts for tests."""
    return Settings(
        api_url=demo.api_url,
        client_id="test-client",
        client_secret="test-secret-value",
        api_timeout_s=5.0,
        image_deadline_s=5.0,
        image_read_timeout_s=3.0,
    )


@pytest.fixture()
def policy(demo: DemoServer) -> HostPolicy:
    """Image host policy that lets the demo API's own origin through, as demo mode does."""
    return HostPolicy(allow_private=False, allowed_origins=[demo.base_url])


@pytest.fixture()
def token_settings(settings: Settings, demo: DemoServer) -> Settings:
    return replace(settings, client_id=None, client_secret=None, access_token=demo.static_token)
