"""Drawing tests: they look at pixels, as Pillow's own drawing tests do."""

from __future__ import annotations

import io
import itertools

import pytest
from PIL import Image, ImageChops, ImageStat

from viewer import geometry, images, render
from viewer.models import Face
from viewer.render import (
    BLACK,
    BLUE,
    GREY,
    OKABE_ITO,
    ORANGE,
    VERMILLION,
    WHITE,
    BoxAnnotator,
    Color,
    Mark,
    Palette,
    Style,
)

BACKGROUND = (128, 128, 128)
RED = Color(220, 20, 30)
LABEL = "91% · sharp 0.67 · frontal"


def mask_of(image: Image.Image, color: Color, tolerance: int = 0) -> Image.Image:
    """An L mask, 255 where ``image`` is within ``tolerance`` of ``color`` on every channel."""
    diff = ImageChops.difference(image.convert("RGB"), Image.new("RGB", image.size, color.as_rgb()))
    r, g, b = diff.split()
    worst = ImageChops.lighter(ImageChops.lighter(r, g), b)
    return worst.point(lambda v: 255 if v <= tolerance else 0)


def count_of(image: Image.Image, color: Color, tolerance: int = 0) -> int:
    return mask_of(image, color, tolerance).histogram()[255]


def grey(wh: tuple[int, int]) -> Image.Image:
    return Image.new("RGB", wh, BACKGROUND)


def checkerboard(wh: tuple[int, int], cell: int = 8) -> Image.Image:
    image = Image.new("RGB", wh, (0, 0, 0))
    for y in range(0, wh[1], cell):
        for x in range((y // cell % 2) * cell, wh[0], 2 * cell):
            image.paste((255, 255, 255), (x, y, x + cell, y + cell))
    return image


# ---------------------------------------------------------------------------------------------
# Boxes and labels


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


def test_marks_without_a_usable_box_are_skipped() -> None:
    image = grey((100, 100))
    marks = [Mark((float("nan"), 0, 10, 10), "a", BLUE), Mark((500, 500, 600, 600), "b", BLUE)]
    out = BoxAnnotator().annotate(image, marks)
    assert out.tobytes() == image.tobytes()


# ---------------------------------------------------------------------------------------------
# Colours and labels


@pytest.mark.parametrize(
    ("text", "hex_out"),
    [("#0072B2", "#0072B2"), ("0072b2", "#0072B2"), ("#fff", "#FFFFFF"), (" #E69F00 ", "#E69F00")],
)
def test_color_from_hex_round_trip(text: str, hex_out: str) -> None:
    color = Color.from_hex(text)
    assert color.as_hex() == hex_out
    assert Color.from_hex(color.as_hex()) == color
    assert Color.from_hex("#0072B2").as_rgb() == (0, 0x72, 0xB2)


@pytest.mark.parametrize("text", ["", "#12345", "zzzzzz", "#1234567", "rgb(1,2,3)"])
def test_color_from_hex_refuses_other_text(text: str) -> None:
    with pytest.raises(ValueError, match="hex colour"):
        Color.from_hex(text)


def test_color_channels_are_checked() -> None:
    with pytest.raises(ValueError, match=r"0\.\.255"):
        Color(256, 0, 0)


@pytest.mark.parametrize(
    ("background", "text"),
    [
        (BLUE, WHITE),
        (ORANGE, BLACK),
        (VERMILLION, BLACK),
        (GREY, BLACK),
        (BLACK, WHITE),
        (WHITE, BLACK),
        (Color(255, 255, 0), BLACK),
        (Color(0, 0, 128), WHITE),
    ],
)
def test_text_color_is_the_higher_contrast_of_black_and_white(
    background: Color, text: Color
) -> None:
    assert background.text_color() == text
    other = WHITE if text == BLACK else BLACK
    assert background.contrast(text) >= background.contrast(other)


def test_contrast_ratio_matches_wcag() -> None:
    assert BLACK.contrast(WHITE) == pytest.approx(21.0)
    assert BLUE.contrast(BLUE) == pytest.approx(1.0)
    assert Color.from_hex("#767676").contrast(WHITE) == pytest.approx(4.54, abs=0.01)


def test_palette_by_idx_wraps_around() -> None:
    a, b, c = Color(1, 0, 0), Color(0, 1, 0), Color(0, 0, 1)
    palette = Palette((a, b, c))
    assert [palette.by_idx(i) for i in range(7)] == [a, b, c, a, b, c, a]
    assert palette.by_idx(-1) == c
    assert len(OKABE_ITO) == 8 == len(set(OKABE_ITO.colors))
    assert OKABE_ITO.by_idx(8) == OKABE_ITO.by_idx(0) == BLUE
    with pytest.raises(ValueError, match="at least one"):
        Palette(())


@pytest.mark.parametrize(
    ("face", "mode", "expected"),
    [
        (Face(index=0, is_frontal=True), "frontal", BLUE),
        (Face(index=0, is_frontal=False), "frontal", ORANGE),
        (Face(index=0, is_frontal=None, confidence=0.99), "frontal", GREY),
        (Face(index=0, confidence=0.95), "confidence", BLUE),
        (Face(index=0, confidence=0.9), "confidence", BLUE),
        (Face(index=0, confidence=0.8999), "confidence", ORANGE),
        (Face(index=0, confidence=0.7), "confidence", ORANGE),
        (Face(index=0, confidence=0.69), "confidence", VERMILLION),
        (Face(index=0, confidence=0.0), "confidence", VERMILLION),
        (Face(index=0, confidence=None, is_frontal=True), "confidence", GREY),
    ],
)
def test_color_for(face: Face, mode: str, expected: Color) -> None:
    assert render.color_for(face, mode) == expected


def test_color_for_refuses_unknown_modes() -> None:
    with pytest.raises(ValueError, match="colour mode"):
        render.color_for(Face(index=0), "sharpness")


@pytest.mark.parametrize(
    ("mode", "rows"),
    [
        ("frontal", [("frontal", "#0072B2"), ("profile", "#E69F00"), ("pose unknown", "#999999")]),
        (
            "confidence",
            [
                ("confidence ≥ 90%", "#0072B2"),
                ("confidence 70–89%", "#E69F00"),
                ("confidence below 70%", "#D55E00"),
                ("confidence unknown", "#999999"),
            ],
        ),
    ],
)
def test_legend_uses_the_same_colours(mode: str, rows: list[tuple[str, str]]) -> None:
    assert render.legend(mode) == rows
    faces = [
        Face(index=0, confidence=c, is_frontal=f)
        for c in (None, 0.1, 0.75, 0.95)
        for f in (None, True, False)
    ]
    assert {render.color_for(f, mode).as_hex() for f in faces} == {hex for _, hex in rows}


@pytest.mark.parametrize(
    ("confidence", "sharpness", "frontal", "label"),
    [
        (0.91, 0.67, True, "91% · sharp 0.67 · frontal"),
        (0.8999, 0.5, False, "89% · sharp 0.50 · profile"),
        (0.57, 0.123, True, "57% · sharp 0.12 · frontal"),
        (1.0, 1.0, False, "100% · sharp 1.00 · profile"),
        (None, 0.3, True, "– · sharp 0.30 · frontal"),
        (0.5, None, None, "50% · sharp – · ?"),
        (None, None, None, "– · sharp – · ?"),
    ],
)
def test_face_label(
    confidence: float | None, sharpness: float | None, frontal: bool | None, label: str
) -> None:
    face = Face(index=0, confidence=confidence, sharpness=sharpness, is_frontal=frontal)
    assert render.face_label(face) == label


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("91% · sharp – · ?", "91% · sharp - · ?"),
        ("Zoë Müller", "Zoe Muller"),
        ("face 中", "face ?"),
        ("a\nb\tc", "a b c"),
        ("\u200bid", "id"),
        ("Straße", "Strasse"),
    ],
)
def test_drawable_replaces_what_the_font_cannot_show(text: str, shown: str) -> None:
    assert render.drawable(text) == shown


# ---------------------------------------------------------------------------------------------
# Blur, crops, tiles, sheets


def test_blur_changes_pixels_inside_the_box_only() -> None:
    image = checkerboard((200, 200))
    box = (50, 50, 150, 130)
    out = render.blur_regions(image, [box])
    inside_before = ImageStat.Stat(image.crop(box).convert("L")).stddev[0]
    inside_after = ImageStat.Stat(out.crop(box).convert("L")).stddev[0]
    assert inside_before > 100
    assert inside_after < inside_before * 0.1
    blank_before, blank_after = image.copy(), out.copy()
    blank_before.paste((255, 0, 0), box)
    blank_after.paste((255, 0, 0), box)
    assert blank_before.tobytes() == blank_after.tobytes()
    assert image.tobytes() == checkerboard((200, 200)).tobytes()


def test_blur_clips_boxes_to_the_image_and_checks_strength() -> None:
    image = checkerboard((100, 100))
    out = render.blur_regions(image, [(60, 60, 400, 400)])
    assert out.size == (100, 100)
    assert ImageStat.Stat(out.crop((60, 60, 100, 100)).convert("L")).stddev[0] < 15
    assert out.crop((0, 0, 60, 60)).tobytes() == image.crop((0, 0, 60, 60)).tobytes()
    with pytest.raises(ValueError, match="strength"):
        render.blur_regions(image, [(0, 0, 10, 10)], strength=0)


def _face_scene() -> Image.Image:
    image = Image.new("RGB", (400, 300), (40, 90, 40))
    image.paste(RED.as_rgb(), (220, 100, 280, 160))
    return image


@pytest.mark.parametrize("size", [160, 96, 33])
def test_crop_face_is_square_and_centred_on_the_face(size: int) -> None:
    tile = render.crop_face(_face_scene(), (220, 100, 280, 160), size=size, margin=0.25)
    assert tile.size == (size, size) and tile.mode == "RGB"
    left, top, right, bottom = mask_of(tile, RED, tolerance=40).getbbox()
    assert abs(left - (size - right)) <= 1 and abs(top - (size - bottom)) <= 1
    assert (right - left) / size == pytest.approx(60 / 90, abs=0.04)  # face / padded side


def test_crop_face_pads_with_grey_when_the_image_is_too_small() -> None:
    image = Image.new("RGB", (300, 60), (40, 90, 40))
    image.paste(RED.as_rgb(), (50, 5, 250, 55))
    tile = render.crop_face(image, (50, 5, 250, 55), size=160)
    assert tile.size == (160, 160)
    assert tile.getpixel((80, 4)) == render.NEUTRAL.as_rgb()
    assert tile.getpixel((80, 155)) == render.NEUTRAL.as_rgb()
    assert count_of(tile.crop((70, 75, 90, 85)), RED, tolerance=20) == 200


def test_crop_face_refuses_a_box_outside_the_image() -> None:
    with pytest.raises(ValueError, match="outside"):
        render.crop_face(_face_scene(), (500, 500, 600, 600))


def test_error_tile_shows_a_sign_and_the_message() -> None:
    tile = render.error_tile((160, 160), "Could not download the image: 404 Not Found")
    assert tile.size == (160, 160)
    assert tile.getpixel((0, 0)) == render.TILE_BACKGROUND.as_rgb()
    ink = count_of(tile, render.TILE_INK, tolerance=60)
    sign_only = count_of(render.error_tile((160, 160), ""), render.TILE_INK, tolerance=60)
    assert sign_only > 100
    assert ink > sign_only + 100
    text = ImageChops.difference(
        mask_of(tile, render.TILE_INK, 60),
        mask_of(render.error_tile((160, 160), ""), render.TILE_INK, 60),
    )
    left, top, right, bottom = text.getbbox()
    assert left > 0 and right < 160  # wrapped to fit, not cut at the edges
    assert bottom - top > 2 * render.line_height(round(160 / 13))  # two lines or more
    assert render.error_tile((24, 16), "x" * 500).size == (24, 16)


def _tile(color: Color) -> Image.Image:
    return Image.new("RGB", (160, 160), color.as_rgb())


@pytest.mark.parametrize(
    ("count", "width", "columns", "title"),
    [
        (0, 1920, None, None),
        (1, 1920, None, "Group 1"),
        (7, 1920, None, None),
        (8, 1920, None, "Group — demo"),
        (9, 1920, None, None),
        (25, 1920, None, None),
        (5, 800, 3, None),
        (13, 1000, 7, "t"),
    ],
)
def test_contact_sheet_has_exactly_the_asked_width(
    count: int, width: int, columns: int | None, title: str | None
) -> None:
    tiles = [(_tile(RED), f"face {i}") for i in range(count)]
    sheet = render.contact_sheet(tiles, width=width, columns=columns, title=title)
    assert sheet.width == width
    assert sheet.mode == "RGB"
    if count:
        left, _, right, _ = mask_of(sheet, RED).getbbox()
        assert left > 0 and right < width


def test_contact_sheet_grows_by_rows_and_captions_show() -> None:
    eight = render.contact_sheet([(_tile(RED), "a")] * 8)
    nine = render.contact_sheet([(_tile(RED), "a")] * 9)
    assert nine.height > eight.height
    one = render.contact_sheet([(_tile(RED), "caption")])
    left, top, right, bottom = mask_of(one, RED).getbbox()
    assert right - left == bottom - top >= 200
    below = one.crop((left, bottom, right, one.height))
    assert count_of(below, render.SHEET_INK, tolerance=80) > 20


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
    out = render.badge(image, "blur", VERMILLION, corner)
    x0, y0, x1, y1 = mask_of(out, VERMILLION).getbbox()
    qx0, qy0, qx1, qy1 = quadrant
    assert qx0 <= x0 and x1 <= qx1 and qy0 <= y0 and y1 <= qy1
    assert image.getcolors() == [(120 * 80, BACKGROUND)]
    with pytest.raises(ValueError, match="corner"):
        render.badge(image, "x", BLUE, "middle")


@pytest.mark.parametrize("mode", ["RGB", "RGBA", "L"])
def test_to_jpeg_gives_baseline_jpeg_of_the_same_size(mode: str) -> None:
    image = checkerboard((64, 48)).convert(mode)
    data = render.to_jpeg(image, quality=80)
    assert data[:2] == b"\xff\xd8"
    decoded = Image.open(io.BytesIO(data))
    assert decoded.format == "JPEG" and decoded.size == (64, 48) and decoded.mode == "RGB"
    assert not decoded.info.get("progressive")
    with pytest.raises(ValueError, match="quality"):
        render.to_jpeg(image, quality=0)


def test_to_png_round_trips_pixels() -> None:
    image = checkerboard((30, 20))
    data = render.to_png(image)
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert Image.open(io.BytesIO(data)).convert("RGB").tobytes() == image.tobytes()


def test_drawing_flattens_transparency_as_decoding_does() -> None:
    """One flattener: a transparent picture saved or annotated gets the decoder's grey."""
    clear = Image.new("RGBA", (40, 30), (255, 0, 0, 0))
    grey_of_decoding = images.FLATTEN_BACKGROUND
    assert images.decode(render.to_png(clear), 10_000).image.getpixel((0, 0)) == grey_of_decoding
    jpeg = Image.open(io.BytesIO(render.to_jpeg(clear, quality=100))).getpixel((5, 5))
    assert max(abs(a - b) for a, b in zip(jpeg, grey_of_decoding, strict=True)) <= 2
    assert BoxAnnotator().annotate(clear, []).getpixel((0, 0)) == grey_of_decoding
