"""What the page says about odd groups: an empty group, refused image URLs, an answer for
another group than the one asked for, times sent in seconds. Driven with AppTest against the
demo API over loopback, the groups served as JSON bodies of the test's own."""

from __future__ import annotations

import json

import pytest

from tests.ui.apptest import run, unescaped
from viewer.demo.server import DemoServer
from viewer.models import parse_face
from viewer.ui.text import seconds_caption

NAMESPACE = "acme"


def serve(demo: DemoServer, group_id: str, group: dict[str, object]) -> None:
    demo.serve_group_body(NAMESPACE, group_id, json.dumps(group).encode())


def texts(at: object, kind: str) -> list[str]:
    return [unescaped(e.value) for e in getattr(at, kind)]


@pytest.mark.parametrize("view", ["gallery", "faces", "table", "stats", "detail"])
def test_an_empty_group_says_it_is_empty_in_every_view(on_demo: DemoServer, view: str) -> None:
    serve(on_demo, "ui-empty", {"id": "ui-empty", "images": []})
    at = run(namespace=NAMESPACE, group="ui-empty", view=view)
    assert not at.exception
    infos = texts(at, "info")
    assert (
        "Group ui-empty is empty: the API sent it without any images, so there are no faces "
        "to show, review or export."
    ) in infos
    assert not [i for i in infos if "filters" in i]
    assert at.metric[0].value == "0"


def test_an_empty_group_is_said_to_be_empty_in_review_mode(on_demo: DemoServer) -> None:
    serve(on_demo, "ui-empty-review", {"id": "ui-empty-review"})  # no images at all
    at = run(namespace=NAMESPACE, group="ui-empty-review", mode="review")
    assert not at.exception
    infos = texts(at, "info")
    assert any(i.startswith("Group ui-empty-review is empty") for i in infos)
    assert not [i for i in infos if "filters" in i]


def _detail(at: object) -> dict[str, str]:
    (frame,) = [d.value for d in at.dataframe if "pose" in set(d.value.get("field", []))]  # type: ignore[attr-defined]
    return dict(zip(frame["field"], frame["value"], strict=True))


def test_detail_names_a_refused_url_and_why_and_keeps_it(on_demo: DemoServer) -> None:
    (good,) = on_demo.data.groups[(NAMESPACE, "ab36de62-fe3e-4907-8a03-7d27c21fa01a")]["images"]
    url = "javascript:alert('<b>x</b>')//" + "a" * 100
    serve(on_demo, "ui-ftp", {"id": "ui-ftp", "images": [good, {**good, "url": url}]})
    at = run(namespace=NAMESPACE, group="ui-ftp", view="detail", face="1")
    assert not at.exception
    assert _detail(at)["url"] == url  # the original, whole
    shown = url[:79] + "…"
    captions = [unescaped(i.caption) for image in at.main.image for i in image.proto.imgs]
    assert (
        f"The image URL '{shown}' is refused: only http and https images are downloaded."
    ) in captions
    assert not [b for b in at.get("link_button") if b.proto.url == url]


@pytest.mark.parametrize(
    ("sent", "warning"),
    [
        (
            {"id": "ui-answered", "namespace": NAMESPACE},
            "The API answered group 'ui-answered' when group 'ui-asked' was asked for; shown "
            "is what it answered.",
        ),
        (
            {"id": "ui-asked", "namespace": "elsewhere"},
            "The API answered group 'ui-asked' in namespace 'elsewhere' when group 'ui-asked' "
            "in namespace 'acme' was asked for; shown is what it answered.",
        ),
    ],
)
def test_an_answer_for_another_group_is_said_above_the_header(
    on_demo: DemoServer, sent: dict[str, object], warning: str
) -> None:
    (good,) = on_demo.data.groups[(NAMESPACE, "ab36de62-fe3e-4907-8a03-7d27c21fa01a")]["images"]
    serve(on_demo, "ui-asked", {**sent, "images": [good]})
    at = run(namespace=NAMESPACE, group="ui-asked")
    assert not at.exception
    assert texts(at, "warning")[0] == warning
    main = [e for e in at.main if e.type in ("warning", "subheader")]  # type: ignore[attr-defined]
    assert unescaped(main[0].value) == warning  # above the header
    assert unescaped(at.subheader[0].value) == f"Group {sent['id']}"  # what was answered
    assert at.metric[0].value == "1"


def test_the_group_asked_for_gets_no_warning(on_demo: DemoServer) -> None:
    at = run(namespace=NAMESPACE, group="demo-crowd")
    assert not at.exception
    assert not [w for w in texts(at, "warning") if "answered" in w]


SECONDS = "createdAt looks like seconds, not milliseconds; shown as seconds"
IN_SECONDS = 1487648348  # 2017-02-21 03:39:08 UTC in seconds; 1970-01-18 as milliseconds
SHOWN = "2017-02-21 03:39:08 UTC"


def _seconds_group(demo: DemoServer) -> None:
    (good,) = demo.data.groups[(NAMESPACE, "ab36de62-fe3e-4907-8a03-7d27c21fa01a")]["images"]
    face = {**good, "createdAt": IN_SECONDS}
    serve(demo, "ui-seconds", {"id": "ui-seconds", "createdAt": IN_SECONDS, "images": [face]})


@pytest.mark.parametrize("view", ["gallery", "table", "stats", "detail"])  # faces: no times
def test_times_sent_in_seconds_are_shown_as_seconds_with_a_note(
    on_demo: DemoServer, view: str
) -> None:
    _seconds_group(on_demo)
    at = run(namespace=NAMESPACE, group="ui-seconds", view=view)
    assert not at.exception
    captions = texts(at, "caption")
    assert any(f"created {SHOWN} ({SECONDS})" in c for c in captions), captions  # the header
    if view == "detail":
        assert _detail(at)["created"] == f"{SHOWN} ({SECONDS})"
    elif view in ("table", "stats"):
        assert (
            "createdAt looks like seconds, not milliseconds, for every face here; shown as seconds."
        ) in captions
    if view == "table":
        time = at.dataframe(key="table").value["time"].iloc[0]
        assert str(time).startswith("2017-02-21 03:39:08")
    elif view == "gallery":
        images = [unescaped(i.caption) for image in at.main.image for i in image.proto.imgs]
        assert any(f"{SHOWN} (sent in seconds)" in c for c in images), images
    assert "1970" not in " ".join(captions)


def test_times_in_milliseconds_get_no_note(on_demo: DemoServer) -> None:
    at = run(namespace=NAMESPACE, group="demo-crowd", view="table")
    assert not at.exception
    assert not [c for c in texts(at, "caption") if "seconds" in c]


def test_the_seconds_note_counts_the_faces_it_is_about() -> None:
    ms = parse_face({"createdAt": IN_SECONDS * 1000}, 0)
    seconds = parse_face({"createdAt": IN_SECONDS}, 1)
    assert seconds_caption([ms, ms]) is None
    assert seconds_caption([ms, seconds, ms]) == (
        "createdAt looks like seconds, not milliseconds, for 1 of the 3 faces here; shown as "
        "seconds."
    )
