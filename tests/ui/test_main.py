"""The page as a whole, driven headless with AppTest against the demo API over loopback:
loading from the URL, errors, every view, what is fetched, and that no text becomes Markdown."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from streamlit.testing.v1 import AppTest

from tests.ui.apptest import SAMPLE, gallery_images, run, unescaped
from viewer.demo.server import DemoServer


def test_demo_mode_first_shows_the_demo_groups_one_click_from_each() -> None:
    at = run()
    assert not at.exception
    assert not at.error
    assert any("Demo data" in i.value for i in at.sidebar.info)
    assert at.title[0].value == "Group Viewer"
    assert at.text_input(key="namespace").value == "acme"
    at.button(key=f"demo_open_acme_{SAMPLE}").click()
    at.run()
    images = gallery_images(at)
    assert len(images) == 1
    assert "some" in images[0].captions[0]
    assert at.query_params["namespace"] == "acme"
    assert at.query_params["group"] == SAMPLE


def test_query_parameters_load_a_group(on_demo: DemoServer) -> None:
    at = run(namespace="acme", group="demo-crowd")
    assert not at.exception
    assert "demo-crowd" in at.subheader[0].value.replace("\\", "")
    assert len(gallery_images(at)) > 1
    assert at.metric[0].value == "13"


def test_unknown_group_is_one_sentence(on_demo: DemoServer) -> None:
    at = run(namespace="acme", group="no-such-group")
    assert not at.exception
    assert len(at.error) == 1
    assert "No such group (404)" in unescaped(at.error[0].value)


@pytest.mark.parametrize(
    ("group", "words"),
    [("a/b", "slash"), ("..", "cannot be"), ("x" * 300, "at most 256"), ("a%20b", "'%'")],
)
def test_invalid_input_is_refused_before_any_request(
    on_demo: DemoServer, group: str, words: str
) -> None:
    on_demo.reset_counts()
    at = run(namespace="acme", group=group)
    assert not at.exception
    assert words in unescaped(at.error[0].value)
    assert on_demo.request_count("/v2/recognition/") == 0


@pytest.mark.parametrize("view", ["gallery", "faces", "table", "stats", "detail"])
def test_each_view_renders(on_demo: DemoServer, view: str) -> None:
    at = run(namespace="acme", group="demo-crowd", view=view)
    assert not at.exception
    assert at.session_state["view"] == view.capitalize()
    if view == "faces":
        assert len(gallery_images(at)) == 13  # one tile per face
    elif view == "table":
        table = at.dataframe(key="table").value
        assert len(table) == 13
        assert {"face", "confidence", "sharpness", "frontal", "feed"} <= set(table.columns)
    elif view == "stats":
        assert [m.label for m in at.metric][-4:] == [
            "Faces",
            "Frontal share",
            "Median confidence",
            "Median sharpness",
        ]
    elif view == "detail":
        (fields,) = [
            d.value for d in at.dataframe if "box in pixels" in set(d.value.get("field", []))
        ]
        assert "box in pixels" in set(fields["field"])
        assert "read as" in set(fields["field"])


def test_a_view_is_restored_from_its_url(on_demo: DemoServer) -> None:
    params = {
        "namespace": "acme",
        "group": "demo-large",
        "view": "faces",
        "sort": "confidence",
        "order": "desc",
        "conf": "0.8",
        "pose": "frontal",
        "per": "12",
        "page": "2",
    }
    at = run(**params)
    assert not at.exception
    ss = at.session_state
    assert (ss["sort"], ss["desc"], ss["pose"], ss["per_page"]) == (
        "confidence",
        True,
        "frontal",
        12,
    )
    assert ss["conf"][0] == pytest.approx(0.8)  # the top end: the group's highest
    assert len(gallery_images(at)) == 12
    assert dict(at.query_params.items()) == params


def test_malformed_url_values_fall_back_with_a_notice(on_demo: DemoServer) -> None:
    at = run(namespace="acme", group="demo-crowd", view="nope", page="abc", conf="7")
    assert not at.exception
    notices = unescaped(" ".join(i.value for i in at.info))
    assert "view" in notices and "page" in notices and "conf" in notices
    assert at.session_state["view"] == "Gallery"


def test_changing_sort_order_colour_or_tab_fetches_no_image_again(
    on_own_demo: DemoServer,
) -> None:
    on_demo = on_own_demo
    at = run(namespace="acme", group="demo-crowd")
    at.selectbox(key="sort").set_value("sharpness")
    at.run()
    at.toggle(key="desc").set_value(True)
    at.run()
    at.radio(key="color").set_value("confidence")
    at.run()
    at.session_state["view"] = "Faces"
    at.run()
    assert not at.exception
    assert len(gallery_images(at)) == 13  # the Faces tab drew a tile per face
    paths = {urlsplit(f["url"]).path for f in on_demo.data.groups[("acme", "demo-crowd")]["images"]}
    counts = [on_demo.request_count(path) for path in paths]
    assert counts and min(counts) == max(counts) == 1  # every image, and each once


def test_the_large_group_downloads_each_image_at_most_once(on_own_demo: DemoServer) -> None:
    """Filters, sort and tabs over the 2,000-face group fetch new images only, never one again."""
    on_demo = on_own_demo
    at = run(namespace="acme", group="demo-large")
    at.selectbox(key="sort").set_value("worst")
    at.run()
    at.slider(key="conf").set_value((0.6, 1.0))
    at.run()
    at.radio(key="pose").set_value("frontal")
    at.run()
    at.slider(key="conf").set_value((0.0, 1.0))
    at.run()
    at.radio(key="pose").set_value("all")
    at.run()
    at.selectbox(key="sort").set_value("index")
    at.run()
    assert not at.exception
    paths = {urlsplit(f["url"]).path for f in on_demo.data.groups[("acme", "demo-large")]["images"]}
    counts = {path: on_demo.request_count(path) for path in paths}
    assert sum(counts.values()) > 24  # several pages' worth of images were shown
    assert max(counts.values()) == 1, [p for p, n in counts.items() if n > 1][:5]


LIVE_MARKDOWN = re.compile(r"(?<!\\)!\[|(?<!\\)\]\(|(?<!\\)<(script|img|b>)")


def _rendered_text(at: AppTest) -> list[str]:
    """Every string the page hands to Streamlit's Markdown renderer."""
    texts: list[str] = []
    for kind in (
        "markdown",
        "caption",
        "info",
        "warning",
        "error",
        "success",
        "subheader",
        "title",
        "header",
    ):
        texts += [str(e.value) for e in at.get(kind)]
    texts += [c for img in at.image for c in img.captions]
    texts += [str(b.label) for b in at.button]
    return texts


@pytest.mark.parametrize(
    "params",
    [
        {"namespace": "acme", "group": "demo-bad-data", "view": "faces"},
        {"namespace": "acme", "group": "demo-bad-data", "view": "detail", "face": "3"},
        {"namespace": "acme", "group": "demo-bad-data", "view": "gallery"},
        {"namespace": "acme", "group": "![x](https:attacker.example)"},
        {
            "namespace": "acme",
            "group": SAMPLE,
            "view": "![x](http://attacker.example/p.png)",
            "sort": "[sign in](http://attacker.example)",
            "conf": "<script>alert(1)</script>",
        },
    ],
)
def test_no_api_or_link_text_becomes_live_markdown(
    on_demo: DemoServer, params: dict[str, str]
) -> None:
    at = run(**params)
    assert not at.exception
    texts = _rendered_text(at)
    assert texts
    live = [t for t in texts if LIVE_MARKDOWN.search(t)]
    assert not live, live
