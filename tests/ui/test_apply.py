"""Applying verdicts from the page: preview, confirmation, result, refusals and the audit file,
over real HTTP against a demo API of the test's own, with the store in a real SQLite file."""

from __future__ import annotations

import csv
import io
import os
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.ui.apptest import download, run, run_keeping_media, unescaped
from viewer.api import Client
from viewer.config import Settings
from viewer.demo import impostor_ids
from viewer.demo.server import DemoServer
from viewer.models import Group
from viewer.review.faces import store_ids
from viewer.review.store import VerdictStore, open_store

NS, LARGE = "acme", "demo-large"
TWO_BATCHES = {"large_faces": 1100, "large_photos": 160}  # 22 planted faces: 20 + 2
ONE_BATCH = {"large_faces": 200, "large_photos": 30}  # 4 planted faces
REFUSED = "Applying verdicts to the API is off for this deployment"


def serve(monkeypatch: pytest.MonkeyPatch, size: dict[str, int]) -> DemoServer:
    """A demo API addressed as a plain API by URL (so not the embedded demo), writes allowed."""
    server = DemoServer(host="127.0.0.1", port=0, **size).start()
    monkeypatch.setenv("II_API_URL", server.api_url)
    monkeypatch.setenv("II_ACCESS_TOKEN", server.static_token)
    monkeypatch.setenv("II_ALLOW_PRIVATE_IMAGE_HOSTS", "1")
    monkeypatch.setenv("II_ALLOW_WRITES", "1")
    monkeypatch.setenv("II_ANALYST", "ann")
    return server


@pytest.fixture()
def two_batches(monkeypatch: pytest.MonkeyPatch) -> Iterator[DemoServer]:
    server = serve(monkeypatch, TWO_BATCHES)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture()
def one_batch(monkeypatch: pytest.MonkeyPatch) -> Iterator[DemoServer]:
    server = serve(monkeypatch, ONE_BATCH)
    try:
        yield server
    finally:
        server.stop()


def client(demo: DemoServer) -> Client:
    return Client(Settings(api_url=demo.api_url, access_token=demo.static_token))


def stored() -> VerdictStore:
    """The store the app under test writes to, opened apart from it."""
    return open_store(Settings(review_db=Path(os.environ["II_REVIEW_DB"])))


def mark_planted(demo: DemoServer, size: dict[str, int]) -> tuple[Group, list[str], list[str]]:
    """Mark the planted faces "not this person" (the rest "belongs"); returns the group, the
    planted image ids in the group's order, and the ids the identity should keep."""
    planted = impostor_ids(**size)
    with client(demo) as c:
        group = c.get_group(NS, LARGE)
    ids = store_ids(group.faces)
    out = [f for f in group.faces if f.id in planted]
    stay = [f for f in group.faces if f.id not in planted]
    with stored() as store:
        store.record(NS, LARGE, [(ids[f.key], f.id) for f in out], "not_this_person", "ann")
        store.record(NS, LARGE, [(ids[f.key], f.id) for f in stay], "belongs", "ann")
    return group, [f.id or "" for f in out], [f.id or "" for f in stay]


def held(demo: DemoServer, identity_id: str) -> tuple[str, ...]:
    with client(demo) as c:
        return c.get_identity(NS, identity_id).image_ids


def requests_table(at: AppTest) -> list[dict[str, object]]:
    (frame,) = [d.value for d in at.dataframe if "method" in d.value.columns]
    return frame.to_dict("records")


def texts(elements: object) -> str:
    return "\n".join(unescaped(e.value) for e in elements)  # type: ignore[attr-defined]


def preview(at: AppTest) -> AppTest:
    at.button(key="apply_preview").click().run()
    assert not at.exception
    return at


def confirm_and_apply(at: AppTest) -> AppTest:
    (read,) = [c for c in at.checkbox if (c.key or "").startswith("apply_read_")]
    read.check().run()
    at.button(key="apply_send").click().run()
    assert not at.exception
    return at


def test_preview_then_confirm_removes_exactly_the_planted_faces(
    two_batches: DemoServer,
) -> None:
    group, out, stay = mark_planted(two_batches, TWO_BATCHES)
    identity_id = group.identity_id or ""
    at = run(namespace=NS, group=LARGE)
    assert not at.exception
    assert "apply_send" not in [b.key for b in at.button]  # nothing is offered before a preview
    preview(at)
    rows = requests_table(at)
    assert [(r["method"], r["operation"], r["images"]) for r in rows] == [
        ("PATCH", "remove", 20),
        ("PATCH", "remove", 2),
    ]
    assert {r["path"] for r in rows} == {f"/recognition/identities/{NS}/{identity_id}"}
    assert " ".join(str(r["remove"]) for r in rows).split() == out
    assert "2 request(s) will be sent, at most 20 image ids each." in texts(at.markdown)
    assert at.button(key="apply_send").label == "Apply 2 request(s)"
    assert held(two_batches, identity_id) == tuple(f.id for f in group.faces)  # nothing sent

    confirm_and_apply(at)
    assert held(two_batches, identity_id) == tuple(stay)
    assert "Applied: 2 batch(es) confirmed by the API." in texts(at.success)
    with stored() as store:
        log = store.apply_log.batches(NS, LARGE)
    assert [(b.operation, b.state, b.by, len(b.image_ids)) for b in log] == [
        ("remove", "confirmed", "ann", 20),
        ("remove", "confirmed", "ann", 2),
    ]
    # the group is read again: its link is MANUAL, applied here by ann; its faces say so
    badge = texts(m for m in at.markdown if "Linked by" in m.value)
    assert "(MANUAL)" in badge and "applied here by ann" in badge
    assert "22 face(s) removed from the identity" in texts(at.caption)
    for verdict, removed in (("not_this_person", set(out)), ("belongs", set())):
        table = run(namespace=NS, group=LARGE, view="table", verdict=verdict)
        (frame,) = [d.value for d in table.dataframe if "flags" in d.value.columns]
        records = frame.to_dict("records")
        assert {r["id"] for r in records if "removed from the identity" in r["flags"]} == removed


def test_a_fault_mid_apply_is_said_and_a_second_apply_finishes_with_nothing_doubled(
    two_batches: DemoServer,
) -> None:
    group, out, stay = mark_planted(two_batches, TWO_BATCHES)
    identity_id = group.identity_id or ""
    two_batches.inject_write_fault("500", after=1)
    at = confirm_and_apply(preview(run(namespace=NS, group=LARGE)))
    assert "1 batch(es) confirmed, 1 failed" in texts(at.error)
    assert "server error (500)" in texts(at.error)
    assert "Apply again to finish" in texts(at.warning)
    assert set(held(two_batches, identity_id)) == set(stay) | set(out[20:])

    preview(at)  # the second preview reads the identity: only what is missing is planned
    rows = requests_table(at)
    assert [(r["operation"], str(r["remove"]).split()) for r in rows] == [("remove", out[20:])]
    confirm_and_apply(at)
    assert held(two_batches, identity_id) == tuple(stay)
    with stored() as store:
        log = store.apply_log.batches(NS, LARGE)
    confirmed = [i for b in log if b.state == "confirmed" for i in b.image_ids]
    assert sorted(confirmed) == sorted(out)  # each removal confirmed exactly once


def test_nothing_is_applied_without_the_confirmation_or_from_a_link(
    one_batch: DemoServer,
) -> None:
    group, _, _ = mark_planted(one_batch, ONE_BATCH)
    identity_id = group.identity_id or ""
    at = preview(run(namespace=NS, group=LARGE))
    assert at.button(key="apply_send").disabled  # until "I have read the requests" is ticked
    at.run()
    at = run(namespace=NS, group=LARGE, apply="1", confirm="1")  # a link cannot apply
    assert not at.exception
    assert "apply_send" not in [b.key for b in at.button]
    assert held(one_batch, identity_id) == tuple(f.id for f in group.faces)
    with stored() as store:
        assert store.apply_log.batches(NS, LARGE) == []


def test_requests_that_changed_since_the_preview_are_shown_again_not_sent(
    one_batch: DemoServer,
) -> None:
    group, out, _ = mark_planted(one_batch, ONE_BATCH)
    at = preview(run(namespace=NS, group=LARGE))
    first = group.faces[0]
    with stored() as store:  # someone marks one more face before this analyst applies
        store.record(NS, LARGE, [(store_ids(group.faces)[first.key], first.id)], "unsure", "bo")
        store.record(
            NS, LARGE, [(store_ids(group.faces)[first.key], first.id)], "not_this_person", "bo"
        )
    confirm_and_apply(at)
    assert "The requests changed since the preview" in texts(at.warning)
    assert held(one_batch, group.identity_id or "") == tuple(f.id for f in group.faces)
    (row,) = requests_table(at)
    assert str(row["remove"]).split() == [first.id, *out]
    assert not [c for c in at.checkbox if c.key and c.key.startswith("apply_read_") and c.value]


def test_a_deployment_without_writes_says_so_and_offers_no_apply(
    one_batch: DemoServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("II_ALLOW_WRITES", "0")
    mark_planted(one_batch, ONE_BATCH)
    at = run(namespace=NS, group=LARGE)
    assert REFUSED in texts(at.warning)
    preview(at)  # a preview sends nothing, so it is still there to read
    assert len(requests_table(at)) == 1
    assert "apply_send" not in [b.key for b in at.button]
    assert not [c for c in at.checkbox if (c.key or "").startswith("apply_read_")]


def test_a_token_without_the_update_scope_is_told_which_scope_it_needs(
    one_batch: DemoServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("II_ACCESS_TOKEN")
    monkeypatch.setenv("II_CLIENT_ID", "read-only")  # the demo's client that may only read
    monkeypatch.setenv("II_CLIENT_SECRET", "pw")
    mark_planted(one_batch, ONE_BATCH)
    at = preview(run(namespace=NS, group=LARGE))
    assert "lacks the scope recognition:update, which removing images needs" in texts(at.warning)
    assert "apply_send" not in [b.key for b in at.button]


def test_the_zip_carries_every_apply_batch_in_apply_log_csv(one_batch: DemoServer) -> None:
    group, out, _ = mark_planted(one_batch, ONE_BATCH)
    at = run_keeping_media(namespace=NS, group=LARGE)
    confirm_and_apply(preview(at))
    archive = zipfile.ZipFile(io.BytesIO(download(at, "download_zip")))
    rows = list(csv.DictReader(io.StringIO(archive.read("apply_log.csv").decode("utf-8"))))
    assert [
        (r["by"], r["operation"], r["identity_id"], r["image_ids"].split(), r["state"])
        for r in rows
    ] == [("ann", "remove", group.identity_id, out, "confirmed")]
    assert rows[0]["answer"].startswith("200 OK: identity ")
    assert rows[0]["created_at"].endswith("Z")
    assert "apply_log.csv" in archive.read("README.txt").decode("utf-8")


def test_the_review_queue_offers_the_same_panel(one_batch: DemoServer) -> None:
    _, out, _ = mark_planted(one_batch, ONE_BATCH)
    at = preview(run(namespace=NS, group=LARGE, mode="review"))
    (row,) = requests_table(at)
    assert str(row["remove"]).split() == out


def test_a_face_moved_in_detail_leaves_this_identity_for_the_other_groups(
    one_batch: DemoServer,
) -> None:
    with client(one_batch) as c:
        group, other = c.get_group(NS, LARGE), c.get_group(NS, "demo-crowd")
    face = next(f for f in group.faces if f.id in impostor_ids(**ONE_BATCH))
    at = run(namespace=NS, group=LARGE, view="detail", face=str(face.index))
    at.text_input(key="move_to").set_value("demo-crowd").run()
    at.button(key="move").click().run()
    assert not at.exception
    assert "Moved to group demo-crowd" in texts(at.caption)
    with stored() as store:
        assert {m.target_group for m in store.moves.latest(NS, LARGE).values()} == {"demo-crowd"}
    preview(at)
    rows = requests_table(at)
    assert [
        (r["path"].rsplit("/", 1)[-1], r["operation"], r["add"] or r["remove"]) for r in rows
    ] == [
        (group.identity_id, "remove", face.id),
        (other.identity_id, "add", face.id),
    ]
    confirm_and_apply(at)
    assert face.id not in held(one_batch, group.identity_id or "")
    assert face.id in held(one_batch, other.identity_id or "")
