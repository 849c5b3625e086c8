"""The apply log on SQLite and PostgreSQL: batches recorded before sending, states in order."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from viewer.config import Settings
from viewer.exceptions import InvalidVerdictError
from viewer.review.apply_log import ApplyBatch, last_confirmed, removed_images, unfinished
from viewer.review.store import VerdictStore, open_store

NS, GROUP = "acme", "demo-large"


def test_batches_are_pending_then_follow_their_answers(
    store: VerdictStore, store_settings: Settings
) -> None:
    first, second = store.apply_log.add(
        NS, GROUP, "identity-7", "remove", [["img-1", "img-2"], ["img-3"]], "ann"
    )
    assert (first.state, first.image_ids, first.by) == ("pending", ("img-1", "img-2"), "ann")
    store.apply_log.mark(first.id, "sent")
    confirmed = store.apply_log.mark(first.id, "confirmed", answer='{"id": "identity-7"}')
    assert confirmed.answer == '{"id": "identity-7"}' and confirmed.updated_at >= first.created_at
    store.apply_log.mark(second.id, "sent")
    store.apply_log.mark(second.id, "failed", answer="503 Service Unavailable")
    with open_store(store_settings) as reopened:  # what was recorded is in the database
        states = [(b.id, b.state, b.answer) for b in reopened.apply_log.batches(NS, GROUP)]
    assert states == [
        (first.id, "confirmed", '{"id": "identity-7"}'),
        (second.id, "failed", "503 Service Unavailable"),
    ]


@pytest.mark.parametrize(
    ("moves", "says"),
    [
        (["confirmed"], "is pending; it cannot become 'confirmed'"),
        (["sent", "confirmed", "failed"], "is confirmed; it cannot become 'failed'"),
        (["sent", "pending"], "is sent; it cannot become 'pending'"),
    ],
)
def test_a_batch_moves_only_forward(store: VerdictStore, moves: list[str], says: str) -> None:
    (batch,) = store.apply_log.add(NS, GROUP, "identity-7", "add", [["img-1"]], "ann")
    with pytest.raises(InvalidVerdictError) as info:
        for state in moves:
            store.apply_log.mark(batch.id, state)
    assert says in info.value.message


@pytest.mark.parametrize(
    ("identity", "operation", "batches", "says"),
    [
        ("identity-7", "remove", [[f"img-{i}" for i in range(21)]], "1 to 20 distinct"),
        ("identity-7", "remove", [["img-1", "img-1"]], "1 to 20 distinct"),
        ("identity-7", "remove", [[]], "1 to 20 distinct"),
        ("identity-7", "merge", [["img-1"]], "'merge' is not an apply operation"),
        (None, "add", [["img-1"]], "needs the identity it edits"),
    ],
)
def test_a_batch_the_api_would_refuse_is_not_recorded(
    store: VerdictStore, identity: str | None, operation: str, batches: list[list[str]], says: str
) -> None:
    with pytest.raises(InvalidVerdictError) as info:
        store.apply_log.add(NS, GROUP, identity, operation, batches, "ann")
    assert says in info.value.message
    assert store.apply_log.batches(NS, GROUP) == []


def test_a_create_batch_needs_no_identity_yet(store: VerdictStore) -> None:
    (batch,) = store.apply_log.add(NS, GROUP, None, "create", [["img-1", "img-2"]], "ann")
    assert batch.identity_id is None and batch.operation == "create"
    with pytest.raises(InvalidVerdictError, match="no apply batch 999"):
        store.apply_log.mark(999, "sent")


def _batch(
    n: int, operation: str, ids: tuple[str, ...], state: str, identity: str = "id-7"
) -> ApplyBatch:
    at = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=n)
    return ApplyBatch(n, NS, GROUP, identity, operation, ids, state, None, f"a{n}", at, at)


@pytest.mark.parametrize(
    ("batches", "removed"),
    [
        ([_batch(1, "remove", ("a", "b"), "confirmed")], {"a", "b"}),
        ([_batch(1, "remove", ("a", "b"), "failed")], set()),  # not made
        ([_batch(1, "remove", ("a",), "sent")], set()),  # not known yet
        ([_batch(1, "remove", ("a",), "confirmed"), _batch(2, "add", ("a",), "confirmed")], set()),
        ([_batch(1, "remove", ("a",), "confirmed", identity="other")], set()),  # another identity
    ],
)
def test_removed_images_are_those_whose_last_confirmed_change_removed_them(
    batches: list[ApplyBatch], removed: set[str]
) -> None:
    assert removed_images(batches, "id-7") == removed


def test_unfinished_and_last_confirmed() -> None:
    log = [
        _batch(1, "remove", ("a",), "confirmed"),
        _batch(2, "remove", ("b",), "sent"),
        _batch(3, "remove", ("c",), "pending"),
        _batch(4, "remove", ("d",), "failed"),
    ]
    assert [b.id for b in unfinished(log)] == [2, 3]
    assert last_confirmed(log) == log[0]
    assert last_confirmed(log[1:]) is None
