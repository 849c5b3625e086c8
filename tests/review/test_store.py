"""The verdict store on SQLite and PostgreSQL: record, replace, undo, read, count, refuse."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from viewer.exceptions import InvalidVerdictError
from viewer.review.store import VerdictStore
from viewer.review.values import MAX_NOTE, Counts

NS, GROUP = "acme", "demo-crowd"
A, B, C = ("0:img-a", "img-a"), ("1:img-b", "img-b"), ("2:img-c", "img-c")


def verdicts(store: VerdictStore) -> dict[str, tuple[str, str]]:
    return {face: (v.verdict, v.by) for face, v in store.latest(NS, GROUP).items()}


def test_a_verdict_records_who_when_what_and_note(store: VerdictStore) -> None:
    before = datetime.now(UTC)
    action = store.record(NS, GROUP, [A, B], "belongs", "ann", note="  same scarf  ")
    latest = store.latest(NS, GROUP)
    assert set(latest) == {A[0], B[0]} == set(action.face_ids)
    got = latest[A[0]]
    assert (got.verdict, got.by, got.note) == ("belongs", "ann", "same scarf")
    assert got.at.tzinfo is not None and got.at.utcoffset() == timedelta(0)
    assert before - timedelta(seconds=1) <= got.at <= datetime.now(UTC) + timedelta(seconds=1)
    (event,) = store.history(NS, GROUP, A[0])
    assert (event.image_id, event.namespace, event.group, event.action_id) == (
        "img-a",
        NS,
        GROUP,
        action.id,
    )
    assert event.replaces_event_id is None and event.replaced_verdict is None


def test_each_event_names_the_verdict_it_replaced_by_anyone(store: VerdictStore) -> None:
    store.record(NS, GROUP, [A], "belongs", "ann")
    store.record(NS, GROUP, [A], "Not this person", "bob", note="other jacket")
    first, second = store.history(NS, GROUP, A[0])
    assert (first.by, first.verdict) == ("ann", "belongs")
    assert (second.by, second.verdict, second.note) == ("bob", "not_this_person", "other jacket")
    assert second.replaces_event_id == first.id
    assert second.replaced_verdict == "belongs"
    assert verdicts(store) == {A[0]: ("not_this_person", "bob")}


def test_a_bulk_selection_is_one_action_for_every_face(store: VerdictStore) -> None:
    faces = [(f"{i}:img-{i}", f"img-{i}") for i in range(2000)]
    action = store.record(NS, GROUP, faces, "unsure", "ann")
    log = store.log(NS, GROUP)
    assert len(log) == 2000 and {e.action_id for e in log} == {action.id}
    assert store.counts(NS, GROUP) == Counts(unsure=2000)


def test_undo_restores_every_face_of_the_last_bulk_action(store: VerdictStore) -> None:
    store.record(NS, GROUP, [A, B], "belongs", "ann", note="first look")
    bulk = store.record(NS, GROUP, [A, B, C], "not_this_person", "ann")
    undo = store.undo_last(NS, GROUP, "ann")
    assert undo is not None and undo.kind == "undo" and undo.undoes_action_id == bulk.id
    assert set(undo.face_ids) == {A[0], B[0], C[0]} and undo.skipped == ()
    latest = store.latest(NS, GROUP)
    assert {face: v.verdict for face, v in latest.items()} == {A[0]: "belongs", B[0]: "belongs"}
    assert latest[A[0]].note == "first look"
    assert len(store.log(NS, GROUP)) == 2 + 3 + 3  # nothing overwritten or deleted


def test_undo_again_walks_further_back_and_never_redoes(store: VerdictStore) -> None:
    store.record(NS, GROUP, [A], "belongs", "ann")
    store.record(NS, GROUP, [A], "unsure", "ann")
    assert store.undo_last(NS, GROUP, "ann") is not None
    assert verdicts(store) == {A[0]: ("belongs", "ann")}
    assert store.undo_last(NS, GROUP, "ann") is not None
    assert verdicts(store) == {}
    assert store.undo_last(NS, GROUP, "ann") is None
    assert store.changed_since(NS, GROUP, 0).verdicts == {A[0]: None}


def test_undo_leaves_a_face_someone_else_changed_since(store: VerdictStore) -> None:
    store.record(NS, GROUP, [A, B], "belongs", "ann")
    store.record(NS, GROUP, [A], "not_this_person", "bob")
    undo = store.undo_last(NS, GROUP, "ann")
    assert undo is not None and undo.skipped == (A[0],) and undo.face_ids == (B[0],)
    assert verdicts(store) == {A[0]: ("not_this_person", "bob")}


def test_undo_brings_back_another_analysts_verdict_it_replaced(store: VerdictStore) -> None:
    store.record(NS, GROUP, [A], "belongs", "ann")
    store.record(NS, GROUP, [A], "unsure", "bob")
    store.record(NS, GROUP, [A], "not_this_person", "ann")
    store.undo_last(NS, GROUP, "ann")
    assert store.latest(NS, GROUP)[A[0]].verdict == "unsure"
    again = store.undo_last(NS, GROUP, "ann")  # ann's first action: bob changed A after it
    assert again is not None and again.skipped == (A[0],)
    assert store.latest(NS, GROUP)[A[0]].verdict == "unsure"


def test_undo_touches_only_the_analysts_own_actions_in_that_group(store: VerdictStore) -> None:
    store.record(NS, GROUP, [A], "belongs", "ann")
    store.record(NS, "other-group", [A], "belongs", "bob")
    assert store.undo_last(NS, GROUP, "bob") is None
    assert verdicts(store) == {A[0]: ("belongs", "ann")}


def test_changed_since_shows_each_newer_verdict_and_who_once(store: VerdictStore) -> None:
    store.record(NS, GROUP, [A, B], "belongs", "ann")
    loaded = store.changed_since(NS, GROUP, 0)
    assert set(loaded.verdicts) == {A[0], B[0]}
    store.record(NS, GROUP, [B], "not_this_person", "bob")
    fresh = store.changed_since(NS, GROUP, loaded.cursor)
    assert list(fresh.verdicts) == [B[0]]
    newer = fresh.verdicts[B[0]]
    assert newer is not None and (newer.verdict, newer.by) == ("not_this_person", "bob")
    assert fresh.cursor > loaded.cursor
    assert store.changed_since(NS, GROUP, fresh.cursor).verdicts == {}
    store.undo_last(NS, GROUP, "bob")
    back = store.changed_since(NS, GROUP, fresh.cursor).verdicts[B[0]]
    assert back is not None and back.verdict == "belongs"


def test_counts_follow_the_latest_verdicts(store: VerdictStore) -> None:
    store.record(NS, GROUP, [A, B, C], "belongs", "ann")
    store.record(NS, GROUP, [C], "not_this_person", "bob")
    store.record(NS, GROUP, [B], "unsure", "bob")
    counts = store.counts(NS, GROUP)
    assert counts == Counts(belongs=1, not_this_person=1, unsure=1) and counts.reviewed == 3
    assert store.counts(NS, "unseen-group") == Counts()


@pytest.mark.parametrize(
    ("faces", "verdict", "by", "note", "says"),
    [
        pytest.param([A], "maybe", "ann", None, "'maybe' is not a verdict", id="unknown-verdict"),
        pytest.param([A], "belongs", "ann", "x" * (MAX_NOTE + 1), "2,001 characters", id="note"),
        pytest.param([A], "belongs", "ann", "n" * 10_000_000, "10,000,000 characters", id="10mb"),
        pytest.param([A], "belongs", "ann", "bell\x07", "control character", id="note-control"),
        pytest.param([A], "belongs", "   ", None, "Enter your name", id="no-analyst"),
        pytest.param([], "belongs", "ann", None, "Select at least one face", id="no-faces"),
        pytest.param([("", None)], "belongs", "ann", None, "has no id", id="empty-face-id"),
    ],
)
def test_bad_input_gets_a_sentence_and_records_nothing(
    store: VerdictStore,
    faces: list[tuple[str, str | None]],
    verdict: str,
    by: str,
    note: str | None,
    says: str,
) -> None:
    with pytest.raises(InvalidVerdictError) as info:
        store.record(NS, GROUP, faces, verdict, by, note=note)
    assert says in info.value.message and len(info.value.message) < 200
    assert store.log(NS, GROUP) == []


def test_a_group_id_the_api_could_not_take_is_refused(store: VerdictStore) -> None:
    with pytest.raises(InvalidVerdictError, match="slash"):
        store.record(NS, "a/b", [A], "belongs", "ann")
