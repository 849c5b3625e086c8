"""The verdict filter, the queue's order, typical faces, neighbours and the progress line."""

from __future__ import annotations

import pytest

from viewer.models import Face, RawBox
from viewer.review.triage import (
    filter_by_verdict,
    neighbours,
    progress_line,
    queue_order,
    typical_faces,
    verdict_text,
)

BOX = RawBox(0.1, 0.1, 0.5, 0.5)


def face(index: int, quality: float) -> Face:
    return Face(
        index=index,
        id=f"f{index}",
        url="http://x/i.jpg",
        box=BOX,
        confidence=quality,
        sharpness=quality,
    )


FACES = [face(0, 0.9), face(1, 0.2), face(2, 0.5), face(3, 0.2), face(4, 0.95)]
WORDS = {FACES[1].key: "belongs", FACES[2].key: "not_this_person", FACES[4].key: "unsure"}


@pytest.mark.parametrize(
    ("choice", "indices"),
    [
        ("all", [0, 1, 2, 3, 4]),
        ("unreviewed", [0, 3]),
        ("belongs", [1]),
        ("not_this_person", [2]),
        ("unsure", [4]),
    ],
)
def test_the_verdict_filter(choice: str, indices: list[int]) -> None:
    assert [f.index for f in filter_by_verdict(FACES, WORDS, choice)] == indices


def test_an_unknown_verdict_filter_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown verdict filter"):
        filter_by_verdict(FACES, WORDS, "maybe")


def test_the_queue_puts_unreviewed_first_then_worst_quality_first() -> None:
    order = queue_order(FACES, WORDS.keys())
    assert [f.index for f in order] == [3, 0, 1, 2, 4]  # 1 and 3 tie on quality: group order
    assert [f.index for f in queue_order(FACES, WORDS.keys(), unreviewed_first=False)] == [
        1,
        3,
        2,
        0,
        4,
    ]


def test_the_queue_takes_another_ordering_as_a_sort_key() -> None:
    unlike = {0: 0.1, 1: 0.9, 2: 0.5, 3: 0.3, 4: 0.7}  # e.g. distances from the rest
    order = queue_order(FACES, (), ordering=lambda f: -unlike[f.index])
    assert [f.index for f in order] == [1, 4, 2, 3, 0]


def test_typical_faces_are_the_best_quality_ones_until_a_typicality_is_given() -> None:
    assert [f.index for f in typical_faces(FACES, 2)] == [4, 0]
    assert [f.index for f in typical_faces(FACES, 2, typicality=lambda f: f.index)] == [0, 1]
    assert typical_faces([Face(index=9)], 3) == []  # no image or box: nothing to show


@pytest.mark.parametrize(
    ("current", "expected"),
    [
        ("b", ("a", "c")),
        ("a", (None, "b")),
        ("c", ("b", None)),
        ("zz", (None, "a")),
        (None, (None, "a")),
    ],
)
def test_neighbours_in_the_queue(
    current: str | None, expected: tuple[str | None, str | None]
) -> None:
    assert neighbours(["a", "b", "c"], current) == expected
    assert neighbours([], current) == (None, None)


def test_the_progress_line_counts_reviewed_and_rejected_faces() -> None:
    assert progress_line(FACES, WORDS) == "3 of 5 reviewed · 1 not this person"
    many = [Face(index=i) for i in range(2000)]
    assert progress_line(many, {}) == "0 of 2,000 reviewed · 0 not this person"


def test_a_verdict_reads_with_its_symbol() -> None:
    assert verdict_text("not_this_person") == "\u2717 not this person"
    assert verdict_text("belongs") == "\u2713 belongs"
