"""The first screen on the demo API: what each demo group shows, each one click away."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from viewer.demo.catalogue import CATALOGUE
from viewer.ui import session
from viewer.ui.text import escape_md


def demo_welcome(open_group: Callable[[str, str], None]) -> None:
    """The demo's groups in viewing order, each with what it shows (the catalogue's words)
    and a button that opens it."""
    st.markdown(
        "This is the embedded demo: synthetic groups served on this machine like the real API. "
        "Each group below shows one thing the viewer does; open one, or enter a namespace and "
        "a group ID in the sidebar. Browse lists a namespace's groups; Compare puts groups "
        "side by side."
    )
    for demo in CATALOGUE:
        with st.container(border=True):
            words, button = st.columns([5, 1], vertical_alignment="center")
            words.markdown(
                f"**{escape_md(demo.group_id, 80)}** in {escape_md(demo.namespace, 40)}: "
                f"{escape_md(demo.description, 300)}"
            )
            button.button(
                "Open",
                key=session.keyed(session.DEMO_OPEN, demo.namespace, demo.group_id),
                on_click=open_group,
                args=(demo.namespace, demo.group_id),
                help=f"Open {demo.group_id} in {demo.namespace}",
                width="stretch",
            )
