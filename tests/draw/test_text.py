"""What the built-in font can show, and text cut or wrapped to a width."""

from __future__ import annotations

import pytest

from viewer.draw.text import drawable, fit_text, text_width, truncate_drawable, wrap_text


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("91% · sharp – · pose unknown", "91% · sharp - · pose unknown"),
        ("Zoë Müller", "Zoe Muller"),
        ("face 中", "face ?"),
        ("a\nb\tc", "a b c"),
        ("\u200bid", "id"),
        ("Straße", "Strasse"),
    ],
)
def test_drawable_replaces_what_the_font_cannot_show(text: str, shown: str) -> None:
    assert drawable(text) == shown


SIZE = 14
SENTENCE = "The image host did not answer in time, so this picture could not be drawn."


@pytest.mark.parametrize("max_width", [400, 120, 40])
def test_fit_text_cuts_with_an_ellipsis_to_the_width(max_width: int) -> None:
    fitted = fit_text(SENTENCE, SIZE, max_width)
    assert text_width(fitted, SIZE) <= max_width
    assert fitted.endswith("…") and SENTENCE.startswith(fitted[:-1])
    assert fit_text("short", SIZE, 400) == "short"
    assert fit_text(SENTENCE, SIZE, 1) == ""


def test_wrap_text_keeps_to_the_width_and_the_lines() -> None:
    lines = wrap_text(SENTENCE, SIZE, 150, 10)
    assert len(lines) > 2
    assert " ".join(lines) == SENTENCE
    assert all(text_width(line, SIZE) <= 150 for line in lines)
    cut = wrap_text(SENTENCE, SIZE, 150, 2)
    assert len(cut) == 2 and cut[0] == lines[0] and cut[1].endswith("…")
    assert all(text_width(line, SIZE) <= 40 for line in wrap_text("x" * 60, SIZE, 40, 99))


def test_truncate_drawable_cuts_what_no_picture_can_show() -> None:
    long = "é" * 10_000
    assert truncate_drawable(long) == "e" * len(truncate_drawable(long))
    assert 0 < len(truncate_drawable(long)) < len(long)
