"""When a token is renewed: from its lifetime on the local monotonic clock, not from expiresAt."""

from __future__ import annotations

import json
import time
from collections.abc import Callable

from viewer.api import Client
from viewer.config import Settings
from viewer.token import renew_at

from .test_images import Loopback, loopback, reply  # noqa: F401 - fixtures are used by name

DAY_MS = 24 * 3600 * 1000
NOW_MS = 1_800_000_000_000.0


def test_lifetime_is_counted_from_arrival_whatever_the_clocks_say() -> None:
    # issued and expired two days ago by the local clock: still 24 h of life, less a minute
    assert renew_at(100.0, NOW_MS - 2 * DAY_MS, NOW_MS - DAY_MS, NOW_MS) == 100.0 + 86_400 - 60


def test_expires_at_alone_counts_what_remains_by_the_local_clock() -> None:
    assert renew_at(5.0, None, NOW_MS + 600_000, NOW_MS) == 5.0 + 600 - 60


def test_a_short_token_keeps_most_of_its_life() -> None:
    assert renew_at(0.0, NOW_MS, NOW_MS + 30_000, NOW_MS) == 27.0  # a tenth, not a minute


def test_no_usable_lifetime_means_renew_on_401_only() -> None:
    assert renew_at(0.0, None, NOW_MS - 1, NOW_MS) is None  # past, and no issuedAt to judge by
    assert renew_at(0.0, NOW_MS, NOW_MS, NOW_MS) is None
    assert renew_at(0.0, NOW_MS, "soon", NOW_MS) is None
    assert renew_at(0.0, True, NOW_MS + DAY_MS, NOW_MS) == 86_400 - 60  # True is not a time


def test_a_skewed_clock_does_not_exchange_credentials_before_every_call(
    loopback: Callable[..., Loopback],  # noqa: F811
) -> None:
    # the API's clock is two days behind this one: its 24 h token expired "yesterday" here
    issued = int(time.time() * 1000) - 2 * DAY_MS
    token = {"accessToken": "tok", "issuedAt": issued, "expiresAt": issued + DAY_MS}
    api = loopback(
        {
            "/v2/oauth/token": lambda h: reply(h, 200, json.dumps(token).encode()),
            "/v2/recognition/groups/acme/search": lambda h: reply(h, 200, b"[]"),
        }
    )
    settings = Settings(api_url=api.url("/v2"), client_id="c", client_secret="s", api_timeout_s=5)
    with Client(settings) as client:
        for _ in range(7):
            assert client.search_groups("acme") == []
    paths = [seen.path for seen in api.seen]
    assert paths.count("/v2/oauth/token") == 1
    assert paths.count("/v2/recognition/groups/acme/search") == 7
