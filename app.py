"""Group Viewer: inspect face clusters from the Image Intelligence recognition API."""

import streamlit as st

from viewer.ui.icon import page_icon

# The icon is drawn locally: a named icon would make every browser fetch it from a font host.
st.set_page_config(page_title="Group Viewer", page_icon=page_icon(), layout="wide")

from viewer.ui.main import main  # noqa: E402

main()
