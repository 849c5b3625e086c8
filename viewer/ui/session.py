"""The one owner of the page's session state and of its URL.

Widgets keep their values in ``st.session_state`` under the keys named here. On a session's
first run those values are read from the URL's query (``start``); after each run the view is
written back to it (``write_url``). The callbacks that change the view (open a face, open a
group, add a group to Compare, load the form's group) live here too: views receive them through
their context and never touch the session themselves.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import streamlit as st

from viewer import demo as demo_data
from viewer.ui.context import Pager
from viewer.ui.state import (
    MAX_COMPARED,
    VIEWS,
    ViewState,
    as_params,
    from_params,
)

# Widget keys: a widget's value lives in the session under its key.
MODE = "mode"
GROUP_FORM, NAMESPACE, GROUP_ID, LOAD = "group_form", "namespace", "group_id", "load"
CONF, SHARP, POSE, FEEDS, PROBLEMS = "conf", "sharp", "pose", "feeds", "problems"
SORT, DESC, PER_PAGE = "sort", "desc", "per_page"
TCONF, TSHARP = "tconf", "tsharp"
COLOR, BLUR = "color", "blur"
VIEW = "view"  # the tabs; holds the open tab's label
GALLERY_PAGE, FACES_PAGE, TABLE_PAGE = "gallery_page", "faces_page", "table_page"
TABLE = "table"
PREV, NEXT, DETAIL_FIELDS = "prev", "next", "detail_fields"
DOWNLOAD_ZIP = "download_zip"
DOWNLOAD_SHEET = {"png": "download_sheet_png", "jpeg": "download_sheet_jpg"}
BROWSE_LIMIT, BROWSE_PAGE, BROWSE_ORDER = "browse_limit", "browse_page", "browse_order"
BROWSE_SPAN, BROWSE_FEEDS = "browse_span", "browse_feeds"
COMPARE_IDS = "compare_ids"
# Families of keys, one per face, image or group: made with ``keyed``.
OPEN_IMAGE, OPEN_TILE = "open_g", "open_f"
BROWSE_OPEN, BROWSE_COMPARE = "browse_open", "browse_cmp"
COMPARE_OPEN, COMPARE_FIGURES = "cmp_open", "cmp_fig"
# Not widgets.
FACE = "face"  # index of the face open in Detail
LOADED = "loaded"  # (namespace, group ID) of the group on the page
_STARTED = "_initialised"

_LABEL_TO_VIEW = {label: view for view, label in VIEWS.items()}


@dataclass(frozen=True)
class _Slot:
    """A session value taken from the URL on the first run."""

    key: str
    from_url: Callable[[ViewState], object] | None
    kept: bool = True  # kept through runs that do not draw its widget (another mode or tab)
    per_group: bool = False  # forgotten when another group is loaded


_SLOTS = (
    _Slot(MODE, lambda s: s.mode, kept=False),
    _Slot(NAMESPACE, lambda s: s.namespace, kept=False),
    _Slot(GROUP_ID, lambda s: s.group, kept=False),
    _Slot(CONF, lambda s: s.filters.min_confidence, per_group=True),
    _Slot(SHARP, lambda s: s.filters.min_sharpness, per_group=True),
    _Slot(POSE, lambda s: s.filters.pose),
    _Slot(FEEDS, lambda s: list(s.filters.feeds), per_group=True),
    _Slot(PROBLEMS, lambda s: s.filters.only_problems),
    _Slot(SORT, lambda s: s.sort),
    _Slot(DESC, lambda s: s.descending),
    _Slot(PER_PAGE, lambda s: s.per_page),
    _Slot(TCONF, lambda s: s.thresholds.confidence),
    _Slot(TSHARP, lambda s: s.thresholds.sharpness),
    _Slot(COLOR, lambda s: s.color, kept=False),
    _Slot(BLUR, lambda s: s.blur, kept=False),
    _Slot(FACE, lambda s: s.face, kept=False, per_group=True),
    _Slot(VIEW, lambda s: VIEWS[s.view]),
    _Slot(GALLERY_PAGE, lambda s: s.page, per_group=True),
    _Slot(FACES_PAGE, lambda s: s.page, per_group=True),
    _Slot(TABLE_PAGE, None, per_group=True),
    _Slot(COMPARE_IDS, lambda s: "\n".join(s.compare)),
)


def keyed(family: str, *parts: object) -> str:
    """The key of one widget of a family, e.g. ``keyed(OPEN_TILE, 3)`` is ``"open_f_3"``."""
    return "_".join([family, *(str(p) for p in parts)])


def start(demo: bool) -> list[str]:
    """Make the session ready for this run; returns the URL's notices (first run only).

    On the first run the view comes from the URL (the demo's sample group when the URL names
    none); on every run widget values are kept that Streamlit would forget.
    """
    ss = st.session_state
    notices: list[str] = []
    if not ss.get(_STARTED):
        state, notices = from_params(st.query_params.to_dict())
        if demo and not state.namespace and not state.group and state.mode == "inspect":
            state = replace(state, namespace=demo_data.NAMESPACE, group=demo_data.SAMPLE_GROUP_ID)
        ss[_STARTED] = True
        ss.update({slot.key: slot.from_url(state) for slot in _SLOTS if slot.from_url})
        if state.namespace and state.group:
            ss[LOADED] = (state.namespace, state.group)
    for slot in _SLOTS:
        if slot.kept and slot.key in ss:
            ss[slot.key] = ss[slot.key]
    return notices


def write_url(state: ViewState) -> None:
    """Put the view in the page's URL (left alone when it already says the same)."""
    params = as_params(state)
    if params != st.query_params.to_dict():
        st.query_params.from_dict(params)


def namespace() -> str:
    """The namespace typed in the sidebar."""
    return str(st.session_state.get(NAMESPACE) or "").strip()


def loaded() -> tuple[str, str] | None:
    """(namespace, group ID) of the group to show, None before one is loaded."""
    return st.session_state.get(LOADED)


def active_view() -> str:
    """The open tab of a loaded group: a key of ``VIEWS``."""
    return _LABEL_TO_VIEW.get(st.session_state.get(VIEW), "gallery")


def face() -> int | None:
    """The index of the face open in Detail, None when none has been chosen."""
    return st.session_state.get(FACE)


def keep_face(index: int) -> None:
    """Make another face the one open in Detail, without switching the tab."""
    st.session_state[FACE] = index


def compare_ids() -> list[str]:
    """The group IDs to compare, as typed (commas or lines), deduplicated, at most eight."""
    raw = st.session_state.get(COMPARE_IDS, "")
    ids = [line.strip() for line in raw.replace(",", "\n").splitlines() if line.strip()]
    return list(dict.fromkeys(ids))[:MAX_COMPARED]


def pager(key: str) -> Pager:
    """The page kept under ``key`` (the pagination widget's key)."""

    def page(count: int) -> int:
        kept = min(max(int(st.session_state.get(key) or 1), 1), count)
        st.session_state[key] = kept
        return kept

    return Pager(key, page)


def table_selection() -> list[int]:
    """Positions of the rows selected in the table, on its page."""
    return list(st.session_state[TABLE].selection.rows)


def fit_range(key: str, low: float, high: float) -> None:
    """Clamp a slider's kept number into the range it is about to be drawn with."""
    value = st.session_state.get(key)
    if isinstance(value, (int, float)):
        st.session_state[key] = min(max(float(value), low), high)


def fit_choices(key: str, choices: Sequence[str]) -> None:
    """Drop kept selections that the widget is about to be drawn without."""
    if key in st.session_state:
        st.session_state[key] = [c for c in st.session_state[key] if c in choices]


# Callbacks: they run before the next run draws anything, so they may set widget values.


def load() -> None:
    """Show the group the form names; its filters start open (it has its own ranges)."""
    ss = st.session_state
    ss[LOADED] = (namespace(), str(ss.get(GROUP_ID) or "").strip())
    ss[MODE] = "inspect"
    for slot in _SLOTS:
        if slot.per_group:
            ss.pop(slot.key, None)


def open_face(index: int) -> None:
    """Show the face with this index in the group in Detail."""
    st.session_state[FACE] = index
    st.session_state[VIEW] = VIEWS["detail"]


def open_group(group_namespace: str, group_id: str) -> None:
    """Load a group (from Browse or Compare) and inspect it."""
    ss = st.session_state
    ss[NAMESPACE], ss[GROUP_ID], ss[MODE] = group_namespace, group_id, "inspect"
    load()


def add_to_compare(group_id: str) -> None:
    """Add a group to the groups compared, unless it is there already."""
    ids = compare_ids()
    if group_id not in ids:
        ids.append(group_id)
    st.session_state[COMPARE_IDS] = "\n".join(ids)
