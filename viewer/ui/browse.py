"""Browse: the namespace's groups, newest first, each with a strip of its best faces."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import streamlit as st

from viewer.exceptions import ViewerError
from viewer.select import best_faces, summarize
from viewer.ui import resources, session
from viewer.ui.context import BrowseContext
from viewer.ui.strips import face_strip
from viewer.ui.text import escape_md, when

PAGE_SIZES = (10, 20, 50)
MAX_OFFSET = 100  # the API pages at most 100 groups deep


def _millis(day: date | None, end: bool) -> int | None:
    if day is None:
        return None
    moment = datetime.combine(day, time.max if end else time.min, tzinfo=UTC)
    return int(moment.timestamp() * 1000)


def browse_view(ctx: BrowseContext) -> None:
    """A page of the namespace's groups, each with Open and Compare buttons."""
    s, pipe, options, namespace = ctx.settings, ctx.pipe, ctx.options, ctx.namespace
    st.subheader(f"Recent groups in {escape_md(namespace or '…', 80)}")
    if not namespace:
        st.info("Enter a namespace in the sidebar to list its groups.")
        return
    cols = st.columns([1, 1, 1, 2, 2])
    limit = cols[0].selectbox("Per page", PAGE_SIZES, index=0, key=session.BROWSE_LIMIT)
    max_page = MAX_OFFSET // limit + 1
    page = cols[1].number_input("Page", 1, max_page, key=session.BROWSE_PAGE, step=1)
    order = cols[2].selectbox(
        "Order",
        ["DESC", "ASC"],
        key=session.BROWSE_ORDER,
        format_func={"DESC": "Newest first", "ASC": "Oldest first"}.get,
    )
    span = cols[3].date_input("Created between", value=(), key=session.BROWSE_SPAN)
    feeds_text = cols[4].text_input(
        "Feeds",
        key=session.BROWSE_FEEDS,
        placeholder="Camera_1, Camera_2",
        help="Only groups with a face from one of these feeds (comma-separated).",
    )
    start_day, end_day = (*tuple(span), None, None)[:2] if span else (None, None)
    feeds = tuple(x.strip() for x in feeds_text.split(",") if x.strip())
    offset = min((int(page) - 1) * limit, MAX_OFFSET)
    try:
        groups = resources.search(
            s,
            namespace,
            limit,
            offset,
            _millis(start_day, False),
            _millis(end_day, True),
            order,
            feeds,
        )
    except ViewerError as error:
        st.error(escape_md(error.message, 600))
        return
    if not groups:
        st.info("No groups on this page: go back a page, widen the dates or clear the feeds.")
        return
    st.caption(f"Groups {offset + 1}–{offset + len(groups)}, {len(groups)} on this page.")
    for i, g in enumerate(groups):
        summary = summarize(g.faces)
        slot = f"{offset + i}_{g.id}"  # unique even when ids repeat or are missing
        with st.container(border=True):
            head = st.columns([4, 1, 1])
            head[0].markdown(f"**{escape_md(g.id or '(no id)', 80)}**")
            head[0].caption(
                f"{summary.faces:,} faces · created {escape_md(when(g.created_at))} · linked by "
                f"{escape_md(g.link_words or 'unknown', 40)}"
            )
            head[1].button(
                "Open",
                key=session.keyed(session.BROWSE_OPEN, slot),
                on_click=ctx.open_group,
                args=(namespace, g.id or ""),
                disabled=not g.id,
                width="stretch",
            )
            head[2].button(
                "Compare",
                key=session.keyed(session.BROWSE_COMPARE, slot),
                on_click=ctx.add_to_compare,
                args=(g.id or "",),
                disabled=not g.id,
                width="stretch",
            )
            face_strip(pipe, best_faces(g.faces, 6), options)
