"""Compare: several groups side by side, to find two groups that are one person."""

from __future__ import annotations

import itertools

import pandas as pd
import streamlit as st

from viewer.exceptions import ViewerError
from viewer.identity.distance import SAME_PERSON_DISTANCE, centre_distance, likely_same_person
from viewer.models import Group
from viewer.numbers import counted
from viewer.select import best_faces, summarize
from viewer.ui import identity as identity_ui
from viewer.ui import resources, session
from viewer.ui.context import CompareContext
from viewer.ui.state import MAX_COMPARED
from viewer.ui.strips import best_strip
from viewer.ui.text import escape_md, num, pct, when

PER_ROW = 4
STRIP = 8  # best faces shown for each group, and scored first
SAME = "likely the same person"


def compare_view(ctx: CompareContext) -> None:
    """The box of group IDs, then each group's best faces and key figures side by side."""
    namespace, ids = ctx.namespace, ctx.group_ids
    st.subheader("Compare groups")
    st.text_area(
        "Group IDs, one per line",
        key=session.COMPARE_IDS,
        height=110,
        help=f"Up to {MAX_COMPARED} groups of the sidebar's namespace; Browse can add them too.",
    )
    if not namespace or not ids:
        st.info("Enter a namespace in the sidebar and at least one group ID above.")
        return
    loaded: dict[str, Group | ViewerError] = {}
    for group_id in ids:
        try:
            loaded[group_id] = resources.group(ctx.settings, namespace, group_id)
        except ViewerError as error:
            loaded[group_id] = error
    centre_distances(ctx, {k: g for k, g in loaded.items() if isinstance(g, Group)})
    per_row = min(len(ids), PER_ROW)
    for row_start in range(0, len(ids), per_row):
        cols = st.columns(per_row)
        for col, group_id in zip(cols, ids[row_start : row_start + per_row], strict=False):
            with col, st.container(border=True):
                st.markdown(f"**{escape_md(group_id, 60)}**")
                group = loaded[group_id]
                if isinstance(group, ViewerError):
                    st.error(escape_md(group.message, 600))
                    continue
                summary = summarize(group.faces)
                span = (
                    f"{when(summary.first)[:10]} – {when(summary.last)[:10]}"
                    if summary.first and summary.last
                    else "–"
                )
                figures = {
                    "faces": f"{summary.faces:,}",
                    "frontal share": pct(summary.frontal_share),
                    "median confidence": pct(summary.median_confidence),
                    "median sharpness": num(summary.median_sharpness),
                    "feeds": ", ".join(summary.feeds) or "–",
                    "time span": span,
                    "linked by": group.link_words or "unknown",
                }
                best_strip(ctx.pipe, group.faces, ctx.options, STRIP, size=80)
                st.dataframe(
                    {"figure": list(figures), "value": list(figures.values())},
                    hide_index=True,
                    width="stretch",
                    key=session.keyed(session.COMPARE_FIGURES, row_start, group_id),
                )
                st.button(
                    "Open",
                    key=session.keyed(session.COMPARE_OPEN, group_id),
                    on_click=ctx.open_group,
                    args=(namespace, group_id),
                    width="stretch",
                )


def centre_distances(ctx: CompareContext, groups: dict[str, Group]) -> None:
    """How far apart the groups' centres lie: one line for two groups, a table for more."""
    if len(groups) < 2:
        return
    s = ctx.settings
    found = identity_ui.centres(
        s, groups, {k: best_faces(g.faces, STRIP) for k, g in groups.items()}
    )
    if found.message:
        st.info(escape_md(found.message, 600) + " Centre distances are not shown.")
        return
    going = "" if found.finished else " (scoring goes on)"
    names = list(groups)
    if len(names) == 2:
        a, b = (found.found[n] for n in names)
        d = centre_distance(a, b)
        if d is None:
            st.markdown("Centres: waiting for faces of both groups to be scored.")
        else:
            verdict = (
                f"{SAME} (under {SAME_PERSON_DISTANCE:.2f})"
                if likely_same_person(d)
                else f"not the same person (threshold {SAME_PERSON_DISTANCE:.2f})"
            )
            st.markdown(
                f"Centres {d:.2f} apart: {verdict}, from {a.used} and {b.used} scored faces{going}."
            )
    else:
        labels = [f"{n} ({counted(found.found[n].used, 'scored face')})" for n in names]
        cells: list[list[str]] = [["–"] * len(names) for _ in names]
        pairs = []
        for (i, x), (j, y) in itertools.combinations(enumerate(names), 2):
            d = centre_distance(found.found[x], found.found[y])
            same = likely_same_person(d)
            cells[i][j] = cells[j][i] = (
                "…" if d is None else f"{d:.2f}" + (" ✓ same" if same else "")
            )
            if same:
                pairs.append(f"{escape_md(x, 60)} and {escape_md(y, 60)}")
        st.markdown(
            f"Centre distances, from each group's scored faces{going}; under "
            f"{SAME_PERSON_DISTANCE:.2f} (✓) {SAME}: " + ("; ".join(pairs) or "no pair") + "."
        )
        st.dataframe(pd.DataFrame(cells, index=labels, columns=names), width="stretch")
    identity_ui.watch(s, list(groups.values()), found.scored)
