"""A strip of face crops for one group, shared by Browse and Compare."""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from viewer.compose import PictureFailure, ViewOptions
from viewer.models import Face
from viewer.numbers import counted
from viewer.pipeline import Pipeline
from viewer.select import best_faces
from viewer.ui.gallery import error_tile_jpeg

STRIP_TILE = 96
TRIED = 3  # a best-faces strip tries at most this many times its length of faces
# Below this sharpness a crop is too blurry to stand for a group: stricter than the flag's
# default (0.15, too blurred to judge at all), as a group's best faces should be clear ones.
BLURRY = 0.3


def is_blurry(face: Face) -> bool:
    """Whether the face's sharpness is known and below ``BLURRY``."""
    return face.sharpness is not None and face.sharpness < BLURRY


def best_strip(
    pipe: Pipeline, faces: Sequence[Face], options: ViewOptions, count: int, size: int = STRIP_TILE
) -> list[Face]:
    """A group's ``count`` best faces by quality as crops side by side, skipping blurry faces
    and faces whose image fails (the next best takes their place); says what was skipped, and
    when no face is usable. Returns the faces shown."""
    ranked = best_faces(faces, count * TRIED)
    sharp = [f for f in ranked if not is_blurry(f)]
    shown: list[tuple[Face, bytes]] = []
    failed = 0
    tried = 0
    while len(shown) < count and tried < len(sharp):
        batch = sharp[tried : tried + count - len(shown)]
        tried += len(batch)
        crops = pipe.crops(batch, options, size)
        for face in batch:
            crop = crops[face.key]
            if isinstance(crop, PictureFailure):
                failed += 1
            else:
                shown.append((face, crop.jpeg))
    # blurry faces count as skipped when better than the last face tried, or the strip is short
    passed = ranked if len(shown) < count else ranked[: ranked.index(sharp[tried - 1])]
    skipped_blurry = sum(1 for f in passed if is_blurry(f))
    skipped = _skipped_words(failed, skipped_blurry)
    if not shown:
        st.caption(
            f"No usable face to show: {skipped or 'no face has an image and a box'}. "
            "Open the group to see every face."
        )
        return []
    st.image([jpeg for _, jpeg in shown], width=size)
    if skipped:
        st.caption(f"Skipped {skipped}; the next best are shown.")
    return [face for face, _ in shown]


def _skipped_words(failed: int, blurry: int) -> str:
    """``"2 faces whose image failed and 1 blurry face"``; empty when none was skipped."""
    parts = []
    if failed:
        parts.append(f"{counted(failed, 'face')} whose image failed")
    if blurry:
        parts.append(f"{counted(blurry, 'blurry face')}")
    return " and ".join(parts)


def face_strip(
    pipe: Pipeline,
    faces: Sequence[Face],
    options: ViewOptions,
    size: int = STRIP_TILE,
    captions: Sequence[str] | None = None,
) -> None:
    """Face crops side by side (``captions``: one Markdown-escaped line under each); a crop
    that fails shows as a small error tile."""
    if not faces:
        st.caption("No face with an image and a box to show.")
        return
    crops = pipe.crops(faces, options, size)
    images = [
        error_tile_jpeg(r.reason, size) if isinstance(r, PictureFailure) else r.jpeg
        for r in (crops[f.key] for f in faces)
    ]
    st.image(images, width=size, caption=list(captions) if captions is not None else None)
