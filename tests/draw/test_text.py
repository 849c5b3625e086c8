"""What the built-in font can show."""

from __future__ import annotations

import pytest

from viewer.draw.text import drawable


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("91% · sharp – · ?", "91% · sharp - · ?"),
        ("Zoë Müller", "Zoe Muller"),
        ("face 中", "face ?"),
        ("a\nb\tc", "a b c"),
        ("\u200bid", "id"),
        ("Straße", "Strasse"),
    ],
)
def test_drawable_replaces_what_the_font_cannot_show(text: str, shown: str) -> None:
    assert drawable(text) == shown
