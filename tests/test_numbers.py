"""One number everywhere: 0.8496 reads 84 % and 0.2996 reads 0.29 in every text made of them."""

from __future__ import annotations

import csv
import io

import pytest

from viewer import numbers
from viewer.compose import face_label
from viewer.export import describe_filters
from viewer.export_csv import faces_csv
from viewer.models import Face, Group
from viewer.select import Filters, Thresholds, quality_flags, summarize
from viewer.ui.faces import tile_caption
from viewer.ui.table import table_frame
from viewer.ui.text import num, pct

FACE = Face(index=0, id="f", confidence=0.8496, sharpness=0.2996, is_frontal=True)


@pytest.mark.parametrize(
    ("value", "percent"),
    [(0.8496, "84%"), (0.85, "85%"), (0.29, "29%"), (0.6999, "69%"), (1.0, "100%"), (0.0, "0%")],
)
def test_percent_is_cut_never_rounded_up(value: float, percent: str) -> None:
    assert numbers.percent(value) == pct(value) == percent


@pytest.mark.parametrize(("value", "text"), [(0.2996, "0.29"), (0.3, "0.30"), (0.57, "0.57")])
def test_decimals_are_cut_never_rounded_up(value: float, text: str) -> None:
    assert numbers.decimal(value) == num(value) == text


@pytest.mark.parametrize("value", [None, float("nan"), float("inf")])
def test_missing_numbers_read_as_a_dash(value: float | None) -> None:
    assert numbers.percent(value) == numbers.decimal(value) == "–"


def test_every_text_of_a_face_agrees() -> None:
    """The picture label (drawn by Pillow, also the contact sheet's), the face tile's caption,
    the table's cells, the flag reasons and the export's filter line."""
    assert face_label(FACE) == "84% · sharp 0.29 · frontal"
    assert tile_caption(FACE, []) == "84% · sharp 0.29 · frontal"
    frame = table_frame([FACE], {}, {})
    assert frame["confidence"].tolist() == [84]  # shown with format "%d%%"
    assert frame["sharpness"].tolist() == [0.29]  # shown with format "%.2f"
    assert quality_flags(FACE, Thresholds(0.85, 0.3)) == [
        "low confidence 84%",
        "blurry (sharpness 0.29)",
    ]
    summary = summarize([FACE])
    assert pct(summary.median_confidence) == "84%"
    assert describe_filters(Filters(min_confidence=0.8496, min_sharpness=0.2996)) == (
        "confidence at least 84%; sharpness at least 0.29"
    )


def test_faces_csv_keeps_the_raw_values() -> None:
    rows = list(csv.DictReader(io.StringIO(faces_csv(Group(), [FACE], {}, {}).decode("utf-8-sig"))))
    assert rows[0]["confidence"] == "0.8496"
    assert rows[0]["sharpness"] == "0.2996"


@pytest.mark.parametrize(
    ("n", "noun", "plural", "text"),
    [
        (1, "face", None, "1 face"),
        (0, "face", None, "0 faces"),
        (2, "group", None, "2 groups"),
        (1234567, "face", None, "1,234,567 faces"),
        (1, "copy", "copies", "1 copy"),
        (3, "copy", "copies", "3 copies"),
        (-1, "face", None, "-1 faces"),
    ],
)
def test_counted_says_one_in_the_singular_and_separates_thousands(
    n: int, noun: str, plural: str | None, text: str
) -> None:
    assert numbers.counted(n, noun, plural) == text
