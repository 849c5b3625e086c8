"""Browse through the app: a page of the namespace's groups, Open and Compare buttons."""

from __future__ import annotations

from datetime import date

import pytest

from tests.ui.apptest import run, unescaped
from viewer.demo.server import DemoServer
from viewer.ui.browse import page_words


def test_browse_lists_groups_and_opens_one(on_demo: DemoServer) -> None:
    at = run(mode="browse", namespace="acme")
    assert not at.exception
    opens = [b for b in at.button if b.key and b.key.startswith("browse_open_")]
    assert len(opens) == 10
    target = next(b for b in opens if b.key.endswith("_demo-crowd"))
    target.click()
    at.run()
    assert not at.exception
    assert at.session_state["mode"] == "inspect"
    assert at.query_params["group"] == "demo-crowd"


def test_browse_pages_through_groups(on_demo: DemoServer) -> None:
    at = run(mode="browse", namespace="acme")
    first = {
        b.key.split("_", 3)[3] for b in at.button if b.key and b.key.startswith("browse_open_")
    }
    at.number_input(key="browse_page").set_value(2)
    at.run()
    second = {
        b.key.split("_", 3)[3] for b in at.button if b.key and b.key.startswith("browse_open_")
    }
    assert not at.exception
    assert second and first.isdisjoint(second)


def test_browse_adds_groups_to_compare_once_each(on_demo: DemoServer) -> None:
    at = run(mode="browse", namespace="acme", compare="demo-person-a1")
    for _ in range(2):  # the second click adds nothing
        (button,) = [
            b
            for b in at.button
            if b.key.startswith("browse_cmp_") and b.key.endswith("_demo-crowd")
        ]
        button.click()
        at.run()
    at.radio(key="mode").set_value("compare")
    at.run()
    assert not at.exception
    assert at.query_params["compare"] == "demo-person-a1,demo-crowd"
    assert {"cmp_open_demo-person-a1", "cmp_open_demo-crowd"} <= {b.key for b in at.button}


def _listed(at) -> list[str]:
    """The group IDs of the Open buttons on the page, in order."""
    return [b.key.split("_", 3)[3] for b in at.button if b.key and b.key.startswith("browse_open_")]


def test_browse_says_the_page_and_the_total(on_demo: DemoServer) -> None:
    at = run(mode="browse", namespace="acme", bpage="2")
    assert not at.exception
    assert at.number_input(key="browse_page").value == 2
    assert any(c.value.startswith("Page 2 of 2 · 11 groups") for c in at.caption)
    assert len(_listed(at)) == 1


def test_a_browse_link_reopens_its_page_dates_and_feeds(on_demo: DemoServer) -> None:
    at = run(mode="browse", namespace="acme")
    at.selectbox(key="browse_order").set_value("ASC")
    at.text_input(key="browse_feeds").set_value("Camera_1, Dock, east")
    at.number_input(key="browse_page").set_value(1)
    at.run()
    at.date_input(key="browse_from").set_value(date(2020, 1, 1))
    at.date_input(key="browse_to").set_value(date(2035, 12, 31))
    at.run()
    assert not at.exception
    link = dict(at.query_params)
    assert link["border"] == "ASC"
    assert (link["from"], link["to"]) == ("2020-01-01", "2035-12-31")
    assert link["bfeeds"] == "Camera_1,Dock,east"
    again = run(**link)
    assert not again.exception
    assert again.selectbox(key="browse_order").value == "ASC"
    assert again.text_input(key="browse_feeds").value == "Camera_1, Dock, east"
    assert again.date_input(key="browse_from").value == date(2020, 1, 1)
    assert again.date_input(key="browse_to").value == date(2035, 12, 31)
    assert _listed(again) == _listed(at)
    assert dict(again.query_params) == link


def test_a_browse_page_past_the_last_shows_the_last(on_demo: DemoServer) -> None:
    at = run(mode="browse", namespace="acme", bpage="9")
    assert not at.exception
    assert at.number_input(key="browse_page").value == 2
    assert at.query_params["bpage"] == "2"


def test_adding_a_group_to_compare_names_it(on_demo: DemoServer) -> None:
    at = run(mode="browse", namespace="acme")
    (button,) = [
        b for b in at.button if b.key.startswith("browse_cmp_") and b.key.endswith("_demo-crowd")
    ]
    button.click()
    at.run()
    assert not at.exception
    assert [unescaped(s.value) for s in at.success] == [
        "Added demo-crowd to Compare (now 1 group). Choose Compare in the sidebar to see them "
        "side by side."
    ]
    button = next(
        b for b in at.button if b.key.startswith("browse_cmp_") and b.key.endswith("_demo-crowd")
    )
    button.click()
    at.run()
    assert [unescaped(s.value) for s in at.success] == [
        "Nothing added: that group is already in Compare."
    ]
    at.run()  # said once
    assert not at.success


def _rows(at) -> dict[str, list]:
    """Each Browse row's elements in page order, by its group ID (its bold title)."""
    rows: dict[str, list] = {}
    current: list[list] = []

    def walk(node) -> None:
        for child in getattr(node, "children", {}).values():
            if type(child).__name__ == "Markdown" and child.value.startswith("**"):
                current[:] = [rows.setdefault(unescaped(child.value).strip("*"), [])]
            if current:
                current[0].append(child)
            walk(child)

    walk(at.main)
    return rows


def _strip(row: list) -> tuple[int, list[str]]:
    """How many crops a row's strip shows, and the row's captions under it."""
    (strip,) = [e for e in row if type(e).__name__ == "Image"]
    captions = [unescaped(e.value) for e in row if type(e).__name__ == "Caption"]
    return len(strip.proto.imgs), captions[1:]


def test_best_faces_skip_failed_images_and_say_so(on_demo: DemoServer) -> None:
    at = run(mode="browse", namespace="acme")
    rows = _rows(at)
    # demo-broken's two best faces are a 404 and a file that is no image: the next best show
    assert _strip(rows["demo-broken"]) == (
        5,
        ["Skipped 2 faces whose image failed; the next best are shown."],
    )
    assert _strip(rows["demo-crowd"]) == (6, [])


def test_best_faces_skip_blurry_crops_and_say_so(on_demo: DemoServer) -> None:
    at = run(mode="browse", namespace="acme2")
    # demo-small: three faces, one of sharpness 0.28 (under 0.30)
    assert _strip(_rows(at)["demo-small"]) == (
        2,
        ["Skipped 1 blurry face; the next best are shown."],
    )


@pytest.mark.parametrize(
    ("page", "total", "more", "per_page", "words"),
    [
        (2, 63, False, 10, "Page 2 of 7 · 63 groups"),
        (1, 1, False, 10, "Page 1 of 1 · 1 group"),
        (1, 0, False, 20, "Page 1 of 1 · 0 groups"),
        (3, 120, False, 20, "Page 3 of 6 · 120 groups"),
        (
            2,
            163,
            False,
            50,
            "Page 2 of 3 · 163 groups (the API lists the first 150 at this page size)",
        ),
        (
            11,
            200,
            True,
            10,
            "Page 11 of 11 · at least 200 groups (the API lists the first 110 at this page size)",
        ),
    ],
)
def test_page_words_say_the_page_the_pages_and_the_groups(
    page: int, total: int, more: bool, per_page: int, words: str
) -> None:
    assert page_words(page, total, more, per_page) == words


def test_a_full_compare_names_the_group_it_could_not_add(on_demo: DemoServer) -> None:
    at = run(mode="browse", namespace="acme", compare=",".join("abcdefgh"))
    (button,) = [
        b for b in at.button if b.key.startswith("browse_cmp_") and b.key.endswith("_demo-crowd")
    ]
    button.click()
    at.run()
    assert [unescaped(s.value) for s in at.success] == [
        "Compare holds at most 8 groups, so demo-crowd was not added: remove a group in "
        "Compare first."
    ]


def test_dates_the_wrong_way_round_are_said_before_any_search(on_demo: DemoServer) -> None:
    at = run(mode="browse", namespace="acme")
    at.date_input(key="browse_from").set_value(date(2026, 12, 5))
    at.date_input(key="browse_to").set_value(date(2026, 12, 1))
    on_demo.reset_counts()
    at.run()
    assert not at.exception
    assert [i.value for i in at.main.info] == [
        "The end date is before the start date: swap them to list groups."
    ]
    assert on_demo.request_count("/v2/recognition/") == 0
    assert not _listed(at)
