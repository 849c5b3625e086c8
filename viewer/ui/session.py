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
from typing import Any

import streamlit as st

from viewer import demo as demo_data
from viewer.exceptions import ReviewError
from viewer.models import Face
from viewer.numbers import counted
from viewer.review.apply import ApplyResult, Prepared
from viewer.review.board import Board, Done
from viewer.review.store import VerdictStore
from viewer.ui.context import Applying, Pager
from viewer.ui.state import (
    GROUP_MODES,
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
TCONF, TSHARP, TDIST = "tconf", "tsharp", "tdist"
COLOR, BLUR = "color", "blur"
VIEW = "view"  # the tabs; holds the open tab's label
GALLERY_PAGE, FACES_PAGE, TABLE_PAGE = "gallery_page", "faces_page", "table_page"
TABLE = "table"
PREV, NEXT, DETAIL_FIELDS = "prev", "next", "detail_fields"
DOWNLOAD_ZIP = "download_zip"
DOWNLOAD_SHEET = {"png": "download_sheet_png", "jpeg": "download_sheet_jpg"}
BROWSE_LIMIT, BROWSE_PAGE, BROWSE_ORDER = "browse_limit", "browse_page", "browse_order"
BROWSE_FROM, BROWSE_TO, BROWSE_FEEDS = "browse_from", "browse_to", "browse_feeds"
BROWSE_NEAR = "browse_near"  # rank the listed groups by nearness to the open group
COMPARE_IDS = "compare_ids"
COMPARE_SAID = "compare_said"  # what the last "Compare" button did, shown on the next run
VERDICT_FILTER, ANALYST = "verdict", "analyst"
IDENTITY_FILTER = "identity"
QUEUE_ORDER, UNREVIEWED_FIRST = "queue_order", "unreviewed_first"
QUEUE_PREV, QUEUE_NEXT = "queue_prev", "queue_next"
SELECT_PAGE, SELECT_SHOWN, SELECT_CLEAR = "sel_page", "sel_shown", "sel_clear"
TABLE_OPEN = "tbl_open"
APPLY_PREVIEW, APPLY_SEND = "apply_preview", "apply_send"  # buttons: Preview, Apply N requests
APPLY_READ = "apply_read"  # "I have read the requests", keyed by the preview's number
# Families of keys, one per face, image or group: made with ``keyed``.
OPEN_IMAGE, OPEN_TILE = "open_g", "open_f"
BROWSE_OPEN, BROWSE_COMPARE = "browse_open", "browse_cmp"
COMPARE_OPEN, COMPARE_FIGURES = "cmp_open", "cmp_fig"
DEMO_OPEN = "demo_open"  # the first screen's buttons, one per demo group
SELECT_TILE = "sel_f"  # a face tile's checkbox
VERDICT, UNDO, NOTE = "vd", "undo", "note"  # keyed by where they are drawn (and the verdict)
MOVE_TO, MOVE, MOVE_CLEAR = "move_to", "move", "move_clear"  # Detail: "Belongs to group…"
# Not widgets.
FACE = "face"  # index of the face open in Detail, and of the face the review queue shows
LOADED = "loaded"  # (namespace, group ID) of the group on the page
SELECTED = "selected"  # keys of the selected faces, across pages (a frozenset)
BOARD = "board"  # the loaded group's verdicts (a review.board.Board)
QUEUE = "queue"  # (what it was made from, face indices in the review queue's order)
SAID = "said"  # (kind, sentence): what the last verdict action did, shown on the next run
APPLY = "apply"  # ((namespace, group ID), Applying): the group's preview or last apply
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
    _Slot(CONF, lambda s: (s.filters.min_confidence, s.filters.max_confidence), per_group=True),
    _Slot(SHARP, lambda s: (s.filters.min_sharpness, s.filters.max_sharpness), per_group=True),
    _Slot(POSE, lambda s: s.filters.pose),
    _Slot(FEEDS, lambda s: list(s.filters.feeds), per_group=True),
    _Slot(PROBLEMS, lambda s: s.filters.only_problems),
    _Slot(SORT, lambda s: s.sort),
    _Slot(DESC, lambda s: s.descending),
    _Slot(PER_PAGE, lambda s: s.per_page),
    _Slot(TCONF, lambda s: s.thresholds.confidence),
    _Slot(TSHARP, lambda s: s.thresholds.sharpness),
    _Slot(TDIST, lambda s: s.thresholds.identity),
    _Slot(COLOR, lambda s: s.color, kept=False),
    _Slot(BLUR, lambda s: s.blur, kept=False),
    _Slot(FACE, lambda s: s.face, kept=False, per_group=True),
    _Slot(VIEW, lambda s: VIEWS[s.view]),
    _Slot(GALLERY_PAGE, lambda s: s.page, per_group=True),
    _Slot(FACES_PAGE, lambda s: s.page, per_group=True),
    _Slot(TABLE_PAGE, None, per_group=True),
    _Slot(COMPARE_IDS, lambda s: "\n".join(s.compare)),
    _Slot(BROWSE_NEAR, None),
    _Slot(BROWSE_PAGE, lambda s: s.browse.page),
    _Slot(BROWSE_LIMIT, lambda s: s.browse.per_page),
    _Slot(BROWSE_ORDER, lambda s: s.browse.order),
    _Slot(BROWSE_FROM, lambda s: s.browse.start),
    _Slot(BROWSE_TO, lambda s: s.browse.end),
    _Slot(BROWSE_FEEDS, lambda s: ", ".join(s.browse.feeds)),
    _Slot(VERDICT_FILTER, lambda s: s.verdict),
    _Slot(IDENTITY_FILTER, lambda s: s.identity),
    _Slot(ANALYST, None),
    _Slot(QUEUE_ORDER, None),
    _Slot(UNREVIEWED_FIRST, lambda s: True),
    _Slot(SELECTED, None, kept=False, per_group=True),
    _Slot(QUEUE, None, kept=False, per_group=True),
    _Slot(APPLY, None, kept=False, per_group=True),
)


def keyed(family: str, *parts: object) -> str:
    """The key of one widget of a family, e.g. ``keyed(OPEN_TILE, 3)`` is ``"open_f_3"``."""
    return "_".join([family, *(str(p) for p in parts)])


def start(demo: bool) -> list[str]:
    """Make the session ready for this run; returns the URL's notices (first run only).

    On the first run the view comes from the URL (on the demo, its namespace when the URL
    names none, so the first screen introduces the demo groups); on every run widget values
    are kept that Streamlit would forget.
    """
    ss = st.session_state
    notices: list[str] = []
    if not ss.get(_STARTED):
        state, notices = from_params(st.query_params.to_dict())
        if demo and not state.namespace and not state.group and state.mode in GROUP_MODES:
            state = replace(state, namespace=demo_data.NAMESPACE)
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
    """The group IDs to compare, one per line as typed (an ID may hold a comma),
    deduplicated, at most eight."""
    raw = st.session_state.get(COMPARE_IDS, "")
    ids = [line.strip() for line in raw.splitlines() if line.strip()]
    return list(dict.fromkeys(ids))[:MAX_COMPARED]


def compare_said() -> str | None:
    """What the last "Compare" button did, once."""
    return st.session_state.pop(COMPARE_SAID, None)


def fit_whole(key: str, low: int, high: int) -> None:
    """Clamp a number box's kept whole number into the range it is about to be drawn with."""
    value = st.session_state.get(key)
    if isinstance(value, (int, float)) and not low <= value <= high:
        st.session_state[key] = int(min(max(value, low), high))


def pager(key: str) -> Pager:
    """The page kept under ``key`` (the pagination widget's key)."""

    def page(count: int) -> int:
        kept = min(max(int(st.session_state.get(key) or 1), 1), count)
        if st.session_state.get(key) != kept:  # written only when it changes: a widget's
            st.session_state[key] = kept  # value written on every run is logged as a conflict
        return kept

    return Pager(key, page)


def table_selection() -> list[int]:
    """Positions of the rows selected in the table, on its page."""
    state = st.session_state.get(TABLE) or {}
    return list((state.get("selection") or {}).get("rows") or [])


# Verdicts: the analyst, the selection, the group's board, the review queue.


def given_analyst(configured: str | None) -> str | None:
    """Who records verdicts when the page need not ask: the login's name or e-mail (when
    login is configured), else ``configured`` (II_ANALYST)."""
    user = _user()
    if user.get("is_logged_in"):
        name = str(user.get("name") or user.get("email") or "").strip()
        if name:
            return name
    return configured or None


def _user() -> dict[str, object]:
    try:
        return dict(st.user)
    except Exception:  # no login configured, or no session to ask
        return {}


def logged_in() -> bool:
    """Whether login is configured and the person on the page has logged in."""
    return bool(_user().get("is_logged_in"))


def analyst(configured: str | None) -> str | None:
    """Who records verdicts: ``given_analyst``, else the name typed in the sidebar; None
    until one is known."""
    return given_analyst(configured) or str(st.session_state.get(ANALYST) or "").strip() or None


def selected() -> frozenset[str]:
    """Keys of the selected faces of the loaded group, on every page."""
    return st.session_state.get(SELECTED) or frozenset()


def show_selected(faces: Sequence[Face]) -> None:
    """Tick the tile checkboxes of ``faces`` that are selected (before they are drawn)."""
    chosen = selected()
    for face in faces:
        st.session_state[keyed(SELECT_TILE, face.index)] = face.key in chosen


def show_selected_rows(keys: Sequence[str]) -> None:
    """Select the table rows (the faces ``keys``, in row order) that are selected."""
    chosen = selected()
    rows = [i for i, key in enumerate(keys) if key in chosen]
    if table_selection() != rows:
        st.session_state[TABLE] = {"selection": {"rows": rows, "columns": [], "cells": []}}


def board(store: VerdictStore, namespace: str, group_id: str, faces: Sequence[Face]) -> Board:
    """The loaded group's verdicts for this session, made once per group and store."""
    kept = st.session_state.get(BOARD)
    if not isinstance(kept, Board) or not kept.matches(store, namespace, group_id, faces):
        kept = st.session_state[BOARD] = Board(store, namespace, group_id, faces)
    return kept


def queue(made_from: object, build: Callable[[], Sequence[int]]) -> tuple[int, ...]:
    """The review queue's faces (indices) in order: made by ``build`` the first time and
    again when ``made_from`` (group, filters, order) changes, kept as it is in between, so
    the queue does not reorder itself under the analyst as verdicts come in."""
    kept = st.session_state.get(QUEUE)
    if kept is None or kept[0] != made_from:
        kept = st.session_state[QUEUE] = (made_from, tuple(build()))
    return kept[1]


def said() -> tuple[str, str] | None:
    """What the last verdict action did, (``success`` or ``error``, sentence), once."""
    return st.session_state.pop(SAID, None)


def widget_value(key: str) -> Any:
    """What a widget (a chart's selection, say) holds now, None before it is drawn."""
    return st.session_state.get(key)


def set_value(key: str, value: object) -> None:
    """Set a widget's value from a callback (a brushed chart sets a filter's range)."""
    st.session_state[key] = value


def fit_range(key: str, low: float, high: float, whole: bool = False) -> None:
    """Clamp a slider's kept number, or both ends of a range slider's, into the range it is
    about to be drawn with; ``whole``: a range slider with nothing kept spans all of it."""
    value = st.session_state.get(key)
    if value is None and whole:
        st.session_state[key] = (low, high)
    elif isinstance(value, (int, float)):
        st.session_state[key] = min(max(float(value), low), high)
    elif isinstance(value, (tuple, list)) and len(value) == 2:
        start, end = (min(max(float(v), low), high) for v in value)
        fitted = (min(start, end), max(start, end))
        if tuple(value) != fitted:
            st.session_state[key] = fitted


def fit_choice(key: str, choices: Sequence[str]) -> None:
    """Forget a kept choice that the widget is about to be drawn without."""
    if st.session_state.get(key) not in (None, *choices):
        del st.session_state[key]


def fit_choices(key: str, choices: Sequence[str]) -> None:
    """Drop kept selections that the widget is about to be drawn without."""
    if key in st.session_state:
        st.session_state[key] = [c for c in st.session_state[key] if c in choices]


# Callbacks: they run before the next run draws anything, so they may set widget values.


def load() -> None:
    """Show the group the form names; its filters start open (it has its own ranges)."""
    ss = st.session_state
    ss[LOADED] = (namespace(), str(ss.get(GROUP_ID) or "").strip())
    if ss.get(MODE) not in GROUP_MODES:
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


def add_to_compare(*group_ids: str) -> None:
    """Add groups to the groups compared, each unless it is there already or Compare is full;
    the next run says what was done."""
    ids = compare_ids()
    asked = list(dict.fromkeys(g for g in group_ids if g))
    new = [g for g in asked if g not in ids]
    room = max(MAX_COMPARED - len(ids), 0)
    added, left_out = new[:room], new[room:]
    ids.extend(added)
    st.session_state[COMPARE_IDS] = "\n".join(ids)
    st.session_state[COMPARE_SAID] = compare_sentence(added, left_out, len(ids))


def compare_sentence(added: Sequence[str], left_out: Sequence[str], now: int) -> str:
    """What adding groups to Compare did, naming them (plain text: Markdown is the caller's)."""
    done = (
        f"Added {' and '.join(added)} to Compare (now {counted(now, 'group')}). " if added else ""
    )
    if left_out:
        return (
            f"{done}Compare holds at most {MAX_COMPARED} groups, so {', '.join(left_out)} "
            "was not added: remove a group in Compare first."
        )
    if not added:
        return "Nothing added: that group is already in Compare."
    return f"{done}Choose Compare in the sidebar to see them side by side."


def toggle(key: str, index: int) -> None:
    """A tile's checkbox changed: put its face in or out of the selection."""
    chosen = set(selected())
    if st.session_state.get(keyed(SELECT_TILE, index)):
        chosen.add(key)
    else:
        chosen.discard(key)
    st.session_state[SELECTED] = frozenset(chosen)


def select(keys: Sequence[str]) -> None:
    """Add these faces to the selection."""
    st.session_state[SELECTED] = selected() | frozenset(keys)


def clear_selection() -> None:
    st.session_state[SELECTED] = frozenset()


def select_rows(keys: Sequence[str]) -> None:
    """The table's selection changed: its page's faces (``keys``, in row order) follow it."""
    rows = set(table_selection())
    page = set(keys)
    chosen = {key for i, key in enumerate(keys) if i in rows}
    st.session_state[SELECTED] = frozenset((selected() - page) | chosen)


def _act(action: Callable[[Board], Done]) -> Done | None:
    """Run a verdict action on the loaded group's board; its sentence is shown next run."""
    kept = st.session_state.get(BOARD)
    if not isinstance(kept, Board):
        st.session_state[SAID] = ("error", "The verdicts of this group are not loaded.")
        return None
    try:
        done = action(kept)
    except ReviewError as error:  # the store's sentence: unavailable, or input it refuses
        st.session_state[SAID] = ("error", error.message)
        return None
    st.session_state[SAID] = ("success", done.sentence)
    return done


def record(
    keys: Sequence[str],
    verdict: str,
    by: str,
    note_key: str | None = None,
    then: int | None = None,
) -> None:
    """Record ``verdict`` on these faces as ``by``, with the note typed under ``note_key``;
    on success the note is cleared and, with ``then``, that face is shown next."""
    note = str(st.session_state.get(note_key) or "") if note_key else None
    if _act(lambda b: b.record(keys, verdict, by, note)):
        if note_key:
            st.session_state[note_key] = ""
        if then is not None:
            st.session_state[FACE] = then


def move(key: str, by: str, input_key: str | None) -> None:
    """Mark one face as the person of the group typed under ``input_key`` (None: withdraw)."""
    target = str(st.session_state.get(input_key) or "") if input_key else ""
    if _act(lambda b: b.move(key, target or None, by)) and input_key:
        st.session_state[input_key] = ""


def undo(by: str, back: bool = False) -> None:
    """Undo ``by``'s last verdict action on the loaded group (a bulk one included); with
    ``back``, show the first face it restored (the review queue goes back to it)."""
    done = _act(lambda b: b.undo(by))
    if back and done is not None and done.faces:
        st.session_state[FACE] = done.faces[0]


# Applying verdicts: what this session previewed or applied, never taken from the URL.


def applying(namespace: str, group_id: str) -> Applying:
    """The group's preview or last apply in this session (nothing for another group)."""
    kept = st.session_state.get(APPLY)
    if isinstance(kept, tuple) and kept[0] == (namespace, group_id):
        return kept[1]
    return Applying()


def keep_preview(
    namespace: str, group_id: str, prepared: Prepared, notice: str | None = None
) -> Applying:
    """Keep the preview the analyst is asked to confirm; its confirmation starts unticked."""
    kept = Applying(prepared, None, applying(namespace, group_id).number + 1, notice)
    st.session_state[APPLY] = ((namespace, group_id), kept)
    return kept


def keep_result(namespace: str, group_id: str, result: ApplyResult) -> None:
    """Keep what an apply did, in place of the preview it sent."""
    number = applying(namespace, group_id).number + 1
    st.session_state[APPLY] = ((namespace, group_id), Applying(None, result, number))
