"""Gallery: the annotated full images of the current page, in a grid."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import TypeVar

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from viewer.compose import PictureFailure, Result, ViewOptions, face_label
from viewer.draw.encode import to_jpeg
from viewer.draw.tiles import error_tile, waiting_tile
from viewer.models import Face
from viewer.numbers import counted
from viewer.pipeline import Pipeline, group_by_image
from viewer.review.triage import VERDICT_SYMBOLS
from viewer.select import page_count, page_of
from viewer.ui import session
from viewer.ui.context import PagedContext, ViewContext
from viewer.ui.grid import TILE_IMAGE, tile, tile_row
from viewer.ui.text import SECONDS_MARK, escape_md, when_noted

PAGE_WAIT_S = 5.0  # a page waits this long for its pictures, then settles; the rest fill in
POLL_S = 1.0  # how often a settled page looks whether its last pictures have arrived
THUMB_WIDTH = 480
THUMB_HEIGHT = 270  # every picture is fitted into a 16:9 tile (camera frames) so rows line up
TILE_SHOWN = 310  # pixels of a tile on the page: three to a row beside the sidebar at 1440 px

OPEN_IN_IMAGE = "open_gf"  # the buttons that open each face of an image with several

T = TypeVar("T")


def progress_bar(label: str) -> tuple[Callable[[int, int], None], Callable[[], None]]:
    """A progress bar that appears only while something is left to do."""
    holder = st.empty()

    def update(done: int, total: int) -> None:
        if total and done < total:
            holder.progress(done / total, text=f"{label}: {done} of {total}")
        else:
            holder.empty()

    return update, holder.empty


@st.cache_data(show_spinner=False, max_entries=16)
def error_tile_jpeg(message: str, width: int = THUMB_WIDTH) -> bytes:
    return to_jpeg(error_tile((width, width * THUMB_HEIGHT // THUMB_WIDTH), message))


@st.cache_data(show_spinner=False, max_entries=4)
def waiting_tile_jpeg(width: int = THUMB_WIDTH, height: int = THUMB_HEIGHT) -> bytes:
    """A plain tile that holds a picture's place until it arrives."""
    return to_jpeg(waiting_tile((width, height)))


def caption(face: Face) -> str:
    parts = [face.custom_id or face.id or f"face {face.index + 1}", face.feed_id]
    if face.created_at:
        parts.append(when_noted(face.created_at, SECONDS_MARK if face.created_note else None))
    return escape_md(" · ".join(p for p in parts if p), 160)


def await_pictures(pipe: Pipeline, urls: Sequence[str | None]) -> None:
    """Say how many pictures are still on their way, and rerun the page once each has
    arrived (or failed: a download gives up after ``II_IMAGE_DEADLINE_S``). Until then the
    page is settled and answers clicks."""
    waiting = tuple(dict.fromkeys(u for u in urls if u))
    if not waiting:
        return
    st.caption(
        f"{counted(len(waiting), 'picture')} still loading: "
        f"{'it appears' if len(waiting) == 1 else 'they appear'} as soon as "
        f"{'it arrives' if len(waiting) == 1 else 'they arrive'}; the page can be used meanwhile."
    )
    _poll(pipe, waiting)


@st.fragment(run_every=POLL_S)
def _poll(pipe: Pipeline, urls: tuple[str, ...]) -> None:
    if all(pipe.fetcher.cached(url) is not None for url in urls):
        st.rerun()


def show_result(slot: DeltaGenerator, result: Result, text: str, width: int) -> None:
    if isinstance(result, PictureFailure):
        slot.image(error_tile_jpeg(result.reason, width), caption=text, width="stretch")
    else:
        slot.image(result.jpeg, caption=text, width="stretch")


def tile_options(
    options: ViewOptions, items: Sequence[tuple[str | None, Sequence[Face]]]
) -> ViewOptions:
    """How the tiles of ``items`` are drawn: labels and lines sized for a tile as shown on
    the page, and in each picture the face its tile is about (its first, in the sort's order)
    drawn apart from the others."""
    about = frozenset(faces[0].key for _, faces in items if faces)
    return replace(options, shown_width=TILE_SHOWN, focus=about)


def paginate(ctx: PagedContext, items: Sequence[T]) -> tuple[list[T], list[T], int]:
    """The items of the page to show, those of the next page (none on the last) and the page
    number; draws the page buttons, and a notice when no face passes the filters."""
    count = page_count(len(items), ctx.per_page)
    page = ctx.pager.page(count)
    if count > 1:
        page = st.pagination(count, key=ctx.pager.key, default=page)
    shown, _, _ = page_of(items, page, ctx.per_page)
    if not shown:
        st.info("No faces pass the filters: loosen them in the sidebar.")
    ahead = page_of(items, page + 1, ctx.per_page)[0] if page < count else []
    return shown, ahead, page


def gallery_view(ctx: PagedContext, faces: Sequence[Face]) -> int:
    """A page of the faces' images, each with all of them drawn on it; the next page is drawn
    ahead in the background. Returns the page shown."""
    items, ahead, page = paginate(ctx, group_by_image(faces))
    draw_gallery(ctx, items)
    ctx.pipe.draw_ahead(ahead, tile_options(ctx.options, ahead), THUMB_WIDTH, THUMB_HEIGHT)
    return page


def open_control(ctx: ViewContext, image_faces: Sequence[Face]) -> None:
    """What a click on an image opens: its face, or with several faces a list of them, each
    named by the label drawn on its box."""
    first = image_faces[0]
    key = session.keyed(session.OPEN_IMAGE, first.index)
    if len(image_faces) == 1:
        st.button(
            f"Open face {first.index + 1}",
            key=key,
            on_click=ctx.open_face,
            args=(first.index,),
            width="stretch",
        )
        return
    with st.popover(f"Open one of {len(image_faces)} faces", key=key, width="stretch"):
        for face in image_faces:
            st.button(
                escape_md(face_label(face), 120),
                key=session.keyed(OPEN_IN_IMAGE, face.index),
                on_click=ctx.open_face,
                args=(face.index,),
                width="stretch",
            )


def draw_gallery(ctx: ViewContext, items: Sequence[tuple[str | None, Sequence[Face]]]) -> None:
    """Images, each with its faces drawn on it, in a grid.

    Tiles are laid out at once and each picture replaces its placeholder as soon as it is
    drawn, so a slow host delays only its own tiles.
    """
    update, done = progress_bar("Downloading images")
    slots: list[tuple[DeltaGenerator, str]] = []
    with tile_row():
        for _url, image_faces in items:
            first = image_faces[0]
            more = len(image_faces) - 1
            extra = f" (+{more} face{'s' if more > 1 else ''})" if more else ""
            if any(f.key in ctx.options.flagged for f in image_faces):
                extra += " · ⚠ flagged"
            marks = [ctx.review.verdicts.get(f.key) for f in image_faces]
            if symbols := " ".join(VERDICT_SYMBOLS[v.verdict] for v in marks if v):
                extra += f" · {symbols}"
            with tile(TILE_IMAGE, first.index, TILE_SHOWN):
                slot = st.empty()
                slot.image(waiting_tile_jpeg(), width="stretch")
                slots.append((slot, caption(first) + extra))
                open_control(ctx, image_faces)
    until = time.monotonic() + PAGE_WAIT_S
    options = tile_options(ctx.options, items)
    stream = ctx.pipe.annotated_stream(items, options, THUMB_WIDTH, THUMB_HEIGHT, until=until)
    shown: set[int] = set()
    for finished, (i, result) in enumerate(stream, start=1):
        slot, text = slots[i]
        show_result(slot, result, text, THUMB_WIDTH)
        shown.add(i)
        update(finished, len(items))
    done()
    late = [i for i in range(len(items)) if i not in shown]
    for i in late:
        slot, text = slots[i]
        slot.image(waiting_tile_jpeg(), caption=f"{text} · still loading", width="stretch")
    await_pictures(ctx.pipe, [items[i][0] for i in late])
