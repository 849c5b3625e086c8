"""The store as a page session uses it: opened once with failures remembered, and one group's
verdicts by face key, kept current as other analysts record theirs."""

from __future__ import annotations

from pathlib import Path

import pytest

from viewer.config import Settings
from viewer.exceptions import InvalidVerdictError, StoreUnavailableError
from viewer.models import Face
from viewer.review.board import Board, StoreAccess
from viewer.review.store import VerdictStore
from viewer.review.values import Counts

NS, GROUP = "acme", "demo-crowd"
FACES = [Face(index=i, id=f"img-{i}") for i in range(4)] + [
    Face(index=4, id="twice"),
    Face(index=5, id="twice"),
]
KEYS = [f.key for f in FACES]


def test_verdicts_are_recorded_under_store_ids_and_read_back_by_face_key(
    store: VerdictStore,
) -> None:
    board = Board(store, NS, GROUP, FACES)
    done = board.record([KEYS[0], KEYS[4]], "not this person", "ann", note="  hat  ")
    assert done.sentence == "Marked 2 faces \u201cnot this person\u201d."
    assert set(store.latest(NS, GROUP)) == {"img-0", "4:twice"}  # id when unique, else key
    assert board.words() == {KEYS[0]: "not_this_person", KEYS[4]: "not_this_person"}
    assert board.verdicts[KEYS[0]].note == "hat" and board.verdicts[KEYS[0]].by == "ann"
    assert board.counts() == Counts(not_this_person=2)
    assert board.counts(KEYS[1:]) == Counts(not_this_person=1)
    assert [e.verdict for e in board.history(KEYS[4])] == ["not_this_person"]


def test_a_refresh_shows_another_analysts_newer_verdict_and_who_made_it(
    store: VerdictStore,
) -> None:
    mine, theirs = Board(store, NS, GROUP, FACES), Board(store, NS, GROUP, FACES)
    mine.record([KEYS[1]], "belongs", "ann")
    theirs.refresh()
    assert theirs.words() == {KEYS[1]: "belongs"}
    theirs.record([KEYS[1]], "unsure", "bob")
    assert mine.verdicts[KEYS[1]].by == "ann"  # until the next refresh
    cursor = mine.cursor
    mine.refresh()
    assert (mine.verdicts[KEYS[1]].verdict, mine.verdicts[KEYS[1]].by) == ("unsure", "bob")
    assert mine.cursor > cursor


def test_undo_restores_a_bulk_action_and_says_what_it_undid(store: VerdictStore) -> None:
    board = Board(store, NS, GROUP, FACES)
    board.record([KEYS[0]], "belongs", "ann")
    board.record(KEYS[:3], "not_this_person", "ann")
    done = board.undo("ann")
    assert (
        done.sentence
        == "Undid \u201cnot this person\u201d on 3 faces: each is back to what it was before."
    )
    assert board.words() == {KEYS[0]: "belongs"}
    assert (
        board.undo("ann").sentence
        == "Undid \u201cbelongs\u201d on 1 face: it is back to what it was before."
    )
    assert board.words() == {}
    assert board.undo("ann").sentence.startswith("Nothing to undo")


def test_undo_names_faces_someone_else_changed_since(store: VerdictStore) -> None:
    mine, theirs = Board(store, NS, GROUP, FACES), Board(store, NS, GROUP, FACES)
    mine.record(KEYS[:2], "belongs", "ann")
    theirs.record([KEYS[1]], "not_this_person", "bob")
    done = mine.undo("ann")
    assert done.sentence == (
        "Undid \u201cbelongs\u201d on 2 faces: 1 face back to what they were before; "
        "1 face changed by someone else since keeps the newer verdict."
    )
    assert mine.words() == {KEYS[1]: "not_this_person"}


def test_a_note_over_the_limit_is_refused_and_nothing_changes(store: VerdictStore) -> None:
    board = Board(store, NS, GROUP, FACES)
    with pytest.raises(InvalidVerdictError, match="shorten it to at most 2,000"):
        board.record([KEYS[0]], "unsure", "ann", note="x" * 2001)
    assert board.words() == {} and store.log(NS, GROUP) == []


def test_the_store_is_opened_once_and_a_failure_is_remembered_until_retry(
    tmp_path: Path,
) -> None:
    path = tmp_path / "review.sqlite3"
    path.mkdir()  # a folder where the file should be
    access = StoreAccess(Settings(review_db=path, review_timeout_s=1.0), retry_s=3600)
    with pytest.raises(StoreUnavailableError, match="could not be opened or created") as first:
        access.get()
    path.rmdir()
    with pytest.raises(StoreUnavailableError) as again:  # remembered: not tried again yet
        access.get()
    assert again.value.message == first.value.message and not path.exists()
    access.retry_s = 0
    store = access.get()
    assert access.get() is store and path.is_file()
    access.close()
