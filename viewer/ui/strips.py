"""A strip of face crops for one group, shared by Browse and Compare."""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from viewer.compose import PictureFailure, ViewOptions
from viewer.models import Face
from viewer.pipeline import Pipeline
from viewer.ui.gallery import error_tile_jpeg

STRIP_TILE = 96


def face_strip(
    pipe: Pipeline,
    faces: Sequence[Face],
    options: ViewOptions,
    size: int = STRIP_TILE,
    captions: Sequence[str] | None = None,
) -> None:
    """Face crops side by side (``captions``: one Markdown-escaped line under each); a crop
    that fails shows as a small error tile."""
    if not faces:
        st.caption("No face with an image and a box to show.")
        return
    crops = pipe.crops(faces, options, size)
    images = [
        error_tile_jpeg(r.reason, size) if isinstance(r, PictureFailure) else r.jpeg
        for r in (crops[f.key] for f in faces)
    ]
    st.image(images, width=size, caption=list(captions) if captions is not None else None)
