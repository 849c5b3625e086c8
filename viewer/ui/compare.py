"""Compare: several groups side by side, to find two groups that are one person."""

from __future__ import annotations

import streamlit as st

from viewer.exceptions import ViewerError
from viewer.select import best_faces, summarize
from viewer.ui import resources, session
from viewer.ui.context import CompareContext
from viewer.ui.state import MAX_COMPARED
from viewer.ui.strips import face_strip
from viewer.ui.text import escape_md, num, pct, when

PER_ROW = 4


def compare_view(ctx: CompareContext) -> None:
    """The box of group IDs, then each group's best faces and key figures side by side."""
    namespace, ids = ctx.namespace, ctx.group_ids
    st.subheader("Compare groups")
    st.text_area(
        "Group IDs, one per line",
        key=session.COMPARE_IDS,
        height=110,
        help=f"Up to {MAX_COMPARED} groups of the sidebar's namespace; Browse can add them too.",
    )
    if not namespace or not ids:
        st.info("Enter a namespace in the sidebar and at least one group ID above.")
        return
    per_row = min(len(ids), PER_ROW)
    for row_start in range(0, len(ids), per_row):
        cols = st.columns(per_row)
        for col, group_id in zip(cols, ids[row_start : row_start + per_row], strict=False):
            with col, st.container(border=True):
                st.markdown(f"**{escape_md(group_id, 60)}**")
                try:
                    group = resources.group(ctx.settings, namespace, group_id)
                except ViewerError as error:
                    st.error(escape_md(error.message, 600))
                    continue
                summary = summarize(group.faces)
                span = (
                    f"{when(summary.first)[:10]} – {when(summary.last)[:10]}"
                    if summary.first and summary.last
                    else "–"
                )
                figures = {
                    "faces": f"{summary.faces:,}",
                    "frontal share": pct(summary.frontal_share),
                    "median confidence": pct(summary.median_confidence),
                    "median sharpness": num(summary.median_sharpness),
                    "feeds": ", ".join(summary.feeds) or "–",
                    "time span": span,
                    "linked by": group.link_words or "unknown",
                }
                face_strip(ctx.pipe, best_faces(group.faces, 8), ctx.options, size=80)
                st.dataframe(
                    {"figure": list(figures), "value": list(figures.values())},
                    hide_index=True,
                    width="stretch",
                    key=session.keyed(session.COMPARE_FIGURES, row_start, group_id),
                )
                st.button(
                    "Open",
                    key=session.keyed(session.COMPARE_OPEN, group_id),
                    on_click=ctx.open_group,
                    args=(namespace, group_id),
                    width="stretch",
                )
