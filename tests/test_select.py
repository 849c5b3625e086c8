"""Filter, flag, sort and page faces: expected values worked out by hand from small fixtures."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from viewer.models import Face
from viewer.select import (
    SORTS,
    Filters,
    Thresholds,
    apply_filters,
    feeds_of,
    flag_faces,
    page_of,
    passes,
    quality_flags,
    quality_score,
    sort_faces,
    value_range,
)

# Six faces for filtering. Flags under the STRICT thresholds (confidence 0.7, sharpness 0.3):
#   0: none            1: low confidence     2: blurry
#   3: no confidence   4: no sharpness       5: a parse problem
# Under the defaults (confidence 0.5, sharpness 0.15) faces 1 and 2 are not flagged.
FILTER_FACES = (
    Face(index=0, confidence=0.9, sharpness=0.8, is_frontal=True, feed_id="A"),
    Face(index=1, confidence=0.5, sharpness=0.6, is_frontal=False, feed_id="B"),
    Face(index=2, confidence=0.8, sharpness=0.2, is_frontal=None, feed_id="A"),
    Face(index=3, confidence=None, sharpness=0.9, is_frontal=True, feed_id=None),
    Face(index=4, confidence=0.95, sharpness=None, is_frontal=False, feed_id="C"),
    Face(
        index=5,
        confidence=0.75,
        sharpness=0.35,
        is_frontal=True,
        feed_id="B",
        problems=("no bounding box",),
    ),
)
ALL = [0, 1, 2, 3, 4, 5]
STRICT = Thresholds(confidence=0.7, sharpness=0.3)


def indices(faces: list[Face]) -> list[int]:
    return [f.index for f in faces]


@pytest.mark.parametrize(
    ("filters", "thresholds", "expected"),
    [
        pytest.param(Filters(), Thresholds(), ALL, id="default keeps all"),
        # min confidence: None counts as 0; equal to the minimum passes.
        pytest.param(Filters(min_confidence=0.8), Thresholds(), [0, 2, 4], id="conf>=0.8"),
        pytest.param(Filters(min_confidence=0.96), Thresholds(), [], id="conf>=0.96"),
        pytest.param(Filters(min_sharpness=0.6), Thresholds(), [0, 1, 3], id="sharp>=0.6"),
        pytest.param(Filters(min_sharpness=0.1), Thresholds(), [0, 1, 2, 3, 5], id="sharp>=0.1"),
        # upper bounds (a brushed range): None counts as 0; equal to the maximum passes.
        pytest.param(Filters(max_confidence=0.8), Thresholds(), [1, 2, 3, 5], id="conf<=0.8"),
        pytest.param(
            Filters(min_confidence=0.7, max_confidence=0.8), Thresholds(), [2, 5], id="conf 70-80"
        ),
        pytest.param(Filters(max_sharpness=0.35), Thresholds(), [2, 4, 5], id="sharp<=0.35"),
        # pose: is_frontal None is neither frontal nor profile.
        pytest.param(Filters(pose="all"), Thresholds(), ALL, id="pose all"),
        pytest.param(Filters(pose="frontal"), Thresholds(), [0, 3, 5], id="pose frontal"),
        pytest.param(Filters(pose="profile"), Thresholds(), [1, 4], id="pose profile"),
        # feeds: a face without a feed never matches a feed filter.
        pytest.param(Filters(feeds=("A",)), Thresholds(), [0, 2], id="feed A"),
        pytest.param(Filters(feeds=("B", "C")), Thresholds(), [1, 4, 5], id="feeds B,C"),
        pytest.param(Filters(feeds=("Z",)), Thresholds(), [], id="unknown feed"),
        # only problems: depends on the thresholds.
        pytest.param(Filters(only_problems=True), Thresholds(), [3, 4, 5], id="problems default"),
        pytest.param(Filters(only_problems=True), STRICT, [1, 2, 3, 4, 5], id="problems strict"),
        pytest.param(
            Filters(only_problems=True),
            Thresholds(confidence=0.4, sharpness=0.1),
            [3, 4, 5],
            id="problems lenient thresholds",
        ),
        pytest.param(
            Filters(only_problems=True),
            Thresholds(confidence=0.91, sharpness=0.3),
            ALL,
            id="problems strict thresholds",
        ),
        # combined
        pytest.param(
            Filters(min_confidence=0.7, pose="frontal"), Thresholds(), [0, 5], id="conf+frontal"
        ),
        pytest.param(
            Filters(min_confidence=0.7, min_sharpness=0.3), Thresholds(), [0, 5], id="conf+sharp"
        ),
        pytest.param(
            Filters(feeds=("A", "B"), pose="profile"), Thresholds(), [1], id="feeds+profile"
        ),
        pytest.param(Filters(feeds=("A",), only_problems=True), STRICT, [2], id="feed+problems"),
        pytest.param(
            Filters(pose="frontal", only_problems=True, min_sharpness=0.5),
            Thresholds(),
            [3],
            id="frontal+problems+sharp",
        ),
        pytest.param(
            Filters(pose="profile", min_sharpness=0.1), Thresholds(), [1], id="profile+sharp"
        ),
        pytest.param(
            Filters(min_confidence=0.7, feeds=("C",), only_problems=True),
            Thresholds(confidence=0.4, sharpness=0.1),
            [4],
            id="conf+feed+problems",
        ),
    ],
)
def test_apply_filters(filters: Filters, thresholds: Thresholds, expected: list[int]) -> None:
    flags = flag_faces(FILTER_FACES, thresholds)
    assert indices(apply_filters(FILTER_FACES, filters, flags)) == expected
    assert [f.index for f in FILTER_FACES if passes(f, filters, flags)] == expected


def test_flag_faces_keys_the_flagged_faces_and_leaves_the_rest_out() -> None:
    assert flag_faces(FILTER_FACES) == {f.key: quality_flags(f) for f in FILTER_FACES[3:]}
    assert flag_faces(FILTER_FACES, STRICT) == {
        f.key: quality_flags(f, STRICT) for f in FILTER_FACES[1:]
    }
    assert flag_faces(FILTER_FACES, Thresholds(0.0, 0.0)) == {
        FILTER_FACES[3].key: ["no confidence"],
        FILTER_FACES[4].key: ["no sharpness"],
        FILTER_FACES[5].key: ["no bounding box"],
    }


def test_only_problems_reads_the_flags_it_is_given() -> None:
    given = {FILTER_FACES[0].key: ["marked by hand"]}
    assert indices(apply_filters(FILTER_FACES, Filters(only_problems=True), given)) == [0]
    assert indices(apply_filters(FILTER_FACES, Filters(only_problems=True), {})) == []


def test_without_flags_only_problems_flags_under_the_default_thresholds() -> None:
    assert indices(apply_filters(FILTER_FACES, Filters(only_problems=True))) == [3, 4, 5]


@pytest.mark.parametrize(
    ("filters", "is_default"),
    [
        (Filters(), True),
        (Filters(min_confidence=0.0, pose="all", feeds=()), True),
        (Filters(min_confidence=0.1), False),
        (Filters(pose="frontal"), False),
        (Filters(feeds=("A",)), False),
        (Filters(only_problems=True), False),
    ],
)
def test_filters_is_default(filters: Filters, is_default: bool) -> None:
    assert filters.is_default is is_default


@pytest.mark.parametrize(
    ("face", "thresholds", "expected"),
    [
        (Face(0, confidence=0.9, sharpness=0.8), Thresholds(), []),
        # at the threshold is not below it
        (Face(0, confidence=0.5, sharpness=0.15), Thresholds(), []),
        (Face(0, confidence=0.49, sharpness=0.8), Thresholds(), ["low confidence 49%"]),
        (Face(0, confidence=0.9, sharpness=0.14), Thresholds(), ["blurry (sharpness 0.14)"]),
        (Face(0, confidence=0.7, sharpness=0.3), STRICT, []),
        (Face(0, confidence=0.5, sharpness=0.8), STRICT, ["low confidence 50%"]),
        (Face(0, confidence=0.9, sharpness=0.25), STRICT, ["blurry (sharpness 0.25)"]),
        (Face(0), Thresholds(), ["no confidence", "no sharpness"]),
        (
            Face(0, confidence=0.12, sharpness=0.1234, problems=("no bounding box",)),
            Thresholds(),
            ["low confidence 12%", "blurry (sharpness 0.12)", "no bounding box"],
        ),
        (
            Face(0, confidence=0.9, sharpness=0.5, problems=("width 0 is not positive",)),
            Thresholds(),
            ["width 0 is not positive"],
        ),
        (
            Face(0, confidence=0.9, sharpness=0.5),
            Thresholds(confidence=0.95, sharpness=0.3),
            ["low confidence 90%"],
        ),
        (
            Face(0, confidence=0.9, sharpness=0.5),
            Thresholds(confidence=0.5, sharpness=0.6),
            ["blurry (sharpness 0.50)"],
        ),
        # zero thresholds flag nothing that is present, but missing values still are
        (Face(0, confidence=0.0, sharpness=0.0), Thresholds(0.0, 0.0), []),
        (Face(0, sharpness=0.0), Thresholds(0.0, 0.0), ["no confidence"]),
    ],
)
def test_quality_flags(face: Face, thresholds: Thresholds, expected: list[str]) -> None:
    assert quality_flags(face, thresholds) == expected


@pytest.mark.parametrize(
    ("confidence", "sharpness", "expected"),
    [
        (1.0, 1.0, 1.0),
        (0.81, 1.0, 0.9),
        (0.25, 0.36, 0.3),
        (0.64, 0.25, 0.4),
        (0.0, 1.0, 0.0),
        (None, 0.5, 0.0),
        (0.5, None, 0.0),
        (None, None, 0.0),
        (-0.5, 0.8, 0.0),  # negatives are clamped to 0
        pytest.param(
            1.5,
            1.0,
            1.0,
            id="above-1-stays-in-range",
        ),
    ],
)
def test_quality_score(confidence: float | None, sharpness: float | None, expected: float) -> None:
    score = quality_score(Face(0, confidence=confidence, sharpness=sharpness))
    assert score == pytest.approx(expected)
    assert 0.0 <= score <= 1.0


T1 = datetime(2024, 1, 1, tzinfo=UTC)
T2 = datetime(2024, 1, 2, tzinfo=UTC)
T3 = datetime(2024, 1, 3, tzinfo=UTC)

# Worst-first scores: 0 -> sqrt(.4)=.632, 1 -> 0, 2 -> 0, 3 -> .632, 4 -> sqrt(.09)=.3, 5 -> 0.
SORT_FACES = (
    Face(
        index=0,
        confidence=0.8,
        sharpness=0.5,
        created_at=T2,
        feed_id="B",
        url="https://img.example/p1.jpg",
    ),
    Face(
        index=1,
        confidence=None,
        sharpness=0.9,
        created_at=None,
        feed_id="A",
        url="https://img.example/p2.jpg",
    ),
    Face(
        index=2,
        confidence=0.6,
        sharpness=None,
        created_at=T1,
        feed_id=None,
        url="https://img.example/p0.jpg",
    ),
    Face(
        index=3,
        confidence=0.8,
        sharpness=0.5,
        created_at=T2,
        feed_id="A",
        url="https://img.example/p1.jpg",
    ),
    Face(
        index=4,
        confidence=0.9,
        sharpness=0.1,
        created_at=T3,
        feed_id="C",
        url="https://img.example/p2.jpg",
    ),
    Face(
        index=5,
        confidence=None,
        sharpness=0.5,
        created_at=T1,
        feed_id="B",
        url="https://img.example/p0.jpg",
    ),
)
# Handed over out of group order: ties must still come out in group (index) order.
SHUFFLED = [SORT_FACES[i] for i in (3, 5, 0, 4, 2, 1)]


@pytest.mark.parametrize(
    ("key", "ascending", "descending"),
    [
        ("index", [0, 1, 2, 3, 4, 5], [5, 4, 3, 2, 1, 0]),
        ("confidence", [2, 0, 3, 4, 1, 5], [4, 0, 3, 2, 1, 5]),
        ("sharpness", [4, 0, 3, 5, 1, 2], [1, 0, 3, 5, 4, 2]),
        ("time", [2, 5, 0, 3, 4, 1], [4, 0, 3, 2, 5, 1]),
        ("feed", [1, 3, 0, 5, 4, 2], [4, 0, 5, 1, 3, 2]),
        # worst first: missing values score 0, so they lead; descending is ignored
        ("worst", [1, 2, 5, 4, 0, 3], [1, 2, 5, 4, 0, 3]),
    ],
)
@pytest.mark.parametrize("given", [list(SORT_FACES), SHUFFLED], ids=["in order", "shuffled"])
def test_sort_faces(
    given: list[Face], key: str, ascending: list[int], descending: list[int]
) -> None:
    before = list(given)
    assert indices(sort_faces(given, key)) == ascending
    assert indices(sort_faces(given, key, descending=True)) == descending
    assert given == before  # the input is not reordered


# Identity distances of some of the faces (the others are not scored).
DISTANCES = {f.key: 0.1 + 0.07 * ((f.index * 5) % 7) for f in SORT_FACES if f.index % 3}
# Faces in a same-photo conflict (the others are not).
CONFLICTS = frozenset(f.key for f in SORT_FACES if f.index % 2 == 0)

# What each sort key names, read off a face here rather than through the module; a key
# added to SORTS without an entry here fails the test below.
NAMED_VALUE: dict[str, Callable[[Face], object]] = {
    "index": lambda f: f.index,
    "confidence": lambda f: f.confidence,
    "sharpness": lambda f: f.sharpness,
    "time": lambda f: f.created_at,
    "feed": lambda f: f.feed_id,
    # the product orders faces as its geometric mean does; a missing value makes it 0
    "worst": lambda f: (f.confidence or 0.0) * (f.sharpness or 0.0),
    # least like the rest: the largest identity distance first; faces not scored last
    "least": lambda f: -DISTANCES[f.key] if f.key in DISTANCES else None,
    # conflicts first, photo by photo (so one photo's faces lie side by side); the rest last
    "conflict": lambda f: f.url if f.key in CONFLICTS else None,
}


@pytest.mark.parametrize("descending", [False, True], ids=["ascending", "descending"])
@pytest.mark.parametrize("key", list(SORTS))
def test_each_sort_key_orders_faces_by_what_it_names(key: str, descending: bool) -> None:
    value = NAMED_VALUE[key]
    ordered = [value(f) for f in sort_faces(SHUFFLED, key, descending, DISTANCES, CONFLICTS)]
    present = [v for v in ordered if v is not None]
    assert ordered == present + [None] * (len(ordered) - len(present))  # missing ones last
    assert len(set(present)) > 1  # the fixture tells this key's orders apart
    reverse = descending and key not in ("worst", "least", "conflict")  # these ignore it
    assert present == sorted(present, reverse=reverse)  # type: ignore[type-var]


@pytest.mark.parametrize("key", ["x", "", "Confidence", "quality"])
def test_sort_faces_rejects_unknown_key(key: str) -> None:
    with pytest.raises(ValueError, match="unknown sort"):
        sort_faces(SORT_FACES, key)


@pytest.mark.parametrize("key", list(SORTS))
def test_sort_empty(key: str) -> None:
    assert sort_faces([], key) == []


TEN = list(range(10))


@pytest.mark.parametrize(
    ("items", "page", "per_page", "expected"),
    [
        (TEN, 1, 4, ([0, 1, 2, 3], 3, 1)),
        (TEN, 2, 4, ([4, 5, 6, 7], 3, 2)),
        (TEN, 3, 4, ([8, 9], 3, 3)),
        (TEN, 0, 4, ([0, 1, 2, 3], 3, 1)),
        (TEN, -5, 4, ([0, 1, 2, 3], 3, 1)),
        (TEN, 4, 4, ([8, 9], 3, 3)),
        (TEN, 100, 4, ([8, 9], 3, 3)),
        (TEN, 1, 10, (TEN, 1, 1)),
        (TEN, 2, 10, (TEN, 1, 1)),
        (list(range(13)), 2, 12, ([12], 2, 2)),
        (list(range(12)), 2, 12, (list(range(12)), 1, 1)),
        ([], 1, 24, ([], 1, 1)),
        ([], 0, 24, ([], 1, 1)),
        ([], 3, 24, ([], 1, 1)),
        ((7, 8, 9), 2, 2, ([9], 2, 2)),  # any sequence; the page comes back as a list
    ],
)
def test_page_of(items, page: int, per_page: int, expected) -> None:
    assert page_of(items, page, per_page) == expected


@pytest.mark.parametrize(
    ("feeds", "expected"),
    [
        (["B", None, "A", "B", "", "C"], ["A", "B", "C"]),
        (["cam-2", "cam-10", "Cam-1"], ["Cam-1", "cam-10", "cam-2"]),
        ([None, None], []),
        ([], []),
    ],
)
def test_feeds_of(feeds: list[str | None], expected: list[str]) -> None:
    faces = [Face(index=i, feed_id=feed) for i, feed in enumerate(feeds)]
    assert feeds_of(faces) == expected


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([], (0.0, 1.0)),
        ([None, None], (0.0, 1.0)),
        ([0.2, None, 0.8, 0.5], (0.2, 0.8)),
        ([0.0, 1.0], (0.0, 1.0)),
        ([0.5], (0.5, 0.51)),  # a single value is widened to 0.01
        ([0.0], (0.0, 0.01)),
        ([0.5, 0.505, None], (0.5, 0.51)),
        ([0.3, 0.31], (0.3, 0.31)),
        ([0.9, 0.1, 0.4], (0.1, 0.9)),
    ],
)
def test_value_range(values: list[float | None], expected: tuple[float, float]) -> None:
    assert value_range(values) == pytest.approx(expected)


# Faces at and around every edge the filters and flags compare: thresholds exactly, zero,
# missing, NaN (a Face built by hand may hold one), a pose that is not a boolean.
EDGE_VALUES = (None, 0.0, 0.3, 0.7, 0.71, 1.0, float("nan"))
EDGE_FACES = tuple(
    Face(
        index=i,
        id=f"e{i}",
        confidence=EDGE_VALUES[i % 7],
        sharpness=EDGE_VALUES[(i // 7) % 7],
        is_frontal=(True, False, None, 1)[i % 4],
        feed_id=("A", "B", None)[i % 3],
        problems=("no bounding box",) if i % 5 == 0 else (),
    )
    for i in range(7 * 7 * 4)
)
EDGE_FILTERS = [
    Filters(min_confidence=c, min_sharpness=s, pose=p, feeds=feeds, only_problems=o)
    for c in (0.0, 0.7, 0.71)
    for s in (0.0, 0.3)
    for p in ("all", "frontal", "profile")
    for feeds in ((), ("A",), ("A", "B"))
    for o in (False, True)
]


@pytest.mark.parametrize("thresholds", [Thresholds(), Thresholds(0.71, 0.0), Thresholds(0.0, 1.0)])
def test_flags_and_filters_at_the_edges_decide_face_by_face(thresholds: Thresholds) -> None:
    flags = flag_faces(EDGE_FACES, thresholds)
    by_face = {f.key: r for f in EDGE_FACES if (r := quality_flags(f, thresholds))}
    assert flags == by_face
    assert list(flags) == list(by_face)  # in group order
    for filters in EDGE_FILTERS:
        expected = [f for f in EDGE_FACES if passes(f, filters, flags)]
        assert apply_filters(EDGE_FACES, filters, flags) == expected, filters
