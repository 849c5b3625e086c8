"""Demo API servers shared by the tests of viewer/demo."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from viewer.demo import DemoServer


@pytest.fixture(scope="package")
def server() -> Iterator[DemoServer]:
    with DemoServer() as demo:
        yield demo


@pytest.fixture(scope="package")
def knobs() -> Iterator[DemoServer]:
    """A second server with latency and a small demo-large."""
    with DemoServer(
        api_latency_s=0.2, image_latency_s=0.3, large_faces=321, large_photos=77
    ) as demo:
        yield demo
