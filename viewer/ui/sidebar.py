"""The sidebar: which group, where it comes from, and how to filter, sort and draw it."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import replace

import streamlit as st

from viewer.config import Settings
from viewer.draw.color import PATTERN_NAMES, legend_lines
from viewer.draw.encode import to_png
from viewer.draw.tiles import legend_image
from viewer.models import Group
from viewer.review.triage import VERDICT_FILTERS, Ordering
from viewer.select import PAGE_SIZES, POSES, SORTS, Filters, Thresholds, feeds_of, value_range
from viewer.ui import session
from viewer.ui.state import COLOR_MODES, IDENTITY_FILTERS, ViewState
from viewer.ui.text import escape_md, num, pct

# Confidence sliders hold fractions (the URL's conf= and tconf= stay 0..1) and show them as
# percent, as every label does; their steps are whole percents, so no value is rounded.
PERCENT = "percent"


def source(s: Settings, org_app: tuple[str | None, str | None]) -> None:
    """Where the data comes from: "Demo data" or the API host, and the token's org and app.

    Drawn into whatever container is current (the sidebar's slot for it).
    """
    if s.demo:
        st.info("Demo data: no credentials are set, so the embedded demo API is used.")
        return
    who = " · ".join(escape_md(x, 60) for x in org_app if x)
    st.caption(
        f"API host: {escape_md(s.api_host, 100)}" + (f"  \nSigned in as: {who}" if who else "")
    )


def group_form(on_load: Callable[[], None]) -> None:
    """Namespace and group ID inputs with a Load button that calls ``on_load``."""
    with st.sidebar.form(session.GROUP_FORM, border=False):
        st.text_input("Namespace", key=session.NAMESPACE, max_chars=2000)
        st.text_input("Group ID", key=session.GROUP_ID, max_chars=2000)
        st.form_submit_button(
            "Load", key=session.LOAD, type="primary", width="stretch", on_click=on_load
        )


def controls(group: Group, state: ViewState, verdicts: bool = True) -> ViewState:
    """Filters, sort and quality thresholds for a loaded group; the sort is the queue's own
    in review mode. ``verdicts`` False: the verdict filter is shown off (no store)."""
    sb = st.sidebar
    faces = group.faces
    sb.subheader("Filter")
    c_low, c_high = value_range([f.confidence for f in faces])
    s_low, s_high = value_range([f.sharpness for f in faces])
    # the sliders span the group's own range; at their left end the filter is off
    c_min = min(max(math.floor(c_low * 100) / 100, 0.0), 0.99)
    s_min = min(max(math.floor(s_low * 100) / 100, 0.0), 0.99)
    c_max = min(max(math.ceil(c_high * 100) / 100, c_min + 0.01), 1.0)
    s_max = min(max(math.ceil(s_high * 100) / 100, s_min + 0.01), 1.0)
    session.fit_range(session.CONF, c_min, c_max, whole=True)
    session.fit_range(session.SHARP, s_min, s_max, whole=True)
    conf = sb.slider(
        "Confidence",
        c_min,
        c_max,
        step=0.01,
        format=PERCENT,
        key=session.CONF,
        help=f"This group's confidences range from {pct(c_low)} to {pct(c_high)}. Brushing "
        "the confidence histogram in Stats sets this range.",
    )
    sharp = sb.slider(
        "Sharpness",
        s_min,
        s_max,
        step=0.01,
        key=session.SHARP,
        help=f"This group's sharpness ranges from {num(s_low)} to {num(s_high)}. Brushing "
        "the sharpness histogram in Stats sets this range.",
    )
    pose = sb.radio("Pose", POSES, key=session.POSE, horizontal=True, format_func=str.capitalize)
    feed_options = feeds_of(faces)
    session.fit_choices(session.FEEDS, feed_options)
    feeds = sb.multiselect("Feeds", feed_options, key=session.FEEDS, placeholder="All feeds")
    problems = sb.toggle("Only faces with problems", key=session.PROBLEMS)
    verdict = sb.selectbox(
        "Verdict",
        list(VERDICT_FILTERS),
        key=session.VERDICT_FILTER,
        format_func=VERDICT_FILTERS.get,
        disabled=not verdicts,
        help="Faces by their current verdict, whoever gave it.",
    )
    identity = sb.selectbox(
        "Identity evidence",
        list(IDENTITY_FILTERS),
        key=session.IDENTITY_FILTER,
        format_func=IDENTITY_FILTERS.get,
        help="Faces in a same-photo conflict (two faces of the group in one photo, or one "
        "face detected twice), or farther from the group's centre than the threshold.",
    )

    if state.mode == "review":
        sort, descending, per_page = state.sort, state.descending, state.per_page
    else:
        sb.subheader("Sort")
        sort = sb.selectbox("Sort by", list(SORTS), key=session.SORT, format_func=SORTS.get)
        descending = sb.toggle("Descending", key=session.DESC, disabled=sort == "worst")
        per_page = sb.selectbox("Per page", PAGE_SIZES, key=session.PER_PAGE)

    with sb.expander("Quality flags"):
        st.caption(
            "A face below either threshold, or with a data problem, is flagged (!); one farther "
            "from its group's centre than the distance may be someone else (≠)."
        )
        t_conf = st.slider(
            "Flag confidence below", 0.0, 1.0, step=0.01, format=PERCENT, key=session.TCONF
        )
        t_sharp = st.slider("Flag sharpness below", 0.0, 1.0, step=0.01, key=session.TSHARP)
        t_dist = st.slider(
            "Flag “may be someone else” above distance",
            0.0,
            2.0,
            step=0.01,
            key=session.TDIST,
            help="A face's distance to its group's centre, from the local face model. The "
            "default, 0.45, is calibrated on demo-large (see the README).",
        )

    return replace(
        state,
        filters=Filters(
            min_confidence=conf[0] if conf[0] > c_min else 0.0,
            min_sharpness=sharp[0] if sharp[0] > s_min else 0.0,
            pose=pose,
            feeds=tuple(feeds),
            only_problems=problems,
            max_confidence=conf[1] if conf[1] < c_max else 1.0,
            max_sharpness=sharp[1] if sharp[1] < s_max else 1.0,
        ),
        thresholds=Thresholds(t_conf, t_sharp, t_dist),
        sort=sort,
        descending=descending,
        per_page=per_page,
        verdict=verdict if verdicts else "all",
        identity=identity,
    )


def queue_controls(orders: Mapping[str, tuple[str, Ordering]]) -> tuple[str, bool]:
    """The review queue's order (a key of ``orders``) and whether unreviewed faces lead."""
    sb = st.sidebar
    sb.subheader("Queue")
    session.fit_choice(session.QUEUE_ORDER, list(orders))
    order = sb.selectbox(
        "Order", list(orders), key=session.QUEUE_ORDER, format_func=lambda k: orders[k][0]
    )
    first = sb.toggle("Unreviewed first", key=session.UNREVIEWED_FIRST)
    return order, first


def draw_options() -> tuple[str, bool]:
    """How boxes are coloured, and whether faces are blurred: (colour mode, blur)."""
    sb = st.sidebar
    sb.subheader("Draw")
    color = sb.radio(
        "Colour boxes by",
        COLOR_MODES,
        key=session.COLOR,
        horizontal=True,
        format_func={"frontal": "Pose", "confidence": "Confidence"}.get,
    )
    _legend(color)
    blur = sb.toggle(
        "Blur people",
        key=session.BLUR,
        help="Blurs every picture as a whole, in every view and export, so no one in it can be "
        "recognised: the group's faces and everyone else in the photo, found by the API or "
        "not. Boxes and labels stay readable. For showing results to an audience.",
    )
    if blur:
        sb.caption("Blurred: every person in every picture, not only the group's faces.")
    return color, blur


@st.cache_data(show_spinner=False)
def _legend_png(mode: str) -> bytes:
    return to_png(legend_image(mode))


def legend_caption(mode: str) -> str:
    """What the legend's colours and lines say, in words: a box's line tells its band apart
    by more than hue."""
    lines = "; ".join(
        f"{PATTERN_NAMES[pattern]}: {meaning}" for meaning, _, pattern in legend_lines(mode)
    )
    return (
        f"Colour-blind-safe Okabe–Ito colours, each with its own line ({lines}). Labels read: "
        "confidence · sharpness · pose; a dashed inner line with ! is flagged; the thick "
        "double outline is the face the tile or Detail is about."
    )


def _legend(mode: str) -> None:
    st.sidebar.image(_legend_png(mode), width=200)
    st.sidebar.caption(legend_caption(mode))
