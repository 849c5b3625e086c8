"""Group search on the demo API: validation, paging, order and filters."""

from __future__ import annotations

from typing import Any

import pytest

from viewer.demo import SAMPLE_GROUP_ID, DemoServer

from .support import search


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"limit": 0}, "limit"),
        ({"limit": 101}, "limit"),
        ({"limit": "5"}, "limit"),
        ({"limit": True}, "limit"),
        ({"offset": -1}, "offset"),
        ({"offset": 101}, "offset"),
        ({"sortBy": "up"}, "sortBy"),
        ({"start": "yesterday"}, "start"),
        ({"end": -5}, "end"),
        ({"ids": "demo-large"}, "ids"),
        ({"feedIds": [1]}, "feedIds"),
        ({"customIds": {"a": 1}}, "customIds"),
        ([], "object"),
    ],
)
def test_search_refuses_bad_fields(server: DemoServer, body: Any, field: str) -> None:
    response = search(server, body)
    assert response.status_code == 400
    assert field in response.json()["message"]


def test_search_pages_through_distinct_groups_newest_first(server: DemoServer) -> None:
    pages = [search(server, {"limit": 4, "offset": offset}).json() for offset in (0, 4, 8, 12)]
    ids = [g["id"] for page in pages for g in page]
    assert [len(p) for p in pages] == [4, 4, 3, 0]
    assert len(set(ids)) == len(ids) == 11
    assert SAMPLE_GROUP_ID in ids and "demo-small" not in ids
    created = [g["createdAt"] for page in pages for g in page]
    assert created == sorted(created, reverse=True)
    ascending = search(server, {"limit": 100, "sortBy": "ASC"}).json()
    assert [g["id"] for g in ascending] == ids[::-1]
    assert all("images" in g for g in ascending)


def test_search_filters(server: DemoServer) -> None:
    default = search(server, {}).json()
    assert len(default) == 11  # default limit 20
    by_feed = search(server, {"feedIds": ["Camera_123456"]}).json()
    assert [g["id"] for g in by_feed] == [SAMPLE_GROUP_ID]
    by_ids = search(server, {"ids": ["demo-crowd", "demo-pixels", "nope"]}).json()
    assert sorted(g["id"] for g in by_ids) == ["demo-crowd", "demo-pixels"]
    by_custom = search(server, {"customIds": ["some_person_filled_image"]}).json()
    assert [g["id"] for g in by_custom] == [SAMPLE_GROUP_ID]
    old = search(server, {"end": 1_600_000_000_000}).json()
    assert [g["id"] for g in old] == [SAMPLE_GROUP_ID]
    recent = search(server, {"start": 1_600_000_000_000}).json()
    assert len(recent) == 10 and SAMPLE_GROUP_ID not in {g["id"] for g in recent}
    assert search(server, {}, namespace="nobody").json() == []
