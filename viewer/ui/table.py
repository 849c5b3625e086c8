"""Table: every shown face as a row, with a thumbnail, bars for quality and its problems."""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence

import pandas as pd
import streamlit as st

from viewer.compose import Rendered
from viewer.models import Face
from viewer.numbers import cut, whole_percent
from viewer.review.triage import verdict_text
from viewer.review.values import Verdict
from viewer.select import page_count, page_of
from viewer.ui import session
from viewer.ui.context import TableContext
from viewer.ui.gallery import progress_bar
from viewer.ui.review import selection_bar
from viewer.ui.text import seconds_caption

THUMB = 144  # pixels of a thumbnail's crop: sharp at twice the row's height
ROW_HEIGHT = 72  # pixels of a row: a face large enough to recognise
HEADER_HEIGHT = 38  # pixels of the header row and the grid's border
FLAGS_MIN, FLAGS_MAX = 120, 640  # pixels the flags column may take
CHAR_WIDTH = 7  # pixels of a character of the grid's text, on average
# The columns in the order shown: the face, its number and its problems first, so the flags
# are seen without scrolling sideways.
COLUMN_ORDER = (
    "face",
    "#",
    "flags",
    "confidence",
    "sharpness",
    "frontal",
    "verdict",
    "verdict by",
    "identity distance",
    "feed",
    "customId",
    "time",
    "image size",
    "id",
)


def table_frame(
    faces: Sequence[Face],
    thumbs: Mapping[str, str | None],
    flags: Mapping[str, Sequence[str]],
    verdicts: Mapping[str, Verdict] | None = None,
    distances: Mapping[str, float] | None = None,
) -> pd.DataFrame:
    verdicts = verdicts or {}
    given = [verdicts.get(f.key) for f in faces]
    return pd.DataFrame(
        {
            "face": [thumbs.get(f.key) for f in faces],
            "#": [f.index + 1 for f in faces],
            # whole percent and hundredths, cut as every label and caption writes them
            "confidence": [whole_percent(f.confidence) for f in faces],
            "sharpness": [cut(f.sharpness, 2) for f in faces],
            "frontal": [f.is_frontal for f in faces],
            "feed": [f.feed_id for f in faces],
            "customId": [f.custom_id for f in faces],
            "time": [f.created_at for f in faces],
            "image size": [
                f"{f.width:g}×{f.height:g}" if f.width and f.height else None for f in faces
            ],
            "identity distance": [(distances or {}).get(f.key) for f in faces],
            "flags": ["; ".join(flags.get(f.key, [])) for f in faces],
            "verdict": [verdict_text(v.verdict) if v else "" for v in given],
            "verdict by": [v.by if v else "" for v in given],
            "id": [f.id for f in faces],
        }
    )


def table_height(rows: int) -> int:
    """Pixels that show every row of a page, so the page scrolls and not a box inside it."""
    return HEADER_HEIGHT + ROW_HEIGHT * max(rows, 1)


def flags_width(flags: Sequence[str]) -> int:
    """Pixels for the flags column: its longest text whole, within FLAGS_MIN..FLAGS_MAX."""
    longest = max((len(text) for text in flags), default=0)
    return min(max(CHAR_WIDTH * longest + 24, FLAGS_MIN), FLAGS_MAX)


def table_view(ctx: TableContext, faces: Sequence[Face]) -> None:
    """A page of rows (the sidebar's page size) to select (the selection spans pages) and act
    on; Open in Detail opens the first selected row of the page."""
    pipe, options, open_face, flags = ctx.pipe, ctx.options, ctx.open_face, ctx.flags
    review = ctx.review
    pages = page_count(len(faces), ctx.per_page)
    page = ctx.pager.page(pages)
    rows, _, _ = page_of(faces, page, ctx.per_page)
    selection_bar(review, rows, faces)
    update, done = progress_bar("Downloading thumbnails")
    crops = pipe.crops(rows, options, THUMB, update)
    done()
    thumbs = {
        key: "data:image/jpeg;base64," + base64.b64encode(r.jpeg).decode("ascii")
        for key, r in crops.items()
        if isinstance(r, Rendered)
    }
    frame = table_frame(rows, thumbs, flags, review.verdicts, ctx.evidence.distances)
    if note := seconds_caption(rows):
        st.caption(note)
    keys = [f.key for f in rows]
    review.show_selected_rows(keys)
    st.dataframe(
        frame,
        key=session.TABLE,
        hide_index=True,
        width="stretch",
        height=table_height(len(rows)),
        row_height=ROW_HEIGHT,
        column_order=COLUMN_ORDER,
        on_select=lambda: review.select_rows(keys),
        selection_mode="multi-row",
        column_config={
            "face": st.column_config.ImageColumn("face", width=ROW_HEIGHT),
            "flags": st.column_config.TextColumn("flags", width=flags_width(frame["flags"])),
            "confidence": st.column_config.ProgressColumn(
                "confidence", min_value=0, max_value=100, format="%d%%"
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
    first = next((f for f in rows if f.key in review.selected), None)
    st.button(
        "Open in Detail",
        key=session.TABLE_OPEN,
        icon=":material/open_in_full:",
        disabled=first is None,
        on_click=open_face,
        args=(first.index if first else 0,),
    )
    st.caption(
        "Select rows (on any page) to give them a verdict at once; Open in Detail opens the "
        "first selected row of this page."
    )
