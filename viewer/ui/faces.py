"""Faces: one uniform tile per face, the quickest way to spot a face that does not belong."""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from viewer.models import Face
from viewer.ui.context import ViewContext
from viewer.ui.gallery import progress_bar, show_result, waiting_tile_jpeg
from viewer.ui.text import escape_md, num, pct

TILE = 160
COLUMNS = 6


def tile_caption(face: Face, flags: Sequence[str]) -> str:
    pose = {True: "frontal", False: "profile", None: "pose ?"}[face.is_frontal]
    text = f"{pct(face.confidence)} · sharp {num(face.sharpness)} · {pose}"
    return ("⚠ " + text) if flags else text


def faces_view(ctx: ViewContext, faces: Sequence[Face]) -> None:
    pipe, options, open_face = ctx.pipe, ctx.options, ctx.open_face
    flags = ctx.flags
    """Uniform face tiles; each replaces its placeholder as soon as it is cropped."""
    update, done = progress_bar("Downloading faces")
    cols = st.columns(COLUMNS)
    slots = {}
    for i, face in enumerate(faces):
        face_flags = flags.get(face.key, [])
        with cols[i % COLUMNS]:
            slot = st.empty()
            slot.image(waiting_tile_jpeg(TILE, TILE), width="stretch")
            slots[face.key] = (slot, tile_caption(face, face_flags))
            st.button(
                "Open",
                key=f"open_f_{face.index}",
                on_click=open_face,
                args=(face.index,),
                width="stretch",
                help=escape_md("; ".join(face_flags), 400) or None,
            )
    for finished, (key, result) in enumerate(pipe.crops_stream(faces, options, TILE), start=1):
        slot, text = slots[key]
        show_result(slot, result, text, TILE)
        update(finished, len(faces))
    done()
