"""The session owner, driven by small scripts under AppTest: the URL read on the first run and
written back, values kept between runs, what a new group forgets, and the callbacks."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from viewer.ui import session

UI = Path(__file__).resolve().parents[2] / "viewer" / "ui"


def _probe(demo: bool) -> None:
    """Starts the session, offers each callback as a button, and prints what the session says."""
    import streamlit as st

    from viewer.ui import session

    for notice in session.start(demo):
        st.info(notice)
    st.button("load", key="t_load", on_click=session.load)
    st.button("face", key="t_face", on_click=session.open_face, args=(5,))
    st.button("group", key="t_group", on_click=session.open_group, args=("ns2", "g2"))
    st.button("compare", key="t_compare", on_click=session.add_to_compare, args=("x",))
    said = {
        "namespace": session.namespace(),
        "loaded": session.loaded(),
        "view": session.active_view(),
        "face": session.face(),
        "compare": session.compare_ids(),
    }
    st.text(repr(said))


def probe(demo: bool = False, **params: str) -> AppTest:
    at = AppTest.from_function(_probe, args=(demo,), default_timeout=30)
    at.query_params.update(params)
    return at.run()


def said(at: AppTest) -> dict[str, object]:
    assert not at.exception
    return ast.literal_eval(at.text[0].value)


def test_the_first_run_reads_the_url_into_the_session() -> None:
    at = probe(
        namespace="acme",
        group="demo-crowd",
        view="stats",
        page="3",
        per="48",
        sort="time",
        order="desc",
        conf="0.5",
        sharp="0.25",
        pose="profile",
        feeds="A,B",
        problems="1",
        tconf="0.8",
        tsharp="0.4",
        color="confidence",
        blur="1",
        face="7",
        compare="a,b",
    )
    ss = at.session_state
    expected = {
        session.MODE: "inspect",
        session.NAMESPACE: "acme",
        session.GROUP_ID: "demo-crowd",
        session.CONF: (0.5, 1.0),
        session.SHARP: (0.25, 1.0),
        session.POSE: "profile",
        session.FEEDS: ["A", "B"],
        session.PROBLEMS: True,
        session.SORT: "time",
        session.DESC: True,
        session.PER_PAGE: 48,
        session.TCONF: 0.8,
        session.TSHARP: 0.4,
        session.COLOR: "confidence",
        session.BLUR: True,
        session.FACE: 7,
        session.VIEW: "Stats",
        session.GALLERY_PAGE: 3,
        session.FACES_PAGE: 3,
        session.COMPARE_IDS: "a\nb",
        session.LOADED: ("acme", "demo-crowd"),
    }
    assert {key: ss[key] for key in expected} == expected
    assert said(at) == {
        "namespace": "acme",
        "loaded": ("acme", "demo-crowd"),
        "view": "stats",
        "face": 7,
        "compare": ["a", "b"],
    }
    assert not at.info


def test_bad_url_values_become_notices_on_the_first_run_only() -> None:
    at = probe(page="abc", sort="nope")
    assert sorted(i.value.split("=")[0] for i in at.info) == ["Ignored page", "Ignored sort"]
    assert (at.session_state[session.GALLERY_PAGE], at.session_state[session.SORT]) == (1, "index")
    at.run()
    assert not at.exception
    assert not at.info


def test_later_runs_leave_the_url_unread() -> None:
    at = probe(sort="feed")
    at.session_state[session.SORT] = "time"
    at.query_params["sort"] = "confidence"
    at.run()
    assert at.session_state[session.SORT] == "time"


@pytest.mark.parametrize(
    ("params", "loaded"),
    [
        ({}, None),  # the demo's first screen: its namespace, no group chosen
        ({"mode": "browse"}, None),
        ({"namespace": "other"}, None),
        ({"namespace": "other", "group": "g"}, ("other", "g")),
    ],
)
def test_a_url_naming_no_group_loads_none(
    params: dict[str, str], loaded: tuple[str, str] | None
) -> None:
    assert said(probe(True, **params))["loaded"] == loaded
    assert said(probe(False, **params))["loaded"] == (None if not params.get("group") else loaded)


def _sometimes(kept_key: str) -> None:
    """Draws a kept widget and an unkept one only while the checkbox is ticked."""
    import streamlit as st

    from viewer.ui import session

    session.start(False)
    if st.checkbox("show", value=True, key="show"):
        st.selectbox("Sort", ["index", "time", "feed"], key=kept_key)
        st.text_input("Unkept", key="unkept")


def test_kept_values_outlive_runs_that_do_not_draw_their_widget() -> None:
    at = AppTest.from_function(_sometimes, args=(session.SORT,), default_timeout=30).run()
    at.selectbox(key=session.SORT).set_value("time")
    at.text_input(key="unkept").set_value("typed")
    at.run()
    at.checkbox(key="show").uncheck()
    at.run()
    at.checkbox(key="show").check()
    at.run()
    assert not at.exception
    assert at.selectbox(key=session.SORT).value == "time"
    assert at.text_input(key="unkept").value == ""  # Streamlit forgets what is not kept


def test_load_opens_the_forms_group_and_forgets_the_old_groups_filters() -> None:
    at = probe(namespace="acme", group="a", conf="0.5", sharp="0.4", feeds="A", face="3", page="2")
    at.session_state[session.TABLE_PAGE] = 4
    at.session_state[session.NAMESPACE] = "  ns  "
    at.session_state[session.GROUP_ID] = " b "
    at.session_state[session.SORT] = "time"
    at.session_state[session.MODE] = "compare"
    at.button(key="t_load").click().run()
    ss = at.session_state
    assert said(at)["loaded"] == ("ns", "b")
    assert (ss[session.MODE], ss[session.SORT]) == ("inspect", "time")
    forgotten = (session.CONF, session.SHARP, session.FEEDS, session.FACE)
    pages = (session.GALLERY_PAGE, session.FACES_PAGE, session.TABLE_PAGE)
    assert [key for key in (*forgotten, *pages) if key in ss] == []


def test_open_face_shows_it_in_detail() -> None:
    at = probe(namespace="acme", group="a")
    at.button(key="t_face").click().run()
    assert said(at)["view"] == "detail"
    assert said(at)["face"] == 5


def test_open_group_inspects_it_from_another_mode() -> None:
    at = probe(mode="compare", namespace="acme", face="2")
    at.button(key="t_group").click().run()
    assert at.session_state[session.MODE] == "inspect"
    assert (said(at)["namespace"], said(at)["loaded"], said(at)["face"]) == (
        "ns2",
        ("ns2", "g2"),
        None,
    )


def test_add_to_compare_adds_a_group_once() -> None:
    at = probe(compare="a,b")
    at.button(key="t_compare").click().run()
    at.button(key="t_compare").click().run()
    assert said(at)["compare"] == ["a", "b", "x"]


@pytest.mark.parametrize(
    ("typed", "ids"),
    [
        ("b\na\nb\n\n c ", ["b", "a", "c"]),
        ("b, a\n", ["b, a"]),  # an ID may hold a comma: one ID a line
        (" \n\n", []),
        ("\n".join("abcdefghij"), list("abcdefgh")),
    ],
)
def test_compare_ids_read_one_a_line_deduplicated_and_capped(typed: str, ids: list[str]) -> None:
    at = probe()
    at.session_state[session.COMPARE_IDS] = typed
    assert said(at.run())["compare"] == ids


@pytest.mark.parametrize(
    ("label", "view"),
    [("Stats", "stats"), ("Detail", "detail"), (None, "gallery"), ("stats", "gallery")],
)
def test_the_active_view_is_read_from_the_tabs_label(label: str | None, view: str) -> None:
    at = probe()
    at.session_state[session.VIEW] = label
    assert said(at.run())["view"] == view


def _pages(key: str, count: int) -> None:
    import streamlit as st

    from viewer.ui import session

    st.text(str(session.pager(key).page(count)))


@pytest.mark.parametrize(("kept", "count", "page"), [(None, 5, 1), (3, 5, 3), (9, 5, 5), (0, 5, 1)])
def test_a_pager_clamps_the_kept_page_and_keeps_it_so(
    kept: int | None, count: int, page: int
) -> None:
    at = AppTest.from_function(_pages, args=(session.GALLERY_PAGE, count), default_timeout=30)
    if kept is not None:
        at.session_state[session.GALLERY_PAGE] = kept
    at.run()
    assert not at.exception
    assert at.text[0].value == str(page)
    assert at.session_state[session.GALLERY_PAGE] == page


def _fits(low: float, high: float, choices: list[str]) -> None:
    from viewer.ui import session

    session.fit_range(session.CONF, low, high)
    session.fit_choices(session.FEEDS, choices)


@pytest.mark.parametrize(
    ("conf", "fitted"),
    [
        ((0.1, 1.0), (0.3, 0.9)),
        ((0.5, 0.6), (0.5, 0.6)),
        ((0.95, 0.2), (0.3, 0.9)),
        ((0.0, 0.4), (0.3, 0.4)),
        (0.95, 0.9),
    ],
)
def test_kept_filters_are_fitted_to_the_widgets_about_to_be_drawn(
    conf: object, fitted: object
) -> None:
    at = AppTest.from_function(_fits, args=(0.3, 0.9, ["A", "C"]), default_timeout=30)
    at.session_state[session.CONF] = conf
    at.session_state[session.FEEDS] = ["A", "B", "C"]
    at.run()
    assert not at.exception
    assert at.session_state[session.CONF] == pytest.approx(fitted)
    assert at.session_state[session.FEEDS] == ["A", "C"]


def _writes(**fields: object) -> None:
    from viewer.ui import session
    from viewer.ui.state import ViewState

    session.write_url(ViewState(**fields))  # type: ignore[arg-type]


def test_write_url_puts_the_view_in_the_query_without_defaults() -> None:
    at = AppTest.from_function(
        _writes, kwargs={"namespace": "acme", "sort": "time", "page": 2, "blur": True}
    )
    at.query_params["stale"] = "1"
    at.run()
    assert not at.exception
    assert dict(at.query_params.items()) == {
        "namespace": "acme",
        "sort": "time",
        "page": "2",
        "blur": "1",
    }


def test_keys_of_a_family_join_their_parts() -> None:
    assert session.keyed(session.OPEN_TILE, 3) == "open_f_3"
    assert session.keyed(session.COMPARE_FIGURES, 4, "g-1") == "cmp_fig_4_g-1"


def test_no_other_ui_module_touches_the_session_or_the_url() -> None:
    touching = re.compile(r"session_state|query_params")
    found = {
        path.name for path in UI.glob("*.py") if touching.search(path.read_text(encoding="utf-8"))
    }
    assert found == {"session.py"}
