"""Which faces to look at, and in what order: the verdict filter, the review queue's order, the
group's most typical faces and the progress line. Pure functions on faces and verdict words.

Orderings are sort keys, lowest first. Quality orders the queue until identity scores exist;
an ordering by identity distance ("least like the rest first") plugs in as another key, and
``typical_faces`` takes the matching typicality the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Container, Mapping, Sequence

from viewer.models import Face
from viewer.review.values import BELONGS, NOT_THIS_PERSON, UNSURE, VERDICT_WORDS
from viewer.select import best_faces, quality_score

Ordering = Callable[[Face], float]  # a sort key: the lowest comes first

VERDICT_SYMBOLS = {BELONGS: "\u2713", NOT_THIS_PERSON: "\u2717", UNSURE: "?"}
UNREVIEWED = "unreviewed"
VERDICT_FILTERS = {
    "all": "All",
    UNREVIEWED: "Unreviewed",
    BELONGS: "Belongs",
    NOT_THIS_PERSON: "Not this person",
    UNSURE: "Unsure",
}
QUEUE_ORDERS: dict[str, tuple[str, Ordering]] = {
    "worst": ("Worst quality first", quality_score),
    "index": ("Group order", lambda face: float(face.index)),
}
TYPICAL_COUNT = 8


def verdict_text(verdict: str) -> str:
    """A verdict for the page: its symbol and its words, e.g. ``✗ not this person``."""
    return f"{VERDICT_SYMBOLS.get(verdict, '')} {VERDICT_WORDS.get(verdict, verdict)}".strip()


def filter_by_verdict(
    faces: Sequence[Face], verdicts: Mapping[str, str], choice: str
) -> list[Face]:
    """The faces whose verdict (by face key) matches ``choice``, a key of ``VERDICT_FILTERS``."""
    if choice not in VERDICT_FILTERS:
        raise ValueError(f"unknown verdict filter {choice!r}")
    if choice == "all":
        return list(faces)
    if choice == UNREVIEWED:
        return [f for f in faces if f.key not in verdicts]
    return [f for f in faces if verdicts.get(f.key) == choice]


def queue_order(
    faces: Sequence[Face],
    reviewed: Container[str] = frozenset(),
    ordering: Ordering | None = None,
    unreviewed_first: bool = True,
) -> list[Face]:
    """The faces in the order the queue shows them: by ``ordering`` (default: worst quality
    first), faces whose key is in ``reviewed`` after the others when ``unreviewed_first``;
    ties keep group order."""
    key = ordering or quality_score

    def rank(face: Face) -> tuple[bool, float, int]:
        later = unreviewed_first and face.key in reviewed
        return (later, key(face), face.index)

    return sorted(faces, key=rank)


def typical_faces(
    faces: Sequence[Face], count: int = TYPICAL_COUNT, typicality: Ordering | None = None
) -> list[Face]:
    """The group's most typical faces to compare a face against: by ``typicality`` (lowest
    first) when given, else the best quality faces with an image and a box."""
    if typicality is None:
        return best_faces(faces, count)
    usable = [f for f in faces if f.url and f.box is not None]
    return sorted(usable, key=lambda f: (typicality(f), f.index))[:count]


def neighbours(order: Sequence[str], current: str | None) -> tuple[str | None, str | None]:
    """The keys before and after ``current`` in ``order`` (None at either end, or when
    ``current`` is not in it: then the first key comes next)."""
    if current not in order:
        return None, (order[0] if order else None)
    at = order.index(current)
    return (order[at - 1] if at else None), (order[at + 1] if at + 1 < len(order) else None)


def progress_line(faces: Sequence[Face], verdicts: Mapping[str, str]) -> str:
    """``"312 of 2,000 reviewed · 14 not this person"`` over ``faces``."""
    words = [verdicts[f.key] for f in faces if f.key in verdicts]
    rejected = sum(1 for word in words if word == NOT_THIS_PERSON)
    return f"{len(words):,} of {len(faces):,} reviewed · {rejected:,} not this person"
