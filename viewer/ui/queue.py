"""The review queue: one face at a time, large, beside its photo and the group's most typical
faces; a key per verdict, and the next face at once (its pictures are drawn ahead)."""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from viewer.compose import PictureFailure, Result
from viewer.models import Face
from viewer.review.triage import neighbours, progress_line, typical_faces
from viewer.review.values import BELONGS, NOT_THIS_PERSON, UNSURE
from viewer.ui import session
from viewer.ui.context import QueueContext
from viewer.ui.gallery import error_tile_jpeg
from viewer.ui.review import verdict_buttons, verdict_summary
from viewer.ui.strips import face_strip
from viewer.ui.text import SECONDS_MARK, escape_md, num, pct, when_noted

CROP = 384  # the face, large
PHOTO_WIDTH = 640  # its photo, the face marked
TYPICAL_TILE = 112
SHORTCUTS = {BELONGS: "B", NOT_THIS_PERSON: "N", UNSURE: "U", "undo": "Z"}
NEXT_KEY, PREVIOUS_KEY = "J", "K"
KEYS_LINE = (
    "Keys: **B** belongs · **N** not this person · **U** unsure · **J** next · "
    "**K** previous · **Z** undo (not while typing a note)"
)


def _picture(result: Result, caption: str) -> None:
    if isinstance(result, PictureFailure):
        st.image(error_tile_jpeg(result.reason), caption=caption, width="stretch")
    else:
        st.image(result.jpeg, caption=caption, width="stretch")


def queue_view(ctx: QueueContext, faces: Sequence[Face], group_faces: Sequence[Face]) -> int | None:
    """The queue's face with its photo, typical faces, verdict buttons and progress; returns
    the index of the face shown (None when the queue is empty)."""
    review = ctx.review
    by_index = {f.index: f for f in faces}
    order = [i for i in ctx.order if i in by_index]
    words = {key: v.verdict for key, v in review.verdicts.items()}
    st.markdown(f"**{progress_line([by_index[i] for i in order], words)}**")
    if not order:
        st.info("No faces pass the filters: loosen them in the sidebar.")
        return None
    current = ctx.face if ctx.face in order else order[0]
    face = by_index[current]
    before, after = neighbours(order, current)
    position = order.index(current) + 1
    st.progress(position / len(order), text=f"Face {position:,} of {len(order):,} in the queue")
    if review.board is None:
        st.caption("Verdicts cannot be recorded now; the faces can still be looked through.")
    left, middle, right = st.columns([3, 5, 3])
    crop = ctx.pipe.crops([face], ctx.options, CROP)[face.key]
    (photo,) = ctx.pipe.annotated_many([(face.url, [face])], ctx.options, PHOTO_WIDTH)
    with left:
        _picture(crop, escape_md(face.label, 120))
        st.markdown(verdict_summary(review.verdicts.get(face.key)))
        st.caption(
            f"#{face.index + 1} · confidence {pct(face.confidence)} · sharpness "
            f"{num(face.sharpness)} · {face.pose}"
        )
    with middle:
        seconds = SECONDS_MARK if face.created_note else None
        where = [face.feed_id, when_noted(face.created_at, seconds) if face.created_at else None]
        _picture(photo, escape_md(" · ".join(p for p in where if p), 200))
    with right:
        st.caption("The group's most typical faces")
        face_strip(
            ctx.pipe,
            typical_faces(group_faces, typicality=ctx.evidence.typicality()),
            ctx.options,
            TYPICAL_TILE,
        )
    verdict_buttons(review, [face.key], "queue", after, SHORTCUTS, follow=True)
    nav = st.columns([1, 1, 4])
    steps = (
        ("Previous", session.QUEUE_PREV, ":material/arrow_back:", PREVIOUS_KEY, before),
        ("Next", session.QUEUE_NEXT, ":material/arrow_forward:", NEXT_KEY, after),
    )
    for col, (label, key, icon, shortcut, target) in zip(nav, steps, strict=False):
        col.button(
            label,
            key=key,
            icon=icon,
            disabled=target is None,
            width="stretch",
            shortcut=shortcut,
            on_click=ctx.show_face,
            args=(current if target is None else target,),
        )
    nav[2].caption(KEYS_LINE if after is not None else KEYS_LINE + " · this is the last face")
    if after is not None:
        upcoming = by_index[after]
        ctx.pipe.draw_ahead(
            [(upcoming.url, [upcoming])], ctx.options, PHOTO_WIDTH, crops=[(upcoming, CROP)]
        )
    return current
