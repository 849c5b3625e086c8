"""Hostile image answers served under ``/images/bad/{kind}``: each breaks a naive viewer.

Every kind that decodes shows one face at a known box, so a viewer can still draw it.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from PIL import Image, ImageDraw

from viewer.demo.scenes import XYXY, FaceSpec, PhotoSpec, draw_person, encode, render_photo

BAD_KINDS: tuple[str, ...] = (
    "404",
    "403",
    "redirect",
    "redirect-loop",
    "redirect-file",
    "redirect-metadata",
    "not-image",
    "truncated",
    "bomb",
    "cmyk",
    "16bit",
    "palette",
    "transparent",
    "gif",
    "exif-rotated",
    "webp",
    "oversize",
    "trickle",
)

BAD_PERSON = 9
BOMB_WH = (40_000, 40_000)
OVERSIZE_WH = (2200, 1650)
_WH = (640, 480)
_FACE: XYXY = (264.0, 70.0, 376.0, 214.0)  # in the upper half, so half a JPEG still shows it
_UPRIGHT_WH = (480, 640)
_UPRIGHT_FACE: XYXY = (184.0, 150.0, 296.0, 294.0)
_FEED = "Camera_177001"
_CREATED_MS = 1_793_966_400_000  # 2026-11-06 12:00 UTC


@dataclass(frozen=True)
class Payload:
    """What an image route answers. ``trickle`` sends the body one byte a second."""

    status: int
    content_type: str
    body: bytes = b""
    headers: tuple[tuple[str, str], ...] = ()
    trickle: bool = False


def _message(status: int, text: str) -> Payload:
    return Payload(status, "application/json", b'{"message": "' + text.encode() + b'"}')


def _scene(wh: tuple[int, int] = _WH, face: XYXY = _FACE, seed: int = 90) -> Image.Image:
    return render_photo(
        PhotoSpec("bad", wh, seed, _FEED, _CREATED_MS, (FaceSpec(face, BAD_PERSON),))
    )


def exif_stored_box(upright: XYXY, upright_wh: tuple[int, int]) -> XYXY:
    """Where a box on the upright picture lies in the stored pixels of an Orientation=6 JPEG."""
    x0, y0, x1, y1 = upright
    w = upright_wh[0]
    return (y0, w - x1, y1, w - x0)


def bad_face(kind: str) -> tuple[tuple[int, int], XYXY]:
    """The image size a face of this kind reports and its face box in those pixels.

    For ``exif-rotated`` both are in stored pixels (landscape), as a camera's detector sees
    them. Kinds that never yield an image report the common 640x480 frame.
    """
    if kind == "bomb":
        w, h = BOMB_WH
        return BOMB_WH, (w * 0.4, h * 0.35, w * 0.55, h * 0.55)
    if kind == "oversize":
        return OVERSIZE_WH, _oversize_face()
    if kind == "exif-rotated":
        return (_UPRIGHT_WH[1], _UPRIGHT_WH[0]), exif_stored_box(_UPRIGHT_FACE, _UPRIGHT_WH)
    return _WH, _FACE


def _oversize_face() -> XYXY:
    w, h = OVERSIZE_WH
    return (w * 0.42, h * 0.2, w * 0.42 + 0.18 * h * 0.78, h * 0.38)


@lru_cache(maxsize=1)
def _bomb_png() -> bytes:
    """A valid 1-bit PNG of 40000x40000 zero pixels, about 200 kB.

    The 200 MB of scan lines compress to repeats of one deflate block: a full flush resets
    the compressor, so each identical block yields identical bytes and is compressed once.
    """
    w, h = BOMB_WH
    row_len = 1 + (w + 7) // 8  # filter byte + packed pixels, all zero
    rows_per_block = 200
    block = bytes(row_len * rows_per_block)
    deflate = zlib.compressobj(9, zlib.DEFLATED, -15)
    piece = deflate.compress(block) + deflate.flush(zlib.Z_FULL_FLUSH)
    blocks, rest = divmod(h, rows_per_block)
    stream = piece * blocks + deflate.compress(bytes(row_len * rest)) + deflate.flush()
    total = row_len * h
    adler = ((total % 65521) << 16) | 1  # Adler-32 of all-zero data
    idat = b"\x78\xda" + stream + struct.pack(">I", adler)

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    ihdr = struct.pack(">IIBBBBB", w, h, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def _oversize_jpeg() -> bytes:
    """About 3 MB: a frame of noise with one person in it."""
    w, h = OVERSIZE_WH
    noise = np.random.default_rng(17).integers(0, 256, (h, w, 3), dtype=np.uint8)
    image = Image.fromarray(noise, "RGB")
    draw_person(image, FaceSpec(_oversize_face(), BAD_PERSON))
    return encode(image, quality=92)


def _sixteen_bit() -> bytes:
    grey = np.asarray(_scene().convert("L"), dtype=np.uint16) * 257
    return encode(Image.fromarray(grey), "PNG")  # mode I;16


def _transparent() -> bytes:
    image = _scene().convert("RGBA")
    w, h = image.size
    alpha = Image.new("L", (w, h), 0)
    ImageDraw.Draw(alpha).ellipse((w * 0.15, -h * 0.1, w * 0.9, h * 0.8), fill=255)
    ImageDraw.Draw(alpha).rectangle((0, h * 0.8, w, h), fill=96)
    image.putalpha(alpha)
    return encode(image, "PNG")


def _gif() -> bytes:
    first = _scene()
    empty = render_photo(PhotoSpec("bad", _WH, 90, _FEED, _CREATED_MS + 1000))
    moved = render_photo(
        PhotoSpec(
            "bad",
            _WH,
            90,
            _FEED,
            _CREATED_MS + 2000,
            (FaceSpec((40.0, 150.0, 110.0, 240.0), BAD_PERSON, frontal=False, facing=-1),),
        )
    )
    frames = [f.convert("P", palette=Image.Palette.ADAPTIVE, colors=128) for f in (first, moved)]
    frames.insert(1, empty.convert("P", palette=Image.Palette.ADAPTIVE, colors=128))
    return encode(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=400, loop=0)


def _exif_rotated() -> bytes:
    upright = _scene(_UPRIGHT_WH, _UPRIGHT_FACE, seed=91)
    stored = upright.rotate(90, expand=True)  # counter-clockwise; Orientation 6 turns it back
    exif = Image.Exif()
    exif[0x0112] = 6
    return encode(stored, exif=exif.tobytes())


def bad_payload(kind: str, base_url: str, good_path: str) -> Payload:
    """The answer for ``/images/bad/{kind}``; ``good_path`` is a good image on this server."""
    html = "text/html; charset=utf-8"
    if kind == "404":
        return _message(404, "Image not found")
    if kind == "403":
        return _message(403, "Access to this image is denied")
    if kind == "redirect":
        return Payload(302, "text/plain", b"", (("Location", base_url + good_path),))
    if kind == "redirect-loop":
        return Payload(302, "text/plain", b"", (("Location", base_url + "/images/bad/" + kind),))
    if kind == "redirect-file":
        return Payload(302, "text/plain", b"", (("Location", "file:///etc/passwd"),))
    if kind == "redirect-metadata":
        location = "http://169.254.169.254/latest/meta-data/"
        return Payload(302, "text/plain", b"", (("Location", location),))
    if kind == "not-image":
        page = b"<!doctype html><html><body><h1>Sign in</h1><p>Session expired.</p></body></html>"
        return Payload(200, html, page)
    if kind == "truncated":
        data = encode(_scene())
        return Payload(200, "image/jpeg", data[: len(data) // 2])
    if kind == "bomb":
        return Payload(200, "image/png", _bomb_png())
    if kind == "cmyk":
        return Payload(200, "image/jpeg", encode(_scene().convert("CMYK")))
    if kind == "16bit":
        return Payload(200, "image/png", _sixteen_bit())
    if kind == "palette":
        image = _scene().convert("P", palette=Image.Palette.ADAPTIVE, colors=64)
        return Payload(200, "image/png", encode(image, "PNG"))
    if kind == "transparent":
        return Payload(200, "image/png", _transparent())
    if kind == "gif":
        return Payload(200, "image/gif", _gif())
    if kind == "exif-rotated":
        return Payload(200, "image/jpeg", _exif_rotated())
    if kind == "webp":
        return Payload(200, "image/webp", encode(_scene(), "WEBP", quality=80))
    if kind == "oversize":
        return Payload(200, "image/jpeg", _oversize_jpeg())
    if kind == "trickle":
        return Payload(200, "image/jpeg", encode(_scene()), trickle=True)
    return _message(404, "No such image")
