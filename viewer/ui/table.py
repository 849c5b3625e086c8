"""Table: every shown face as a row, with a thumbnail, bars for quality and its problems."""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence

import pandas as pd
import streamlit as st

from viewer.compose import Rendered
from viewer.models import Face
from viewer.select import page_count, page_of
from viewer.ui import session
from viewer.ui.context import TableContext
from viewer.ui.gallery import progress_bar

ROWS_PER_PAGE = 100
THUMB = 64


def table_frame(
    faces: Sequence[Face], thumbs: Mapping[str, str | None], flags: Mapping[str, Sequence[str]]
) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "face": [thumbs.get(f.key) for f in faces],
            "#": [f.index + 1 for f in faces],
            "confidence": [f.confidence for f in faces],
            "sharpness": [f.sharpness for f in faces],
            "frontal": [f.is_frontal for f in faces],
            "feed": [f.feed_id for f in faces],
            "customId": [f.custom_id for f in faces],
            "time": [f.created_at for f in faces],
            "image size": [
                f"{f.width:g}×{f.height:g}" if f.width and f.height else None for f in faces
            ],
            "flags": ["; ".join(flags.get(f.key, [])) for f in faces],
            "id": [f.id for f in faces],
        }
    )


def table_view(ctx: TableContext, faces: Sequence[Face]) -> None:
    """A page of rows; selecting one opens its face in Detail."""
    pipe, options, open_face, flags = ctx.pipe, ctx.options, ctx.open_face, ctx.flags
    pages = page_count(len(faces), ROWS_PER_PAGE)
    page = ctx.pager.page(pages)
    rows, _, _ = page_of(faces, page, ROWS_PER_PAGE)
    update, done = progress_bar("Downloading thumbnails")
    crops = pipe.crops(rows, options, THUMB, update)
    done()
    thumbs = {
        key: "data:image/jpeg;base64," + base64.b64encode(r.jpeg).decode("ascii")
        for key, r in crops.items()
        if isinstance(r, Rendered)
    }
    frame = table_frame(rows, thumbs, flags)
    indices = [f.index for f in rows]

    def on_select() -> None:
        # runs before the next run draws anything, so it may switch the tab
        chosen = ctx.selection()
        if chosen and chosen[0] < len(indices):
            open_face(indices[chosen[0]])

    st.dataframe(
        frame,
        key=session.TABLE,
        hide_index=True,
        width="stretch",
        height=min(38 + 35 * len(rows), 720),
        on_select=on_select,
        selection_mode="single-row",
        column_config={
            "face": st.column_config.ImageColumn("face", width="small"),
            "confidence": st.column_config.ProgressColumn(
                "confidence", min_value=0.0, max_value=1.0, format="percent"
            ),
            "sharpness": st.column_config.ProgressColumn(
                "sharpness", min_value=0.0, max_value=1.0, format="%.2f"
            ),
            "frontal": st.column_config.CheckboxColumn("frontal"),
            "time": st.column_config.DatetimeColumn("time", format="YYYY-MM-DD HH:mm:ss"),
        },
    )
    if pages > 1:
        st.pagination(pages, key=ctx.pager.key, default=page)
    st.caption("Select a row to open the face in Detail.")
