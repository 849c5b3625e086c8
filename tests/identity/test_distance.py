"""Distances to a group's robust centre and between centres, on hand-made descriptors."""

from __future__ import annotations

import numpy as np
import pytest

from viewer.identity.distance import (
    centre_distance,
    group_distances,
    likely_same_person,
    rank_nearness,
    robust_centre,
)


def at(*values: float) -> np.ndarray:
    return np.array(values, dtype=np.float32)


def test_the_centre_is_the_per_dimension_median() -> None:
    vectors = np.stack([at(0, 0), at(1, 10), at(2, 20), at(3, 30), at(100, -100)])
    assert robust_centre(vectors).tolist() == [2, 10]


def test_a_few_other_faces_barely_move_the_centre() -> None:
    rng = np.random.default_rng(7)
    one = rng.normal(0, 0.02, (40, 8)) + 0.1
    others = rng.normal(0, 0.02, (8, 8)) + 0.6  # a sixth of the faces: someone else
    distances = group_distances({f"f{i}": v for i, v in enumerate(np.vstack([one, others]))})
    assert np.abs(distances.centre - 0.1).max() < 0.06
    assert set(distances.least_like(8)) == {f"f{i}" for i in range(40, 48)}


@pytest.mark.parametrize(
    ("threshold", "expected"),
    [(0.25, {"far", "farther"}), (0.45, {"farther"}), (0.6, set())],
)
def test_flags_above_the_threshold(threshold: float, expected: set[str]) -> None:
    descriptors = {
        "a": at(0, 0),
        "b": at(0, 0.1),
        "c": at(0.1, 0),
        "far": at(0.3, 0),
        "farther": at(0, 0.5),
    }
    distances = group_distances(descriptors, threshold)
    assert distances.flagged() == expected
    assert distances.flagged(0.05) == {"b", "c", "far", "farther"}  # the centre is (0, 0)
    assert distances.least_like() == ["farther", "far", "b", "c", "a"]
    assert distances.typical(2) == ["a", "b"]


def test_two_faces_are_too_few_to_flag() -> None:
    distances = group_distances({"a": at(0, 0), "b": at(5, 5)}, threshold=0.1)
    assert distances.used == 2 and distances.flagged() == frozenset()


def test_no_faces_no_centre() -> None:
    empty = group_distances({})
    assert (empty.centre, empty.used, empty.least_like()) == (None, 0, [])
    assert centre_distance(empty, group_distances({"a": at(1, 1)})) is None
    assert not likely_same_person(None)


def test_nearness_ranks_other_groups_by_centre() -> None:
    me = group_distances({"a": at(0, 0), "b": at(0, 0.02)})
    others = {
        "twin": group_distances({"x": at(0.05, 0.01)}),
        "stranger": group_distances({"y": at(0.5, 0.5), "z": at(0.6, 0.5), "w": at(0.5, 0.6)}),
        "unscored": group_distances({}),
    }
    ranked = rank_nearness(me, others)
    assert [(n.group, n.used, n.likely_same) for n in ranked] == [
        ("twin", 1, True),
        ("stranger", 3, False),
        ("unscored", 0, False),
    ]
    assert ranked[0].distance == pytest.approx(np.hypot(0.05, 0.0), abs=1e-6)
