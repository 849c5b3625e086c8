"""Group Viewer: inspect face clusters from the Image Intelligence recognition API."""

import streamlit as st

# Streamlit runs this file as __main__; the face model's worker processes import it again under
# another name, and must not draw a page (nor start workers of their own).
if __name__ == "__main__":
    from viewer.ui.icon import page_icon

    # The icon is drawn locally: a named icon would make every browser fetch it from a font host.
    st.set_page_config(page_title="Group Viewer", page_icon=page_icon(), layout="wide")

    from viewer.ui.main import main

    main()
