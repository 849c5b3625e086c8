"""Text in the built-in font: what it can show, its size, and cutting or wrapping it to fit."""

from __future__ import annotations

import functools
import unicodedata

from PIL import ImageFont

Font = ImageFont.FreeTypeFont | ImageFont.ImageFont


@functools.lru_cache(maxsize=64)
def load_font(size: int) -> Font:
    """Pillow's built-in scalable font at ``size`` px; no system font is needed."""
    return ImageFont.load_default(size=size)


# The built-in font covers basic Latin only; these stand in for characters it lacks.
_FALLBACKS = {
    **dict.fromkeys("‐‑‒–—―−", "-"),
    "≥": ">=",
    "≤": "<=",
    "×": "x",
    "•": "·",
    "→": "->",
    "ß": "ss",
    "æ": "ae",
    "Æ": "AE",
    "œ": "oe",
    "Œ": "OE",
    "ø": "o",
    "Ø": "O",
    "ł": "l",
    "Ł": "L",
    "đ": "d",
    "Đ": "D",
}
_PROBE_SIZE = 16


@functools.lru_cache(maxsize=1)
def _missing_glyph() -> bytes:
    return bytes(load_font(_PROBE_SIZE).getmask("\U000f0000"))


@functools.lru_cache(maxsize=4096)
def _has_glyph(char: str) -> bool:
    return bytes(load_font(_PROBE_SIZE).getmask(char)) != _missing_glyph()


def drawable(text: str) -> str:
    """``text`` rewritten to what the built-in font can show.

    Dashes become ``-``, accents are dropped (``é`` -> ``e``), line breaks become spaces,
    invisible format characters go, and anything else the font lacks becomes ``?``.
    """
    out: list[str] = []
    for char in text:
        category = unicodedata.category(char)
        if char in _FALLBACKS:
            out.append(_FALLBACKS[char])
        elif category == "Cc":
            out.append(" " if char.isspace() else "")
        elif category == "Cf":
            continue
        elif char == " " or _has_glyph(char):
            out.append(char)
        else:
            base = "".join(
                c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c)
            )
            out.append(base if base and all(_has_glyph(c) for c in base) else "?")
    return "".join(out)


@functools.lru_cache(maxsize=64)
def _line_box(size: int) -> tuple[int, int]:
    """(top, bottom) of a line of text at ``size``, the same for every string."""
    _, top, _, bottom = load_font(size).getbbox("Hgjpy|")
    return top, bottom


def line_height(size: int) -> int:
    top, bottom = _line_box(size)
    return bottom - top


@functools.lru_cache(maxsize=8192)
def _text_bbox(text: str, size: int) -> tuple[int, int, int, int]:
    """The text's ink box; measured once per label, for layout and for painting."""
    return load_font(size).getbbox(text)


def text_width(text: str, size: int) -> int:
    left, _, right, _ = _text_bbox(text, size)
    return right - left


_MAX_TEXT = 2000  # more characters than any label, caption or tile can show


def truncate_drawable(text: str) -> str:
    """``text`` cut to the most characters anything can show, rewritten by ``drawable``."""
    return drawable(text[:_MAX_TEXT])


def text_origin(xy: tuple[int, int], text: str, size: int) -> tuple[int, int]:
    """Where ImageDraw must put ``text`` so that its line box's top-left lands on ``xy``."""
    return xy[0] - _text_bbox(text, size)[0], xy[1] - _line_box(size)[0]


def _prefix_that_fits(text: str, size: int, max_width: int, suffix: str = "") -> int:
    """Length of the longest prefix that, with ``suffix``, is at most ``max_width`` px wide."""
    lo, hi = 0, len(text)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if text_width(text[:mid].rstrip() + suffix, size) <= max_width:
            lo = mid
        else:
            hi = mid - 1
    return lo


def fit_text(text: str, size: int, max_width: int) -> str:
    """``text`` cut with an ellipsis so it is at most ``max_width`` px wide ('' if nothing fits)."""
    if len(text) <= _MAX_TEXT and text_width(text, size) <= max_width:
        return text
    text = text[:_MAX_TEXT]
    keep = _prefix_that_fits(text, size, max_width, "…")
    if keep == 0:
        return "…" if text_width("…", size) <= max_width else ""
    return text[:keep].rstrip() + "…"


def wrap_text(text: str, size: int, max_width: int, max_lines: int) -> list[str]:
    """Greedy word wrap; over-long words are split, and text past the last line becomes '…'."""
    if max_lines < 1 or max_width < 1:
        return []
    lines: list[str] = []
    current = ""
    stack = text[:_MAX_TEXT].split()[::-1]
    while stack and len(lines) <= max_lines:
        word = stack.pop()
        candidate = f"{current} {word}" if current else word
        if text_width(candidate, size) <= max_width:
            current = candidate
        elif current:
            lines.append(current)
            current = ""
            stack.append(word)
        else:  # one word wider than a line: split it
            cut = max(1, _prefix_that_fits(word, size, max_width))
            lines.append(word[:cut])
            if word[cut:]:
                stack.append(word[cut:])
    if current:
        lines.append(current)
    if len(lines) > max_lines:
        lines = [*lines[: max_lines - 1], fit_text(lines[max_lines - 1] + " …", size, max_width)]
    return lines
