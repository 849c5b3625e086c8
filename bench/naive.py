"""The obvious first implementation: one blocking download, full decode, draw and PNG at a time.

It fetches the group with ``requests.get``, then for each entry downloads the whole image with
a fresh ``requests.get``, decodes it at full size, draws the boxes with ``ImageDraw`` and encodes
a PNG, as a first Streamlit script handing PIL images or PNG bytes to ``st.image`` would.
"""

from __future__ import annotations

import io
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import requests
from PIL import Image, ImageDraw

TIMEOUT_S = (5.0, 20.0)


@dataclass(frozen=True)
class NaiveRun:
    seconds: float
    requests: int
    png_bytes: list[int]


def get_group(api_url: str, token: str, namespace: str, group_id: str) -> dict[str, Any]:
    response = requests.get(
        f"{api_url}/recognition/groups/{namespace}/{group_id}",
        headers={"Authorization": f"Bearer {token}"},
        timeout=TIMEOUT_S,
    )
    response.raise_for_status()
    return response.json()


def _box_xyxy(face: dict[str, Any], wh: tuple[int, int]) -> tuple[float, float, float, float]:
    box = face["boundingBox"]
    x0, y0, x1, y1 = box["xMin"], box["yMin"], box["xMax"], box["yMax"]
    if max(x0, y0, x1, y1) <= 1.0:  # fractions of the frame
        return x0 * wh[0], y0 * wh[1], x1 * wh[0], y1 * wh[1]
    sx = wh[0] / (face.get("width") or wh[0])
    sy = wh[1] / (face.get("height") or wh[1])
    return x0 * sx, y0 * sy, x1 * sx, y1 * sy


def draw_faces(image: Image.Image, faces: Sequence[dict[str, Any]]) -> Image.Image:
    draw = ImageDraw.Draw(image)
    for face in faces:
        xyxy = _box_xyxy(face, image.size)
        draw.rectangle(xyxy, outline=(0, 114, 178), width=3)
        label = f"{face.get('boundingBoxConfidence', 0):.0%} sharp {face.get('sharpness', 0):.2f}"
        draw.text((xyxy[0] + 4, xyxy[1] + 4), label, fill=(255, 255, 255))
    return image


def render_one(url: str, faces: Sequence[dict[str, Any]]) -> bytes:
    """Download, decode in full, draw, encode as PNG."""
    response = requests.get(url, timeout=TIMEOUT_S)
    response.raise_for_status()
    image = Image.open(io.BytesIO(response.content)).convert("RGB")
    draw_faces(image, faces)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def per_face_page(api_url: str, token: str, namespace: str, group_id: str, count: int) -> NaiveRun:
    """The group, then one download and one picture per face for the first ``count`` faces."""
    start = time.perf_counter()
    group = get_group(api_url, token, namespace, group_id)
    sizes = [render_one(face["url"], [face]) for face in group["images"][:count]]
    return NaiveRun(time.perf_counter() - start, 1 + len(sizes), [len(s) for s in sizes])


def per_image_page(api_url: str, token: str, namespace: str, group_id: str, count: int) -> NaiveRun:
    """The group, then one download and one picture per image for the first ``count`` images.

    Each picture carries every face of the group seen in that image, as the gallery's do.
    """
    start = time.perf_counter()
    group = get_group(api_url, token, namespace, group_id)
    by_url: dict[str, list[dict[str, Any]]] = {}
    for face in group["images"]:
        by_url.setdefault(face["url"], []).append(face)
    sizes = [render_one(url, faces) for url, faces in list(by_url.items())[:count]]
    return NaiveRun(time.perf_counter() - start, 1 + len(sizes), [len(s) for s in sizes])
