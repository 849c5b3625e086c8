"""Group Viewer: inspect face clusters from the Image Intelligence recognition API."""

import streamlit as st

st.set_page_config(page_title="Group Viewer", page_icon=":material/face:", layout="wide")

from viewer.ui.main import main  # noqa: E402

main()
