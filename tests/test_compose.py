"""Composition: which label, marks and badges each face gets, checked on pixels without threads."""

from __future__ import annotations

import pytest

from viewer.compose import face_label
from viewer.models import Face


@pytest.mark.parametrize(
    ("confidence", "sharpness", "frontal", "label"),
    [
        (0.91, 0.67, True, "91% · sharp 0.67 · frontal"),
        (0.8999, 0.5, False, "89% · sharp 0.50 · profile"),
        (0.57, 0.123, True, "57% · sharp 0.12 · frontal"),
        (1.0, 1.0, False, "100% · sharp 1.00 · profile"),
        (None, 0.3, True, "– · sharp 0.30 · frontal"),
        (0.5, None, None, "50% · sharp – · ?"),
        (None, None, None, "– · sharp – · ?"),
    ],
)
def test_face_label(
    confidence: float | None, sharpness: float | None, frontal: bool | None, label: str
) -> None:
    face = Face(index=0, confidence=confidence, sharpness=sharpness, is_frontal=frontal)
    assert face_label(face) == label
