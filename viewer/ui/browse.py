"""Browse: the namespace's groups, newest first, each with a strip of its best faces; or ranked
by how near their centres lie to the open group's (merge candidates)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time

import streamlit as st

from viewer.exceptions import ViewerError
from viewer.identity.distance import SAME_PERSON_DISTANCE, Nearness, rank_nearness
from viewer.models import Group
from viewer.select import best_faces, summarize
from viewer.ui import identity as identity_ui
from viewer.ui import resources, session
from viewer.ui.context import BrowseContext
from viewer.ui.strips import face_strip
from viewer.ui.text import escape_md, when

PAGE_SIZES = (10, 20, 50)
MAX_OFFSET = 100  # the API pages at most 100 groups deep
NEAR_FACES = 12  # faces of each group its centre is made from when ranking by nearness
OPEN = "open"  # the open group's name among the ranked ones (the rows' names start with a digit)


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
    # each row's slot is unique even when ids repeat or are missing
    rows = {f"{offset + i}_{g.id}": g for i, g in enumerate(groups)}
    near: dict[str, Nearness] = {}
    if ctx.open_id:
        ranked = st.toggle(
            f"Rank by nearness to {escape_md(ctx.open_id, 60)}",
            key=session.BROWSE_NEAR,
            help="The groups of this page, the nearest centre to the open group's first: "
            "merge candidates.",
        )
        ranking = _nearness(ctx, ctx.open_id, rows) if ranked else None
        if ranking is not None:
            near, rows = ranking, {slot: rows[slot] for slot in ranking}
    for slot, g in rows.items():
        summary = summarize(g.faces)
        with st.container(border=True):
            head = st.columns([4, 1, 1])
            head[0].markdown(f"**{escape_md(g.id or '(no id)', 80)}**")
            head[0].caption(
                f"{summary.faces:,} faces · created {escape_md(when(g.created_at))} · linked by "
                f"{escape_md(g.link_words or 'unknown', 40)}"
            )
            if slot in near:
                head[0].markdown(_near_words(near[slot], len(g.faces)))
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
                # a merge candidate goes to Compare with the open group
                args=(ctx.open_id, g.id) if slot in near else (g.id or "",),
                help="Add it and the open group to Compare" if slot in near else None,
                disabled=not g.id,
                width="stretch",
            )
            face_strip(pipe, best_faces(g.faces, 6), options)


def _bounded(group: Group) -> Group:
    """The group with only its best faces by quality: the ones its centre is made from."""
    return replace(group, faces=tuple(best_faces(group.faces, NEAR_FACES)))


def _nearness(
    ctx: BrowseContext, open_id: str, rows: dict[str, Group]
) -> dict[str, Nearness] | None:
    """The rows other than the open group, the nearest centre first; None when they cannot be
    ranked (the open group does not load, the face model is off or cannot load)."""
    s = ctx.settings
    try:
        target = resources.group(s, ctx.namespace, open_id)
    except ViewerError as error:
        st.error(escape_md(error.message, 600))
        return None
    bounded = {slot: _bounded(g) for slot, g in rows.items() if g.id != open_id}
    asked = {OPEN: _bounded(target), **bounded}
    found = identity_ui.centres(s, asked)
    if found.message:
        st.info(escape_md(found.message, 600) + " Groups cannot be ranked by nearness.")
        return None
    centre = found.found[OPEN]
    going = "" if found.finished else " Scoring goes on: the order may change."
    st.caption(
        f"Each centre is made from at most the group's {NEAR_FACES} best faces by quality "
        f"(confidence and sharpness); {escape_md(open_id, 60)}'s from {centre.used} of "
        f"{len(target.faces):,} faces. Centres closer than {SAME_PERSON_DISTANCE:.2f} are "
        f"likely the same person. The open group itself is left out.{going}"
    )
    ranked = rank_nearness(centre, {slot: found.found[slot] for slot in bounded})
    identity_ui.watch(s, list(asked.values()), found.scored)
    return {n.group: n for n in ranked}


def _near_words(n: Nearness, faces: int) -> str:
    """A ranked row's line: its centre's distance to the open group's, and how it was made."""
    used = f"centre from {n.used} of its {faces:,} faces"
    if n.distance is None:
        return f"Not ranked yet: no face scored · {used}"
    same = " · **likely the same person**" if n.likely_same else ""
    return f"Distance {n.distance:.2f}{same} · {used}"
