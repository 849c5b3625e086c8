"""Box geometry: fractions vs pixels, scaling, repairs, crops, styling and label placement."""

from __future__ import annotations

import itertools

import pytest

from viewer.geometry import (
    FRACTIONS,
    PIXELS,
    PIXELS_SCALED,
    Placement,
    as_fractions,
    clamp_xyxy,
    is_fractional,
    pad_xyxy,
    place_labels,
    resolve_box,
    scale_xyxy,
    square_xyxy,
    style_sizes,
)
from viewer.models import RawBox, parse_group

NAN = float("nan")
INF = float("inf")

SWAP_X = "x values were inverted and have been swapped"
SWAP_Y = "y values were inverted and have been swapped"
CLAMPED = "box reached past the image and was clamped"
NOT_NUMBERS = "box has values that are not numbers"
NO_SIZE = "image has no size"
ZERO_AREA = "box has zero area"
OUTSIDE = "box lies outside the image"


def _approx(xyxy):
    return pytest.approx(xyxy, abs=1e-9)


# --- resolve_box: usable boxes --------------------------------------------------------------


# (id, the box as sent, reported w×h, image w×h,
#     where it lands (xyxy), read as, scale, repairs)
# fmt: off
USABLE = [
    # The API sample: 0.23873*150 = 35.8095, 0.23873*200 = 47.746,
    # 0.75087*150 = 112.6305, 0.96537*200 = 193.074.
    ("sample-fractions", (0.23873, 0.23873, 0.75087, 0.96537), (150, 200), (150, 200),
        (35.8095, 47.746, 112.6305, 193.074), FRACTIONS, (1.0, 1.0), ()),
    ("fractions-ignore-reported-size", (0.25, 0.5, 0.75, 1.0), (150, 200), (300, 400),
        (75.0, 200.0, 225.0, 400.0), FRACTIONS, (1.0, 1.0), ()),
    ("whole-image-fractions", (0.0, 0.0, 1.0, 1.0), (None, None), (640, 480),
        (0.0, 0.0, 640.0, 480.0), FRACTIONS, (1.0, 1.0), ()),
    ("pixels-in-reported-size", (30, 40, 90, 120), (150, 200), (150, 200),
        (30.0, 40.0, 90.0, 120.0), PIXELS, (1.0, 1.0), ()),
    ("reported-size-as-floats", (30, 40, 90, 120), (150.0, 200.0), (150, 200),
        (30.0, 40.0, 90.0, 120.0), PIXELS, (1.0, 1.0), ()),
    ("pixels-scaled-by-half", (640, 360, 1280, 1080), (2560, 1440), (1280, 720),
        (320.0, 180.0, 640.0, 540.0), PIXELS_SCALED, (0.5, 0.5), ()),
    ("pixels-scaled-up", (100, 50, 300, 250), (640, 480), (1280, 960),
        (200.0, 100.0, 600.0, 500.0), PIXELS_SCALED, (2.0, 2.0), ()),
    ("pixels-scaled-per-axis", (20, 10, 100, 50), (200, 100), (100, 200),
        (10.0, 20.0, 50.0, 100.0), PIXELS_SCALED, (0.5, 2.0), ()),
    ("pixels-without-reported-size", (30, 40, 90, 120), (None, None), (150, 200),
        (30.0, 40.0, 90.0, 120.0), PIXELS, (1.0, 1.0), ()),
    ("pixels-with-half-a-reported-size", (30, 40, 90, 120), (300, None), (150, 200),
        (30.0, 40.0, 90.0, 120.0), PIXELS, (1.0, 1.0), ()),
    ("x-inverted", (0.75, 0.25, 0.25, 0.75), (None, None), (100, 100),
        (25.0, 25.0, 75.0, 75.0), FRACTIONS, (1.0, 1.0), (SWAP_X,)),
    ("y-inverted", (10, 80, 50, 20), (None, None), (100, 100),
        (10.0, 20.0, 50.0, 80.0), PIXELS, (1.0, 1.0), (SWAP_Y,)),
    ("both-inverted", (0.9, 0.8, 0.1, 0.2), (None, None), (200, 100),
        (20.0, 20.0, 180.0, 80.0), FRACTIONS, (1.0, 1.0), (SWAP_X, SWAP_Y)),
    ("pixels-clamped-left-and-right", (-10, 20, 120, 80), (None, None), (100, 100),
        (0.0, 20.0, 100.0, 80.0), PIXELS, (1.0, 1.0), (CLAMPED,)),
    ("pixels-clamped-bottom-right", (50, 60, 300, 400), (None, None), (200, 100),
        (50.0, 60.0, 200.0, 100.0), PIXELS, (1.0, 1.0), (CLAMPED,)),
    ("scaled-then-clamped", (1280, 720, 2400, 1600), (2560, 1440), (1280, 720),
        (640.0, 360.0, 1200.0, 720.0), PIXELS_SCALED, (0.5, 0.5), (CLAMPED,)),
    ("inverted-and-clamped", (120, 50, -20, 10), (None, None), (100, 100),
        (0.0, 10.0, 100.0, 50.0), PIXELS, (1.0, 1.0), (SWAP_X, SWAP_Y, CLAMPED)),
]
# fmt: on


def _cases(table):
    """pytest params from rows that start with an id and then the box as four numbers (or None)."""
    return [
        pytest.param(None if box is None else RawBox(*box), *rest, id=name)
        for name, box, *rest in table
    ]


@pytest.mark.parametrize(
    ("box", "reported", "image", "xyxy", "interpretation", "scale", "notes"), _cases(USABLE)
)
def test_resolve_usable_box(box, reported, image, xyxy, interpretation, scale, notes):
    placement = resolve_box(box, reported, image)
    assert placement.ok is True
    assert placement.reason is None
    assert placement.xyxy == _approx(xyxy)
    assert placement.interpretation == interpretation
    assert placement.scale_xy == pytest.approx(scale)
    assert placement.notes == notes
    x0, y0, x1, y1 = placement.xyxy
    assert 0 <= x0 < x1 <= image[0]
    assert 0 <= y0 < y1 <= image[1]


def test_sample_face_from_parse_group_lands_on_its_image():
    group = parse_group(
        {
            "images": [
                {
                    "url": "https://publicly.available.domain.net/image-001.jpg",
                    "boundingBox": {
                        "xMin": 0.23873,
                        "yMin": 0.23873,
                        "xMax": 0.75087,
                        "yMax": 0.96537,
                    },
                    "width": 150,
                    "height": 200,
                }
            ]
        }
    )
    face = group.faces[0]
    placement = resolve_box(face.box, face.reported_wh, (150, 200))
    assert placement.xyxy == _approx((35.8095, 47.746, 112.6305, 193.074))


# --- resolve_box: no usable box -------------------------------------------------------------


# (id, the box as sent, reported w×h, image w×h, why it cannot be drawn, read as)
# fmt: off
UNUSABLE = [
    ("none", None, (150, 200), (150, 200), "no bounding box", None),
    ("nan", (NAN, 0.1, 0.5, 0.5), (150, 200), (150, 200), NOT_NUMBERS, None),
    ("infinity", (0.1, 0.1, INF, 0.5), (150, 200), (150, 200), NOT_NUMBERS, None),
    ("no-w", (0.1, 0.1, 0.5, 0.5), (150, 200), (0, 200), NO_SIZE, None),
    ("no-h", (0.1, 0.1, 0.5, 0.5), (150, 200), (150, 0), NO_SIZE, None),
    ("zero-width-fractions", (0.5, 0.2, 0.5, 0.8), (None, None), (150, 200), ZERO_AREA, FRACTIONS),
    ("zero-height-pixels", (10, 50, 90, 50), (None, None), (150, 200), ZERO_AREA, PIXELS),
    ("zeros", (0, 0, 0, 0), (None, None), (150, 200), ZERO_AREA, FRACTIONS),
    ("beyond-bottom-right", (200, 250, 300, 400), (None, None), (150, 200), OUTSIDE, PIXELS),
    ("beyond-top-left", (-50, -60, -10, -20), (None, None), (150, 200), OUTSIDE, PIXELS),
    ("below-the-image", (10, 300, 100, 400), (None, None), (150, 200), OUTSIDE, PIXELS),
    ("outside-after-scaling", (3000, 100, 3500, 400), (2560, 1440), (1280, 720),
        OUTSIDE, PIXELS_SCALED),
]
# fmt: on


@pytest.mark.parametrize(("box", "reported", "image", "reason", "interpretation"), _cases(UNUSABLE))
def test_resolve_unusable_box(box, reported, image, reason, interpretation):
    placement = resolve_box(box, reported, image)
    assert placement.ok is False
    assert placement.xyxy is None
    assert placement.reason == reason
    assert placement.interpretation == interpretation


def test_placement_ok_follows_xyxy():
    assert Placement((0.0, 0.0, 1.0, 1.0)).ok is True
    assert Placement(None, reason="no bounding box").ok is False


@pytest.mark.parametrize(
    ("box", "xyxy"),
    [
        # 0.8*150 = 120, 0.2*200 = 40, 1.05*150 = 157.5 -> 150, 0.6*200 = 120
        pytest.param(RawBox(0.8, 0.2, 1.05, 0.6), (120.0, 40.0, 150.0, 120.0), id="past-right"),
        # -0.02*150 = -3 -> 0, 0.1*200 = 20, 0.3*150 = 45, 0.5*200 = 100
        pytest.param(RawBox(-0.02, 0.1, 0.3, 0.5), (0.0, 20.0, 45.0, 100.0), id="past-left"),
    ],
)
def test_fractional_box_slightly_past_the_edge_is_clamped(box, xyxy):
    placement = resolve_box(box, (150, 200), (150, 200))
    assert placement.interpretation == FRACTIONS
    assert placement.xyxy == _approx(xyxy)
    assert CLAMPED in placement.notes


@pytest.mark.parametrize(
    "box",
    [
        pytest.param(RawBox(0.5, 0.5, 0.502, 0.502), id="tiny-fractions"),  # 0.3 x 0.4 px
        pytest.param(RawBox(40, 40, 40.5, 60), id="half-pixel-wide"),
    ],
)
def test_sub_pixel_box_inside_the_image_is_not_called_outside(box):
    placement = resolve_box(box, (150, 200), (150, 200))
    assert placement.reason is None or "outside" not in placement.reason


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ((0.0, 0.0, 1.0, 1.0), True),
        ((0.23873, 0.23873, 0.75087, 0.96537), True),
        ((0.75, 0.25, 0.25, 0.75), True),
        ((0.0, 0.0, 1.0001, 1.0), True),  # within the edge slack
        ((-0.01, 0.0, 0.5, 0.5), True),
        ((0.0, 0.0, 1.2, 1.0), False),
        ((-0.5, 0.0, 0.5, 0.5), False),
        ((30, 40, 90, 120), False),
        ((0, 0, 2, 2), False),
    ],
)
def test_is_fractional(values, expected):
    assert is_fractional(values) is expected


# --- xyxy helpers ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("xyxy", "image", "expected"),
    [
        ((35.0, 50.0, 105.0, 150.0), (140, 200), (0.25, 0.25, 0.75, 0.75)),
        ((0.0, 0.0, 640.0, 480.0), (640, 480), (0.0, 0.0, 1.0, 1.0)),
        ((320.0, 180.0, 640.0, 540.0), (1280, 720), (0.25, 0.25, 0.5, 0.75)),
    ],
)
def test_as_fractions(xyxy, image, expected):
    assert as_fractions(xyxy, image) == _approx(expected)


@pytest.mark.parametrize(
    "raw",
    [RawBox(0.1, 0.2, 0.3, 0.4), RawBox(0.23873, 0.23873, 0.75087, 0.96537)],
)
def test_as_fractions_inverts_resolve_box_for_fractions(raw):
    placement = resolve_box(raw, (None, None), (150, 200))
    assert as_fractions(placement.xyxy, (150, 200)) == _approx(raw.as_tuple())


@pytest.mark.parametrize(
    ("xyxy", "sx", "sy", "expected"),
    [
        ((10.0, 20.0, 30.0, 40.0), 0.5, None, (5.0, 10.0, 15.0, 20.0)),
        ((10.0, 20.0, 30.0, 40.0), 2.0, 3.0, (20.0, 60.0, 60.0, 120.0)),
        ((10.0, 20.0, 30.0, 40.0), 1.0, None, (10.0, 20.0, 30.0, 40.0)),
        ((10.0, 20.0, 30.0, 40.0), 0.0, 1.0, (0.0, 20.0, 0.0, 40.0)),
    ],
)
def test_scale_xyxy(xyxy, sx, sy, expected):
    assert scale_xyxy(xyxy, sx, sy) == _approx(expected)


@pytest.mark.parametrize(
    ("xyxy", "margin", "image", "expected"),
    [
        # width 20, height 40: margin 0.25 of 40 = 10 on every side
        ((40.0, 40.0, 60.0, 80.0), 0.25, (200, 200), (30.0, 30.0, 70.0, 90.0)),
        ((40.0, 40.0, 60.0, 80.0), 0.0, (200, 200), (40.0, 40.0, 60.0, 80.0)),
        # 20x20 box, margin 10 would reach -5: kept inside the image
        ((5.0, 5.0, 25.0, 25.0), 0.5, (100, 100), (0.0, 0.0, 35.0, 35.0)),
        ((80.0, 70.0, 95.0, 98.0), 1.0, (100, 100), (52.0, 42.0, 100.0, 100.0)),
    ],
)
def test_pad_xyxy(xyxy, margin, image, expected):
    assert pad_xyxy(xyxy, margin, image) == _approx(expected)


@pytest.mark.parametrize(
    ("xyxy", "image", "expected"),
    [
        # 20x40 around centre (50, 60) -> 40x40 around the same centre
        ((40.0, 40.0, 60.0, 80.0), (200, 200), (30.0, 40.0, 70.0, 80.0)),
        # wide box: 60x20 around (100, 100) -> 60x60
        ((70.0, 90.0, 130.0, 110.0), (200, 200), (70.0, 70.0, 130.0, 130.0)),
        # at the left edge: the square shifts right rather than leaving the image
        ((0.0, 40.0, 10.0, 80.0), (200, 200), (0.0, 40.0, 40.0, 80.0)),
        # at the bottom-right corner: shifts up and left
        ((190.0, 170.0, 200.0, 200.0), (200, 200), (170.0, 170.0, 200.0, 200.0)),
        # box wider than the image is tall: the side is capped at the image's height
        ((10.0, 0.0, 190.0, 100.0), (200, 100), (50.0, 0.0, 150.0, 100.0)),
    ],
)
def test_square_xyxy(xyxy, image, expected):
    square = square_xyxy(xyxy, image)
    assert square == _approx(expected)
    x0, y0, x1, y1 = square
    assert x1 - x0 == pytest.approx(y1 - y0)
    assert 0 <= x0 <= x1 <= image[0]
    assert 0 <= y0 <= y1 <= image[1]


@pytest.mark.parametrize(
    ("xyxy", "image"),
    [
        ((40.0, 40.0, 60.0, 80.0), (200, 200)),
        ((0.0, 0.0, 30.0, 10.0), (200, 200)),
        ((170.0, 185.0, 200.0, 200.0), (200, 200)),
        ((35.8095, 47.746, 112.6305, 193.074), (150, 200)),
    ],
)
def test_square_xyxy_holds_a_box_that_fits(xyxy, image):
    x0, y0, x1, y1 = square_xyxy(xyxy, image)
    assert x0 <= xyxy[0] + 1e-9 and xyxy[2] <= x1 + 1e-9
    assert y0 <= xyxy[1] + 1e-9 and xyxy[3] <= y1 + 1e-9
    assert x1 - x0 == pytest.approx(max(xyxy[2] - xyxy[0], xyxy[3] - xyxy[1]))


@pytest.mark.parametrize(
    ("xyxy", "image", "expected"),
    [
        ((10.0, 20.0, 30.0, 40.0), (100, 100), (10.0, 20.0, 30.0, 40.0)),
        ((-10.0, -20.0, 130.0, 140.0), (100, 100), (0.0, 0.0, 100.0, 100.0)),
        ((150.0, 150.0, 200.0, 200.0), (100, 100), (100.0, 100.0, 100.0, 100.0)),
        ((-5.0, 50.0, 50.0, 250.0), (100, 200), (0.0, 50.0, 50.0, 200.0)),
    ],
)
def test_clamp_xyxy(xyxy, image, expected):
    assert clamp_xyxy(xyxy, image) == _approx(expected)


# --- style sizes ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("image", "expected"),
    [
        # short side 150: 150/240 rounds to 1 -> floor 2; 150*0.03 = 4.5 -> floor 12
        ((150, 200), (2, 12)),
        ((200, 150), (2, 12)),
        ((1, 1), (2, 12)),
        ((0, 0), (2, 12)),
        # short side 768: 768/240 = 3.2 -> 3; 768*0.03 = 23.04 -> 23
        ((1024, 768), (3, 23)),
        # short side 720: 720/240 = 3; 720*0.03 = 21.6 -> 22
        ((1280, 720), (3, 22)),
        # short side 2160: 2160/240 = 9; 2160*0.03 = 64.8 -> capped at 48
        ((3840, 2160), (9, 48)),
    ],
)
def test_style_sizes(image, expected):
    assert style_sizes(image) == expected


def test_style_sizes_grow_with_the_image_and_have_floors():
    sizes = [style_sizes((s, s)) for s in (50, 150, 480, 720, 1080, 2160, 4320)]
    lines = [line for line, _ in sizes]
    fonts = [font for _, font in sizes]
    assert lines == sorted(lines)
    assert fonts == sorted(fonts)
    assert lines[-1] > lines[0]
    assert fonts[-1] > fonts[0]
    assert min(lines) >= 2
    assert min(fonts) >= 12


# --- label placement ------------------------------------------------------------------------


def _overlap(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _assert_inside(labels, image):
    for x0, y0, x1, y1 in labels:
        assert 0 <= x0 <= x1 <= image[0]
        assert 0 <= y0 <= y1 <= image[1]


def _assert_apart(labels):
    for a, b in itertools.combinations(labels, 2):
        assert not _overlap(a, b), (a, b)


@pytest.mark.parametrize(
    ("box", "size", "image", "expected"),
    [
        pytest.param(
            (100, 100, 200, 200), (60, 20), (400, 400), (100, 80, 160, 100), id="above-if-room"
        ),
        pytest.param(
            (100, 0, 200, 50), (60, 20), (400, 400), (100, 50, 160, 70), id="below-at-top-edge"
        ),
        pytest.param(
            (100, 10, 200, 50), (60, 20), (400, 400), (100, 50, 160, 70), id="below-if-no-room"
        ),
        pytest.param(
            (100, 20, 200, 50), (60, 20), (400, 400), (100, 0, 160, 20), id="exactly-room-above"
        ),
        pytest.param(
            (100, 0, 200, 400), (60, 20), (400, 400), (100, 0, 160, 20), id="inside-full-height"
        ),
        pytest.param((0, 0, 50, 50), (60, 20), (400, 400), (0, 50, 60, 70), id="top-left-corner"),
        pytest.param(
            (360, 0, 400, 40), (60, 20), (400, 400), (340, 40, 400, 60), id="top-right-corner"
        ),
        pytest.param(
            (0, 350, 50, 400), (60, 20), (400, 400), (0, 330, 60, 350), id="bottom-left-corner"
        ),
        pytest.param(
            (370, 380, 400, 400),
            (60, 20),
            (400, 400),
            (340, 360, 400, 380),
            id="bottom-right-corner",
        ),
        pytest.param(
            (360, 100, 400, 150), (60, 20), (400, 400), (340, 80, 400, 100), id="right-edge"
        ),
        pytest.param(
            (500, 100, 600, 150), (60, 20), (400, 400), (340, 80, 400, 100), id="box-past-right"
        ),
        pytest.param(
            (-30, 100, 50, 150), (60, 20), (400, 400), (0, 80, 60, 100), id="box-past-left"
        ),
        pytest.param(
            (100, 100, 200, 200), (500, 20), (400, 400), (0, 80, 400, 100), id="label-too-wide"
        ),
        pytest.param(
            (10, 10, 50, 50), (60, 500), (100, 100), (10, 0, 70, 100), id="label-too-tall"
        ),
    ],
)
def test_single_label_position(box, size, image, expected):
    labels = place_labels([box], [size], image)
    assert labels == [pytest.approx(expected)]
    _assert_inside(labels, image)


def test_identical_boxes_get_above_below_then_above_shifted_sideways():
    box = (100, 100, 200, 200)
    labels = place_labels([box] * 3, [(60, 20)] * 3, (400, 400))
    assert labels == [
        pytest.approx((100, 80, 160, 100)),
        pytest.approx((100, 200, 160, 220)),
        pytest.approx((170, 80, 230, 100)),  # above, beside the first, rather than on the face
    ]


def test_a_box_filling_the_frame_gets_its_label_inside_its_top():
    assert place_labels([(0, 0, 400, 400)], [(60, 20)], (400, 400)) == [
        pytest.approx((0, 0, 60, 20))
    ]


def test_a_label_moves_aside_rather_than_cover_a_neighbouring_face():
    """Above the left face is the right face's top: the label goes sideways, clear of it."""
    left, right = (100, 100, 160, 200), (150, 60, 210, 160)
    spots = place_labels([left, right], [(80, 20), (80, 20)], (400, 400))
    for spot in spots:
        for face in (left, right):
            assert not (
                spot[0] < face[2] and face[0] < spot[2] and spot[1] < face[3] and face[1] < spot[3]
            ), (spot, face)


def test_side_by_side_boxes_keep_their_labels_above():
    labels = place_labels(
        [(20, 100, 100, 200), (200, 100, 280, 200)], [(60, 20), (60, 20)], (400, 400)
    )
    assert labels == [pytest.approx((20, 80, 80, 100)), pytest.approx((200, 80, 260, 100))]


@pytest.mark.parametrize(
    ("boxes", "size", "image"),
    [
        pytest.param([(100, 100, 200, 200)] * 2, (60, 20), (400, 400), id="two-identical"),
        pytest.param([(100, 100, 200, 200)] * 4, (60, 20), (400, 400), id="four-identical"),
        pytest.param(
            [(100, 100, 200, 200), (110, 105, 210, 205), (120, 110, 220, 210)],
            (80, 20),
            (400, 400),
            id="staggered",
        ),
        pytest.param(
            [(0, 0, 60, 60), (10, 5, 70, 65)], (60, 20), (200, 200), id="crowd-at-top-edge"
        ),
        pytest.param([(100, 360, 200, 400)] * 3, (60, 20), (400, 400), id="crowd-at-bottom-edge"),
        pytest.param(
            [(340, 340, 400, 400), (330, 330, 390, 390)], (60, 20), (400, 400), id="corner"
        ),
    ],
)
def test_overlapping_boxes_get_labels_apart_and_inside(boxes, size, image):
    labels = place_labels(boxes, [size] * len(boxes), image)
    assert len(labels) == len(boxes)
    for (tw, th), (x0, y0, x1, y1) in zip([size] * len(boxes), labels, strict=True):
        assert x1 - x0 == pytest.approx(tw)
        assert y1 - y0 == pytest.approx(th)
    _assert_inside(labels, image)
    _assert_apart(labels)


def test_three_crowded_faces_get_labels_apart():
    # Label 1 goes below box 1 (y 50..70), label 2 above box 2 (y 10..30); every candidate
    # for label 3 (above 0, below 40, inside 20) overlaps one of them; y 70..90 is free.
    boxes = [(220, 10, 280, 50), (220, 30, 260, 60), (180, 20, 220, 40)]
    labels = place_labels(boxes, [(60, 20)] * 3, (400, 400))
    _assert_inside(labels, (400, 400))
    _assert_apart(labels)


def test_place_labels_needs_one_size_per_box():
    with pytest.raises(ValueError, match="zip"):
        place_labels([(0, 0, 10, 10), (20, 20, 30, 30)], [(5, 5)], (100, 100))


@pytest.mark.parametrize("px_per_css", [1.0, 480 / 310, 2.06, 6.45])
def test_style_sizes_keep_text_and_lines_readable_as_shown(px_per_css):
    """However much the page shrinks a picture, its text and lines as shown stay readable."""
    line, font = style_sizes((1280, 720), px_per_css)
    assert line / px_per_css >= 2 and font / px_per_css >= 12
    assert (line, font) >= style_sizes((1280, 720))  # never smaller than for the image alone


@pytest.mark.parametrize("bad", [0.0, -1.0, float("nan"), float("inf")])
def test_style_sizes_take_an_unusable_scale_as_one(bad):
    assert style_sizes((1280, 720), bad) == style_sizes((1280, 720))
