"""What every view of a loaded group is drawn with."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from viewer.compose import ViewOptions
from viewer.pipeline import Pipeline


@dataclass(frozen=True)
class ViewContext:
    """The pipeline, the drawing options, each flagged face's reasons, and how to open a face."""

    pipe: Pipeline
    options: ViewOptions
    flags: Mapping[str, list[str]]
    open_face: Callable[[int], None]
