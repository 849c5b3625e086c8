"""The Streamlit page, driven headless with AppTest against the demo API over loopback."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from streamlit.testing.v1 import AppTest

from viewer.demo.server import DemoServer

APP = str(Path(__file__).resolve().parent.parent / "app.py")
SAMPLE = "ab36de62-fe3e-4907-8a03-7d27c21fa01a"


@pytest.fixture(autouse=True)
def _no_ambient_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("II_API_URL", "II_ACCESS_TOKEN", "II_CLIENT_ID", "II_CLIENT_SECRET"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture()
def on_demo(monkeypatch: pytest.MonkeyPatch, demo: DemoServer) -> DemoServer:
    """Point the app at the test's own demo API, so requests can be counted."""
    monkeypatch.setenv("II_API_URL", demo.api_url)
    monkeypatch.setenv("II_ACCESS_TOKEN", demo.static_token)
    monkeypatch.setenv("II_ALLOW_PRIVATE_IMAGE_HOSTS", "1")
    return demo


@pytest.fixture()
def on_own_demo(monkeypatch: pytest.MonkeyPatch) -> Iterator[DemoServer]:
    """A demo API for this test alone, so its request counts see only this test's requests
    (a new API URL also gives the app a new, empty pipeline)."""
    server = DemoServer(host="127.0.0.1", port=0).start()
    monkeypatch.setenv("II_API_URL", server.api_url)
    monkeypatch.setenv("II_ACCESS_TOKEN", server.static_token)
    monkeypatch.setenv("II_ALLOW_PRIVATE_IMAGE_HOSTS", "1")
    try:
        yield server
    finally:
        server.stop()


def run(**params: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=90)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    return at


def unescaped(markdown: str) -> str:
    """Text as the page shows it: the viewer escapes Markdown specials with backslashes."""
    return re.sub(r"\\(.)", r"\1", markdown)


def gallery_images(at: AppTest) -> list:
    """Images in the main area (the sidebar holds the colour legend)."""
    return list(at.main.image)


def test_demo_mode_shows_the_sample_group_without_typing() -> None:
    at = run()
    assert not at.exception
    assert not at.error
    assert any("Demo data" in i.value for i in at.sidebar.info)
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
    assert ss["conf"] == pytest.approx(0.8)
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


def test_compare_shows_each_group_and_keeps_them_in_the_url(on_demo: DemoServer) -> None:
    at = run(mode="compare", namespace="acme", compare="demo-person-a1,demo-person-a2")
    assert not at.exception
    assert {b.key for b in at.button} >= {"cmp_open_demo-person-a1", "cmp_open_demo-person-a2"}
    assert at.query_params["compare"] == "demo-person-a1,demo-person-a2"


def test_blur_is_carried_in_the_url(on_demo: DemoServer) -> None:
    at = run(namespace="acme", group="demo-crowd", blur="1")
    assert not at.exception
    assert at.toggle(key="blur").value is True
    assert at.query_params["blur"] == "1"


def test_export_buttons_are_offered_for_the_shown_faces(on_demo: DemoServer) -> None:
    at = run(namespace="acme", group="demo-crowd", pose="frontal")
    assert not at.exception
    keys = {b.key for b in at.get("download_button")}
    assert {"download_zip", "download_sheet_png", "download_sheet_jpg"} <= keys


def test_the_large_group_downloads_each_image_at_most_once(on_own_demo: DemoServer) -> None:
    """Filters, sort and tabs over the 2,000-face group fetch new images only, never one again."""
    on_demo = on_own_demo
    at = run(namespace="acme", group="demo-large")
    at.selectbox(key="sort").set_value("worst")
    at.run()
    at.slider(key="conf").set_value(0.6)
    at.run()
    at.radio(key="pose").set_value("frontal")
    at.run()
    at.slider(key="conf").set_value(0.0)
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
