"""Verdicts on the page, driven headless with AppTest against the demo API, with the store in a
real SQLite file (II_REVIEW_DB, set per test by the conftest) read back directly."""

from __future__ import annotations

import csv
import io
import os
import zipfile
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.ui.apptest import download, gallery_images, run, run_keeping_media, unescaped
from viewer.api import Client
from viewer.config import Settings
from viewer.demo.server import DemoServer
from viewer.models import Group
from viewer.review.faces import store_ids
from viewer.review.store import VerdictStore, open_store

NS, CROWD = "acme", "demo-crowd"


@pytest.fixture()
def crowd(demo: DemoServer) -> Group:
    with Client(Settings(api_url=demo.api_url, access_token=demo.static_token)) as client:
        return client.get_group(NS, CROWD)


def stored() -> VerdictStore:
    """The store the app under test writes to, opened apart from it."""
    return open_store(Settings(review_db=Path(os.environ["II_REVIEW_DB"])))


def latest_by_index(group: Group) -> dict[int, tuple[str, str]]:
    """(verdict, by) of each face with a verdict in the store, by face index."""
    ids = store_ids(group.faces)
    index = {ids[f.key]: f.index for f in group.faces}
    with stored() as store:
        return {index[k]: (v.verdict, v.by) for k, v in store.latest(NS, CROWD).items()}


def shown_text(at: AppTest, part: str) -> str:
    """The one Markdown element of the page holding ``part``, as the page shows it."""
    (found,) = [unescaped(m.value) for m in at.markdown if part in unescaped(m.value)]
    return found


def said(at: AppTest) -> str:
    return " ".join(unescaped(m.value) for m in [*at.success, *at.error])


def test_a_verdict_in_detail_waits_for_a_name_then_lands_in_the_store(
    on_demo: DemoServer, crowd: Group
) -> None:
    at = run(namespace=NS, group=CROWD, view="detail", face="2")
    assert not at.exception
    assert at.button(key="vd_detail_belongs").disabled  # no login, no II_ANALYST: asked once
    at.sidebar.text_input(key="analyst").set_value("  Ann Analyst ").run()
    at.text_input(key="note_detail").set_value("same jacket as #1").run()
    at.button(key="vd_detail_belongs").click().run()
    assert not at.exception
    assert said(at) == "Marked 1 face \u201cbelongs\u201d."
    face = crowd.faces[2]
    with stored() as store:
        (event,) = store.log(NS, CROWD)
    assert (event.face_id, event.image_id) == (face.id, face.id)  # its unique image id
    assert (event.verdict, event.by, event.note) == ("belongs", "Ann Analyst", "same jacket as #1")
    assert at.text_input(key="note_detail").value == ""  # recorded, so the note is cleared
    assert "**Verdict:** \u2713 belongs · Ann Analyst · " in shown_text(at, "Verdict:")
    assert {m.label: m.value for m in at.metric}["Reviewed"] == "1"


def test_a_bulk_verdict_on_a_selection_across_two_pages_records_all_and_undo_restores(
    on_demo: DemoServer, crowd: Group, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("II_ANALYST", "bea")
    at = run(namespace=NS, group=CROWD, view="faces", per="12")
    assert len(gallery_images(at)) == 12
    at.checkbox(key="sel_f_0").check().run()
    at.checkbox(key="sel_f_5").check().run()
    at.pagination(key="faces_page").select(2).run()
    assert len(gallery_images(at)) == 1  # the 13th face, alone on page 2
    at.button(key="sel_page").click().run()
    assert shown_text(at, "selected").startswith("**3 selected** of 13 shown")
    at.button(key="vd_bulk_not_this_person").click().run()
    assert not at.exception
    assert said(at) == "Marked 3 faces \u201cnot this person\u201d."
    assert latest_by_index(crowd) == {i: ("not_this_person", "bea") for i in (0, 5, 12)}
    with stored() as store:
        assert len({e.action_id for e in store.log(NS, CROWD)}) == 1  # one action

    at.button(key="undo_bulk").click().run()
    assert said(at) == (
        "Undid \u201cnot this person\u201d on 3 faces: each is back to what it was before."
    )
    assert latest_by_index(crowd) == {}
    at.pagination(key="faces_page").select(1).run()
    assert at.checkbox(key="sel_f_0").value and not at.checkbox(key="sel_f_1").value


def test_select_all_shown_takes_every_face_that_passes_the_filters(
    on_demo: DemoServer, crowd: Group, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("II_ANALYST", "bea")
    at = run(namespace=NS, group=CROWD, view="faces", per="12", pose="frontal")
    frontal = [f.index for f in crowd.faces if f.is_frontal]
    at.button(key="sel_shown").click().run()
    at.button(key="vd_bulk_unsure").click().run()
    assert latest_by_index(crowd) == {i: ("unsure", "bea") for i in frontal}
    at.button(key="sel_clear").click().run()
    assert shown_text(at, "selected").startswith("**0 selected**")


def test_the_queue_moves_on_after_each_verdict_and_goes_back_on_undo(
    on_demo: DemoServer, crowd: Group, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("II_ANALYST", "cy")
    at = run(namespace=NS, group=CROWD, mode="review")
    assert not at.exception
    assert shown_text(at, "reviewed") == "**0 of 13 reviewed · 0 not this person**"
    order = at.session_state["queue"][1]
    worst = sorted(crowd.faces, key=lambda f: min(f.confidence or 0, 1) * (f.sharpness or 0))
    assert order[0] == worst[0].index  # worst quality first
    assert at.query_params["face"] == str(order[0])

    at.button(key="vd_queue_not_this_person").click().run()
    assert at.query_params["face"] == str(order[1])
    at.button(key="vd_queue_belongs").click().run()
    assert at.query_params["face"] == str(order[2])
    assert shown_text(at, "reviewed") == "**2 of 13 reviewed · 1 not this person**"
    assert latest_by_index(crowd) == {
        order[0]: ("not_this_person", "cy"),
        order[1]: ("belongs", "cy"),
    }
    assert at.session_state["queue"][1] == order  # the order stays put as verdicts come in

    at.button(key="undo_queue").click().run()
    assert at.query_params["face"] == str(order[1])  # back to the face it restored
    at.button(key="queue_prev").click().run()
    assert at.query_params["face"] == str(order[0])
    at.button(key="queue_next").click().run()
    assert at.query_params["face"] == str(order[1])
    shortcuts = {b.key: b.proto.shortcut for b in at.button if b.proto.shortcut}
    assert shortcuts == {
        "vd_queue_belongs": "b",
        "vd_queue_not_this_person": "n",
        "vd_queue_unsure": "u",
        "undo_queue": "z",
        "queue_prev": "k",
        "queue_next": "j",
    }


def test_a_second_session_sees_the_first_ones_verdicts_and_who_made_them(
    on_demo: DemoServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = run(namespace=NS, group=CROWD, view="detail", face="4")
    second = run(namespace=NS, group=CROWD, view="detail", face="4")
    assert shown_text(second, "Verdict:") == "**Verdict:** No verdict yet."
    first.sidebar.text_input(key="analyst").set_value("dee").run()
    first.button(key="vd_detail_unsure").click().run()
    second.run()  # its next rerun reads what changed since
    assert "**Verdict:** ? unsure · dee · " in shown_text(second, "Verdict:")
    second.sidebar.text_input(key="analyst").set_value("eve").run()
    second.button(key="vd_detail_not_this_person").click().run()
    first.run()
    assert "**Verdict:** \u2717 not this person · eve · " in shown_text(first, "Verdict:")


def test_the_verdict_filter_shows_only_faces_with_that_verdict(
    on_demo: DemoServer, crowd: Group
) -> None:
    ids = store_ids(crowd.faces)
    with stored() as store:
        picked = [(ids[f.key], f.id) for f in crowd.faces[:3]]
        store.record(NS, CROWD, picked, "not_this_person", "fay")
    at = run(namespace=NS, group=CROWD, view="faces", verdict="not_this_person")
    assert not at.exception
    assert {m.label: m.value for m in at.metric}["Shown"] == "3"
    assert len(gallery_images(at)) == 3
    assert all("\u2717 fay" in img.captions[0] for img in gallery_images(at))
    at.sidebar.selectbox(key="verdict").select("unreviewed").run()
    assert {m.label: m.value for m in at.metric}["Shown"] == "10"
    assert at.query_params["verdict"] == "unreviewed"


@pytest.mark.parametrize("where", ["a folder", "inside a file"])
def test_without_a_usable_store_one_sentence_says_so_and_the_group_still_shows(
    on_demo: DemoServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    blocker = tmp_path / "blocker"
    if where == "a folder":
        blocker.mkdir()
        monkeypatch.setenv("II_REVIEW_DB", str(blocker))  # a folder where the file should be
    else:
        blocker.write_text("a file, not a folder")
        monkeypatch.setenv("II_REVIEW_DB", str(blocker / "review.sqlite3"))
    at = run(namespace=NS, group=CROWD, view="faces")
    assert not at.exception
    (warning,) = at.warning
    assert unescaped(warning.value).startswith("The verdict database (SQLite file ")
    assert "could not be opened or created" in warning.value
    assert len(gallery_images(at)) == 13  # the group is all there
    assert not at.checkbox  # no selection to act on
    assert {m.label: m.value for m in at.metric}["Reviewed"] == "–"
    assert at.sidebar.selectbox(key="verdict").disabled


def test_a_note_over_the_limit_gets_the_stores_sentence_and_stays_on_screen(
    on_demo: DemoServer, monkeypatch: pytest.MonkeyPatch, crowd: Group
) -> None:
    monkeypatch.setenv("II_ANALYST", "gus")
    long_note = "n" * 2001
    at = run(namespace=NS, group=CROWD, view="detail", face="0")
    at.text_input(key="note_detail").set_value(long_note).run()
    at.button(key="vd_detail_unsure").click().run()
    assert not at.exception
    assert "shorten it to at most 2,000" in said(at)
    assert at.text_input(key="note_detail").value == long_note  # nothing lost
    assert latest_by_index(crowd) == {}


def test_the_zip_carries_verdict_columns_and_the_review_log(
    on_demo: DemoServer, crowd: Group, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("II_ANALYST", "hal")
    at = run_keeping_media(namespace=NS, group=CROWD, view="detail", face="1")
    at.button(key="vd_detail_belongs").click().run()
    at.button(key="vd_detail_not_this_person").click().run()
    archive = zipfile.ZipFile(io.BytesIO(download(at, "download_zip")))
    rows = list(csv.DictReader(io.StringIO(archive.read("faces.csv").decode("utf-8"))))
    marked = [(r["index"], r["verdict"], r["verdict_by"]) for r in rows if r["verdict"]]
    assert marked == [("1", "not_this_person", "hal")]
    assert rows[1]["verdict_at"].endswith("Z")
    log = list(csv.DictReader(io.StringIO(archive.read("review_log.csv").decode("utf-8"))))
    assert [(e["face_id"], e["verdict"], e["replaced_verdict"]) for e in log] == [
        (crowd.faces[1].id, "belongs", ""),
        (crowd.faces[1].id, "not_this_person", "belongs"),
    ]


def test_the_analyst_setting_names_the_verdicts_and_nothing_is_asked(
    on_demo: DemoServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("II_ANALYST", "Ivy")
    at = run(namespace=NS, group=CROWD, view="detail", face="0")
    assert "analyst" not in [t.key for t in at.sidebar.text_input]
    assert "Verdicts are recorded as Ivy." in [unescaped(c.value) for c in at.sidebar.caption]
    assert not at.button(key="vd_detail_belongs").disabled


def test_the_table_shows_each_faces_verdict_and_who_gave_it(
    on_demo: DemoServer, crowd: Group
) -> None:
    ids = store_ids(crowd.faces)
    with stored() as store:
        store.record(NS, CROWD, [(ids[crowd.faces[5].key], crowd.faces[5].id)], "belongs", "jo")
    at = run(namespace=NS, group=CROWD, view="table")
    table = at.dataframe(key="table").value
    assert list(table["verdict"])[5] == "\u2713 belongs" and list(table["verdict by"])[5] == "jo"
    assert set(table["verdict"][table.index != 5]) == {""}
    assert at.button(key="tbl_open").disabled  # nothing selected to open
