"""The gallery hands the page the pipeline's JPEG bytes."""

from __future__ import annotations

import io
from contextlib import closing

import pytest
from PIL import Image
from streamlit.delta_generator import DeltaGenerator

from viewer.api import Client
from viewer.config import Settings
from viewer.demo.server import DemoServer
from viewer.hosts import HostPolicy
from viewer.models import Face
from viewer.pipeline import Pipeline, ViewOptions, group_by_image
from viewer.ui.context import ViewContext
from viewer.ui.gallery import THUMB_HEIGHT, THUMB_WIDTH, draw_gallery

OPTIONS = ViewOptions()
JPEG_MAGIC = b"\xff\xd8"


def faces_of(settings: Settings, group_id: str) -> list[Face]:
    with closing(Client(settings)) as client:
        return list(client.get_group("acme", group_id).faces)


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
                group_by_image(faces), OPTIONS, THUMB_WIDTH, height=THUMB_HEIGHT
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
