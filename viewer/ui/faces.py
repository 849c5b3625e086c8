"""Faces: one uniform tile per face, the quickest way to spot a face that does not belong."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import replace

import streamlit as st

from viewer.compose import face_label
from viewer.models import Face
from viewer.review.triage import VERDICT_SYMBOLS
from viewer.review.values import Verdict
from viewer.ui import session
from viewer.ui.context import PagedContext, ViewContext
from viewer.ui.gallery import (
    PAGE_WAIT_S,
    await_pictures,
    paginate,
    progress_bar,
    show_result,
    waiting_tile_jpeg,
)
from viewer.ui.grid import TILE_FACE, tile, tile_row
from viewer.ui.identity import distance_text
from viewer.ui.review import selection_bar
from viewer.ui.text import escape_md

TILE = 160  # pixels of a crop
TILE_SHOWN = 144  # pixels of a tile: six to a row beside the sidebar at 1440 px
DENSE_TILE = 72  # a dense grid's tile
DENSE_SIZES = (48, 96, 200)  # faces on a page of the dense grid
DENSE, DENSE_PER_PAGE = "faces_dense", "faces_dense_per"  # widget keys


def tile_caption(face: Face, flags: Sequence[str], verdict: Verdict | None = None) -> str:
    """``⚠ 91% · sharp 0.67 · frontal``, after the verdict's symbol and who gave it."""
    text = face_label(face)  # the picture label's words and numbers
    text = ("⚠ " + text) if flags else text
    if verdict is None:
        return text
    return f"{VERDICT_SYMBOLS[verdict.verdict]} {escape_md(verdict.by, 40)} · {text}"


def faces_view(ctx: PagedContext, faces: Sequence[Face]) -> int:
    """A page of face tiles, each with a box to select it, and the selection's verdict bar;
    the next page's images are downloaded ahead. Returns the page."""
    bar = st.container(horizontal=True, vertical_alignment="bottom")
    dense = bar.toggle("Dense grid", key=DENSE, help="Small tiles that enlarge on hover.")
    if dense:
        per_page = bar.selectbox("Faces per page", DENSE_SIZES, key=DENSE_PER_PAGE, width=160)
        ctx = replace(ctx, per_page=per_page)
    items, ahead, page = paginate(ctx, faces)
    selection_bar(ctx.review, items, faces)
    draw_tiles(ctx, items, dense)
    ctx.pipe.prefetch(f.url for f in ahead)
    return page


def draw_tiles(ctx: ViewContext, faces: Sequence[Face], dense: bool = False) -> None:
    """Uniform face tiles in reading order, each opened by clicking its crop; each replaces its
    placeholder as soon as it is cropped. Dense tiles are small and captionless (the caption
    is the crop's tooltip) and enlarge under the pointer."""
    update, done = progress_bar("Downloading faces")
    review = ctx.review
    review.show_selected(faces)
    width = DENSE_TILE if dense else TILE_SHOWN
    slots = {}
    with tile_row(dense):
        for face in faces:
            face_flags = ctx.flags.get(face.key, [])
            verdict = review.verdicts.get(face.key)
            caption = tile_caption(face, face_flags, verdict)
            if distance := distance_text(ctx.evidence, face):
                caption += f" · {escape_md(distance, 120)}"
            tip = [caption] if dense else []  # a dense tile's caption is its tooltip
            if face_flags:
                tip.append(escape_md("; ".join(face_flags), 400))
            with tile(TILE_FACE, face.index, width):
                slot = st.empty()
                slot.image(waiting_tile_jpeg(TILE, TILE), width="stretch")
                slots[face.key] = (slot, None if dense else caption)
                st.button(
                    f"Open face {face.index + 1}",
                    key=session.keyed(session.OPEN_TILE, face.index),
                    on_click=ctx.open_face,
                    args=(face.index,),
                    width="stretch",
                    help="; ".join(tip) or None,
                )
                if review.board is not None and not dense:
                    st.checkbox(
                        "Select",
                        key=session.keyed(session.SELECT_TILE, face.index),
                        on_change=review.toggle,
                        args=(face.key, face.index),
                    )
    until = time.monotonic() + PAGE_WAIT_S
    stream = ctx.pipe.crops_stream(faces, ctx.options, TILE, until=until)
    shown: set[str] = set()
    for finished, (key, result) in enumerate(stream, 1):
        slot, text = slots[key]
        show_result(slot, result, text, TILE)
        shown.add(key)
        update(finished, len(faces))
    done()
    late = [f for f in faces if f.key not in shown]
    for face in late:
        slot, text = slots[face.key]
        loading = f"{text} · still loading" if text else None  # a dense tile: no caption
        slot.image(waiting_tile_jpeg(TILE, TILE), caption=loading, width="stretch")
    await_pictures(ctx.pipe, [f.url for f in late])
