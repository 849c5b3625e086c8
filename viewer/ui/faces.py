"""Faces: one uniform tile per face, the quickest way to spot a face that does not belong."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import streamlit as st

from viewer.models import Face
from viewer.pipeline import Failed, Pipeline, ViewOptions
from viewer.ui.gallery import error_tile_jpeg, progress_bar
from viewer.ui.text import num, pct, plain

TILE = 160
COLUMNS = 6


def tile_caption(face: Face, flags: Sequence[str]) -> str:
    pose = {True: "frontal", False: "profile", None: "pose ?"}[face.is_frontal]
    text = f"{pct(face.confidence)} · sharp {num(face.sharpness)} · {pose}"
    return ("⚠ " + text) if flags else text


def faces_view(
    pipe: Pipeline,
    faces: Sequence[Face],
    options: ViewOptions,
    flags: dict[str, list[str]],
    open_face: Callable[[int], None],
) -> None:
    update, done = progress_bar("Downloading faces")
    crops = pipe.crops(faces, options, TILE, update)
    done()
    cols = st.columns(COLUMNS)
    for i, face in enumerate(faces):
        result = crops[face.key]
        with cols[i % COLUMNS]:
            face_flags = flags.get(face.key, [])
            if isinstance(result, Failed):
                st.image(
                    error_tile_jpeg(result.reason, TILE), caption=tile_caption(face, face_flags)
                )
            else:
                st.image(result.jpeg, caption=tile_caption(face, face_flags), width="stretch")
            st.button(
                "Open",
                key=f"open_f_{face.index}",
                on_click=open_face,
                args=(face.index,),
                width="stretch",
                help=plain("; ".join(face_flags), 400) or None,
            )
