"""Browse through the app: a page of the namespace's groups, paging, Open."""

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
