"""Browse: the namespace's groups, newest first, each with a strip of its best faces; or ranked
by how near their centres lie to the open group's (merge candidates)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from viewer.config import Settings
from viewer.exceptions import ViewerError
from viewer.identity.distance import SAME_PERSON_DISTANCE, Nearness, rank_nearness
from viewer.models import Group
from viewer.numbers import counted
from viewer.select import best_faces, summarize
from viewer.ui import identity as identity_ui
from viewer.ui import resources, session
from viewer.ui.context import BrowseContext
from viewer.ui.state import BROWSE_DATES, BROWSE_ORDERS, BROWSE_PAGE_SIZES, BrowseState
from viewer.ui.strips import best_strip
from viewer.ui.text import escape_md, when

MAX_OFFSET = 100  # the API pages at most 100 groups deep
SEARCH_LIMIT = 100  # the most groups one search answers
NEAR_FACES = 12  # faces of each group its centre is made from when ranking by nearness
OPEN = "open"  # the open group's name among the ranked ones (the rows' names start with a digit)
STRIP = 6  # best faces shown for each group


def _millis(day: date | None, end: bool) -> int | None:
    if day is None:
        return None
    moment = datetime.combine(day, time.max if end else time.min, tzinfo=UTC)
    return int(moment.timestamp() * 1000)


def reachable(per_page: int) -> int:
    """How many groups Browse can list at this page size: the API pages at most 100 deep."""
    return (MAX_OFFSET // per_page + 1) * per_page


def page_count(total: int, per_page: int) -> int:
    """Pages of ``total`` groups that Browse can reach (at least one)."""
    return max(1, -(-min(total, reachable(per_page)) // per_page))


def page_words(page: int, total: int, more: bool, per_page: int) -> str:
    """``"Page 2 of 7 · 163 groups"``; ``more``: there may be more than ``total`` groups."""
    words = f"Page {page:,} of {page_count(total, per_page):,} · "
    words += f"at least {counted(total, 'group')}" if more else counted(total, "group")
    if total > reachable(per_page):
        words += f" (the API lists the first {reachable(per_page):,} at this page size)"
    return words


def browse_view(ctx: BrowseContext) -> BrowseState:
    """A page of the namespace's groups, each with Open and Compare buttons; returns what it
    lists, for the URL."""
    s, pipe, options, namespace = ctx.settings, ctx.pipe, ctx.options, ctx.namespace
    st.subheader(f"Recent groups in {escape_md(namespace or '…', 80)}")
    if ctx.said:
        st.success(escape_md(ctx.said, 600), icon=":material/compare:")
    cols = st.columns([1, 1, 1, 1, 1, 2])
    limit = cols[0].selectbox("Per page", BROWSE_PAGE_SIZES, index=0, key=session.BROWSE_LIMIT)
    order = cols[2].selectbox(
        "Order", list(BROWSE_ORDERS), key=session.BROWSE_ORDER, format_func=BROWSE_ORDERS.get
    )
    low, high = BROWSE_DATES
    start_day = cols[3].date_input("Created from", None, low, high, key=session.BROWSE_FROM)
    end_day = cols[4].date_input("Created until", None, low, high, key=session.BROWSE_TO)
    feeds_text = cols[5].text_input(
        "Feeds",
        key=session.BROWSE_FEEDS,
        placeholder="Camera_1, Camera_2",
        help="Only groups with a face from one of these feeds (comma-separated).",
    )
    feeds = tuple(dict.fromkeys(x.strip() for x in feeds_text.split(",") if x.strip()))
    listing = BrowseState(1, limit, order, start_day, end_day, feeds)
    if not namespace:
        _page_box(cols[1], 1)
        st.info("Enter a namespace in the sidebar to list its groups.")
        return listing
    if start_day and end_day and end_day < start_day:
        _page_box(cols[1], 1)
        st.info("The end date is before the start date: swap them to list groups.")
        return listing
    try:
        found = _reachable_groups(s, namespace, listing)
    except ViewerError as error:
        _page_box(cols[1], 1)
        st.error(escape_md(error.message, 600))
        return listing
    total, more = len(found), len(found) == MAX_OFFSET + SEARCH_LIMIT
    page = _page_box(cols[1], page_count(total, limit))
    listing = replace(listing, page=page)
    offset = (page - 1) * limit
    groups = found[offset : offset + limit]
    if not groups:
        st.info("No groups here: widen the dates or clear the feeds.")
        return listing
    first, last = offset + 1, offset + len(groups)
    span = f"group {first:,}" if first == last else f"groups {first:,}–{last:,}"
    st.caption(f"{page_words(page, total, more, limit)} · {span}")
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
                f"{counted(summary.faces, 'face')} · created {escape_md(when(g.created_at))} · "
                f"linked by {escape_md(g.link_words or 'unknown', 40)}"
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
            best_strip(pipe, g.faces, options, STRIP)
    return listing


def _page_box(col: DeltaGenerator, pages: int) -> int:
    """The page number box, from 1 to ``pages`` (a kept page past the last becomes the last)."""
    session.fit_whole(session.BROWSE_PAGE, 1, pages)
    return int(col.number_input("Page", 1, pages, key=session.BROWSE_PAGE, step=1))


def _reachable_groups(s: Settings, namespace: str, listing: BrowseState) -> list[Group]:
    """Every group Browse can list for these dates, order and feeds (at most 200: the API pages
    100 deep), in one or two searches kept a minute; pages are cut from them."""
    args = (
        _millis(listing.start, False),
        _millis(listing.end, True),
        listing.order,
        listing.feeds,
    )
    found = resources.search(s, namespace, SEARCH_LIMIT, 0, *args)
    if len(found) == SEARCH_LIMIT:
        found = [*found, *resources.search(s, namespace, SEARCH_LIMIT, MAX_OFFSET, *args)]
    return found


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
        f"{counted(len(target.faces), 'face')}. Centres closer than {SAME_PERSON_DISTANCE:.2f} are "
        f"likely the same person. The open group itself is left out.{going}"
    )
    ranked = rank_nearness(centre, {slot: found.found[slot] for slot in bounded})
    identity_ui.watch(s, list(asked.values()), found.scored)
    return {n.group: n for n in ranked}


def _near_words(n: Nearness, faces: int) -> str:
    """A ranked row's line: its centre's distance to the open group's, and how it was made."""
    used = f"centre from {n.used} of its {counted(faces, 'face')}"
    if n.distance is None:
        return f"Not ranked yet: no face scored · {used}"
    same = " · **likely the same person**" if n.likely_same else ""
    return f"Distance {n.distance:.2f}{same} · {used}"
