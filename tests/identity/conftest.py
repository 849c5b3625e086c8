"""Identity fixtures: the demo API's groups, fetched once for the session."""

from __future__ import annotations

from contextlib import closing

import pytest

from viewer.api import Client
from viewer.config import Settings
from viewer.demo.server import DemoServer
from viewer.models import Group

NAMESPACE = "acme"


@pytest.fixture(scope="session")
def identity_settings(demo: DemoServer) -> Settings:
    return Settings(api_url=demo.api_url, access_token=demo.static_token, image_deadline_s=20.0)


@pytest.fixture(scope="session")
def groups(identity_settings: Settings) -> dict[str, Group]:
    """Every demo group of the namespace, fetched once."""
    with closing(Client(identity_settings)) as client:
        return {g.id: g for g in client.search_groups(NAMESPACE, limit=100) if g.id}
