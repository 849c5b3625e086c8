"""Stats: how the shown faces spread over confidence, sharpness, pose, feeds and time."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import altair as alt
import pandas as pd
import streamlit as st

from viewer.models import POSE_WORDS, Face
from viewer.review.values import Counts
from viewer.select import Thresholds
from viewer.ui import session
from viewer.ui.identity import SOMEONE_ELSE, Evidence
from viewer.ui.text import num, pct, seconds_caption

BRUSH = "brush"  # the histograms' interval selection
# Each brushable histogram: the filter (a range slider's session key) its brush sets.
BRUSHED_FILTERS = {"confidence": session.CONF, "sharpness": session.SHARP}
THRESHOLD_COLOUR = "#D55E00"


def stats_frame(faces: Sequence[Face]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "confidence": [f.confidence for f in faces],
            "sharpness": [f.sharpness for f in faces],
            "pose": [f.pose for f in faces],
            "feed": [f.feed_id or "(none)" for f in faces],
            "time": [f.created_at for f in faces],
        }
    )


def brushed_range(selection: Mapping[str, object], field: str) -> tuple[float, float] | None:
    """The range an interval brush spans on ``field``, widened to whole hundredths and kept
    in 0..1; None when nothing is brushed."""
    span = selection.get(field) if isinstance(selection, Mapping) else None
    if not isinstance(span, (list, tuple)) or len(span) != 2:
        return None
    try:
        low, high = sorted(float(v) for v in span)
    except (TypeError, ValueError):
        return None
    if not (math.isfinite(low) and math.isfinite(high)):
        return None
    low = min(max(math.floor(low * 100 + 1e-6) / 100, 0.0), 1.0)
    high = min(max(math.ceil(high * 100 - 1e-6) / 100, 0.0), 1.0)
    return (low, high) if high > low else None


def chart_key(field: str) -> str:
    return session.keyed("stats", field)


def _brushed(field: str) -> None:
    """A histogram was brushed: its range becomes the field's filter in the sidebar."""
    event = session.widget_value(chart_key(field))
    selection = event.get("selection", {}).get(BRUSH, {}) if event else {}
    span = brushed_range(selection, field)
    if span is not None:
        session.set_value(BRUSHED_FILTERS[field], span)


def quality_chart(df: pd.DataFrame, field: str, threshold: float) -> alt.LayerChart:
    """A histogram of ``field`` by pose, brushable along x, with the flag threshold drawn."""
    bars = (
        alt.Chart(df.dropna(subset=[field]), title=f"{field.capitalize()} histogram")
        .mark_bar()
        .encode(
            x=alt.X(f"{field}:Q", bin=alt.Bin(maxbins=20), title=field),
            y=alt.Y("count():Q", title="faces"),
            color=alt.Color(
                "pose:N",
                scale=alt.Scale(
                    domain=list(POSE_WORDS.values()),
                    range=["#0072B2", "#E69F00", "#999999"],
                ),
            ),
            tooltip=[alt.Tooltip("count():Q", title="faces")],
        )
        .add_params(alt.selection_interval(name=BRUSH, encodings=["x"]))
    )
    shown = pct(threshold) if field == "confidence" else num(threshold)
    rule = (
        alt.Chart(pd.DataFrame({field: [threshold], "flag": [f"flagged below {shown}"]}))
        .mark_rule(color=THRESHOLD_COLOUR, strokeDash=[6, 3], size=2)
        .encode(x=f"{field}:Q", tooltip=[alt.Tooltip("flag:N", title="threshold")])
    )
    return alt.layer(bars, rule)


def distance_chart(faces: Sequence[Face], evidence: Evidence) -> alt.LayerChart | None:
    """A histogram of the shown faces' identity distances with the "may be someone else"
    threshold drawn across it; None when none of them is scored."""
    scored = [f for f in faces if f.key in evidence.distances]
    if not scored:
        return None
    df = pd.DataFrame(
        {
            "distance": [evidence.distances[f.key] for f in scored],
            "verdict": [
                SOMEONE_ELSE if f.key in evidence.flagged else "like the rest" for f in scored
            ],
        }
    )
    bars = (
        alt.Chart(df, title=f"Identity distance to the group's centre ({len(scored):,} scored)")
        .mark_bar()
        .encode(
            x=alt.X("distance:Q", bin=alt.Bin(step=0.02), title="distance"),
            y=alt.Y("count():Q", title="faces"),
            color=alt.Color(
                "verdict:N",
                title=None,
                scale=alt.Scale(
                    domain=["like the rest", SOMEONE_ELSE], range=["#0072B2", "#CC79A7"]
                ),
            ),
            tooltip=[alt.Tooltip("count():Q", title="faces")],
        )
    )
    rule = (
        alt.Chart(pd.DataFrame({"threshold": [evidence.threshold]}))
        .mark_rule(color=THRESHOLD_COLOUR, strokeDash=[6, 3], size=2)
        .encode(x="threshold:Q", tooltip=[alt.Tooltip("threshold:Q", format=".2f")])
    )
    return alt.layer(bars, rule)


def stats_view(
    faces: Sequence[Face],
    counts: Counts | None = None,
    evidence: Evidence | None = None,
    thresholds: Thresholds | None = None,
) -> None:
    """Figures and charts of the shown faces; ``counts``: their verdicts, when known;
    ``evidence``: who each face is, when known; ``thresholds``: the flags' lines."""
    if not faces:
        st.info("No faces pass the filters: loosen them in the sidebar to see statistics.")
        return
    if counts is not None:
        cols = st.columns(4)
        cols[0].metric("Reviewed", f"{counts.reviewed:,} of {len(faces):,}")
        cols[1].metric("Belongs", f"{counts.belongs:,}")
        cols[2].metric("Not this person", f"{counts.not_this_person:,}")
        cols[3].metric("Unsure", f"{counts.unsure:,}")
    df = stats_frame(faces)
    frontal = (df["pose"] == "frontal").sum()
    known = (df["pose"] != POSE_WORDS[None]).sum()
    cols = st.columns(4)
    cols[0].metric("Faces", f"{len(df):,}")
    cols[1].metric("Frontal share", pct(frontal / known) if known else "–")
    cols[2].metric(
        "Median confidence",
        pct(df["confidence"].median()) if df["confidence"].notna().any() else "–",
    )
    cols[3].metric(
        "Median sharpness",
        num(df["sharpness"].median()) if df["sharpness"].notna().any() else "–",
    )
    left, right = st.columns(2)
    thresholds = thresholds or Thresholds()
    limits = {"confidence": thresholds.confidence, "sharpness": thresholds.sharpness}
    for col, field in ((left, "confidence"), (right, "sharpness")):
        col.altair_chart(
            quality_chart(df, field, limits[field]),
            width="stretch",
            key=chart_key(field),
            on_select=lambda field=field: _brushed(field),
            selection_mode=BRUSH,
        )
    st.caption(
        "Every figure counts the faces that pass the filters. The dashed lines are the flag "
        "thresholds; drag across a histogram to filter to that range (widen it again with the "
        "sidebar's slider)."
    )
    chart = distance_chart(faces, evidence) if evidence is not None else None
    if chart is not None and evidence is not None:
        st.altair_chart(chart, width="stretch")
        flagged = sum(f.key in evidence.flagged for f in faces)
        st.caption(
            f"{flagged:,} of the shown faces lie farther than {evidence.threshold:.2f} from the "
            f"group's centre ({SOMEONE_ELSE}, the dashed line)."
        )
    left, right = st.columns(2)
    feeds = (
        alt.Chart(df, title="Faces per feed")
        .mark_bar(color="#0072B2")
        .encode(x=alt.X("count():Q", title="faces"), y=alt.Y("feed:N", sort="-x", title=None))
    )
    left.altair_chart(feeds, width="stretch")
    timed = df.dropna(subset=["time"])
    if len(timed):
        over_time = (
            alt.Chart(timed, title="Faces over time (createdAt)")
            .mark_bar(color="#009E73")
            .encode(
                x=alt.X("yearmonthdatehours(time):T", title="time (UTC)"),
                y=alt.Y("count():Q", title="faces"),
            )
        )
        right.altair_chart(over_time, width="stretch")
        if note := seconds_caption(faces):
            right.caption(note)
    else:
        right.info("No face has a createdAt time.")
