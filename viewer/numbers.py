"""The one way numbers are written for people (confidence, sharpness, counts): pure.

Every picture label, caption, table cell, Detail field, flag reason, export text and range
hint goes through these, so one face reads the same everywhere. Values are cut, not rounded:
the bands, the flags and the filters compare the raw value (a face at 0.8496 is below 85 %),
so a face shown as 85 % must be at least 0.85, and one at 0.6996 reads 69 % beside its
"below 70 %" colour and flag, never 70 %. Raw values stay raw where a machine reads them
(faces.csv, group.json).
"""

from __future__ import annotations

import math

_EPSILON = 1e-9  # 0.29 * 100 is 28.999999999999996: still 29


def cut(value: float | None, digits: int) -> float | None:
    """``value`` cut (rounded towards minus infinity) to ``digits`` decimals; None when it is
    missing or not finite."""
    if value is None or not math.isfinite(value):
        return None
    scale = 10**digits
    return math.floor(value * scale + _EPSILON) / scale


def whole_percent(value: float | None) -> int | None:
    """A fraction as whole percent, cut: 0.8496 is 84; None when missing or not finite."""
    cut_value = cut(value, 2)
    return None if cut_value is None else round(cut_value * 100)


def percent(value: float | None) -> str:
    """``"84%"`` for 0.8496; ``"–"`` when missing or not finite."""
    whole = whole_percent(value)
    return "–" if whole is None else f"{whole}%"


def decimal(value: float | None, digits: int = 2) -> str:
    """``"0.29"`` for 0.2996 (sharpness and other 0..1 values); ``"–"`` when missing."""
    cut_value = cut(value, digits)
    return "–" if cut_value is None else f"{cut_value:.{digits}f}"


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """``"1 face"``, ``"2 faces"``, ``"1,234 faces"``: the count with thousands separators and
    the noun in the number it takes (``plural`` when adding an s is wrong: "copy", "copies")."""
    word = noun if n == 1 else (plural if plural is not None else f"{noun}s")
    return f"{n:,} {word}"
