"""The group's header: its ids, link provenance, times and counts."""

from __future__ import annotations

import streamlit as st

from viewer.models import Group
from viewer.review.triage import VERDICT_SYMBOLS
from viewer.review.values import BELONGS, NOT_THIS_PERSON, UNSURE, Counts
from viewer.ui.text import escape_md, when_noted


def verdict_counts(counts: Counts, faces: int) -> str:
    """``✓ 12 belongs · ✗ 3 not this person · ? 1 unsure · 1,984 unreviewed``."""
    parts = [
        f"{VERDICT_SYMBOLS[BELONGS]} {counts.belongs:,} belongs",
        f"{VERDICT_SYMBOLS[NOT_THIS_PERSON]} {counts.not_this_person:,} not this person",
        f"{VERDICT_SYMBOLS[UNSURE]} {counts.unsure:,} unsure",
        f"{max(faces - counts.reviewed, 0):,} unreviewed",
    ]
    return " · ".join(parts)


def header(
    group: Group,
    shown: int,
    flagged: int,
    counts: Counts | None = None,
    applied: str | None = None,
) -> None:
    """The group's ids and provenance, and its counts; ``counts`` of verdicts when known;
    ``applied``: who last applied verdicts to its identity from this viewer, and when."""
    st.subheader(f"Group {escape_md(group.id or '(no id)', 80)}")
    notes = group.time_notes
    linked = when_noted(group.link_last_modified_at, notes.get("linkLastModifiedAt"))
    created = when_noted(group.created_at, notes.get("createdAt"))
    if group.link_modified_by:
        changed = f" · {linked}" if group.link_last_modified_at else ""
        if applied and group.link_modified_by == "MANUAL":
            changed += f" · {escape_md(applied, 300)}"
        who = f"{escape_md(group.link_words, 40)} ({escape_md(group.link_modified_by, 20)})"
        st.badge(
            f"Linked by {who}{changed}",
            icon=":material/link:",
            color={"ML": "blue", "MANUAL": "green", "HITL": "violet"}.get(
                group.link_modified_by, "gray"
            ),
        )
    else:
        st.badge("Link provenance unknown", icon=":material/link_off:", color="gray")
    cols = st.columns(5)
    cols[0].metric("Faces", f"{len(group.faces):,}", help="Faces (image objects) in the group.")
    cols[1].metric("Images", f"{len(group.image_urls):,}", help="Distinct image URLs.")
    cols[2].metric("Shown", f"{shown:,}", help="Faces that pass the filters.")
    cols[3].metric(
        "Flagged",
        f"{flagged:,}",
        help="Of the shown faces, those flagged: under a quality threshold, with a data "
        "problem (a box that had to be repaired included), whose image failed, or with "
        "identity evidence against them. Follows the filters.",
    )
    cols[4].metric(
        "Reviewed",
        f"{counts.reviewed:,}" if counts else "–",
        help="Faces of the group with a verdict, by anyone.",
    )
    if counts is not None:
        st.caption("Verdicts: " + verdict_counts(counts, len(group.faces)))
    rows = {
        "Group ID": group.id,
        "Identity ID": group.identity_id,
        "Batch ID": group.batch_id,
        "Namespace": group.namespace,
        "Link made by": (
            f"{group.link_words} ({group.link_modified_by})" if group.link_modified_by else None
        ),
        "Link last changed": linked if group.link_last_modified_at else None,
        "Created": created if group.created_at else None,
    }
    st.caption(
        " · ".join(
            f"{name} {escape_md(value, 120)}"
            for name, value in (
                ("identity", group.identity_id),
                ("batch", group.batch_id),
                ("namespace", group.namespace),
                ("created", created if group.created_at else None),
            )
            if value
        )
    )
    with st.expander("All group fields"):
        extra = {k: str(v)[:200] for k, v in group.extra.items()}
        st.dataframe(
            {
                "field": [*rows, *extra],
                "value": [v if v is not None else "–" for v in rows.values()]
                + list(extra.values()),
            },
            hide_index=True,
            width="stretch",
        )
    if group.problems:
        st.warning("The group's data has problems: " + escape_md("; ".join(group.problems), 500))
