"""Applying verdicts to the demo API over real HTTP, logged in a real store, with faults."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import replace

import pytest

from viewer import exceptions as exc
from viewer.api import Client
from viewer.config import Settings, load_settings
from viewer.demo.server import DemoServer
from viewer.models import Group
from viewer.review.apply import ApplyResult, execute, prepare, write_refusal
from viewer.review.store import VerdictStore

NS, LARGE = "acme", "demo-large"
PATCHES = "/v2/recognition/identities/"


@pytest.fixture()
def demo() -> Iterator[DemoServer]:
    """demo-large with 30 faces of another person: two batches to remove."""
    with DemoServer(large_faces=1500, large_photos=300) as server:
        yield server


@pytest.fixture()
def client(demo: DemoServer) -> Iterator[Client]:
    settings = Settings(api_url=demo.api_url, client_id="ann", client_secret="pw", api_timeout_s=3)
    with Client(settings) as made:
        yield made


def impostor_verdicts(demo: DemoServer, group: Group) -> dict[str, str]:
    assert demo.data is not None
    return {
        f.key: "not_this_person" if f.id in demo.data.impostor_ids else "belongs"
        for f in group.faces
    }


def apply(
    client: Client, store: VerdictStore, verdicts: dict[str, str], **kw: object
) -> ApplyResult:
    prepared = prepare(client, store.apply_log, NS, LARGE, verdicts)
    return execute(client, store.apply_log, prepared, "ann", **kw)  # type: ignore[arg-type]


def states(store: VerdictStore, group: str = LARGE) -> list[tuple[str, str, int]]:
    return [(b.operation, b.state, len(b.image_ids)) for b in store.apply_log.batches(NS, group)]


def intended(client: Client, demo: DemoServer) -> tuple[str, list[str]]:
    assert demo.data is not None
    group = client.get_group(NS, LARGE)
    return group.identity_id or "", [
        f.id for f in group.faces if f.id not in demo.data.impostor_ids
    ]


def test_applying_removes_exactly_the_other_persons_faces(
    client: Client, demo: DemoServer, store: VerdictStore
) -> None:
    identity_id, keep = intended(client, demo)
    verdicts = impostor_verdicts(demo, client.get_group(NS, LARGE))
    prepared = prepare(client, store.apply_log, NS, LARGE, verdicts)
    assert [len(s.image_ids) for s in prepared.plan.steps] == [20, 10]
    assert "remove 30 image(s) from identity" in prepared.plan.preview()
    assert store.apply_log.batches(NS, LARGE) == []  # preparing writes nothing
    result = execute(client, store.apply_log, prepared, "ann")
    assert result.complete and "Done: every batch was confirmed." in result.report()
    assert client.get_identity(NS, identity_id).image_ids == tuple(keep)
    log = store.apply_log.batches(NS, LARGE)
    assert [(b.state, b.by, b.identity_id) for b in log] == [("confirmed", "ann", identity_id)] * 2
    assert log[-1].answer == f"200 OK: identity {identity_id} now holds 1,470 image(s)"
    group = client.get_group(NS, LARGE)
    assert group.link_modified_by == "MANUAL"
    assert sum(1 for f in group.faces if f.identity_id is None) == 30
    again = apply(client, store, verdicts)
    assert again.complete and again.plan.empty and again.plan.already_done == 1500
    assert len(store.apply_log.batches(NS, LARGE)) == 2


@pytest.mark.parametrize(
    ("kind", "second"),
    [
        ("500", "failed"),
        ("reset", "failed"),
        ("timeout-after-apply", "confirmed"),
        ("reset-after-apply", "confirmed"),
    ],
)
def test_a_fault_mid_apply_is_completed_by_applying_again(
    client: Client, demo: DemoServer, store: VerdictStore, kind: str, second: str
) -> None:
    identity_id, keep = intended(client, demo)
    verdicts = impostor_verdicts(demo, client.get_group(NS, LARGE))
    demo.inject_write_fault(kind, after=1)
    first = apply(client, store, verdicts)
    assert not first.complete and isinstance(first.error, exc.APIError)
    assert states(store) == [("remove", "confirmed", 20), ("remove", second, 10)]
    assert "read again" in (store.apply_log.batches(NS, LARGE)[1].answer or "")
    demo.reset_counts()
    again = apply(client, store, verdicts)
    sent = 0 if second == "confirmed" else 1
    assert demo.request_count(PATCHES) == 1 + sent  # one read, and only the missing batch
    assert again.complete
    assert client.get_identity(NS, identity_id).image_ids == tuple(keep)
    confirmed = [
        i for b in store.apply_log.batches(NS, LARGE) if b.state == "confirmed" for i in b.image_ids
    ]
    assert len(confirmed) == len(set(confirmed)) == 30  # every removal confirmed exactly once


def test_a_429_is_waited_out_as_retry_after_asks(
    client: Client, demo: DemoServer, store: VerdictStore
) -> None:
    identity_id, keep = intended(client, demo)
    demo.inject_write_fault("429", after=1, retry_after_s=1)
    started = time.monotonic()
    result = apply(client, store, impostor_verdicts(demo, client.get_group(NS, LARGE)))
    assert time.monotonic() - started >= 1.0
    assert result.complete
    assert states(store) == [
        ("remove", "confirmed", 20),
        ("remove", "failed", 10),
        ("remove", "confirmed", 10),
    ]
    assert store.apply_log.batches(NS, LARGE)[1].answer == '429 {"message": "Too many requests"}'
    assert client.get_identity(NS, identity_id).image_ids == tuple(keep)


def test_a_429_that_lasts_stops_the_run_and_leaves_the_rest_pending(
    client: Client, demo: DemoServer, store: VerdictStore
) -> None:
    verdicts = impostor_verdicts(demo, client.get_group(NS, LARGE))
    demo.inject_write_fault("429", retry_after_s=120)  # longer than the engine waits
    first = apply(client, store, verdicts, sleep=pytest.fail)
    assert isinstance(first.error, exc.RateLimitedError) and first.pending == 1
    assert "1 batch(es) not sent: apply again to finish." in first.report()
    assert states(store) == [("remove", "failed", 20), ("remove", "pending", 10)]
    again = apply(client, store, verdicts)
    assert again.complete and [b.state for b in again.settled] == ["failed"]
    assert states(store)[2:] == [("remove", "confirmed", 20), ("remove", "confirmed", 10)]


def test_a_batch_sent_before_a_crash_is_settled_by_reading(
    client: Client, demo: DemoServer, store: VerdictStore
) -> None:
    identity_id, _ = intended(client, demo)
    group = client.get_group(NS, LARGE)
    verdicts = impostor_verdicts(demo, group)
    plan = prepare(client, store.apply_log, NS, LARGE, verdicts).plan
    reached, lost = plan.steps  # the first reached the API, the second never left
    log = store.apply_log
    made, never = log.add(
        NS, LARGE, identity_id, "remove", [reached.image_ids, lost.image_ids], "ann"
    )
    log.mark(made.id, "sent")
    log.mark(never.id, "sent")
    client.patch_identity(NS, identity_id, remove=reached.image_ids)
    result = apply(client, store, verdicts)
    assert [(b.id, b.state) for b in result.settled] == [
        (made.id, "confirmed"),
        (never.id, "failed"),
    ]
    assert "shows the change" in (result.settled[0].answer or "")
    assert [(b.state, b.image_ids) for b in result.batches] == [("confirmed", lost.image_ids)]


def test_a_group_without_identity_gets_one_once(
    client: Client, demo: DemoServer, store: VerdictStore
) -> None:
    group = client.get_group("acme2", "demo-unlinked")
    verdicts = {group.faces[0].key: "not_this_person"}
    demo.inject_write_fault("reset-after-apply")
    first = execute(
        client,
        store.apply_log,
        prepare(client, store.apply_log, "acme2", "demo-unlinked", verdicts),
        "ann",
    )
    assert isinstance(first.error, exc.OutcomeUnknownError)
    (batch,) = store.apply_log.batches("acme2", "demo-unlinked")
    assert (batch.operation, batch.state) == ("create", "confirmed")
    again = prepare(client, store.apply_log, "acme2", "demo-unlinked", verdicts)
    assert again.plan.empty and again.plan.identity_id is not None
    found = client.find_identities("acme2", custom_ids=["group-viewer acme2/demo-unlinked"])
    assert len(found) == 1 and found[0].image_ids == tuple(f.id for f in group.faces[1:])
    linked = client.get_group("acme2", "demo-unlinked")
    assert linked.identity_id == found[0].id and linked.link_modified_by == "MANUAL"


def test_a_merge_moves_faces_to_the_other_persons_identity(
    client: Client, store: VerdictStore
) -> None:
    a = client.get_group(NS, "demo-person-a1")
    b = client.get_group(NS, "demo-person-b")
    moves = {b.faces[0].key: a.identity_id or "", b.faces[1].key: a.identity_id or ""}
    prepared = prepare(client, store.apply_log, NS, "demo-person-b", {}, moves)
    assert [s.operation for s in prepared.plan.steps] == ["remove", "add"]
    assert execute(client, store.apply_log, prepared, "ann").complete
    moved = (b.faces[0].id, b.faces[1].id)
    assert client.get_identity(NS, a.identity_id or "").image_ids[-2:] == moved
    assert set(moved).isdisjoint(client.get_identity(NS, b.identity_id or "").image_ids)
    assert prepare(client, store.apply_log, NS, "demo-person-b", {}, moves).plan.empty


def test_refused_credentials_fail_the_batch_with_the_apis_answer(
    demo: DemoServer, store: VerdictStore
) -> None:
    settings = Settings(api_url=demo.api_url, client_id="read-only", client_secret="pw")
    with Client(settings) as reader:
        identity_id, _ = intended(reader, demo)
        result = apply(reader, store, impostor_verdicts(demo, reader.get_group(NS, LARGE)))
        assert len(reader.get_identity(NS, identity_id).image_ids) == 1500
    assert isinstance(result.error, exc.ForbiddenError)
    assert "recognition:update" in result.error.message
    first = store.apply_log.batches(NS, LARGE)[0]
    assert first.state == "failed" and (first.answer or "").startswith("403 ")
    assert states(store)[1] == ("remove", "pending", 10)


@pytest.mark.parametrize(
    ("changes", "analyst", "logged_in", "refused"),
    [
        ({"demo": True}, None, True, None),
        ({}, "ann", False, "II_ALLOW_WRITES=1"),
        ({"allow_writes": True}, "ann", False, None),
        ({"allow_writes": True}, "ann", True, "II_APPLY_ANALYSTS"),
        ({"allow_writes": True, "apply_analysts": ("ann",)}, "ann", True, None),
    ],
)
def test_who_may_apply(
    changes: dict, analyst: str | None, logged_in: bool, refused: str | None
) -> None:
    said = write_refusal(replace(Settings(), **changes), analyst, logged_in=logged_in)
    assert (said is None) if refused is None else (refused in (said or ""))


def test_write_settings_are_read_from_the_environment() -> None:
    env = {"II_API_URL": "https://api.example/v2", "II_ALLOW_WRITES": "1"}
    settings = load_settings(env | {"II_APPLY_ANALYSTS": " ann, bob ,"}, secrets_paths=())
    assert settings.allow_writes and settings.apply_analysts == ("ann", "bob")
    assert not load_settings(
        {"II_API_URL": "https://api.example/v2"}, secrets_paths=()
    ).allow_writes
    with pytest.raises(exc.ConfigError, match="II_ALLOW_WRITES must be 1 or 0"):
        load_settings(env | {"II_ALLOW_WRITES": "maybe"}, secrets_paths=())
