"""Compare: several groups side by side, to find two groups that are one person."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from viewer.config import Settings
from viewer.exceptions import ViewerError
from viewer.pipeline import Pipeline, ViewOptions
from viewer.select import best_faces, summarize
from viewer.ui import resources
from viewer.ui.strips import face_strip
from viewer.ui.text import escape_md, num, pct, when

MAX_GROUPS = 8
PER_ROW = 4


def compare_ids() -> list[str]:
    raw = st.session_state.get("compare_ids", "")
    ids = [line.strip() for line in raw.replace(",", "\n").splitlines() if line.strip()]
    return list(dict.fromkeys(ids))[:MAX_GROUPS]


def compare_view(
    s: Settings, pipe: Pipeline, options: ViewOptions, open_group: Callable[[str, str], None]
) -> list[str]:
    """Returns the group IDs compared, for the page's URL."""
    namespace = st.session_state.get("namespace", "").strip()
    st.subheader("Compare groups")
    st.text_area(
        "Group IDs, one per line",
        key="compare_ids",
        height=110,
        help=f"Up to {MAX_GROUPS} groups of the sidebar's namespace; Browse can add them too.",
    )
    ids = compare_ids()
    if not namespace or not ids:
        st.info("Enter a namespace in the sidebar and at least one group ID above.")
        return ids
    per_row = min(len(ids), PER_ROW)
    for row_start in range(0, len(ids), per_row):
        cols = st.columns(per_row)
        for col, group_id in zip(cols, ids[row_start : row_start + per_row], strict=False):
            with col, st.container(border=True):
                st.markdown(f"**{escape_md(group_id, 60)}**")
                try:
                    group = resources.group(s, namespace, group_id)
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
                face_strip(pipe, best_faces(group.faces, 8), options, size=80)
                st.dataframe(
                    {"figure": list(figures), "value": list(figures.values())},
                    hide_index=True,
                    width="stretch",
                    key=f"cmp_fig_{row_start}_{group_id}",
                )
                st.button(
                    "Open",
                    key=f"cmp_open_{group_id}",
                    on_click=open_group,
                    args=(namespace, group_id),
                    width="stretch",
                )
    return ids
