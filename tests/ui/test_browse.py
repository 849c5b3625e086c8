"""Browse through the app: a page of the namespace's groups, Open and Compare buttons."""

from __future__ import annotations

from tests.ui.apptest import run
from viewer.demo.server import DemoServer


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
