"""Pillow drawing of camera-like scenes with stylised people, for the demo data set.

Everything is deterministic: a scene is drawn from a :class:`PhotoSpec` and a person's look
from an integer. Boxes are ``xyxy`` in the pixels of the drawn image.
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

RGB = tuple[int, int, int]
XYXY = tuple[float, float, float, float]

JPEG_QUALITY = 85
FACE_ASPECT = 0.78  # width / height of a frontal face box
PROFILE_ASPECT = 0.66

_SKINS: tuple[RGB, ...] = (
    (255, 224, 196),
    (241, 194, 150),
    (224, 172, 125),
    (198, 134, 92),
    (161, 102, 68),
    (112, 72, 48),
    (86, 56, 40),
)
_HAIRS: tuple[RGB, ...] = (
    (24, 20, 18),
    (60, 40, 28),
    (106, 70, 40),
    (168, 120, 70),
    (222, 190, 120),
    (160, 60, 30),
    (150, 150, 150),
    (230, 230, 225),
)
_EYES: tuple[RGB, ...] = ((70, 45, 25), (40, 90, 150), (60, 110, 70), (110, 90, 50), (90, 90, 100))
_SHIRTS: tuple[RGB, ...] = (
    (40, 60, 120),
    (150, 40, 40),
    (40, 110, 70),
    (70, 70, 70),
    (200, 160, 60),
    (110, 60, 130),
    (220, 220, 220),
    (30, 30, 35),
)
HAIR_STYLES = ("short", "long", "bald", "curly", "bun")


@dataclass(frozen=True)
class Look:
    """How one synthetic person looks; stable for a given person number."""

    skin: RGB
    hair: RGB
    hair_style: str
    eye: RGB
    glasses: bool
    beard: bool
    shirt: RGB


def look_for(person: int) -> Look:
    """The stable look of synthetic person number ``person``."""
    rng = random.Random(f"person-{person}")
    return Look(
        skin=rng.choice(_SKINS),
        hair=rng.choice(_HAIRS),
        hair_style=rng.choice(HAIR_STYLES),
        eye=rng.choice(_EYES),
        glasses=rng.random() < 0.3,
        beard=rng.random() < 0.25,
        shirt=rng.choice(_SHIRTS),
    )


@dataclass(frozen=True)
class FaceSpec:
    """One face to draw: its box in image pixels, whose face it is and how it is seen."""

    xyxy: XYXY
    person: int
    frontal: bool = True
    facing: int = 1  # for a profile: 1 looks to the right of the image, -1 to the left
    sharpness: float = 0.9


@dataclass(frozen=True)
class PhotoSpec:
    """One camera frame: size, background seed, overlay text and the faces in it."""

    key: str
    wh: tuple[int, int]
    seed: int
    feed_id: str
    created_ms: int
    faces: tuple[FaceSpec, ...] = ()
    overlay: bool = True


def face_wh(height: float, frontal: bool) -> tuple[float, float]:
    """Box width and height of a face ``height`` pixels tall."""
    return (height * (FACE_ASPECT if frontal else PROFILE_ASPECT), height)


@lru_cache(maxsize=32)
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


def _shade(color: RGB, factor: float) -> RGB:
    return tuple(max(0, min(255, round(c * factor))) for c in color)  # type: ignore[return-value]


def _mix(a: RGB, b: RGB, t: float) -> RGB:
    return tuple(round(x + (y - x) * t) for x, y in zip(a, b, strict=True))  # type: ignore[return-value]


def _background(wh: tuple[int, int], rng: random.Random) -> Image.Image:
    """A vertical gradient: wall above a horizon, floor below."""
    w, h = wh
    horizon = int(h * rng.uniform(0.55, 0.75))
    wall_top = np.array([rng.randint(120, 200) for _ in range(3)], dtype=np.float32)
    wall_bottom = wall_top * rng.uniform(0.6, 0.85)
    floor_top = np.array([rng.randint(50, 110) for _ in range(3)], dtype=np.float32)
    floor_bottom = floor_top * rng.uniform(1.2, 1.6)
    t_wall = np.linspace(0.0, 1.0, horizon, dtype=np.float32)[:, None]
    t_floor = np.linspace(0.0, 1.0, h - horizon, dtype=np.float32)[:, None]
    column = np.concatenate(
        [
            wall_top + (wall_bottom - wall_top) * t_wall,
            floor_top + (floor_bottom - floor_top) * t_floor,
        ]
    )
    column = np.clip(column, 0, 255).astype(np.uint8)
    image = Image.fromarray(column[:, None, :]).resize((w, h), Image.Resampling.NEAREST)
    draw = ImageDraw.Draw(image)
    # Walls, doors and windows: a few rectangles above the horizon.
    for _ in range(rng.randint(2, 5)):
        rw = int(w * rng.uniform(0.08, 0.25))
        rh = int(horizon * rng.uniform(0.3, 0.9))
        x0 = rng.randint(0, max(0, w - rw))
        y0 = max(0, horizon - rh)
        kind = rng.random()
        base = tuple(int(c) for c in wall_top)
        if kind < 0.4:  # door
            fill = _shade(base, rng.uniform(0.45, 0.7))  # type: ignore[arg-type]
            draw.rectangle((x0, y0, x0 + rw, horizon), fill=fill, outline=_shade(fill, 0.6))
            knob = max(2, rw // 14)
            ky = y0 + (horizon - y0) // 2
            draw.ellipse(
                (x0 + rw - 3 * knob, ky, x0 + rw - knob, ky + 2 * knob), fill=(200, 180, 90)
            )
        elif kind < 0.7:  # window
            y0 = int(horizon * rng.uniform(0.1, 0.3))
            y1 = y0 + int(horizon * rng.uniform(0.25, 0.45))
            draw.rectangle((x0, y0, x0 + rw, y1), fill=(190, 215, 235), outline=(90, 90, 90))
            draw.line(
                (x0 + rw // 2, y0, x0 + rw // 2, y1), fill=(90, 90, 90), width=max(1, w // 400)
            )
            draw.line((x0, (y0 + y1) // 2, x0 + rw, (y0 + y1) // 2), fill=(90, 90, 90))
        else:  # panel or shelf
            fill = _shade(base, rng.uniform(0.8, 1.15))  # type: ignore[arg-type]
            draw.rectangle((x0, y0, x0 + rw, horizon), fill=fill)
    draw.line((0, horizon, w, horizon), fill=(40, 40, 40), width=max(1, h // 300))
    return image


def _overlay(image: Image.Image, feed_id: str, created_ms: int) -> None:
    """CCTV-style text: feed id and timestamp on a dark band, top left; REC top right."""
    w, h = image.size
    stamp = datetime.fromtimestamp(created_ms / 1000, tz=UTC).strftime("%Y-%m-%d %H:%M:%S")
    text = f"{feed_id}  {stamp}"
    draw = ImageDraw.Draw(image)
    size = max(8, h // 32)
    while size > 6 and draw.textlength(text, font=_font(size)) > 0.94 * w:
        size -= 1
    font = _font(size)
    pad = max(2, size // 4)
    left, top, right, bottom = draw.textbbox((pad * 2, pad * 2), text, font=font)
    draw.rectangle((left - pad, top - pad, right + pad, bottom + pad), fill=(0, 0, 0))
    draw.text((pad * 2, pad * 2), text, font=font, fill=(240, 240, 240))
    rec = "REC"
    x = w - draw.textlength(rec, font=font) - pad * 3
    r = size // 3
    if x - 3 * r > right + 2 * pad:
        draw.text((x, pad * 2), rec, font=font, fill=(255, 60, 60))
        cy = pad * 2 + size // 2
        draw.ellipse((x - 3 * r, cy - r, x - r, cy + r), fill=(255, 40, 40))


class _Pen:
    """Draws in face-box units: (0, 0) is the box's top left, (1, 1) its bottom right."""

    def __init__(self, draw: ImageDraw.ImageDraw, ox: float, oy: float, fw: float, fh: float):
        self.draw, self.ox, self.oy, self.fw, self.fh = draw, ox, oy, fw, fh

    def xy(self, u: float, v: float) -> tuple[float, float]:
        return (self.ox + u * self.fw, self.oy + v * self.fh)

    def box(self, u0: float, v0: float, u1: float, v1: float) -> XYXY:
        return (*self.xy(u0, v0), *self.xy(u1, v1))

    def ellipse(self, u0: float, v0: float, u1: float, v1: float, fill: RGB, **kw: object) -> None:
        self.draw.ellipse(self.box(u0, v0, u1, v1), fill=fill, **kw)  # type: ignore[arg-type]

    def chord(
        self, u0: float, v0: float, u1: float, v1: float, start: float, end: float, fill: RGB
    ) -> None:
        self.draw.chord(self.box(u0, v0, u1, v1), start, end, fill=fill)

    def polygon(self, points: list[tuple[float, float]], fill: RGB) -> None:
        self.draw.polygon([self.xy(u, v) for u, v in points], fill=fill)

    def line(self, points: list[tuple[float, float]], fill: RGB, width: float) -> None:
        self.draw.line(
            [self.xy(u, v) for u, v in points], fill=fill, width=max(1, round(width * self.fw))
        )


def _torso(pen: _Pen, look: Look, shift: float = 0.0) -> None:
    """Neck and shoulders below the face box."""
    neck = _shade(look.skin, 0.85)
    pen.draw.rectangle(pen.box(0.36 + shift, 0.8, 0.64 + shift, 1.15), fill=neck)
    pen.draw.rounded_rectangle(
        pen.box(-0.7 + shift, 1.02, 1.7 + shift, 4.5), radius=0.6 * pen.fw, fill=look.shirt
    )
    pen.chord(0.3 + shift, 0.9, 0.7 + shift, 1.2, 0, 180, fill=neck)


def _frontal(pen: _Pen, look: Look) -> None:
    skin, hair = look.skin, look.hair
    dark = _shade(skin, 0.75)
    if look.hair_style in ("long", "curly"):
        pen.ellipse(-0.16, -0.16, 1.16, 1.25 if look.hair_style == "long" else 0.9, fill=hair)
    pen.ellipse(-0.07, 0.36, 0.1, 0.64, fill=dark)
    pen.ellipse(0.9, 0.36, 1.07, 0.64, fill=dark)
    pen.ellipse(0.02, -0.02, 0.98, 1.0, fill=skin)
    if look.hair_style == "curly":
        for i in range(7):
            u = -0.05 + i * 0.17
            pen.ellipse(u - 0.03, -0.16, u + 0.2, 0.12, fill=hair)
    elif look.hair_style == "bun":
        pen.ellipse(0.32, -0.3, 0.68, 0.02, fill=hair)
        pen.chord(0.0, -0.1, 1.0, 0.62, 180, 360, fill=hair)
    elif look.hair_style != "bald":
        pen.chord(-0.03, -0.12, 1.03, 0.6, 180, 360, fill=hair)
        pen.polygon([(0.0, 0.25), (0.45, 0.22), (0.1, 0.42)], fill=hair)
    brow = _shade(hair, 0.8) if look.hair_style != "bald" else _shade(skin, 0.5)
    pen.line([(0.22, 0.36), (0.42, 0.34)], fill=brow, width=0.035)
    pen.line([(0.58, 0.34), (0.78, 0.36)], fill=brow, width=0.035)
    for u0 in (0.22, 0.58):
        pen.ellipse(u0, 0.4, u0 + 0.2, 0.5, fill=(250, 250, 250))
        pen.ellipse(u0 + 0.06, 0.405, u0 + 0.14, 0.495, fill=look.eye)
        pen.ellipse(u0 + 0.085, 0.43, u0 + 0.115, 0.47, fill=(10, 10, 10))
    if look.glasses:
        frame = (30, 30, 30)
        for u0 in (0.18, 0.55):
            pen.draw.rounded_rectangle(
                pen.box(u0, 0.37, u0 + 0.27, 0.54),
                radius=max(1, pen.fw * 0.05),
                outline=frame,
                width=max(1, round(pen.fw * 0.025)),
            )
        pen.line([(0.45, 0.44), (0.55, 0.44)], fill=frame, width=0.025)
    pen.polygon([(0.5, 0.48), (0.42, 0.66), (0.5, 0.69), (0.58, 0.66)], fill=dark)
    if look.beard:
        pen.chord(0.08, 0.35, 0.92, 1.02, 20, 160, fill=_shade(hair, 0.9))
    pen.chord(0.34, 0.7, 0.66, 0.86, 0, 180, fill=(170, 60, 60))
    pen.line([(0.34, 0.78), (0.66, 0.78)], fill=(120, 40, 40), width=0.02)


def _profile(pen: _Pen, look: Look) -> None:
    """A face looking to the right; the caller mirrors it for one looking left."""
    skin, hair = look.skin, look.hair
    dark = _shade(skin, 0.75)
    if look.hair_style in ("long", "curly"):
        pen.ellipse(-0.1, -0.12, 0.7, 1.2 if look.hair_style == "long" else 0.85, fill=hair)
    pen.ellipse(0.06, 0.0, 0.94, 1.0, fill=skin)
    pen.polygon([(0.86, 0.4), (1.06, 0.6), (0.9, 0.66)], fill=skin)  # nose bump
    pen.polygon([(0.9, 0.66), (0.97, 0.74), (0.9, 0.8)], fill=skin)  # lips
    if look.hair_style != "bald":
        pen.chord(0.02, -0.12, 0.98, 0.62, 175, 360, fill=hair)
        pen.ellipse(0.0, 0.05, 0.42, 0.8, fill=hair)
        if look.hair_style == "bun":
            pen.ellipse(-0.12, 0.05, 0.18, 0.35, fill=hair)
    pen.ellipse(0.36, 0.38, 0.52, 0.64, fill=dark)  # ear
    pen.ellipse(0.68, 0.41, 0.84, 0.49, fill=(250, 250, 250))
    pen.ellipse(0.75, 0.415, 0.83, 0.485, fill=look.eye)
    pen.line([(0.66, 0.36), (0.86, 0.35)], fill=_shade(hair, 0.8), width=0.035)
    if look.glasses:
        pen.line([(0.4, 0.44), (0.88, 0.44)], fill=(30, 30, 30), width=0.025)
        pen.draw.rounded_rectangle(
            pen.box(0.68, 0.37, 0.88, 0.53),
            radius=max(1, pen.fw * 0.04),
            outline=(30, 30, 30),
            width=max(1, round(pen.fw * 0.025)),
        )
    if look.beard:
        pen.chord(0.3, 0.4, 0.95, 1.02, 20, 150, fill=_shade(hair, 0.9))
    pen.line([(0.8, 0.79), (0.92, 0.78)], fill=(140, 50, 50), width=0.03)


def draw_person(image: Image.Image, face: FaceSpec) -> None:
    """Draw a person whose face fills ``face.xyxy``; hair and shoulders reach past it."""
    x0, y0, x1, y1 = face.xyxy
    fw, fh = max(x1 - x0, 1.0), max(y1 - y0, 1.0)
    look = look_for(face.person)
    shift = 0.0 if face.frontal else -0.1 * face.facing
    _torso(_Pen(ImageDraw.Draw(image), x0, y0, fw, fh), look, shift)
    # The head is drawn on a supersampled tile and shrunk: smooth edges on small faces.
    scale = 3 if fh < 50 else 2 if fh < 120 else 1
    left, top = x0 - 0.35 * fw, y0 - 0.4 * fh
    tile_wh = (round(1.7 * fw) * scale, round(1.75 * fh) * scale)
    tile = Image.new("RGBA", tile_wh, (0, 0, 0, 0))
    pen = _Pen(ImageDraw.Draw(tile), 0.35 * fw * scale, 0.4 * fh * scale, fw * scale, fh * scale)
    if face.frontal:
        _frontal(pen, look)
    else:
        _profile(pen, look)
        if face.facing < 0:
            tile = tile.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    if scale > 1:
        tile = tile.reduce(scale)
    if image.mode == "RGBA":
        image.alpha_composite(tile, (round(left), round(top)))
    else:
        image.paste(tile, (round(left), round(top)), tile)


@lru_cache(maxsize=1)
def _feather() -> Image.Image:
    mask = Image.new("L", (64, 64), 0)
    ImageDraw.Draw(mask).ellipse((8, 8, 56, 56), fill=255)
    return mask.filter(ImageFilter.GaussianBlur(6))


def blur_face(image: Image.Image, face: FaceSpec) -> None:
    """Blur the face region the more, the lower its sharpness."""
    x0, y0, x1, y1 = face.xyxy
    radius = (1.0 - max(0.0, min(1.0, face.sharpness))) * (y1 - y0) * 0.07
    if radius < 0.7:
        return
    pad_x, pad_y = 0.25 * (x1 - x0) + radius, 0.25 * (y1 - y0) + radius
    w, h = image.size
    region = (
        max(0, int(x0 - pad_x)),
        max(0, int(y0 - pad_y)),
        min(w, int(x1 + pad_x) + 1),
        min(h, int(y1 + pad_y) + 1),
    )
    if region[2] <= region[0] or region[3] <= region[1]:
        return
    patch = image.crop(region)
    step = int(radius // 1.5)
    if step >= 2:  # blur a smaller copy and scale it back: same look, a fraction of the work
        size = patch.size
        patch = patch.reduce(step).filter(ImageFilter.GaussianBlur(radius / step))
        patch = patch.resize(size, Image.Resampling.BILINEAR)
    else:
        patch = patch.filter(ImageFilter.GaussianBlur(radius))
    image.paste(patch, region[:2], _feather().resize(patch.size, Image.Resampling.BILINEAR))


def render_photo(spec: PhotoSpec) -> Image.Image:
    """Draw the RGB frame ``spec`` describes."""
    rng = random.Random(spec.seed)
    image = _background(spec.wh, rng)
    for face in sorted(spec.faces, key=lambda f: f.xyxy[3]):  # nearer (lower) people on top
        draw_person(image, face)
    for face in spec.faces:
        blur_face(image, face)
    if spec.overlay:
        _overlay(image, spec.feed_id, spec.created_ms)
    return image


def encode(image: Image.Image, fmt: str = "JPEG", **params: object) -> bytes:
    """Encode ``image``; JPEG at the demo's quality unless told otherwise."""
    if fmt == "JPEG":
        params.setdefault("quality", JPEG_QUALITY)
    buffer = io.BytesIO()
    image.save(buffer, fmt, **params)
    return buffer.getvalue()


def place_faces(
    wh: tuple[int, int],
    count: int,
    rng: random.Random,
    *,
    frontal: list[bool] | None = None,
    size: tuple[float, float] = (0.45, 0.8),
) -> list[XYXY]:
    """Boxes for ``count`` faces that do not overlap: one per cell of a grid over the frame.

    ``size`` is the face height as a fraction of a cell's height. Faces sit in the upper
    part of their cell so the shoulders drawn below them stay in the frame.
    """
    w, h = wh
    cols = 1
    while cols * max(1, round(cols * h / w * 1.1)) < count:
        cols += 1
    rows = max(1, round(cols * h / w * 1.1))
    cells = [(c, r) for r in range(rows) for c in range(cols)]
    rng.shuffle(cells)
    cell_w, cell_h = w / cols, h / rows
    # Keep clear of the overlay band at the top of the frame.
    band = h * 0.07 if rows > 1 else h * 0.05
    boxes = []
    for i, (c, r) in enumerate(cells[:count]):
        is_frontal = True if frontal is None else frontal[i]
        top_room = band if r == 0 else 0.0
        fh = cell_h * rng.uniform(*size)
        fw, fh = face_wh(fh, is_frontal)
        if fw > cell_w * 0.85:
            fw, fh = cell_w * 0.85, cell_w * 0.85 / (fw / fh)
        fh = min(fh, (cell_h - top_room) * 0.85)
        fw = fh * (FACE_ASPECT if is_frontal else PROFILE_ASPECT)
        x = c * cell_w + rng.uniform(0.08 * cell_w, max(0.08 * cell_w, cell_w - fw - 0.08 * cell_w))
        y_low = r * cell_h + top_room + 0.05 * cell_h
        y_high = max(y_low, r * cell_h + cell_h * 0.55 - fh * 0.3)
        y = rng.uniform(y_low, min(y_high, r * cell_h + cell_h - fh))
        boxes.append((round(x, 1), round(y, 1), round(x + fw, 1), round(y + fh, 1)))
    return boxes
