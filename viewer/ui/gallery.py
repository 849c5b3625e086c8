"""Gallery: the annotated full images of the current page, in a grid."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import streamlit as st

from viewer import render
from viewer.models import Face
from viewer.pipeline import Failed, Pipeline, ViewOptions, group_by_image
from viewer.ui.text import plain, when

THUMB_WIDTH = 480
COLUMNS = 3


def progress_bar(label: str) -> tuple[Callable[[int, int], None], Callable[[], None]]:
    """A progress bar that appears only while something is left to download."""
    holder = st.empty()

    def update(done: int, total: int) -> None:
        if total and done < total:
            holder.progress(done / total, text=f"{label}: {done} of {total}")
        else:
            holder.empty()

    return update, holder.empty


@st.cache_data(show_spinner=False, max_entries=8)
def error_tile_jpeg(message: str, width: int = THUMB_WIDTH) -> bytes:
    return render.to_jpeg(render.error_tile((width, width * 3 // 4), message))


def caption(face: Face) -> str:
    parts = [
        face.custom_id or face.id or f"face {face.index + 1}",
        face.feed_id,
        when(face.created_at),
    ]
    return plain(" · ".join(p for p in parts if p), 160)


def gallery(
    pipe: Pipeline,
    faces: Sequence[Face],
    options: ViewOptions,
    open_face: Callable[[int], None],
) -> None:
    """Images of the page, each with every shown face of the group drawn on it."""
    items = group_by_image(faces)
    update, done = progress_bar("Downloading images")
    results = pipe.annotated_many(items, options, THUMB_WIDTH, update)
    done()
    cols = st.columns(COLUMNS)
    for i, ((_url, image_faces), result) in enumerate(zip(items, results, strict=True)):
        with cols[i % COLUMNS]:
            first = image_faces[0]
            extra = f" (+{len(image_faces) - 1} faces)" if len(image_faces) > 1 else ""
            if isinstance(result, Failed):
                st.image(error_tile_jpeg(result.reason), caption=caption(first) + extra)
            else:
                st.image(result.jpeg, caption=caption(first) + extra, width="stretch")
            st.button(
                "Details",
                key=f"open_g_{first.index}",
                on_click=open_face,
                args=(first.index,),
                width="stretch",
            )
