"""The first screen on the demo API: every demo group, what it shows, one click away."""

from __future__ import annotations

from tests.ui.apptest import run, unescaped
from viewer.demo import CATALOGUE
from viewer.demo.server import DemoServer

OPENS = "demo_open_"


def test_the_demo_first_screen_tells_what_each_group_shows() -> None:
    at = run(namespace="acme")  # a namespace, no group: nothing is chosen yet
    assert not at.exception
    assert at.title[0].value == "Group Viewer"
    texts = [unescaped(m.value) for m in at.main.markdown]
    for demo in CATALOGUE:
        line = f"**{demo.group_id}** in {demo.namespace}: {demo.description}"
        assert line in texts, line
    opens = [b.key for b in at.button if b.key.startswith(OPENS)]
    assert opens == [f"{OPENS}{d.namespace}_{d.group_id}" for d in CATALOGUE]


def test_a_demo_group_is_one_click_from_the_first_screen() -> None:
    at = run(namespace="acme")
    at.button(key=f"{OPENS}acme2_demo-small").click()
    at.run()
    assert not at.exception
    assert (at.query_params["namespace"], at.query_params["group"]) == ("acme2", "demo-small")
    assert "demo-small" in unescaped(at.subheader[0].value)
    assert not [b for b in at.button if b.key.startswith(OPENS)]


def test_an_api_of_ones_own_gets_no_demo_first_screen(on_demo: DemoServer) -> None:
    at = run(namespace="acme")
    assert not at.exception
    assert not [b for b in at.button if b.key.startswith(OPENS)]
    assert [i.value for i in at.main.info] == [
        "Enter a namespace and a group ID in the sidebar, then press Load."
    ]
