"""Compare through the app: groups side by side, kept in the URL."""

from __future__ import annotations

from tests.ui.apptest import run, unescaped
from viewer.demo.server import DemoServer


def test_compare_shows_each_group_and_keeps_them_in_the_url(on_demo: DemoServer) -> None:
    at = run(mode="compare", namespace="acme", compare="demo-person-a1,demo-person-a2")
    assert not at.exception
    assert {b.key for b in at.button} >= {"cmp_open_demo-person-a1", "cmp_open_demo-person-a2"}
    assert at.query_params["compare"] == "demo-person-a1,demo-person-a2"


def test_compare_reads_the_typed_ids_and_opens_a_group(on_demo: DemoServer) -> None:
    at = run(mode="compare", namespace="acme")
    at.text_area(key="compare_ids").set_value(" demo-pixels\ndemo-crowd \n\ndemo-pixels\n")
    at.run()
    assert at.query_params["compare"] == "demo-pixels,demo-crowd"
    at.button(key="cmp_open_demo-crowd").click()
    at.run()
    assert not at.exception
    assert at.query_params["group"] == "demo-crowd"
    assert "demo-crowd" in unescaped(at.subheader[0].value)


def test_compare_without_the_face_model_says_so_once_and_shows_the_groups(
    on_demo: DemoServer,
) -> None:
    at = run(mode="compare", namespace="acme", compare="demo-person-a1,demo-person-a2")
    assert not at.exception
    said = [i.value for i in at.info if "Centre distances are not shown" in i.value]
    assert len(said) == 1 and "II_FACE_MODEL=off" in unescaped(said[0])
    assert {b.key for b in at.button} >= {"cmp_open_demo-person-a1", "cmp_open_demo-person-a2"}
    assert len(at.main.image) == 2  # each group's strip of best faces


def test_an_id_with_a_comma_survives_the_box_and_the_address(on_demo: DemoServer) -> None:
    at = run(mode="compare", namespace="acme")
    at.text_area(key="compare_ids").set_value("demo-crowd\nno,such group")
    at.run()
    link = at.query_params["compare"]
    assert link == "demo-crowd,no%2Csuch group"
    again = run(mode="compare", namespace="acme", compare=link)
    assert not again.exception
    assert again.text_area(key="compare_ids").value == "demo-crowd\nno,such group"
    titles = [unescaped(m.value) for m in again.markdown]
    assert "**no,such group**" in titles
    assert len(again.error) == 1  # the API has no such group; demo-crowd still shows
    assert "cmp_open_demo-crowd" in {b.key for b in again.button}
