"""What each face gets when it is drawn: its label, its marks, styles and badges."""

from __future__ import annotations

import math

from viewer.models import Face


def _percent(value: float) -> int:
    """Whole percent rounded down, so a label never claims a band its colour does not show."""
    return math.floor(value * 100 + 1e-9)


def face_label(face: Face) -> str:
    """``"91% · sharp 0.67 · frontal"``; a missing number shows as ``–``, unknown pose as ``?``."""
    confidence = face.confidence
    sharpness = face.sharpness
    conf = (
        f"{_percent(confidence)}%" if confidence is not None and math.isfinite(confidence) else "–"
    )
    sharp = f"{sharpness:.2f}" if sharpness is not None and math.isfinite(sharpness) else "–"
    pose = {True: "frontal", False: "profile"}.get(face.is_frontal, "?")
    return f"{conf} · sharp {sharp} · {pose}"
