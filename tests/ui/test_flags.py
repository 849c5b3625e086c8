"""Flags with signal, through the app: a failed image counts as a problem once it has been
tried, and the header's Flagged count follows the filters."""

from __future__ import annotations

from tests.ui.apptest import run
from viewer.demo.server import DemoServer


def flagged(at) -> int:  # type: ignore[no-untyped-def]
    (metric,) = [m for m in at.metric if m.label == "Flagged"]
    return int(metric.value.replace(",", ""))


def table_ids(at) -> set[str]:  # type: ignore[no-untyped-def]
    return set(at.dataframe(key="table").value["customId"])


def test_an_image_that_failed_is_flagged_once_it_was_tried(on_own_demo: DemoServer) -> None:
    at = run(namespace="acme", group="demo-broken")  # the gallery tries every image
    at.run()
    assert not at.exception
    at.toggle(key="problems").set_value(True)
    at.session_state["view"] = "Table"
    at.run()
    assert not at.exception
    ids = table_ids(at)
    # a 404 and a file that is no image, beside the faces with data problems
    assert {"broken-url-404", "broken-not-an-image"} <= ids
    assert {"broken-no-url", "broken-no-box"} <= ids
    row = at.dataframe(key="table").value.set_index("customId").loc["broken-url-404"]
    assert "image failed" in row["flags"]
    assert flagged(at) == len(ids)


def test_the_flagged_count_follows_the_filters(on_demo: DemoServer) -> None:
    at = run(namespace="acme", group="demo-large")
    everyone = flagged(at)
    assert 0 < everyone < 2000 * 0.1  # the defaults flag what deserves a second look
    at.radio(key="pose").set_value("profile")
    at.run()
    assert not at.exception
    profile = flagged(at)
    at.radio(key="pose").set_value("frontal")
    at.run()
    frontal = flagged(at)
    assert 0 < profile < everyone and 0 < frontal < everyone
    assert profile + frontal <= everyone
