"""ViewState to and from URL query parameters: defaults, round trips, and lenient reading."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from viewer.select import Filters, Thresholds
from viewer.ui.state import (
    BrowseState,
    ViewState,
    as_params,
    from_params,
    join_list,
    split_list,
)

FULL_PARAMS = {
    "namespace": "acme",
    "group": "ab36de62-fe3e-4907-8a03-7d27c21fa01a",
    "view": "table",
    "page": "3",
    "per": "48",
    "sort": "confidence",
    "order": "desc",
    "conf": "0.55",
    "sharp": "0.25",
    "confmax": "0.9",
    "sharpmax": "0.75",
    "pose": "profile",
    "feeds": "Camera_1,Camera_2",
    "problems": "1",
    "tconf": "0.8",
    "tsharp": "0.4",
    "color": "confidence",
    "blur": "1",
    "face": "7",
    "compare": "a,b",
    "mode": "review",
    "verdict": "not_this_person",
}
FULL_STATE = ViewState(
    namespace="acme",
    group="ab36de62-fe3e-4907-8a03-7d27c21fa01a",
    view="table",
    page=3,
    per_page=48,
    sort="confidence",
    descending=True,
    filters=Filters(
        min_confidence=0.55,
        min_sharpness=0.25,
        max_confidence=0.9,
        max_sharpness=0.75,
        pose="profile",
        feeds=("Camera_1", "Camera_2"),
        only_problems=True,
    ),
    thresholds=Thresholds(confidence=0.8, sharpness=0.4),
    color="confidence",
    blur=True,
    face=7,
    compare=("a", "b"),
    mode="review",
    verdict="not_this_person",
)


def test_empty_params_give_defaults() -> None:
    state, notices = from_params({})
    assert notices == []
    assert state == ViewState()
    assert (state.namespace, state.group, state.view) == ("", "", "gallery")
    assert (state.page, state.per_page, state.sort, state.descending) == (1, 24, "index", False)
    assert state.filters == Filters(0.0, 0.0, "all", (), False)
    assert state.thresholds == Thresholds(0.5, 0.15)
    assert (state.color, state.blur, state.face, state.compare) == ("frontal", False, None, ())


def test_full_params() -> None:
    assert from_params(FULL_PARAMS) == (FULL_STATE, [])
    assert as_params(FULL_STATE) == FULL_PARAMS


@pytest.mark.parametrize(
    "state",
    [
        pytest.param(FULL_STATE, id="full"),
        pytest.param(ViewState(), id="default"),
        pytest.param(ViewState(face=0), id="face 0"),
        pytest.param(ViewState(page=100_000, per_page=12), id="last page"),
        pytest.param(ViewState(sort="worst", descending=True), id="worst desc"),
        pytest.param(ViewState(view="detail", face=1_000_000), id="detail"),
        pytest.param(ViewState(filters=Filters(min_confidence=1.0, pose="frontal")), id="conf 1"),
        pytest.param(ViewState(thresholds=Thresholds(0.0, 1.0)), id="thresholds 0 and 1"),
        pytest.param(ViewState(blur=True, color="confidence", view="stats"), id="blur"),
        pytest.param(ViewState(compare=tuple("abcdefgh")), id="eight compared"),
        pytest.param(
            ViewState(namespace="a b&c=d", group="g/1?x", filters=Filters(feeds=("x y",))),
            id="odd text",
        ),
        pytest.param(
            ViewState(
                compare=("a,b", "c", "100%", "d%2Ce", ",", "%"),
                filters=Filters(feeds=("Gate 1, north", "Lobby")),
            ),
            id="commas and percent signs in ids and feeds",
        ),
        pytest.param(
            ViewState(
                mode="browse",
                namespace="acme",
                browse=BrowseState(
                    page=3,
                    per_page=20,
                    order="ASC",
                    start=date(2026, 11, 1),
                    end=date(2026, 11, 30),
                    feeds=("Camera_1", "Dock, east"),
                ),
            ),
            id="browse page, dates and feeds",
        ),
        pytest.param(ViewState(browse=BrowseState(end=date(2026, 1, 2))), id="browse until"),
    ],
)
def test_round_trip(state: ViewState) -> None:
    params = as_params(state)
    assert all(isinstance(v, str) for v in params.values())
    assert from_params(params) == (state, [])


@pytest.mark.parametrize(
    ("name", "raw"),
    [
        ("view", "nope"),
        ("view", ""),
        ("view", "Gallery"),
        ("page", "0"),
        ("page", "abc"),
        ("page", "-1"),
        ("page", "1.5"),
        ("page", ""),
        ("page", "100001"),
        ("per", "13"),
        ("per", "abc"),
        ("sort", "x"),
        ("sort", "Confidence"),
        ("order", "up"),
        ("conf", "2"),
        ("conf", "-0.1"),
        ("conf", "abc"),
        ("conf", "nan"),
        ("conf", "inf"),
        ("sharp", "1.5"),
        ("tconf", "abc"),
        ("tsharp", "2"),
        ("pose", "side"),
        ("color", "red"),
        ("blur", "yes"),
        ("problems", "2"),
        ("face", "-1"),
        ("face", "abc"),
        ("verdict", "Belongs"),
        ("verdict", "not this person"),
        ("mode", "queue"),
        ("bpage", "0"),
        ("bpage", "two"),
        ("bper", "24"),
        ("border", "desc"),
        ("from", "2026-13-01"),
        ("from", "yesterday"),
        ("to", "20261201"),
        ("to", "2026-12-1"),
        ("from", "1969-12-31"),
        pytest.param(
            "page",
            "²",
            id="page-superscript-two",
        ),
        pytest.param(
            "face",
            "9" * 5000,
            id="face-5000-digits",
        ),
    ],
)
def test_malformed_value_falls_back_with_one_notice(name: str, raw: str) -> None:
    state, notices = from_params({name: raw})
    assert state == ViewState()
    assert len(notices) == 1
    assert f"Ignored {name}=" in notices[0]


def test_bad_values_do_not_spoil_good_ones() -> None:
    params = {"view": "nope", "page": "2", "conf": "2", "pose": "frontal", "blur": "yes"}
    state, notices = from_params(params)
    assert state == ViewState(page=2, filters=Filters(pose="frontal"))
    assert len(notices) == 3
    assert sorted(n.split("=")[0] for n in notices) == [
        "Ignored blur",
        "Ignored conf",
        "Ignored view",
    ]


def test_every_bad_value_gets_its_own_notice() -> None:
    params = {
        "view": "nope",
        "page": "0",
        "per": "13",
        "sort": "x",
        "order": "up",
        "conf": "abc",
        "sharp": "2",
        "pose": "side",
        "blur": "yes",
        "face": "-1",
    }
    state, notices = from_params(params)
    assert state == ViewState()
    assert len(notices) == len(params)
    for name in params:
        assert sum(f"Ignored {name}=" in n for n in notices) == 1


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"order": "asc"}, ViewState()),
        ({"order": "desc"}, ViewState(descending=True)),
        ({"sort": "time", "order": "asc"}, ViewState(sort="time")),
        ({"view": "detail"}, ViewState(view="detail")),
        ({"per": "12"}, ViewState(per_page=12)),
        ({"page": "100000"}, ViewState(page=100_000)),
        ({"face": "0"}, ViewState(face=0)),
        ({"conf": "0"}, ViewState()),
        ({"conf": "1"}, ViewState(filters=Filters(min_confidence=1.0))),
        ({"sharp": "0.3"}, ViewState(filters=Filters(min_sharpness=0.3))),
        ({"confmax": "0.8"}, ViewState(filters=Filters(max_confidence=0.8))),
        ({"sharpmax": "1"}, ViewState()),
        ({"pose": "all"}, ViewState()),
        ({"tconf": "0", "tsharp": "1"}, ViewState(thresholds=Thresholds(0.0, 1.0))),
        ({"color": "confidence"}, ViewState(color="confidence")),
    ],
)
def test_valid_values(params: dict[str, str], expected: ViewState) -> None:
    assert from_params(params) == (expected, [])


@pytest.mark.parametrize(
    ("name", "raw", "expected"),
    [
        ("blur", "1", True),
        ("blur", "true", True),
        ("blur", "0", False),
        ("blur", "false", False),
        ("problems", "true", True),
        ("problems", "0", False),
    ],
)
def test_flags(name: str, raw: str, expected: bool) -> None:
    state, notices = from_params({name: raw})
    assert notices == []
    value = state.blur if name == "blur" else state.filters.only_problems
    assert value is expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("A", ("A",)),
        ("A,B", ("A", "B")),
        ("A,,B,", ("A", "B")),
        ("B,A,B,A", ("B", "A")),
        (",", ()),
        ("", ()),
    ],
)
def test_feeds_and_compare_split_and_deduplicate(raw: str, expected: tuple[str, ...]) -> None:
    state, notices = from_params({"feeds": raw, "compare": raw})
    assert notices == []
    assert state.filters.feeds == expected
    assert state.compare == expected


@pytest.mark.parametrize(
    ("items", "raw"),
    [
        (("a", "b"), "a,b"),
        (("a,b",), "a%2Cb"),
        (("50%",), "50%25"),
        (("a%2Cb",), "a%252Cb"),
        ((",", "x"), "%2C,x"),
    ],
)
def test_a_list_in_the_url_keeps_commas_inside_its_items(items: tuple[str, ...], raw: str) -> None:
    assert join_list(items) == raw
    assert split_list(raw) == items


def test_browse_dates_the_wrong_way_round_keep_the_start_with_a_notice() -> None:
    state, notices = from_params({"from": "2026-12-05", "to": "2026-12-01"})
    assert state.browse == BrowseState(start=date(2026, 12, 5))
    assert notices == ["Ignored to='2026-12-01': it is before from='2026-12-05'."]


def test_compare_keeps_at_most_eight_after_deduplicating() -> None:
    state, _ = from_params({"compare": "a,a,b,c,d,e,f,g,h,i,j"})
    assert state.compare == ("a", "b", "c", "d", "e", "f", "g", "h")


def test_namespace_and_group_are_capped() -> None:
    state, notices = from_params({"namespace": "n" * 1500, "group": "g" * 1001})
    assert notices == []
    assert (state.namespace, state.group) == ("n" * 1000, "g" * 1000)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({}, {}),
        ({"page": 1, "per_page": 24, "sort": "index", "descending": False}, {}),
        ({"filters": Filters(min_confidence=0.0, pose="all")}, {}),
        ({"thresholds": Thresholds(confidence=0.5, sharpness=0.15)}, {}),
        ({"color": "frontal", "blur": False, "face": None, "compare": ()}, {}),
        ({"namespace": "acme"}, {"namespace": "acme"}),
        ({"view": "stats"}, {"view": "stats"}),
        ({"page": 2}, {"page": "2"}),
        ({"per_page": 12}, {"per": "12"}),
        ({"sort": "time"}, {"sort": "time"}),
        ({"descending": True}, {"order": "desc"}),
        ({"filters": Filters(min_sharpness=0.5)}, {"sharp": "0.5"}),
        ({"filters": Filters(feeds=("A", "B"))}, {"feeds": "A,B"}),
        ({"filters": Filters(only_problems=True)}, {"problems": "1"}),
        ({"thresholds": Thresholds(confidence=0.7)}, {"tconf": "0.7"}),
        ({"thresholds": Thresholds(sharpness=0.25)}, {"tsharp": "0.25"}),
        ({"color": "confidence"}, {"color": "confidence"}),
        ({"blur": True}, {"blur": "1"}),
        ({"face": 0}, {"face": "0"}),
        ({"compare": ("x",)}, {"compare": "x"}),
        ({"compare": ("x,y", "z")}, {"compare": "x%2Cy,z"}),
        ({"browse": BrowseState()}, {}),
        ({"browse": BrowseState(page=2, feeds=("A,B",))}, {"bpage": "2", "bfeeds": "A%2CB"}),
        ({"browse": BrowseState(start=date(2026, 3, 4))}, {"from": "2026-03-04"}),
    ],
)
def test_as_params_leaves_defaults_out(change: dict, expected: dict[str, str]) -> None:
    assert as_params(replace(ViewState(), **change)) == expected


def test_importing_state_does_not_import_streamlit() -> None:
    code = "import sys, viewer.ui.state; print(any(m.startswith('streamlit') for m in sys.modules))"
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert out.stdout.strip() == "False"
