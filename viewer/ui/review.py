"""Verdicts on the page: the store's state, who records, verdict buttons for one face or the
selection, undo, and one face's history."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import pandas as pd
import streamlit as st

from viewer.config import Settings
from viewer.exceptions import StoreUnavailableError
from viewer.models import Face, Group
from viewer.review.triage import verdict_text
from viewer.review.values import (
    BELONGS,
    NOT_THIS_PERSON,
    UNSURE,
    VERDICT_WORDS,
    Verdict,
    VerdictEvent,
)
from viewer.ui import resources, session
from viewer.ui.context import ReviewContext
from viewer.ui.text import escape_md, when

BUTTONS = {BELONGS: "Belongs", NOT_THIS_PERSON: "Not this person", UNSURE: "Unsure"}
ICONS = {
    BELONGS: ":material/check:",
    NOT_THIS_PERSON: ":material/close:",
    UNSURE: ":material/help:",
}


def review_context(s: Settings, namespace: str, group_id: str, group: Group) -> ReviewContext:
    """The loaded group's verdicts, read afresh (others' included), and the session's actions.

    When the store cannot be used, one sentence says so and the page goes on without verdicts.
    """
    selection = ReviewContext(
        selected=session.selected(),
        toggle=session.toggle,
        select=session.select,
        clear=session.clear_selection,
        show_selected=session.show_selected,
        show_selected_rows=session.show_selected_rows,
        select_rows=session.select_rows,
    )
    try:
        store = resources.verdict_store(s)
        board = session.board(store, namespace, group_id, group.faces)
        board.refresh()
        moves = board.moves()
    except StoreUnavailableError as error:
        st.warning(escape_md(error.message, 600), icon=":material/database:")
        return replace(selection, unavailable=error.message)
    return replace(
        selection,
        board=board,
        analyst=session.analyst(s.analyst),
        record=session.record,
        undo=session.undo,
        moves=moves,
        move=session.move,
    )


def said() -> None:
    """What the last verdict action did, in its sentence."""
    told = session.said()
    if told is None:
        return
    kind, sentence = told
    if kind == "error":
        st.error(escape_md(sentence, 600))
    else:
        st.success(escape_md(sentence, 600), icon=":material/check_circle:")


def analyst_input(s: Settings) -> None:
    """Who records verdicts, in the sidebar: asked for when no login or setting says."""
    sb = st.sidebar
    sb.subheader("Verdicts")
    given = session.given_analyst(s.analyst)
    if given:
        sb.caption(f"Verdicts are recorded as {escape_md(given, 80)}.")
        return
    sb.text_input(
        "Your name, for verdicts",
        key=session.ANALYST,
        max_chars=200,
        placeholder="Needed once to record verdicts",
        help="Recorded with each verdict, so others see who decided what.",
    )


def verdict_summary(verdict: Verdict | None) -> str:
    """``✗ not this person · bob · 2024-05-01 12:00:00 UTC``, or ``no verdict yet``."""
    if verdict is None:
        return "No verdict yet."
    text = escape_md(f"{verdict_text(verdict.verdict)} · {verdict.by} · {when(verdict.at)}", 300)
    return text + (f"  \nNote: {escape_md(verdict.note, 600)}" if verdict.note else "")


def verdict_buttons(
    review: ReviewContext,
    keys: Sequence[str],
    place: str,
    then: int | None = None,
    shortcuts: dict[str, str] | None = None,
    follow: bool = False,
) -> None:
    """One button per verdict for the faces ``keys``, a note, and undo, side by side.

    ``then``: the face shown after a verdict; ``follow``: undo shows the face it restored.
    ``shortcuts``: a key per verdict and for undo.
    """
    shortcuts = shortcuts or {}
    note_key = session.keyed(session.NOTE, place)
    ready = review.can_record and bool(keys)
    cols = st.columns([2, 2, 2, 1.4])
    for col, (verdict, label) in zip(cols, BUTTONS.items(), strict=False):
        col.button(
            label,
            key=session.keyed(session.VERDICT, place, verdict),
            icon=ICONS[verdict],
            disabled=not ready,
            width="stretch",
            shortcut=shortcuts.get(verdict),
            on_click=review.record,
            args=(list(keys), verdict, review.analyst or "", note_key, then),
        )
    cols[3].button(
        "Undo",
        key=session.keyed(session.UNDO, place),
        icon=":material/undo:",
        disabled=not review.can_record,
        width="stretch",
        shortcut=shortcuts.get("undo"),
        help="Undo your last verdict action on this group (a selection's included).",
        on_click=review.undo,
        args=(review.analyst or "", follow),
    )
    st.text_input(
        "Note (optional)",
        key=note_key,
        max_chars=None,
        disabled=review.board is None,
        placeholder="Why, for whoever looks next",
    )
    if review.board is not None and review.analyst is None:
        st.caption("Enter your name in the sidebar to record verdicts.")


def selection_bar(review: ReviewContext, page: Sequence[Face], shown: Sequence[Face]) -> None:
    """Select this page's faces or all shown, clear, and act once on the whole selection."""
    if review.board is None:
        return
    chosen = review.selected
    with st.container(border=True):
        cols = st.columns([3, 2, 2, 1.4])
        cols[0].markdown(
            f"**{len(chosen):,} selected** of {len(shown):,} shown"
            + (" (on every page)" if chosen else "")
        )
        cols[1].button(
            "Select this page",
            key=session.SELECT_PAGE,
            width="stretch",
            on_click=review.select,
            args=([f.key for f in page],),
        )
        cols[2].button(
            f"Select all {len(shown):,} shown",
            key=session.SELECT_SHOWN,
            width="stretch",
            on_click=review.select,
            args=([f.key for f in shown],),
        )
        cols[3].button(
            "Clear",
            key=session.SELECT_CLEAR,
            width="stretch",
            disabled=not chosen,
            on_click=review.clear,
        )
        order = {f.key: i for i, f in enumerate(shown)}
        keys = sorted(chosen, key=lambda k: order.get(k, len(order)))
        verdict_buttons(review, keys, "bulk")


def face_panel(review: ReviewContext, face: Face) -> None:
    """One face's verdict: who gave it and when, buttons to change it, and its history."""
    if review.board is None:
        return
    st.markdown("**Verdict:** " + verdict_summary(review.verdicts.get(face.key)))
    verdict_buttons(review, [face.key], "detail")
    move_input(review, face)
    with st.expander("History of this face"):
        try:
            events = review.board.history(face.key)
        except StoreUnavailableError as error:
            st.warning(escape_md(error.message, 600))
            return
        if not events:
            st.caption("No verdict has been recorded for this face.")
            return
        st.dataframe(history_frame(events), hide_index=True, width="stretch")


def history_frame(events: Sequence[VerdictEvent]) -> pd.DataFrame:
    """One row per event, newest first: when, who, the verdict, the note, what it replaced."""
    rows = list(reversed(events))
    return pd.DataFrame(
        {
            "when": [e.at for e in rows],
            "by": [e.by for e in rows],
            "verdict": [_word(e.verdict) for e in rows],
            "note": [e.note or "" for e in rows],
            "replaced": [_word(e.replaced_verdict) for e in rows],
            "how": [e.action_kind for e in rows],
        }
    )


def _word(verdict: str | None) -> str:
    return VERDICT_WORDS.get(verdict, "(none)") if verdict else "(none)"


def move_input(review: ReviewContext, face: Face) -> None:
    """ "Belongs to group…": mark the face as another group's person, or withdraw that."""
    moved = review.moves.get(face.key)
    if moved:
        st.caption(
            f"Moved to group {escape_md(moved, 120)}: applying removes it from this group's "
            "identity and adds it to that group's."
        )
    cols = st.columns([4, 1.4, 1.6], vertical_alignment="bottom")
    cols[0].text_input(
        "Belongs to group…",
        key=session.MOVE_TO,
        max_chars=256,
        disabled=not review.can_record,
        placeholder="another group's ID in this namespace",
    )
    cols[1].button(
        "Move",
        key=session.MOVE,
        icon=":material/move_item:",
        width="stretch",
        disabled=not review.can_record,
        on_click=review.move,
        args=(face.key, review.analyst or "", session.MOVE_TO),
    )
    cols[2].button(
        "Withdraw move",
        key=session.MOVE_CLEAR,
        width="stretch",
        disabled=not (review.can_record and moved),
        on_click=review.move,
        args=(face.key, review.analyst or "", None),
    )
