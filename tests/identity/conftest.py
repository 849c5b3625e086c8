"""Identity fixtures: one scorer for the session over the demo API, with its descriptor cache in a
temporary folder, so each face is computed once however many tests look at it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import pytest

from viewer.api import Client
from viewer.config import Settings
from viewer.demo.server import DemoServer
from viewer.hosts import HostPolicy
from viewer.identity.scorer import Scorer, ScoreStatus
from viewer.images import Fetcher
from viewer.models import Group

NAMESPACE = "acme"
SCORE_TIMEOUT_S = 600.0  # a bound for a stuck scorer, not a speed requirement


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("identity-cache")


@pytest.fixture(scope="session")
def identity_settings(demo: DemoServer, cache_dir: Path) -> Settings:
    return Settings(
        api_url=demo.api_url,
        access_token=demo.static_token,
        cache_dir=str(cache_dir),
        image_deadline_s=20.0,
    )


@pytest.fixture(scope="session")
def image_policy(demo: DemoServer) -> HostPolicy:
    return HostPolicy(allow_private=False, allowed_origins=[demo.base_url])


@pytest.fixture(scope="session")
def scorer(identity_settings: Settings, image_policy: HostPolicy) -> Iterator[Scorer]:
    with Fetcher(identity_settings, image_policy) as fetcher, Scorer(fetcher) as running:
        yield running


@pytest.fixture(scope="session")
def groups(identity_settings: Settings) -> dict[str, Group]:
    """Every demo group of the namespace, fetched once."""
    with closing(Client(identity_settings)) as client:
        return {g.id: g for g in client.search_groups(NAMESPACE, limit=100) if g.id}


def score(scorer: Scorer, group: Group) -> ScoreStatus:
    scorer.request(group)
    return scorer.wait(group, SCORE_TIMEOUT_S)


@dataclass(frozen=True)
class LargeRun:
    """demo-large scored once, its last page asked for first."""

    group: Group
    status: ScoreStatus
    done_when_first_page_was: int  # faces scored in all when the last page's were


@pytest.fixture(scope="session")
def large(scorer: Scorer, groups: dict[str, Group]) -> LargeRun:
    group = groups["demo-large"]
    page = group.faces[-24:]
    scorer.request(group, page)
    head = Group(id=group.id, namespace=group.namespace, faces=page)
    scorer.wait(head, SCORE_TIMEOUT_S)
    done_then = scorer.status(group).done
    return LargeRun(group, scorer.wait(group, SCORE_TIMEOUT_S), done_then)
