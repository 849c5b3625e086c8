"""Colour values, contrast, and the colour each face is drawn in."""

from __future__ import annotations

import pytest

from viewer.draw.color import (
    BLACK,
    BLUE,
    GREY,
    ORANGE,
    VERMILLION,
    WHITE,
    Color,
    color_for,
    legend,
)
from viewer.models import Face


@pytest.mark.parametrize(
    ("text", "hex_out"),
    [("#0072B2", "#0072B2"), ("0072b2", "#0072B2"), ("#fff", "#FFFFFF"), (" #E69F00 ", "#E69F00")],
)
def test_color_from_hex_round_trip(text: str, hex_out: str) -> None:
    color = Color.from_hex(text)
    assert color.as_hex() == hex_out
    assert Color.from_hex(color.as_hex()) == color
    assert Color.from_hex("#0072B2").as_rgb() == (0, 0x72, 0xB2)


@pytest.mark.parametrize("text", ["", "#12345", "zzzzzz", "#1234567", "rgb(1,2,3)"])
def test_color_from_hex_refuses_other_text(text: str) -> None:
    with pytest.raises(ValueError, match="hex colour"):
        Color.from_hex(text)


def test_color_channels_are_checked() -> None:
    with pytest.raises(ValueError, match=r"0\.\.255"):
        Color(256, 0, 0)


@pytest.mark.parametrize(
    ("background", "text"),
    [
        (BLUE, WHITE),
        (ORANGE, BLACK),
        (VERMILLION, BLACK),
        (GREY, BLACK),
        (BLACK, WHITE),
        (WHITE, BLACK),
        (Color(255, 255, 0), BLACK),
        (Color(0, 0, 128), WHITE),
    ],
)
def test_text_color_is_the_higher_contrast_of_black_and_white(
    background: Color, text: Color
) -> None:
    assert background.text_color() == text
    other = WHITE if text == BLACK else BLACK
    assert background.contrast(text) >= background.contrast(other)


def test_contrast_ratio_matches_wcag() -> None:
    assert BLACK.contrast(WHITE) == pytest.approx(21.0)
    assert BLUE.contrast(BLUE) == pytest.approx(1.0)
    assert Color.from_hex("#767676").contrast(WHITE) == pytest.approx(4.54, abs=0.01)


@pytest.mark.parametrize(
    ("face", "mode", "expected"),
    [
        (Face(index=0, is_frontal=True), "frontal", BLUE),
        (Face(index=0, is_frontal=False), "frontal", ORANGE),
        (Face(index=0, is_frontal=None, confidence=0.99), "frontal", GREY),
        (Face(index=0, confidence=0.95), "confidence", BLUE),
        (Face(index=0, confidence=0.9), "confidence", BLUE),
        (Face(index=0, confidence=0.8999), "confidence", ORANGE),
        (Face(index=0, confidence=0.7), "confidence", ORANGE),
        (Face(index=0, confidence=0.69), "confidence", VERMILLION),
        (Face(index=0, confidence=0.0), "confidence", VERMILLION),
        (Face(index=0, confidence=None, is_frontal=True), "confidence", GREY),
    ],
)
def test_color_for(face: Face, mode: str, expected: Color) -> None:
    assert color_for(face, mode) == expected


def test_color_for_refuses_unknown_modes() -> None:
    with pytest.raises(ValueError, match="colour mode"):
        color_for(Face(index=0), "sharpness")


@pytest.mark.parametrize(
    ("mode", "rows"),
    [
        ("frontal", [("frontal", "#0072B2"), ("profile", "#E69F00"), ("pose unknown", "#999999")]),
        (
            "confidence",
            [
                ("confidence ≥ 90%", "#0072B2"),
                ("confidence 70–89%", "#E69F00"),
                ("confidence below 70%", "#D55E00"),
                ("confidence unknown", "#999999"),
            ],
        ),
    ],
)
def test_legend_uses_the_same_colours(mode: str, rows: list[tuple[str, str]]) -> None:
    assert legend(mode) == rows
    faces = [
        Face(index=0, confidence=c, is_frontal=f)
        for c in (None, 0.1, 0.75, 0.95)
        for f in (None, True, False)
    ]
    assert {color_for(f, mode).as_hex() for f in faces} == {hex for _, hex in rows}
