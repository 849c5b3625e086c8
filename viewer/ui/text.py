"""Text from the API shown safely: as plain text, never as HTML or live Markdown."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime

from viewer import numbers
from viewer.models import Face

_MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~$:&@=^\"'])")


def escape_md(value: object, limit: int = 200) -> str:
    """Escape every Markdown and HTML special character, so API text renders as itself.

    Control characters become spaces and long values are cut with an ellipsis.
    """
    text = "" if value is None else str(value)
    text = "".join(ch if ch.isprintable() else " " for ch in text)
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return _MARKDOWN_SPECIALS.sub(r"\\\1", text)


def when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S UTC") if value else "–"


SECONDS_MARK = "sent in seconds"  # after a time in a caption whose unit was wrong


def when_noted(value: datetime | None, note: str | None) -> str:
    """A time, followed by ``note`` in brackets when there is one (a unit that looked wrong)."""
    return f"{when(value)} ({note})" if note else when(value)


def seconds_caption(faces: Sequence[Face]) -> str | None:
    """A sentence for a list of faces some of whose createdAt was sent in seconds, else None."""
    odd = sum(1 for f in faces if f.created_note)
    if not odd:
        return None
    which = "every face here" if odd == len(faces) else f"{odd:,} of the {len(faces):,} faces here"
    return f"createdAt looks like seconds, not milliseconds, for {which}; shown as seconds."


def pct(value: float | None) -> str:
    """Confidence and other fractions as whole percent, cut as everywhere (viewer.numbers)."""
    return numbers.percent(value)


def num(value: float | None, digits: int = 2) -> str:
    """Sharpness and other 0..1 values, cut as everywhere (viewer.numbers)."""
    return numbers.decimal(value, digits)
