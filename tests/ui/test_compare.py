"""Compare through the app: groups side by side, kept in the URL."""

from __future__ import annotations

from tests.ui.apptest import run
from viewer.demo.server import DemoServer


def test_compare_shows_each_group_and_keeps_them_in_the_url(on_demo: DemoServer) -> None:
    at = run(mode="compare", namespace="acme", compare="demo-person-a1,demo-person-a2")
    assert not at.exception
    assert {b.key for b in at.button} >= {"cmp_open_demo-person-a1", "cmp_open_demo-person-a2"}
    assert at.query_params["compare"] == "demo-person-a1,demo-person-a2"
