"""Colours as values, the colour-blind-safe Okabe–Ito set, and the colour each face is drawn in."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from viewer.models import Face

_HEX = re.compile(r"#?([0-9a-fA-F]{6}|[0-9a-fA-F]{3})")


def _linear(channel: int) -> float:
    c = channel / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


@dataclass(frozen=True)
class Color:
    """An sRGB colour with 0..255 channels."""

    r: int
    g: int
    b: int

    def __post_init__(self) -> None:
        for name, value in (("r", self.r), ("g", self.g), ("b", self.b)):
            if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 255:
                raise ValueError(f"colour channel {name} must be an int in 0..255, not {value!r}")

    @classmethod
    def from_hex(cls, hex: str) -> Color:
        """Parse ``#RRGGBB``, ``RRGGBB`` or ``#RGB`` (any case)."""
        match = _HEX.fullmatch(hex.strip())
        if match is None:
            raise ValueError(f"not a hex colour: {hex!r}")
        digits = match.group(1)
        if len(digits) == 3:
            digits = "".join(c * 2 for c in digits)
        return cls(int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16))

    def as_rgb(self) -> tuple[int, int, int]:
        return (self.r, self.g, self.b)

    def as_hex(self) -> str:
        return f"#{self.r:02X}{self.g:02X}{self.b:02X}"

    def luminance(self) -> float:
        """WCAG relative luminance, 0 (black) to 1 (white)."""
        return 0.2126 * _linear(self.r) + 0.7152 * _linear(self.g) + 0.0722 * _linear(self.b)

    def contrast(self, other: Color) -> float:
        """WCAG contrast ratio, 1 to 21."""
        high, low = sorted((self.luminance(), other.luminance()), reverse=True)
        return (high + 0.05) / (low + 0.05)

    def text_color(self) -> Color:
        """Black or white, whichever reads better on this colour."""
        return BLACK if self.contrast(BLACK) >= self.contrast(WHITE) else WHITE


BLACK = Color(0, 0, 0)
WHITE = Color(255, 255, 255)
NEUTRAL = Color(128, 128, 128)
INK = Color.from_hex("#222222")  # text on white
# Okabe & Ito's colour-blind-safe colours that boxes are drawn in
BLUE = Color.from_hex("#0072B2")
ORANGE = Color.from_hex("#E69F00")
VERMILLION = Color.from_hex("#D55E00")
GREY = Color.from_hex("#999999")
BLUISH_GREEN = Color.from_hex("#009E73")
YELLOW = Color.from_hex("#F0E442")

# How a box is stroked, so that its band reads by more than hue: orange and vermillion are
# hard to tell apart as thin lines. (dash, gap) in line widths; None: a solid line.
Pattern = tuple[int, int] | None
SOLID: Pattern = None
LONG_DASH: Pattern = (6, 3)
SHORT_DASH: Pattern = (2, 2)
DOTTED: Pattern = (1, 2)
_PATTERNS: dict[Color, Pattern] = {ORANGE: LONG_DASH, VERMILLION: SHORT_DASH, GREY: DOTTED}
PATTERN_NAMES = {
    SOLID: "solid",
    LONG_DASH: "long dashes",
    SHORT_DASH: "short dashes",
    DOTTED: "dotted",
}


def line_pattern(color: Color) -> Pattern:
    """The stroke of a box drawn in ``color``: a colour is always drawn with the same line."""
    return _PATTERNS.get(color, SOLID)


COLOR_MODES = ("frontal", "confidence")
HIGH_CONFIDENCE = 0.9
LOW_CONFIDENCE = 0.7

_LEGENDS: dict[str, tuple[tuple[str, Color], ...]] = {
    "frontal": (("frontal", BLUE), ("profile", ORANGE), ("pose unknown", GREY)),
    "confidence": (
        ("confidence ≥ 90%", BLUE),
        ("confidence 70–89%", ORANGE),
        ("confidence below 70%", VERMILLION),
        ("confidence unknown", GREY),
    ),
}


def _check_mode(mode: str) -> None:
    if mode not in COLOR_MODES:
        raise ValueError(f"unknown colour mode {mode!r}; use one of {', '.join(COLOR_MODES)}")


def color_for(face: Face, mode: str = "frontal") -> Color:
    """The box colour of a face: by pose (``frontal``) or by confidence band (``confidence``)."""
    _check_mode(mode)
    if mode == "frontal":
        if face.is_frontal is None:
            return GREY
        return BLUE if face.is_frontal else ORANGE
    confidence = face.confidence
    if confidence is None or not math.isfinite(confidence):
        return GREY
    if confidence >= HIGH_CONFIDENCE:
        return BLUE
    if confidence >= LOW_CONFIDENCE:
        return ORANGE
    return VERMILLION


def legend(mode: str) -> list[tuple[str, str]]:
    """(meaning, hex colour) rows explaining ``color_for`` in this mode."""
    _check_mode(mode)
    return [(meaning, color.as_hex()) for meaning, color in _LEGENDS[mode]]


def legend_lines(mode: str) -> list[tuple[str, Color, Pattern]]:
    """(meaning, colour, line pattern) rows: what a box's colour and stroke say in this mode."""
    _check_mode(mode)
    return [(meaning, color, line_pattern(color)) for meaning, color in _LEGENDS[mode]]
