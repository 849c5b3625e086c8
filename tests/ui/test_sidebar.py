"""The sidebar through the app: the group form and the blur switch."""

from __future__ import annotations

from tests.ui.apptest import SAMPLE, run
from viewer.demo.server import DemoServer


def test_the_form_loads_another_group_and_writes_the_url(on_demo: DemoServer) -> None:
    at = run(namespace="acme", group=SAMPLE)
    at.text_input(key="group_id").set_value("demo-pixels")
    at.button(key="load").click()
    at.run()
    assert not at.exception
    assert at.query_params["group"] == "demo-pixels"
    assert "demo-pixels" in at.subheader[0].value.replace("\\", "")
    # the sample's narrow confidence range must not become a filter on the new group
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Shown"] == metrics["Faces"] == "16"


def test_blur_is_carried_in_the_url(on_demo: DemoServer) -> None:
    at = run(namespace="acme", group="demo-crowd", blur="1")
    assert not at.exception
    assert at.toggle(key="blur").value is True
    assert at.query_params["blur"] == "1"
