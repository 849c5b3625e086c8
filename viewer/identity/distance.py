"""Identity distances: how far each face's descriptor lies from its group's robust centre,
and how far groups' centres lie from each other.

The centre is the per-dimension median of the scored descriptors. It was measured against the
medoid (python -m bench.identity) on a demo-large whose 40 planted faces were drawn close to the
rest: AUC 0.949 against 0.885, 17 against 13 planted among the 20 least-like (on today's demo,
where they are clearly other people, both find all 40). It is as robust (half the faces can be
someone else before it moves far), needs no pairwise distances (the medoid's cost grows with the
square of the faces) and is cheap enough to recompute each time more faces are scored.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

# "May be someone else": a face's distance to its group's centre above this. Calibrated on
# demo-large (python -m bench.identity): its 1,960 genuine faces lie 0.12-0.44 from the centre
# (median 0.22, 99th percentile 0.41), its 40 planted faces 0.46-0.81 (median 0.70); above 0.45
# exactly the 40 planted faces are flagged (at 0.44 one genuine face too, at 0.46 one planted
# face is missed). Distances to a centre are shorter than between two faces, so dlib's usual
# same-person cut between two faces, 0.6, would miss planted faces here (a quarter lie under
# 0.64).
FLAG_DISTANCE = 0.45
# "Likely the same person": two groups' centres closer than this. Calibrated on the demo: the
# two groups of one person (demo-person-a1, -a2, 12 faces each) lie 0.10 apart; the nearest
# centres of different people 0.145 (demo-person-a1 and demo-large) and 0.19 (demo-fractions
# and demo-large); demo-person-b lies 0.75 from both groups of person a.
SAME_PERSON_DISTANCE = 0.12
MIN_FACES_TO_FLAG = 3  # with fewer scored faces the centre is one of them, or between two
TYPICAL_COUNT = 5


def robust_centre(vectors: np.ndarray) -> np.ndarray:
    """The per-dimension median of descriptors (one per row)."""
    return np.median(vectors, axis=0)


@dataclass(frozen=True)
class GroupDistances:
    """A group's centre from ``used`` scored faces, and each scored face's distance to it."""

    centre: np.ndarray | None
    used: int
    distance: Mapping[str, float] = field(default_factory=dict)
    threshold: float = FLAG_DISTANCE

    def flagged(self, threshold: float | None = None) -> frozenset[str]:
        """Keys of faces that may be someone else: farther from the centre than the threshold."""
        if self.used < MIN_FACES_TO_FLAG:
            return frozenset()
        cut = self.threshold if threshold is None else threshold
        return frozenset(key for key, d in self.distance.items() if d > cut)

    def least_like(self, n: int | None = None) -> list[str]:
        """Face keys, the face least like the rest first (ties by key, so the order is stable)."""
        ranked = sorted(self.distance, key=lambda key: (-self.distance[key], key))
        return ranked if n is None else ranked[:n]

    def typical(self, n: int = TYPICAL_COUNT) -> list[str]:
        """The ``n`` faces nearest the centre: the group's most typical faces."""
        return sorted(self.distance, key=lambda key: (self.distance[key], key))[:n]


def group_distances(
    descriptors: Mapping[str, np.ndarray], threshold: float = FLAG_DISTANCE
) -> GroupDistances:
    """Distances of every described face (by key) to the centre of all of them."""
    if not descriptors:
        return GroupDistances(None, 0, {}, threshold)
    keys = list(descriptors)
    vectors = np.stack([np.asarray(descriptors[k], dtype=np.float64) for k in keys])
    centre = robust_centre(vectors)
    distances = np.linalg.norm(vectors - centre, axis=1)
    return GroupDistances(
        centre, len(keys), {k: float(d) for k, d in zip(keys, distances, strict=True)}, threshold
    )


def centre_distance(a: GroupDistances, b: GroupDistances) -> float | None:
    """The distance between two groups' centres; None when either has no scored face."""
    if a.centre is None or b.centre is None:
        return None
    return float(np.linalg.norm(a.centre - b.centre))


def likely_same_person(distance: float | None, threshold: float = SAME_PERSON_DISTANCE) -> bool:
    return distance is not None and distance < threshold


@dataclass(frozen=True)
class Nearness:
    """How near another group's centre is to one group's: a merge candidate when close."""

    group: str
    distance: float | None
    used: int  # the other group's faces its centre was computed from
    likely_same: bool


def rank_nearness(
    target: GroupDistances,
    others: Mapping[str, GroupDistances],
    threshold: float = SAME_PERSON_DISTANCE,
) -> list[Nearness]:
    """Other groups by nearness of their centre to ``target``'s; unscored groups last."""
    found = []
    for name, other in others.items():
        d = centre_distance(target, other)
        found.append(Nearness(name, d, other.used, likely_same_person(d, threshold)))
    return sorted(found, key=lambda n: (n.distance is None, n.distance or 0.0, n.group))
