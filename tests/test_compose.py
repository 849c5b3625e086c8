"""Composition: which label, mark, blur and badge each face gets, and where its box lands.

Pure functions on a Decoded made from a Pillow image: no threads, no HTTP. They look at pixels.
"""

from __future__ import annotations

import io
from dataclasses import replace
from typing import Any

import pytest
from PIL import Image, ImageStat

from tests.draw.pixels import BACKGROUND, RED, checkerboard, count_of, grey, mask_of, runs_of
from viewer import geometry
from viewer.compose import (
    VERDICT_BADGES,
    PictureFailure,
    Rendered,
    ViewOptions,
    annotate_decoded,
    crop_decoded,
    face_label,
    face_sheet,
    marks_for,
    place_faces,
    render_annotated,
    verdict_badges,
)
from viewer.decoding import Decoded
from viewer.draw.color import BLUE, BLUISH_GREEN, ORANGE, VERMILLION, WHITE
from viewer.draw.encode import to_jpeg
from viewer.draw.tiles import TILE_BACKGROUND
from viewer.exceptions import ImageError
from viewer.models import Face, RawBox
from viewer.review.values import BELONGS, NOT_THIS_PERSON, UNSURE

WH = (400, 300)


def pixel_face(index: int, xyxy: tuple[float, float, float, float], **fields: Any) -> Face:
    """A face whose box is in pixels of the 400 x 300 scene."""
    return Face(index=index, id=str(index), box=RawBox(*xyxy), width=WH[0], height=WH[1], **fields)


FRONTAL = pixel_face(0, (100, 50, 200, 150), confidence=0.95, sharpness=0.6, is_frontal=True)
PROFILE = pixel_face(1, (250, 100, 350, 250), confidence=0.6, sharpness=0.2, is_frontal=False)
NO_BOX = Face(index=2, id="c", confidence=0.9, is_frontal=True)
FACES = [FRONTAL, PROFILE, NO_BOX]
PLAIN = ViewOptions(show_labels=False)
TEXT_TOLERANCE = 100  # anti-aliased label text: nearer white than the grey scene


def decoded(image: Image.Image, orientation: int = 1) -> Decoded:
    return Decoded(image, image.size, orientation, "PNG")


def scene() -> Image.Image:
    """The grey scene with a red square where the frontal face is."""
    image = grey(WH)
    image.paste(RED.as_rgb(), (100, 50, 200, 150))
    return image


# ---------------------------------------------------------------------------------------------
# Placements and marks


def test_each_placed_face_gets_a_mark_with_its_label_colour_and_flag() -> None:
    placements, space_wh = place_faces(FACES, WH, 1, "stored")
    assert space_wh == WH
    assert placements[FRONTAL.key].xyxy == (100, 50, 200, 150)
    assert placements[NO_BOX.key].xyxy is None
    assert placements[NO_BOX.key].reason == "no bounding box"

    options = ViewOptions(color_mode="confidence", flagged=frozenset({PROFILE.key}))
    marks = marks_for(FACES, placements, (0.5, 0.5), options)

    assert [(m.xyxy, m.label, m.color, m.flagged) for m in marks] == [
        ((50, 25, 100, 75), face_label(FRONTAL), BLUE, False),
        ((125, 50, 175, 125), face_label(PROFILE), VERMILLION, True),
    ]
    by_pose = marks_for(FACES, placements, (1.0, 1.0), ViewOptions())
    assert [m.color for m in by_pose] == [BLUE, ORANGE]


def test_upright_boxes_are_placed_in_the_turned_space() -> None:
    face = replace(FRONTAL, width=300, height=400)
    _, stored = place_faces([face], WH, 6, "stored")
    placements, upright = place_faces([face], WH, 6, "upright")
    assert stored == WH and upright == (300, 400)
    assert placements[face.key].xyxy == (100, 50, 200, 150)  # not scaled: the sizes agree


# ---------------------------------------------------------------------------------------------
# Annotated pictures


def test_full_size_picture_draws_each_box_in_its_colour_around_the_face() -> None:
    image, placements = annotate_decoded(decoded(scene()), FACES, ViewOptions(), None)
    assert image.size == WH and image.mode == "RGB"
    assert set(placements) == {f.key for f in FACES}
    line, _ = geometry.style_sizes(WH)
    assert image.getpixel((100 - line, 100)) == BLUE.as_rgb()  # just outside the frontal box
    assert image.getpixel((99 - line, 100)) == BACKGROUND
    assert image.getpixel((250 - line, 100 - line)) == ORANGE.as_rgb()  # a dashed box's corner
    assert count_of(image.crop((102, 70, 198, 148)), RED) == 96 * 78  # the face is not covered
    assert count_of(image, WHITE, TEXT_TOLERANCE) > 0  # labels, white on blue
    unlabelled, _ = annotate_decoded(decoded(scene()), FACES, PLAIN, None)
    assert count_of(unlabelled, WHITE, TEXT_TOLERANCE) == 0


def test_a_thumbnail_is_fitted_into_its_tile_and_keeps_stored_placements() -> None:
    rendered = render_annotated(decoded(scene()), FACES, PLAIN, 160, 160)
    assert isinstance(rendered, Rendered)
    assert rendered.size == (160, 160) and rendered.stored_wh == WH
    assert rendered.placements[FRONTAL.key].xyxy == (100, 50, 200, 150)
    with Image.open(io.BytesIO(rendered.jpeg)) as opened:
        assert opened.format == "JPEG" and opened.size == (160, 160)

    image, _ = annotate_decoded(decoded(scene()), FACES, PLAIN, 160, 160)
    # 400 x 300 shrinks to 160 x 120, centred between two bands of the tile's grey
    for xy in [(80, 5), (80, 19), (80, 140), (80, 155)]:
        assert image.getpixel(xy) == TILE_BACKGROUND.as_rgb(), xy
    line, _ = geometry.style_sizes((160, 120))
    assert image.getpixel((40 - line, 20 + 40)) == BLUE.as_rgb()  # the box, scaled by 0.4


def test_blur_hides_the_faces_and_everyone_else_in_the_photo() -> None:
    board = checkerboard(WH)
    options = replace(PLAIN, blur=True)
    image, _ = annotate_decoded(decoded(board), FACES, options, None)
    inside = (110, 60, 190, 140)  # a face of the group
    away = (0, 0, 90, 40)  # no face of the group: where a bystander would be
    for region in (inside, away):
        assert ImageStat.Stat(board.crop(region).convert("L")).stddev[0] > 100
        assert ImageStat.Stat(image.crop(region).convert("L")).stddev[0] < 15
    sharp, _ = annotate_decoded(decoded(board), FACES, PLAIN, None)
    assert sharp.crop(inside).tobytes() == board.crop(inside).tobytes()
    assert sharp.crop(away).tobytes() == board.crop(away).tobytes()


def test_a_blurred_crop_shows_no_detail_of_the_face_or_its_surroundings() -> None:
    board = checkerboard(WH)
    (face, *_) = FACES
    tile, _ = crop_decoded(decoded(board), face, replace(PLAIN, blur=True), 160)
    sharp, _ = crop_decoded(decoded(board), face, PLAIN, 160)
    middle = (30, 30, 130, 130)
    assert ImageStat.Stat(sharp.crop(middle).convert("L")).stddev[0] > 100
    assert ImageStat.Stat(tile.crop(middle).convert("L")).stddev[0] < 15


@pytest.mark.parametrize(
    ("boxes_on", "box", "reported_wh"),
    [
        ("stored", RawBox(100, 50, 200, 150), (400, 300)),  # the red square's stored pixels
        ("upright", RawBox(150, 100, 250, 200), (300, 400)),  # the same square, turned upright
    ],
)
def test_an_exif_turned_photo_is_shown_upright_with_its_box_on_the_face(
    boxes_on: str, box: RawBox, reported_wh: tuple[int, int]
) -> None:
    face = replace(FRONTAL, box=box, width=reported_wh[0], height=reported_wh[1])
    options = replace(PLAIN, boxes_on=boxes_on)
    image, _ = annotate_decoded(decoded(scene(), orientation=6), [face], options, None)
    assert image.size == (300, 400)
    assert mask_of(image, RED).getbbox() == (150, 100, 250, 200)  # stored x, y -> 299 - y, x
    line, _ = geometry.style_sizes(WH)
    assert mask_of(image, BLUE).getbbox() == (150 - line, 100 - line, 250 + line, 200 + line)


# ---------------------------------------------------------------------------------------------
# Face crops and the sheet


def test_a_crop_shows_the_face_in_its_box_colour_and_badges_a_flagged_face() -> None:
    tile, placement = crop_decoded(decoded(scene()), FRONTAL, PLAIN, 96)
    assert tile.size == (96, 96)
    assert placement.xyxy == (100, 50, 200, 150)
    assert count_of(tile, RED, tolerance=40) > 96 * 96 // 4
    assert count_of(tile, BLUE, tolerance=40) > 0
    corner = (64, 0, 96, 32)
    assert count_of(tile.crop(corner), VERMILLION, tolerance=10) == 0
    flagged = replace(PLAIN, flagged=frozenset({FRONTAL.key}))
    badged, _ = crop_decoded(decoded(scene()), FRONTAL, flagged, 96)
    assert count_of(badged.crop(corner), VERMILLION, tolerance=10) > 50


def test_a_crop_carries_its_faces_verdict_badge_in_the_top_left_corner() -> None:
    corner = (0, 0, 32, 32)
    plain, _ = crop_decoded(decoded(scene()), FRONTAL, PLAIN, 96)
    assert count_of(plain.crop(corner), BLUISH_GREEN, tolerance=10) == 0
    options = PLAIN.with_badges(verdict_badges({FRONTAL.key: BELONGS}))
    badged, _ = crop_decoded(decoded(scene()), FRONTAL, options, 96)
    assert count_of(badged.crop(corner), BLUISH_GREEN, tolerance=10) > 50
    other, _ = crop_decoded(decoded(scene()), PROFILE, options, 96)  # another face: none
    assert count_of(other.crop(corner), BLUISH_GREEN, tolerance=10) == 0


def test_verdict_badges_differ_by_symbol_as_well_as_colour() -> None:
    symbols = {badge.text for badge in VERDICT_BADGES.values()}
    assert len(symbols) == len(VERDICT_BADGES) == 3
    assert verdict_badges({"a": NOT_THIS_PERSON, "b": "nonsense"}) == {
        "a": (VERDICT_BADGES[NOT_THIS_PERSON],)
    }


def test_options_narrowed_to_some_faces_keep_only_their_flags_and_badges() -> None:
    options = ViewOptions(flagged=frozenset({FRONTAL.key, PROFILE.key})).with_badges(
        {FRONTAL.key: [VERDICT_BADGES[UNSURE]], PROFILE.key: [VERDICT_BADGES[BELONGS]]}
    )
    narrowed = options.only_for([FRONTAL, NO_BOX])
    assert narrowed.flagged == frozenset({FRONTAL.key})
    assert narrowed.badges_for(FRONTAL.key) == (VERDICT_BADGES[UNSURE],)
    assert narrowed.badges_for(PROFILE.key) == ()
    assert narrowed == ViewOptions(flagged=frozenset({FRONTAL.key})).with_badges(
        {FRONTAL.key: [VERDICT_BADGES[UNSURE]]}
    )
    placements, _ = place_faces(FACES, WH, 1, "stored")
    marks = marks_for(FACES, placements, (1.0, 1.0), options)
    assert [m.badges for m in marks] == [(VERDICT_BADGES[UNSURE],), (VERDICT_BADGES[BELONGS],)]


def test_a_face_without_a_box_has_no_crop() -> None:
    with pytest.raises(ImageError, match="No face to crop: no bounding box"):
        crop_decoded(decoded(scene()), NO_BOX, PLAIN, 96)


def test_the_sheet_shows_each_crop_and_an_error_tile_for_a_failed_one() -> None:
    red = to_jpeg(Image.new("RGB", (96, 96), RED.as_rgb()), quality=95)
    crops = {
        FRONTAL.key: Rendered(red, (96, 96), WH),
        PROFILE.key: PictureFailure("http://images.test/b.jpg", "The image is gone."),
    }
    sheet = face_sheet([FRONTAL, PROFILE], crops, 96, 800, "Group g")
    assert sheet.width == 800
    assert count_of(sheet, RED, tolerance=12) > 150 * 150  # the crop, scaled to its cell
    assert count_of(sheet, TILE_BACKGROUND, tolerance=2) > 150 * 150  # the error tile
    with_both_failed = face_sheet(
        [FRONTAL, PROFILE], {**crops, FRONTAL.key: crops[PROFILE.key]}, 96, 800, "Group g"
    )
    assert count_of(with_both_failed, RED, tolerance=12) == 0


# ---------------------------------------------------------------------------------------------
# Labels


@pytest.mark.parametrize(
    ("confidence", "sharpness", "frontal", "label"),
    [
        (0.91, 0.67, True, "91% · sharp 0.67 · frontal"),
        (0.8999, 0.5, False, "89% · sharp 0.50 · profile"),
        (0.57, 0.123, True, "57% · sharp 0.12 · frontal"),
        (1.0, 1.0, False, "100% · sharp 1.00 · profile"),
        (None, 0.3, True, "– · sharp 0.30 · frontal"),
        (0.5, None, None, "50% · sharp – · pose unknown"),
        (None, None, None, "– · sharp – · pose unknown"),
    ],
)
def test_face_label(
    confidence: float | None, sharpness: float | None, frontal: bool | None, label: str
) -> None:
    face = Face(index=0, confidence=confidence, sharpness=sharpness, is_frontal=frontal)
    assert face_label(face) == label


# ---------------------------------------------------------------------------------------------
# Legible at the size shown

PHOTO_WH = (1920, 1080)
MIN_TEXT_CSS, MIN_LINE_CSS = 11, 2  # what an analyst can read on the page


def test_a_gallery_tile_shows_labels_and_lines_at_a_readable_size_on_the_page() -> None:
    from viewer.ui.gallery import THUMB_HEIGHT, THUMB_WIDTH, TILE_SHOWN, tile_options

    face = Face(index=0, id="a", box=RawBox(0.4, 0.4, 0.5, 0.6), confidence=0.95, is_frontal=True)
    options = tile_options(ViewOptions(), [])
    image, _ = annotate_decoded(decoded(grey(PHOTO_WH)), [face], options, THUMB_WIDTH, THUMB_HEIGHT)
    css_per_px = TILE_SHOWN / THUMB_WIDTH  # the tile is drawn 480 px wide, shown 310 CSS px
    _, top, _, bottom = mask_of(image, WHITE, TEXT_TOLERANCE).getbbox()
    assert (bottom - top) * css_per_px >= MIN_TEXT_CSS
    box_row = image.crop((0, THUMB_HEIGHT // 2, THUMB_WIDTH // 2, THUMB_HEIGHT // 2 + 1))
    assert count_of(box_row, BLUE) * css_per_px >= MIN_LINE_CSS


def test_confidence_bands_are_drawn_with_different_lines_as_well_as_colours() -> None:
    """Orange (70–89 %) and vermillion (below 70 %) differ by their dashes, not by hue alone."""
    boxes = {0.95: (20, 40, 120, 140), 0.8: (150, 40, 250, 140), 0.5: (280, 40, 380, 140)}
    faces = [pixel_face(i, box, confidence=c) for i, (c, box) in enumerate(boxes.items())]
    image, _ = annotate_decoded(
        decoded(grey(WH)), faces, replace(PLAIN, color_mode="confidence"), None
    )
    line, _ = geometry.style_sizes(WH)
    top = 40 - line
    runs = {
        c: runs_of(image.crop((box[0] - line, 0, box[2] + line, WH[1])), color, top)
        for (c, box), color in zip(boxes.items(), (BLUE, ORANGE, VERMILLION), strict=True)
    }
    assert len(runs[0.95]) == 1  # solid
    assert len(runs[0.8]) > 2 and len(runs[0.5]) > 2  # dashed
    assert max(runs[0.5][:-1]) < min(runs[0.8][:-1])  # vermillion's dashes are the shorter


def test_the_face_a_picture_is_about_is_drawn_apart_from_the_others() -> None:
    """Focus on the frontal face: its line is twice as wide, in a white halo; the other face's
    line is as before."""
    plain, _ = annotate_decoded(decoded(scene()), FACES, PLAIN, None)
    focused, _ = annotate_decoded(
        decoded(scene()), FACES, replace(PLAIN, focus=frozenset({FRONTAL.key})), None
    )
    line, _ = geometry.style_sizes(WH)
    row = (0, 100, 400, 101)  # across the frontal box's left and right edges
    assert count_of(focused.crop(row), BLUE) == 2 * count_of(plain.crop(row), BLUE) == 4 * line
    assert focused.getpixel((100 - line - 1, 100)) == WHITE.as_rgb()  # the halo outside
    assert plain.getpixel((100 - line - 1, 100)) == BACKGROUND
    other = (240, 200, 400, 201)  # across the profile face's edges
    assert focused.crop(other).tobytes() == plain.crop(other).tobytes()
