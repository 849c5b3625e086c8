"""Stats: a brush across a histogram, read as the range of a filter (the brush itself is
driven in Chromium by tests/browser/test_stats.py)."""

from __future__ import annotations

import pytest

from viewer.models import Face
from viewer.ui.stats import brushed_range, quality_chart, stats_frame


@pytest.mark.parametrize(
    ("selection", "expected"),
    [
        ({"confidence": [0.4512, 0.6688]}, (0.45, 0.67)),  # widened to whole hundredths
        ({"confidence": [0.7, 0.2]}, (0.2, 0.7)),  # dragged right to left
        ({"confidence": [-0.3, 1.4]}, (0.0, 1.0)),  # beyond the axis
        ({"confidence": [0.5, 0.5]}, None),  # a click, not a range
        ({"sharpness": [0.1, 0.2]}, None),  # another field's brush
        ({"confidence": ["a", 0.2]}, None),
        ({}, None),
    ],
)
def test_a_brushed_histogram_range_becomes_a_filter_range(
    selection: dict[str, object], expected: tuple[float, float] | None
) -> None:
    assert brushed_range(selection, "confidence") == expected


def test_each_quality_histogram_draws_its_flag_threshold() -> None:
    faces = [Face(index=i, confidence=0.5 + i / 20, sharpness=0.2 + i / 40) for i in range(8)]
    df = stats_frame(faces)
    for field, threshold, words in (
        ("confidence", 0.65, "flagged below 65%"),
        ("sharpness", 0.35, "flagged below 0.35"),
    ):
        spec = quality_chart(df, field, threshold).to_dict()
        bars, rule = spec["layer"]
        assert rule["mark"]["type"] == "rule"
        drawn = spec["datasets"][rule["data"]["name"]]
        assert drawn == [{field: threshold, "flag": words}]
        assert bars["encoding"]["x"]["field"] == rule["encoding"]["x"]["field"] == field
        (brush,) = spec["params"]  # brushing the bars, along x
        assert brush["select"] == {"type": "interval", "encodings": ["x"]}
        assert brush["views"] == [bars["name"]]
