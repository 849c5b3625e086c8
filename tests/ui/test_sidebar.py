"""The sidebar through the app: the group form, and blur as the pictures show it."""

from __future__ import annotations

from PIL import Image, ImageChops, ImageFilter, ImageStat
from streamlit.testing.v1 import AppTest

from tests.ui.apptest import SAMPLE, picture, run, run_keeping_media
from viewer.demo.server import DemoServer

XYXY = tuple[int, int, int, int]


def test_the_form_loads_another_group_and_writes_the_url(on_demo: DemoServer) -> None:
    at = run(namespace="acme", group=SAMPLE)
    at.text_input(key="group_id").set_value("demo-pixels")
    at.button(key="load").click()
    at.run()
    assert not at.exception
    assert at.query_params["group"] == "demo-pixels"
    assert "demo-pixels" in at.subheader[0].value.replace("\\", "")
    # the sample's narrow confidence range must not become a filter on the new group
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Shown"] == metrics["Faces"] == "16"


def test_blur_is_carried_in_the_url(on_demo: DemoServer) -> None:
    at = run(namespace="acme", group="demo-crowd", blur="1")
    assert not at.exception
    assert at.toggle(key="blur").value is True
    assert at.query_params["blur"] == "1"


def detail_picture(at: AppTest) -> tuple[Image.Image, XYXY]:
    """Detail's picture in grey as the page got it, and its face's box (whole pixels)."""
    (fields,) = [d.value for d in at.dataframe if "box in pixels" in set(d.value.get("field", []))]
    values = dict(zip(fields["field"], fields["value"], strict=True))
    x0, y0, x1, y1 = (float(v) for v in values["box in pixels"].strip("()").split(","))
    image = at.main.image[-1]  # the photo, below the strip of the group's typical faces
    return picture(image).convert("L"), (int(x0), int(y0), int(x1) + 1, int(y1) + 1)


def fine_detail(image: Image.Image, xyxy: XYXY) -> float:
    """How far a region's pixels stand, on average, from a slightly smoothed copy of it."""
    region = image.crop(xyxy)
    smoothed = region.filter(ImageFilter.GaussianBlur(2))
    return ImageStat.Stat(ImageChops.difference(region, smoothed)).mean[0]


def test_turning_blur_on_blurs_everyone_in_the_picture_the_page_shows(
    on_demo: DemoServer,
) -> None:
    at = run_keeping_media(namespace="acme", group="demo-crowd", view="detail")
    sharp, box = detail_picture(at)
    at.toggle(key="blur").set_value(True)
    at.run()
    assert not at.exception
    assert at.query_params["blur"] == "1"
    blurred, same_box = detail_picture(at)
    assert (same_box, blurred.size) == (box, sharp.size)
    x0, y0, x1, y1 = box
    # inside the box, clear of its outline (double: it is the face Detail is about), of its
    # flag's dashed inner line and of the flag badge in its top corner
    face = (x0 + 24, y0 + (y1 - y0) // 4, x1 - 24, y1 - 24)
    assert fine_detail(blurred, face) < fine_detail(sharp, face) / 3
    # the passers-by beside the group's face too: the rest of the photo loses its detail
    width, height = sharp.size
    beside = (x1 + 16, 0, width, height) if width - x1 > x0 else (0, 0, x0 - 16, height)
    assert fine_detail(blurred, beside) < fine_detail(sharp, beside) / 3
    assert "every person in every picture" in " ".join(c.value for c in at.sidebar.caption)


def test_the_legend_says_which_line_goes_with_each_band() -> None:
    from viewer.ui.sidebar import legend_caption

    words = legend_caption("confidence")
    assert "long dashes: confidence 70–89%" in words
    assert "short dashes: confidence below 70%" in words
    assert "solid: confidence ≥ 90%" in words
