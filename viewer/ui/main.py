"""The page: settings, the mode, the group form, loading, the header and the views."""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

from viewer.config import Settings
from viewer.exceptions import ViewerError
from viewer.models import Face, Group
from viewer.pipeline import ViewOptions, group_by_image
from viewer.select import apply_filters, flag_faces, page_of, sort_faces
from viewer.ui import resources, sidebar
from viewer.ui.browse import browse_view
from viewer.ui.compare import compare_ids, compare_view
from viewer.ui.context import ViewContext
from viewer.ui.detail import detail_view
from viewer.ui.export import export_panel
from viewer.ui.faces import faces_view
from viewer.ui.gallery import THUMB_HEIGHT, THUMB_WIDTH, gallery
from viewer.ui.header import header
from viewer.ui.state import (
    DEMO_GROUP,
    DEMO_NAMESPACE,
    MODES,
    VIEWS,
    ViewState,
    as_params,
    from_params,
)
from viewer.ui.stats import stats_view
from viewer.ui.table import table_view
from viewer.ui.text import escape_md

LABEL_TO_VIEW = {label: view for view, label in VIEWS.items()}
# Widget values that must survive a run in which their widget is not drawn (another mode).
PERSISTENT_KEYS = (
    "conf", "sharp", "pose", "feeds", "problems", "sort", "desc", "per_page", "tconf",
    "tsharp", "view", "gallery_page", "faces_page", "table_page", "compare_ids",
)  # fmt: skip


def _init_session(demo: bool) -> None:
    """On a session's first run, put the view from the URL into the widgets' state."""
    if st.session_state.get("_initialised"):
        return
    state, notices = from_params(st.query_params.to_dict())
    if demo and not state.namespace and not state.group and state.mode == "inspect":
        state = replace(state, namespace=DEMO_NAMESPACE, group=DEMO_GROUP)
    ss = st.session_state
    ss.update(
        {
            "_initialised": True,
            "_notices": notices,
            "mode": state.mode,
            "namespace": state.namespace,
            "group_id": state.group,
            "conf": state.filters.min_confidence,
            "sharp": state.filters.min_sharpness,
            "pose": state.filters.pose,
            "feeds": list(state.filters.feeds),
            "problems": state.filters.only_problems,
            "sort": state.sort,
            "desc": state.descending,
            "per_page": state.per_page,
            "tconf": state.thresholds.confidence,
            "tsharp": state.thresholds.sharpness,
            "color": state.color,
            "blur": state.blur,
            "face": state.face,
            "view": VIEWS[state.view],
            "gallery_page": state.page,
            "faces_page": state.page,
            "compare_ids": "\n".join(state.compare),
        }
    )
    if state.namespace and state.group:
        ss["loaded"] = (state.namespace, state.group)


def _keep_widget_state() -> None:
    """Streamlit forgets a widget's value when a run does not draw it; keep these anyway."""
    for key in PERSISTENT_KEYS:
        if key in st.session_state:
            st.session_state[key] = st.session_state[key]


def open_face(index: int) -> None:
    st.session_state["face"] = index
    st.session_state["view"] = VIEWS["detail"]


def open_group(namespace: str, group_id: str) -> None:
    ss = st.session_state
    ss["namespace"], ss["group_id"], ss["mode"] = namespace, group_id, "inspect"
    _on_load()


def add_to_compare(group_id: str) -> None:
    ids = compare_ids()
    if group_id not in ids:
        ids.append(group_id)
    st.session_state["compare_ids"] = "\n".join(ids)


def _on_load() -> None:
    ss = st.session_state
    ss["loaded"] = (ss.get("namespace", "").strip(), ss.get("group_id", "").strip())
    ss["mode"] = "inspect"
    # a new group has its own range of confidence, sharpness and feeds: its filters start open
    for key in ("face", "gallery_page", "faces_page", "table_page", "feeds", "conf", "sharp"):
        ss.pop(key, None)


def _write_url(state: ViewState) -> None:
    params = as_params(state)
    if params != st.query_params.to_dict():
        st.query_params.from_dict(params)


def _load(s: Settings, namespace: str, group_id: str) -> Group:
    """The group; the client refuses a namespace or ID that cannot be sent, before any request."""
    with st.spinner(f"Loading group {escape_md(group_id, 60)}…"):
        return resources.group(s, namespace, group_id)


def _pager(key: str, count: int) -> int:
    page = min(max(int(st.session_state.get(key) or 1), 1), count)
    st.session_state[key] = page
    if count > 1:
        return st.pagination(count, key=key, default=page)
    return page


def main() -> None:
    try:
        s = resources.settings()
    except ViewerError as error:
        st.error(escape_md(error.message, 600))
        return
    _init_session(s.demo)
    _keep_widget_state()
    st.sidebar.title("Group Viewer")
    source_slot = st.sidebar.container()
    mode = st.sidebar.radio(
        "Mode",
        list(MODES),
        key="mode",
        horizontal=True,
        format_func=MODES.get,
        label_visibility="collapsed",
    )
    sidebar.group_form(_on_load)
    for notice in st.session_state.pop("_notices", []):
        st.info(escape_md(notice, 300))
    color, blur = sidebar.draw_options()
    options = ViewOptions(color_mode=color, blur=blur, boxes_on=s.boxes_on)
    base = ViewState(
        namespace=st.session_state.get("namespace", "").strip(), mode=mode, color=color, blur=blur
    )
    state = _page(s, base, options)
    with source_slot:  # after the page: a token exchange tells the organisation and app
        sidebar.source(s, _token_names(s))
    if state is not None:
        _write_url(state)


def _page(s: Settings, base: ViewState, options: ViewOptions) -> ViewState | None:
    """Draw the mode's page; returns the view to keep in the URL (None: leave the URL as it
    is, so a link that failed to load, perhaps for a moment, keeps every setting)."""
    if base.mode != "inspect":
        pipe = resources.pipeline(s)
        if base.mode == "browse":
            browse_view(s, pipe, options, open_group, add_to_compare)
            return base
        return replace(base, compare=tuple(compare_view(s, pipe, options, open_group)))
    loaded = st.session_state.get("loaded")
    if not loaded:
        st.title("Group Viewer")
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
    state = sidebar.controls(group, base)
    flags = flag_faces(group.faces, state.thresholds)  # once per run, for every view
    shown = sort_faces(
        apply_filters(group.faces, state.filters, flags), state.sort, state.descending
    )
    header(group, len(shown), len(flags))
    st.caption(f"{len(shown):,} of {len(group.faces):,} faces shown")
    options = replace(options, flagged=frozenset(flags))
    pipe = resources.pipeline(s)
    page = _views(ViewContext(pipe, options, flags, open_face), shown, state.per_page)
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
        )
    with st.expander("Raw JSON"):
        st.caption("The group exactly as the API sent it (first 200 faces).")
        raw = dict(group.raw)
        if isinstance(raw.get("images"), list) and len(raw["images"]) > 200:
            raw["images"] = raw["images"][:200]
        st.json(raw, expanded=1)
    active = LABEL_TO_VIEW.get(st.session_state.get("view"), "gallery")
    return replace(
        state,
        view=active,
        page=page if active in ("gallery", "faces") else 1,
        face=st.session_state.get("face") if active == "detail" else None,
    )


def _views(ctx: ViewContext, shown: list[Face], per_page: int) -> int:
    """Draw the open tab (only that one); returns the gallery or faces page shown."""
    pipe = ctx.pipe
    tabs = dict(
        zip(VIEWS, st.tabs(list(VIEWS.values()), key="view", on_change="rerun"), strict=True)
    )
    page = 1

    def is_open(view: str) -> bool:
        return tabs[view].open is not False

    if is_open("gallery"):
        with tabs["gallery"]:
            images = group_by_image(shown)
            count = max(1, -(-len(images) // per_page))
            page = _pager("gallery_page", count)
            items, _, _ = page_of(images, page, per_page)
            if not items:
                st.info("No faces pass the filters: loosen them in the sidebar.")
            gallery(ctx, [f for _, fs in items for f in fs])
            nxt, _, _ = page_of(images, page + 1, per_page) if page < count else ([], 0, 0)
            pipe.draw_ahead(nxt, ctx.options, THUMB_WIDTH, THUMB_HEIGHT)
    if is_open("faces"):
        with tabs["faces"]:
            count = max(1, -(-len(shown) // per_page))
            page = _pager("faces_page", count)
            items, _, _ = page_of(shown, page, per_page)
            if not items:
                st.info("No faces pass the filters: loosen them in the sidebar.")
            faces_view(ctx, items)
            nxt, _, _ = page_of(shown, page + 1, per_page) if page < count else ([], 0, 0)
            pipe.prefetch(f.url for f in nxt)
    if is_open("table"):
        with tabs["table"]:
            table_view(ctx, shown)
    if is_open("stats"):
        with tabs["stats"]:
            stats_view(shown)
    if is_open("detail"):
        with tabs["detail"]:
            detail_view(ctx, shown)
    return page
