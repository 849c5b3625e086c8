"""Gallery and Faces: pictures as JPEG bytes, a page built once from the shown faces, and the
next page fetched ahead."""

from __future__ import annotations

import io
import time
from collections.abc import Callable
from contextlib import closing
from urllib.parse import urlsplit

import pytest
from PIL import Image
from streamlit.delta_generator import DeltaGenerator

from tests.ui.apptest import run
from viewer.api import Client
from viewer.compose import ViewOptions
from viewer.config import Settings
from viewer.demo.server import DemoServer
from viewer.hosts import HostPolicy
from viewer.models import Face, parse_group
from viewer.pipeline import Pipeline, group_by_image
from viewer.ui.context import ViewContext
from viewer.ui.gallery import THUMB_HEIGHT, THUMB_WIDTH, draw_gallery, tile_options

OPTIONS = ViewOptions()
JPEG_MAGIC = b"\xff\xd8"


def faces_of(settings: Settings, group_id: str) -> list[Face]:
    with closing(Client(settings)) as client:
        return list(client.get_group("acme", group_id).faces)


def demo_faces(server: DemoServer, group_id: str) -> list[Face]:
    """The group's faces in group order, read from the demo's own data."""
    return list(parse_group(server.data.groups[("acme", group_id)]).faces)


def open_keys(at: object, prefix: str) -> list[str]:
    return [b.key for b in at.button if b.key and b.key.startswith(prefix)]  # type: ignore[attr-defined]


def wait_until(condition: Callable[[], bool], seconds: float = 60.0) -> bool:
    """Poll ``condition`` until it holds or ``seconds`` pass; whether it held."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def test_thumbnails_reach_the_ui_as_jpeg_bytes(
    demo: DemoServer,
    settings: Settings,
    policy: HostPolicy,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The gallery hands st.image the pipeline's JPEG bytes, which Streamlit serves as they are."""
    shown: list[tuple[object, object]] = []
    real_image = DeltaGenerator.image

    def recording_image(
        self: DeltaGenerator, image: object, *args: object, **kwargs: object
    ) -> object:
        shown.append((image, kwargs.get("caption")))
        return real_image(self, image, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(DeltaGenerator, "image", recording_image)
    faces = faces_of(settings, "demo-large")[:20]
    with closing(Pipeline(settings, policy)) as pipe:
        draw_gallery(ViewContext(pipe, OPTIONS, {}, lambda _: None), group_by_image(faces))
        expected = [
            r.jpeg  # type: ignore[union-attr]
            for r in pipe.annotated_many(
                group_by_image(faces),
                tile_options(OPTIONS, group_by_image(faces)),
                THUMB_WIDTH,
                height=THUMB_HEIGHT,
            )
        ]

    pictures = [image for image, caption in shown if caption]  # placeholders have no caption
    assert len(pictures) == len(expected) > 1
    for image in pictures:
        assert isinstance(image, bytes)
        assert image[:2] == JPEG_MAGIC
        with Image.open(io.BytesIO(image)) as opened:
            assert opened.format == "JPEG"
            assert opened.size == (THUMB_WIDTH, THUMB_HEIGHT)
    assert sorted(pictures) == sorted(expected)  # type: ignore[type-var]


@pytest.mark.parametrize(("view", "prefix"), [("gallery", "open_g_"), ("faces", "open_f_")])
def test_a_page_shows_its_share_of_the_images_or_faces(
    on_demo: DemoServer, view: str, prefix: str
) -> None:
    faces = demo_faces(on_demo, "demo-large")
    firsts = [fs[0] for _, fs in group_by_image(faces)] if view == "gallery" else faces
    at = run(namespace="acme", group="demo-large", view=view, per="12", page="2")
    assert not at.exception
    keys = open_keys(at, prefix)  # tiles are drawn in reading order
    assert keys == [f"{prefix}{f.index}" for f in firsts[12:24]]


@pytest.mark.parametrize("view", ["gallery", "faces"])
def test_a_page_beyond_the_last_opens_the_last(on_demo: DemoServer, view: str) -> None:
    faces = demo_faces(on_demo, "demo-large")
    count = len(group_by_image(faces)) if view == "gallery" else len(faces)
    last = -(-count // 12)
    assert last > 2
    at = run(namespace="acme", group="demo-large", view=view, per="12", page="99999")
    assert not at.exception
    assert at.query_params["page"] == str(last)
    assert at.session_state[f"{view}_page"] == last


def photo_paths(faces: list[Face], view: str, page: int) -> set[str]:
    """The paths of the photos on a page of 12 images (gallery) or 12 faces (faces)."""
    items = group_by_image(faces) if view == "gallery" else [(f.url, [f]) for f in faces]
    return {urlsplit(url).path for url, _ in items[(page - 1) * 12 : page * 12] if url}


@pytest.mark.parametrize("view", ["gallery", "faces"])
def test_the_next_page_is_fetched_ahead_once_and_no_further(
    on_own_demo: DemoServer, view: str
) -> None:
    faces = demo_faces(on_own_demo, "demo-large")
    first, second, third = (photo_paths(faces, view, page) for page in (1, 2, 3))
    second, third = second - first, third - first - second  # photos new on each page
    assert second and third

    def fetched(paths: set[str]) -> list[int]:
        return [on_own_demo.request_count(path) for path in sorted(paths)]

    at = run(namespace="acme", group="demo-large", view=view, per="12")
    assert not at.exception
    assert wait_until(lambda: all(fetched(second)))
    assert not any(fetched(third))  # only the next page is fetched ahead
    at.session_state[f"{view}_page"] = 2
    at.run()
    assert not at.exception
    assert fetched(second) == [1] * len(second)  # page 2 came from what was fetched ahead
    assert wait_until(lambda: all(fetched(third)))


def test_a_photo_of_several_faces_offers_each_of_them(on_demo: DemoServer) -> None:
    items = group_by_image(demo_faces(on_demo, "demo-crowd"))
    several = [fs for _, fs in items if len(fs) > 1]
    assert several
    at = run(namespace="acme", group="demo-crowd", view="gallery")
    assert not at.exception
    assert set(open_keys(at, "open_gf_")) == {f"open_gf_{f.index}" for fs in several for f in fs}
    # a photo of one face opens it at a click on the picture
    assert open_keys(at, "open_g_") == [f"open_g_{fs[0].index}" for _, fs in items if len(fs) == 1]


def test_the_dense_grid_holds_up_to_200_faces_a_page(on_demo: DemoServer) -> None:
    faces = demo_faces(on_demo, "demo-large")
    at = run(namespace="acme", group="demo-large", view="faces", per="12")
    at.toggle(key="faces_dense").set_value(True).run()
    at.selectbox(key="faces_dense_per").set_value(200).run()
    assert not at.exception
    assert open_keys(at, "open_f_") == [f"open_f_{f.index}" for f in faces[:200]]
    assert not [c for c in at.checkbox if c.key and c.key.startswith("sel_f_")]
    assert not [i for i in at.main.image if i.proto.imgs and i.proto.imgs[0].caption]


def test_each_tile_is_drawn_about_its_first_face_at_the_size_it_is_shown() -> None:
    faces = [Face(index=i, id=str(i), url=f"http://images.test/{i // 2}.jpg") for i in range(5)]
    items = group_by_image(faces)
    options = tile_options(OPTIONS, items)
    assert options.focus == {faces[0].key, faces[2].key, faces[4].key}  # first of each image
    assert options.only_for(items[0][1]).focus == {faces[0].key}
    assert options.shown_width is not None and options.shown_width < THUMB_WIDTH
