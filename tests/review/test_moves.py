"""Moves on SQLite and PostgreSQL: the latest move of a face holds, a withdrawn one is gone."""

from __future__ import annotations

import pytest

from viewer.config import Settings
from viewer.exceptions import InvalidVerdictError
from viewer.review.store import VerdictStore, open_store

NS, GROUP = "acme", "demo-large"


def test_the_latest_move_of_a_face_holds_and_lasts(
    store: VerdictStore, store_settings: Settings
) -> None:
    store.moves.record(NS, GROUP, ("img-1", "img-1"), "demo-crowd", "ann")
    store.moves.record(NS, GROUP, ("img-1", "img-1"), "demo-person-a1", "bo")
    store.moves.record(NS, GROUP, ("img-2", "img-2"), "demo-crowd", "ann")
    assert store.moves.record(NS, GROUP, ("img-2", "img-2"), None, "ann") is None  # withdrawn
    store.moves.record(NS, "demo-crowd", ("img-3", "img-3"), "demo-large", "ann")
    with open_store(store_settings) as reopened:
        latest = reopened.moves.latest(NS, GROUP)
    assert {f: (m.target_group, m.by) for f, m in latest.items()} == {
        "img-1": ("demo-person-a1", "bo")
    }


@pytest.mark.parametrize(
    ("target", "says"),
    [
        ("demo-large", "is in group demo-large already"),
        ("..", "group ID"),
    ],
)
def test_a_move_to_its_own_group_or_an_id_the_api_refuses_is_refused(
    store: VerdictStore, target: str, says: str
) -> None:
    with pytest.raises(InvalidVerdictError, match=says):
        store.moves.record(NS, GROUP, ("img-1", "img-1"), target, "ann")
    assert store.moves.latest(NS, GROUP) == {}
