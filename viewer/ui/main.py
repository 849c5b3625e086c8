"""The page: settings, the mode, the group form, loading, the header and the views."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import fields, replace

import streamlit as st

from viewer.compose import ViewOptions, verdict_badges
from viewer.config import Settings
from viewer.exceptions import ViewerError
from viewer.models import Face, Group, answered_another
from viewer.numbers import counted
from viewer.review.faces import ReviewSnapshot, snapshot
from viewer.review.triage import QUEUE_ORDERS, filter_by_verdict, queue_order
from viewer.select import Thresholds, apply_filters, flag_faces, sort_faces
from viewer.ui import apply as apply_ui
from viewer.ui import identity as identity_ui
from viewer.ui import resources, session, sidebar
from viewer.ui import review as review_ui
from viewer.ui.browse import browse_view
from viewer.ui.compare import compare_view
from viewer.ui.context import (
    ApplyContext,
    BrowseContext,
    CompareContext,
    DetailContext,
    PagedContext,
    QueueContext,
    ReviewContext,
    TableContext,
    ViewContext,
)
from viewer.ui.detail import detail_view
from viewer.ui.export import export_panel
from viewer.ui.faces import faces_view
from viewer.ui.gallery import gallery_view
from viewer.ui.header import header
from viewer.ui.queue import queue_view
from viewer.ui.state import MODES, VIEWS, ViewState
from viewer.ui.stats import stats_view
from viewer.ui.table import table_view
from viewer.ui.text import escape_md
from viewer.ui.welcome import demo_welcome

IMAGE_FAILED = "image failed"  # a face's flag once its picture could not be had


def _load(s: Settings, namespace: str, group_id: str) -> Group:
    """The group; the client refuses a namespace or ID that cannot be sent, before any request."""
    with st.spinner(f"Loading group {escape_md(group_id, 60)}…"):
        return resources.group(s, namespace, group_id)


def main() -> None:
    try:
        s = resources.settings()
    except ViewerError as error:
        st.error(escape_md(error.message, 600))
        return
    notices = session.start(s.demo)
    st.sidebar.title("Group Viewer")
    source_slot = st.sidebar.container()
    mode = st.sidebar.radio(
        "Mode",
        list(MODES),
        key=session.MODE,
        horizontal=True,
        format_func=MODES.get,
        label_visibility="collapsed",
    )
    sidebar.group_form(session.load)
    for notice in notices:
        st.info(escape_md(notice, 300))
    color, blur = sidebar.draw_options()
    options = ViewOptions(color_mode=color, blur=blur, boxes_on=s.boxes_on)
    base = ViewState(namespace=session.namespace(), mode=mode, color=color, blur=blur)
    state = _page(s, base, options)
    with source_slot:  # after the page: a token exchange tells the organisation and app
        sidebar.source(s, _token_names(s))
    if state is not None:
        session.write_url(state)


def _page(s: Settings, base: ViewState, options: ViewOptions) -> ViewState | None:
    """Draw the mode's page; returns the view to keep in the URL (None: leave the URL as it
    is, so a link that failed to load, perhaps for a moment, keeps every setting)."""
    if base.mode == "browse":
        pipe = resources.pipeline(s)
        loaded = session.loaded()
        open_id = loaded[1] if loaded and loaded[0] == base.namespace and loaded[1] else None
        listing = browse_view(
            BrowseContext(
                s,
                pipe,
                options,
                base.namespace,
                session.open_group,
                session.add_to_compare,
                open_id=open_id,
                said=session.compare_said(),
            )
        )
        return replace(base, browse=listing)
    if base.mode == "compare":
        ids = session.compare_ids()
        pipe = resources.pipeline(s)
        compare_view(CompareContext(s, pipe, options, base.namespace, session.open_group, ids))
        return replace(base, compare=tuple(ids))
    loaded = session.loaded()
    if not loaded or not loaded[1]:
        st.title("Group Viewer")
        if s.demo:
            demo_welcome(session.open_group)
        else:
            st.info("Enter a namespace and a group ID in the sidebar, then press Load.")
        return replace(base, namespace="")
    namespace, group_id = loaded
    base = replace(base, namespace=namespace, group=group_id)
    try:
        group = _load(s, namespace, group_id)
    except ViewerError as error:
        st.error(escape_md(error.message, 600))
        return None
    return _inspect(s, group, base, options)


def _token_names(s: Settings) -> tuple[str | None, str | None]:
    info = resources.client(s).token_info
    return (info.org_name, info.app_name) if info else (None, None)


def _inspect(s: Settings, group: Group, base: ViewState, options: ViewOptions) -> ViewState:
    """A loaded group: its views (Group mode) or its review queue (Review mode)."""
    if other := answered_another(group, base.namespace, base.group):
        st.warning(escape_md(other, 600))
    review = review_ui.review_context(s, base.namespace, base.group, group)
    state = sidebar.controls(group, base, verdicts=review.board is not None)
    review_ui.analyst_input(s)
    if not group.faces:
        return _empty(group, state)
    applying = apply_ui.apply_context(s, base.namespace, base.group, group, review.analyst)
    removed = apply_ui.removed_keys(group, applying.batches)
    in_view = sort_faces(group.faces, state.sort, state.descending)[: state.per_page]
    evidence = identity_ui.evidence(s, group, in_view, state.thresholds.identity)
    conflicts = evidence.conflicts.keys()
    pipe = resources.pipeline(s)
    flags = flag_faces(group.faces, state.thresholds)  # once per run, for every view
    failed = pipe.failed_images()  # known once their pictures were tried
    for face in group.faces:
        if face.url in failed:
            flags[face.key] = [*flags.get(face.key, []), IMAGE_FAILED]
        if reasons := evidence.reasons(face):
            flags[face.key] = [*flags.get(face.key, []), *reasons]
        if face.key in removed:
            flags[face.key] = [*flags.get(face.key, []), apply_ui.REMOVED]
    words = {key: verdict.verdict for key, verdict in review.verdicts.items()}
    passing = apply_filters(group.faces, state.filters, flags)
    if state.verdict != "all":
        passing = filter_by_verdict(passing, words, state.verdict)
    if state.identity != "all":
        passing = [f for f in passing if evidence.matches(f, state.identity)]
    badges = verdict_badges(words)
    for key, marks in [*evidence.badges().items(), *apply_ui.removed_badges(removed).items()]:
        badges[key] = (*badges.get(key, ()), *marks)
    options = replace(options, flagged=frozenset(flags)).with_badges(badges)
    ctx = ViewContext(pipe, options, flags, session.open_face, review=review, evidence=evidence)
    if state.mode == "review":
        return _review(s, ctx, group, state, passing, applying)
    shown = sort_faces(passing, state.sort, state.descending, evidence.distances, conflicts)
    counts = review.board.counts() if review.board else None
    flagged = sum(f.key in flags for f in shown)
    header(group, len(shown), flagged, counts, apply_ui.applied_by(applying.batches))
    if removed:
        st.caption(
            f"\u2212 {len(removed):,} face(s) {apply_ui.REMOVED}: an apply from this viewer "
            "took them out, and the API no longer links them to it."
        )
    st.caption(f"{len(shown):,} of {counted(len(group.faces), 'face')} shown")
    identity_ui.summary(evidence)
    identity_ui.watch(s, group, evidence.scored)
    review_ui.said()
    page = _views(ctx, shown, state.per_page, group.faces, state.thresholds)
    with st.expander("Export", icon=":material/download:"):
        export_panel(
            pipe,
            group,
            shown,
            options,
            s,
            namespace=state.namespace,
            filters=state.filters,
            flags=flags,
            review=_snapshot(review, state, group),
            distances=evidence.distances,
        )
    with st.expander("Apply to the API", icon=":material/cloud_upload:"):
        apply_ui.apply_panel(applying)
    _raw_json(group)
    active = session.active_view()
    return replace(
        state,
        view=active,
        page=page if active in ("gallery", "faces") else 1,
        face=session.face() if active == "detail" else None,
    )


def empty_text(group: Group, asked: str) -> str:
    """The sentence a group without faces gets instead of its views (Markdown-safe)."""
    return (
        f"Group {escape_md(group.id or asked, 80)} is empty: the API sent it without any "
        "images, so there are no faces to show, review or export."
    )


def _empty(group: Group, state: ViewState) -> ViewState:
    """A group without faces: its header, one sentence saying it is empty, and its JSON."""
    if state.mode == "review":
        st.subheader(f"Review group {escape_md(group.id or state.group, 80)}")
    else:
        header(group, 0, 0)
    st.info(empty_text(group, state.group))
    _raw_json(group)
    return replace(state, page=1, face=None)


def _raw_json(group: Group) -> None:
    with st.expander("Raw JSON"):
        st.caption("The group exactly as the API sent it (first 200 faces).")
        st.json(group.raw_preview(200), expanded=1)


def _snapshot(
    review: ReviewContext, state: ViewState, group: Group
) -> Callable[[], ReviewSnapshot]:
    """What the export reads about verdicts when it is built: the store now, or why not."""
    board, unavailable = review.board, review.unavailable
    if board is None:
        return lambda: ReviewSnapshot(unavailable=unavailable)
    return lambda: snapshot(board.store, state.namespace, state.group, group.faces)


def _review(
    s: Settings,
    ctx: ViewContext,
    group: Group,
    state: ViewState,
    passing: list[Face],
    applying: ApplyContext,
) -> ViewState:
    """The review queue over the faces that pass the filters, in the chosen order."""
    st.subheader(f"Review group {escape_md(group.id or state.group, 80)}")
    identity_ui.summary(ctx.evidence)
    identity_ui.watch(s, group, ctx.evidence.scored)
    review_ui.said()
    distances = ctx.evidence.distances
    # least like the rest first; until faces are scored, that falls back to worst quality
    least = _least_like(distances) if distances else QUEUE_ORDERS["worst"][1]
    orders = {"least": ("Least like the rest first", least), **QUEUE_ORDERS}
    order_key, unreviewed_first = sidebar.queue_controls(orders)
    reviewed = set(ctx.review.verdicts)
    ordering = orders[order_key][1]
    made_from = (
        state.namespace,
        state.group,
        state.filters,
        state.verdict,
        state.identity,
        order_key,
        unreviewed_first,
        ctx.evidence.scored == ctx.evidence.total,  # the order is made again once all are scored
    )
    order = session.queue(
        made_from,
        lambda: [f.index for f in queue_order(passing, reviewed, ordering, unreviewed_first)],
    )
    common = {f.name: getattr(ctx, f.name) for f in fields(ViewContext)}
    shown = queue_view(
        QueueContext(
            **common,
            order=order,
            face=session.face(),
            show_face=session.keep_face,
        ),
        passing,
        group.faces,
    )
    with st.expander("Apply to the API", icon=":material/cloud_upload:"):
        apply_ui.apply_panel(applying)
    return replace(state, view="gallery", page=1, face=shown)


def _least_like(distances: Mapping[str, float]) -> Callable[[Face], float]:
    """A queue ordering: the largest identity distance first, faces not scored last."""
    return lambda face: -distances[face.key] if face.key in distances else math.inf


def _views(
    ctx: ViewContext,
    shown: list[Face],
    per_page: int,
    group_faces: Sequence[Face],
    thresholds: Thresholds,
) -> int:
    """Draw the open tab (only that one); returns the gallery or faces page shown;
    ``thresholds``: the quality flags', drawn in Stats."""
    common = {f.name: getattr(ctx, f.name) for f in fields(ViewContext)}
    labels = list(VIEWS.values())
    tabs = dict(zip(VIEWS, st.tabs(labels, key=session.VIEW, on_change="rerun"), strict=True))
    page = 1

    def is_open(view: str) -> bool:
        return tabs[view].open is not False

    if is_open("gallery"):
        with tabs["gallery"]:
            pager = session.pager(session.GALLERY_PAGE)
            page = gallery_view(PagedContext(**common, pager=pager, per_page=per_page), shown)
    if is_open("faces"):
        with tabs["faces"]:
            pager = session.pager(session.FACES_PAGE)
            page = faces_view(PagedContext(**common, pager=pager, per_page=per_page), shown)
    if is_open("table"):
        with tabs["table"]:
            pager = session.pager(session.TABLE_PAGE)
            table_view(TableContext(**common, pager=pager, per_page=per_page), shown)
    if is_open("stats"):
        with tabs["stats"]:
            board = ctx.review.board
            stats_view(
                shown,
                board.counts(f.key for f in shown) if board else None,
                ctx.evidence,
                thresholds,
            )
    if is_open("detail"):
        with tabs["detail"]:
            detail_view(
                DetailContext(
                    **common,
                    face=session.face(),
                    keep_face=session.keep_face,
                    group_faces=group_faces,
                ),
                shown,
            )
    return page
