"""Tiles in reading order: fixed-width tiles in wrapping rows, each opened by clicking its picture.

A row of tiles is one horizontal flex container, so tiles follow each other left to right and
then row by row at every screen width, and the tiles of a row share its top edge however their
captions wrap. The picture stays a Streamlit image; the click lands on a transparent button laid
over it (static CSS, keyed by the ``st-key-`` classes Streamlit gives keyed elements).
"""

from __future__ import annotations

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from viewer.ui import session

TILE_FACE, TILE_IMAGE = "tile_f", "tile_g"  # a face tile's and an image tile's container
DENSE_GRID = "dense_grid"  # the container of a dense grid, whose pictures enlarge on hover

# Tiles are positioned so the open button can cover the picture; the button is transparent
# but shows a focus ring, and its label stays for screen readers. A face crop is square, an
# image tile 16:9. In a dense grid the picture under the pointer is drawn larger above its
# neighbours.
GRID_CSS = """<style>
[class*="st-key-tile_"] { position: relative; }
[class*="st-key-tile_"] > [class*="st-key-open_"] {
  position: absolute; top: 0; left: 0; width: 100%; z-index: 2;
}
[class*="st-key-tile_f_"] > [class*="st-key-open_"] { aspect-ratio: 1 / 1; }
[class*="st-key-tile_g_"] > [class*="st-key-open_"] { aspect-ratio: 16 / 9; }
[class*="st-key-tile_"] > [class*="st-key-open_"] button {
  position: absolute; inset: 0; width: 100%; height: 100%; min-height: 0; padding: 0;
  cursor: zoom-in;
  background: transparent !important; border: none !important; color: transparent !important;
}
[class*="st-key-tile_"] > [class*="st-key-open_"] button:focus-visible {
  outline: 3px solid #1c83e1; outline-offset: -3px;
}
[class*="st-key-tile_"] > [class*="st-key-open_"] button * { color: transparent !important; }
.st-key-dense_grid [data-testid="stImage"] img { transition: transform 0.12s ease-out; }
.st-key-dense_grid [class*="st-key-tile_"]:hover { z-index: 5; }
.st-key-dense_grid [class*="st-key-tile_"]:hover [data-testid="stImage"] img {
  transform: scale(2.5); box-shadow: 0 4px 18px rgba(0, 0, 0, 0.45); position: relative;
  z-index: 5;
}
</style>"""


def grid_style() -> None:
    """The tiles' CSS (only styles: it takes no room on the page)."""
    st.html(GRID_CSS)


def tile_row(dense: bool = False) -> DeltaGenerator:
    """The container tiles are drawn into, one after another in reading order."""
    grid_style()
    return st.container(horizontal=True, gap="small", key=DENSE_GRID if dense else None)


def tile(family: str, index: int, width: int) -> DeltaGenerator:
    """One tile of ``width`` pixels, keyed by its face's index (its open button goes first
    after the picture, so the CSS can lay it over the picture)."""
    return st.container(width=width, gap="small", key=session.keyed(family, index))
