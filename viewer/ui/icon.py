"""The page's icon, drawn with Pillow so that no browser has to fetch one from elsewhere."""

from __future__ import annotations

from functools import cache

from PIL import Image, ImageDraw

BLUE = (0, 114, 178)
ORANGE = (230, 159, 0)


@cache
def page_icon() -> Image.Image:
    """A face box with a label tab: the viewer's mark, in its own colours."""
    image = Image.new("RGBA", (64, 64), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rectangle((10, 18, 54, 58), outline=BLUE, width=6)
    draw.rectangle((10, 6, 40, 18), fill=BLUE)
    draw.ellipse((24, 30, 40, 46), fill=ORANGE)
    return image
