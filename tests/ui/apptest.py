"""The page driven headless with AppTest."""

from __future__ import annotations

import re
from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[2] / "app.py")
SAMPLE = "ab36de62-fe3e-4907-8a03-7d27c21fa01a"


def run(**params: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=90)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    return at


def unescaped(markdown: str) -> str:
    """Text as the page shows it: the viewer escapes Markdown specials with backslashes."""
    return re.sub(r"\\(.)", r"\1", markdown)


def gallery_images(at: AppTest) -> list:
    """Images in the main area (the sidebar holds the colour legend)."""
    return list(at.main.image)
