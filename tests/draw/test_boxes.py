"""Face boxes, labels, flags, badges, crops and blur: they look at pixels, as Pillow's tests do."""

from __future__ import annotations

import itertools

import pytest
from PIL import Image, ImageChops, ImageStat

from tests.draw.pixels import BACKGROUND, RED, checkerboard, count_of, grey, mask_of, runs_of
from viewer import geometry
from viewer.draw.boxes import (
    CHECK,
    CROSS,
    Badge,
    BoxAnnotator,
    Mark,
    Style,
    badge,
    badge_row,
    blur_scene,
    crop_face,
)
from viewer.draw.color import (
    BLUE,
    BLUISH_GREEN,
    LONG_DASH,
    NEUTRAL,
    SHORT_DASH,
    SOLID,
    VERMILLION,
    WHITE,
    YELLOW,
    Color,
)

LABEL = "91% · sharp 0.67 · frontal"


def test_box_colour_is_on_the_edge_and_not_inside_the_face() -> None:
    image = grey((200, 200))
    out = BoxAnnotator().annotate(image, [Mark((50, 50, 150, 150), LABEL, BLUE)])
    line, _ = geometry.style_sizes(image.size)
    for xy in [(49, 100), (150, 100), (100, 49), (100, 150), (50 - line, 100)]:
        assert out.getpixel(xy) == BLUE.as_rgb(), xy
    assert out.getpixel((50 - line - 1, 100)) == BACKGROUND
    inside = out.crop((55, 55, 145, 145))
    assert count_of(inside, BLUE) == 0
    assert inside.getcolors() == [(90 * 90, BACKGROUND)]


TEXT_TOLERANCE = 100  # anti-aliased text: nearer white than the grey image or the blue label


def _text_pixels(image: Image.Image, text_color: Color) -> Image.Image:
    mask = mask_of(image, text_color, TEXT_TOLERANCE)
    bbox = mask.getbbox()
    assert bbox is not None, "no label text drawn"
    return mask.crop(bbox)


@pytest.mark.parametrize(
    "xyxy",
    [
        (0, 0, 40, 40),  # top left
        (260, 0, 300, 40),  # top right
        (0, 160, 40, 200),  # bottom left
        (260, 160, 300, 200),  # bottom right
        (100, 0, 160, 50),  # touching the top edge
        (-20, -20, 30, 30),  # reaching past the corner
    ],
)
def test_label_is_drawn_whole_inside_the_image(xyxy: tuple[float, float, float, float]) -> None:
    reference = BoxAnnotator().annotate(grey((300, 200)), [Mark((120, 80, 180, 140), LABEL, BLUE)])
    expected = _text_pixels(reference, WHITE)
    out = BoxAnnotator().annotate(grey((300, 200)), [Mark(xyxy, LABEL, BLUE)])
    found = _text_pixels(out, WHITE)
    assert found.size == expected.size
    assert ImageChops.difference(found, expected).getbbox() is None
    # the label's background surrounds the text on every side
    text_box = mask_of(out, WHITE, TEXT_TOLERANCE).getbbox()
    label_box = mask_of(out.crop(text_box), BLUE)
    assert label_box.histogram()[255] > 0
    x0, y0, x1, y1 = text_box
    assert x0 > 0 and y0 > 0 and x1 < 300 and y1 < 200


def test_long_label_is_cut_to_the_image_width() -> None:
    out = BoxAnnotator().annotate(grey((150, 200)), [Mark((10, 60, 60, 120), LABEL * 3, BLUE)])
    x0, _, x1, _ = mask_of(out, WHITE, TEXT_TOLERANCE).getbbox()
    assert x0 > 0 and x1 < 150


@pytest.mark.parametrize(
    ("small", "large"), [((150, 200), (3840, 2160)), ((320, 240), (1920, 1080))]
)
def test_line_width_and_text_grow_with_the_image(
    small: tuple[int, int], large: tuple[int, int]
) -> None:
    def measure(wh: tuple[int, int]) -> tuple[int, int]:
        w, h = wh
        box = (w * 0.3, h * 0.3, w * 0.7, h * 0.7)
        out = BoxAnnotator().annotate(grey(wh), [Mark(box, LABEL, BLUE)])
        row = out.crop((0, h // 2, w // 2, h // 2 + 1))
        _, top, _, bottom = mask_of(out, WHITE, TEXT_TOLERANCE).getbbox()
        return count_of(row, BLUE), bottom - top

    small_line, small_text = measure(small)
    large_line, large_text = measure(large)
    assert small_line == geometry.style_sizes(small)[0]
    assert large_line == geometry.style_sizes(large)[0]
    assert small_line < large_line
    assert small_text < large_text


def test_style_scales_line_and_hides_labels() -> None:
    box = [Mark((50, 50, 150, 150), LABEL, BLUE)]
    thick = BoxAnnotator(Style(line_scale=3.0, show_labels=False)).annotate(grey((200, 200)), box)
    base_line = geometry.style_sizes((200, 200))[0]
    assert count_of(thick.crop((0, 100, 100, 101)), BLUE) == 3 * base_line
    assert count_of(thick, WHITE, TEXT_TOLERANCE) == 0
    with pytest.raises(ValueError, match="line_scale"):
        Style(line_scale=0)


def _overlap(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


@pytest.mark.parametrize(
    ("boxes", "size", "image_wh"),
    [
        ([(100, 100, 200, 200)] * 2, (80, 20), (400, 400)),
        ([(100, 100, 200, 200), (110, 105, 210, 205)], (120, 24), (400, 400)),
        ([(10, 0, 100, 80), (20, 5, 110, 85), (30, 10, 120, 90)], (80, 20), (300, 300)),
        ([(250, 250, 300, 300), (240, 240, 300, 300)], (100, 20), (300, 300)),
        ([(0, 0, 300, 300), (0, 0, 300, 300)], (150, 30), (300, 300)),
    ],
)
def test_overlapping_boxes_get_separate_labels_inside_the_image(
    boxes: list[tuple[float, float, float, float]],
    size: tuple[float, float],
    image_wh: tuple[int, int],
) -> None:
    spots = geometry.place_labels(boxes, [size] * len(boxes), image_wh)
    assert len(spots) == len(boxes)
    for spot in spots:
        assert (spot[2] - spot[0], spot[3] - spot[1]) == pytest.approx(size)
        assert spot[0] >= 0 and spot[1] >= 0
        assert spot[2] <= image_wh[0] and spot[3] <= image_wh[1]
    for a, b in itertools.combinations(spots, 2):
        assert not _overlap(a, b), (a, b)


def test_two_overlapping_marks_show_both_labels_whole() -> None:
    one = BoxAnnotator().annotate(grey((400, 300)), [Mark((100, 100, 200, 200), LABEL, BLUE)])
    marks = [Mark((100, 100, 200, 200), LABEL, BLUE), Mark((110, 105, 210, 205), LABEL, BLUE)]
    two = BoxAnnotator().annotate(grey((400, 300)), marks)
    assert count_of(two, WHITE, TEXT_TOLERANCE) == 2 * count_of(one, WHITE, TEXT_TOLERANCE)


@pytest.mark.parametrize("mode", ["RGB", "RGBA", "L", "P"])
def test_annotate_returns_a_new_rgb_image_and_leaves_the_input_alone(mode: str) -> None:
    image = grey((120, 90)).convert(mode)
    before = image.tobytes()
    out = BoxAnnotator().annotate(image, [Mark((20, 20, 60, 60), "x", BLUE, flagged=True)])
    assert out is not image
    assert out.mode == "RGB" and out.size == image.size
    assert image.tobytes() == before and image.mode == mode
    assert ImageChops.difference(out, image.convert("RGB")).getbbox() is not None


def test_flagged_mark_has_a_dashed_inner_outline_and_a_badge() -> None:
    box = (50, 50, 150, 150)
    style = Style(show_labels=False)
    plain = BoxAnnotator(style).annotate(grey((200, 200)), [Mark(box, "", BLUE)])
    flagged = BoxAnnotator(style).annotate(grey((200, 200)), [Mark(box, "", BLUE, flagged=True)])
    left_band = (50, 70, 56, 130)  # just inside the left edge, below the badge
    assert count_of(plain.crop(left_band), WHITE) == 0
    dashes = count_of(flagged.crop(left_band), WHITE)
    assert 0 < dashes < 6 * 60  # present, and broken into dashes
    top_right = (130, 48, 150, 70)
    assert count_of(flagged.crop(top_right), BLUE) > count_of(plain.crop(top_right), BLUE) + 50


def test_a_marks_badges_sit_in_a_row_inside_its_top_left_corner() -> None:
    box = (50, 50, 150, 150)
    style = Style(show_labels=False)
    badges = (Badge(CHECK, BLUISH_GREEN), Badge("?", YELLOW))
    out = BoxAnnotator(style).annotate(grey((200, 200)), [Mark(box, "", BLUE, badges=badges)])
    first, second = mask_of(out, BLUISH_GREEN).getbbox(), mask_of(out, YELLOW).getbbox()
    assert first is not None and second is not None
    assert 50 <= first[0] < first[2] <= second[0] < second[2] < 150  # side by side, inside
    assert first[1] >= 50 and first[3] < 100 and second[3] < 100  # along the top


def test_a_check_and_a_cross_differ_by_shape_in_the_same_colour() -> None:
    check = badge_row(grey((120, 120)), [Badge(CHECK, BLUE)])
    cross = badge_row(grey((120, 120)), [Badge(CROSS, BLUE)])
    box = mask_of(check, BLUE).getbbox()
    assert box is not None and box[:2] == mask_of(cross, BLUE).getbbox()[:2]  # type: ignore[index]
    assert count_of(check.crop(box), WHITE) > 10 and count_of(cross.crop(box), WHITE) > 10
    assert ImageChops.difference(check, cross).getbbox() is not None


def test_marks_without_a_usable_box_are_skipped() -> None:
    image = grey((100, 100))
    marks = [Mark((float("nan"), 0, 10, 10), "a", BLUE), Mark((500, 500, 600, 600), "b", BLUE)]
    out = BoxAnnotator().annotate(image, marks)
    assert out.tobytes() == image.tobytes()


# ---------------------------------------------------------------------------------------------
# Crops and blur


@pytest.mark.parametrize("wh", [(200, 200), (1920, 1080), (150, 200), (40, 3000)])
def test_blurring_a_scene_leaves_no_detail_anywhere_and_keeps_its_size(wh: tuple[int, int]) -> None:
    image = checkerboard(wh)
    out = blur_scene(image)
    assert out.size == wh and out.mode == "RGB"
    side = min(wh) // 2
    for corner in ((0, 0), (wh[0] - side, wh[1] - side)):  # any part of the frame
        region = (*corner, corner[0] + side, corner[1] + side)
        assert ImageStat.Stat(image.crop(region).convert("L")).stddev[0] > 100
        assert ImageStat.Stat(out.crop(region).convert("L")).stddev[0] < 15
    assert image.tobytes() == checkerboard(wh).tobytes()  # the input is left alone


def test_blurring_a_scene_keeps_its_layout() -> None:
    """Light and dark halves stay light and dark: the scene reads, no one in it does."""
    image = Image.new("RGB", (400, 300), (230, 230, 230))
    image.paste((20, 20, 20), (0, 0, 200, 300))
    out = blur_scene(image).convert("L")
    assert out.getpixel((20, 150)) < 60 and out.getpixel((380, 150)) > 190


def _face_scene() -> Image.Image:
    image = Image.new("RGB", (400, 300), (40, 90, 40))
    image.paste(RED.as_rgb(), (220, 100, 280, 160))
    return image


@pytest.mark.parametrize("size", [160, 96, 33])
def test_crop_face_is_square_and_centred_on_the_face(size: int) -> None:
    tile = crop_face(_face_scene(), (220, 100, 280, 160), size=size, margin=0.25)
    assert tile.size == (size, size) and tile.mode == "RGB"
    left, top, right, bottom = mask_of(tile, RED, tolerance=40).getbbox()
    assert abs(left - (size - right)) <= 1 and abs(top - (size - bottom)) <= 1
    assert (right - left) / size == pytest.approx(60 / 90, abs=0.04)  # face / padded side


def test_crop_face_pads_with_grey_when_the_image_is_too_small() -> None:
    image = Image.new("RGB", (300, 60), (40, 90, 40))
    image.paste(RED.as_rgb(), (50, 5, 250, 55))
    tile = crop_face(image, (50, 5, 250, 55), size=160)
    assert tile.size == (160, 160)
    assert tile.getpixel((80, 4)) == NEUTRAL.as_rgb()
    assert tile.getpixel((80, 155)) == NEUTRAL.as_rgb()
    assert count_of(tile.crop((70, 75, 90, 85)), RED, tolerance=20) == 200


def test_crop_face_refuses_a_box_outside_the_image() -> None:
    with pytest.raises(ValueError, match="outside"):
        crop_face(_face_scene(), (500, 500, 600, 600))


@pytest.mark.parametrize(
    ("corner", "quadrant"),
    [
        ("tl", (0, 0, 60, 40)),
        ("tr", (60, 0, 120, 40)),
        ("bl", (0, 40, 60, 80)),
        ("br", (60, 40, 120, 80)),
    ],
)
def test_badge_sits_in_its_corner(corner: str, quadrant: tuple[int, int, int, int]) -> None:
    image = grey((120, 80))
    out = badge(image, "blur", VERMILLION, corner)
    x0, y0, x1, y1 = mask_of(out, VERMILLION).getbbox()
    qx0, qy0, qx1, qy1 = quadrant
    assert qx0 <= x0 and x1 <= qx1 and qy0 <= y0 and y1 <= qy1
    assert image.getcolors() == [(120 * 80, BACKGROUND)]
    with pytest.raises(ValueError, match="corner"):
        badge(image, "x", BLUE, "middle")


def test_line_patterns_tell_boxes_apart_by_more_than_colour() -> None:
    """Solid, long dashes and short dashes read apart along a box's edge, in one colour."""
    style = Style(show_labels=False)
    box = (40, 40, 360, 160)
    runs = {}
    for pattern in (SOLID, LONG_DASH, SHORT_DASH):
        out = BoxAnnotator(style).annotate(grey((400, 200)), [Mark(box, "", BLUE, pattern=pattern)])
        line = geometry.style_sizes(out.size)[0]
        runs[pattern] = runs_of(out, BLUE, 40 - line)  # along the top edge
    assert len(runs[SOLID]) == 1
    long_dashes, short_dashes = runs[LONG_DASH][1:-1], runs[SHORT_DASH][1:-1]  # not the ends
    assert len(long_dashes) > 2 and len(short_dashes) > 2
    assert min(long_dashes) > 2 * max(short_dashes)
    assert len(short_dashes) > len(long_dashes)


CROWD_COLORS = [Color(200, 40 * i, 60) for i in range(1, 5)]  # one colour per face, to find it


def test_labels_in_a_crowd_are_apart_inside_the_frame_and_off_the_other_faces() -> None:
    """Four small faces side by side in a gallery tile, each label wider than all four: every
    label is drawn whole, where no other label is, inside the frame, on no face but its own."""
    wh = (480, 270)
    faces = [(60 + 40 * i, 100 + 12 * (i % 2), 90 + 40 * i, 140 + 12 * (i % 2)) for i in range(4)]
    marks = [Mark(xyxy, LABEL, color) for xyxy, color in zip(faces, CROWD_COLORS, strict=True)]
    annotator = BoxAnnotator(Style(px_per_css=480 / 310))
    spots = annotator.label_spots(wh, marks)
    out = annotator.annotate(grey(wh), marks)
    assert len(spots) == len(marks)
    for mark, spot, text in spots:
        assert text == LABEL  # not cut
        assert spot[0] >= 0 and spot[1] >= 0 and spot[2] < wh[0] and spot[3] < wh[1]
        area = (spot[2] - spot[0] + 1) * (spot[3] - spot[1] + 1)
        drawn = count_of(out.crop((spot[0], spot[1], spot[2] + 1, spot[3] + 1)), mark.color)
        assert drawn > area // 2  # the label's own colour fills its spot
        for other in marks:
            if other is not mark:
                assert not _overlap((spot[0], spot[1], spot[2] + 1, spot[3] + 1), other.xyxy)
    for (_, a, _), (_, b, _) in itertools.combinations(spots, 2):
        assert not _overlap((a[0], a[1], a[2] + 1, a[3] + 1), (b[0], b[1], b[2] + 1, b[3] + 1))
