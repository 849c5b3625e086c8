"""Detail: one face at full size, every field, and the box as read and as drawn."""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping, Sequence
from dataclasses import replace

import streamlit as st

from viewer import geometry
from viewer.compose import PictureFailure, Rendered, ViewOptions
from viewer.identity.distance import TYPICAL_COUNT
from viewer.models import Face
from viewer.review.triage import typical_faces
from viewer.ui import session
from viewer.ui.context import DetailContext
from viewer.ui.gallery import error_tile_jpeg
from viewer.ui.identity import distance_text
from viewer.ui.review import face_panel
from viewer.ui.strips import face_strip
from viewer.ui.text import escape_md, num, pct, when_noted

TYPICAL_TILE = 96
# CSS px the photo is shown at: its column beside the fields on a 1440 px screen. Labels and
# lines are sized for it; the full-size view draws them for the picture's own pixels.
DETAIL_SHOWN = 620
FULL_SIZE = "detail_full"  # the button that shows the photo at its own pixel size
LONG_VALUE = 40  # characters of a value the fields' table shows before it cuts it

INTERPRETATIONS = {
    geometry.FRACTIONS: "all four values lie in [0, 1], so they are fractions of the image",
    geometry.PIXELS: "values above 1 are pixels of the image as reported",
    geometry.PIXELS_SCALED: "values above 1 are pixels in the reported width × height, scaled "
    "to the downloaded image's real size",
}


def _fmt_xyxy(xyxy: Sequence[float] | None, digits: int) -> str:
    if xyxy is None:
        return "–"
    return "(" + ", ".join(f"{v:.{digits}f}" for v in xyxy) + ")"


def _beside_typical(ctx: DetailContext, face: Face) -> None:
    """The face beside the group's most typical faces, each with its identity distance."""
    typicality = ctx.evidence.typicality()
    typical = [
        f
        for f in typical_faces(ctx.group_faces, TYPICAL_COUNT + 1, typicality)
        if f.key != face.key
    ][:TYPICAL_COUNT]
    if not typical:
        return
    ev = ctx.evidence
    words = [escape_md(f"this face · {distance_text(ev, face) or 'not scored yet'}", 80)]
    words += [
        escape_md(f"#{f.index + 1} · {distance_text(ev, f)}".rstrip(" ·"), 80) for f in typical
    ]
    st.caption(
        "This face beside the group's most typical faces (nearest its centre)"
        if typicality
        else "This face beside the group's best faces (most typical once the faces are scored)"
    )
    face_strip(ctx.pipe, [face, *typical], ctx.options, TYPICAL_TILE, captions=words)


def photo_faces(face: Face, shown: Sequence[Face], group: Sequence[Face]) -> list[Face]:
    """The faces drawn on ``face``'s photo: every face of the group in it (those shown when
    the group's faces are not known), ``face`` among them."""
    same = [f for f in (group or shown) if f.url and f.url == face.url and f.key != face.key]
    return [face, *same]


def photo_options(options: ViewOptions, face: Face) -> ViewOptions:
    """How Detail draws the photo: ``face`` apart from the others, sized for its column."""
    return replace(options, focus=frozenset({face.key}), shown_width=DETAIL_SHOWN)


def _natural_size_html(jpeg: bytes) -> str:
    """The picture at its own pixel size in a box that scrolls both ways (our own JPEG only:
    no API text goes into this HTML)."""
    data = base64.b64encode(jpeg).decode("ascii")
    return (
        '<div style="overflow:auto;max-height:75vh;max-width:100%">'
        f'<img alt="the photo at full size" style="max-width:none;display:block" '
        f'src="data:image/jpeg;base64,{data}"></div>'
    )


@st.dialog("Full size", width="large")
def _full_size(ctx: DetailContext, face: Face, siblings: Sequence[Face]) -> None:
    """The photo at its own pixel size, boxes and labels drawn for that size; scroll to pan."""
    options = replace(photo_options(ctx.options, face), shown_width=None)
    with st.spinner("Drawing the full-size image…"):
        (result,) = ctx.pipe.annotated_many([(face.url, list(siblings))], options, None)
    if isinstance(result, PictureFailure):
        st.warning(escape_md(result.reason, 300))
        return
    st.caption(f"{result.size[0]} × {result.size[1]} px, one image pixel per screen pixel")
    st.html(_natural_size_html(result.jpeg))


def long_values(fields: Mapping[str, object]) -> list[tuple[str, str]]:
    """(field, value) of the values too long for the fields' table to show whole."""
    return [(k, str(v)) for k, v in fields.items() if v is not None and len(str(v)) > LONG_VALUE]


def _in_full(fields: Mapping[str, object]) -> None:
    """Every long value whole, wrapped, as plain text (never read as Markdown or HTML)."""
    long = long_values(fields)
    if not long:
        return
    st.caption("In full (the table cuts these):")
    for field, value in long:
        st.caption(escape_md(field, 80))
        st.code(value, language=None, wrap_lines=True)


def detail_view(ctx: DetailContext, faces: Sequence[Face]) -> None:
    """The open face among those shown (the first when it is not among them), with
    previous and next buttons."""
    pipe, options, open_face = ctx.pipe, ctx.options, ctx.open_face
    flags = ctx.flags
    if not faces:
        st.info("No faces pass the filters: loosen them in the sidebar.")
        return
    by_index = {f.index: i for i, f in enumerate(faces)}
    current = ctx.face
    if current is not None and current not in by_index:
        st.info(
            f"Face #{current + 1} is not among the faces shown (check the filters); "
            "showing the first one."
        )
        ctx.keep_face(faces[0].index)
    pos = by_index.get(current, 0) if current is not None else 0
    face = faces[pos]
    nav = st.columns([1, 4, 1])
    nav[0].button(
        "← Previous",
        key=session.PREV,
        disabled=pos == 0,
        width="stretch",
        on_click=open_face,
        args=(faces[pos - 1].index if pos else face.index,),
    )
    nav[1].caption(f"Face {pos + 1} of {len(faces)} shown (#{face.index + 1} in the group)")
    nav[2].button(
        "Next →",
        key=session.NEXT,
        disabled=pos >= len(faces) - 1,
        width="stretch",
        on_click=open_face,
        args=(faces[pos + 1].index if pos < len(faces) - 1 else face.index,),
    )
    siblings = photo_faces(face, faces, ctx.group_faces)
    with st.spinner("Drawing the image…"):
        (result,) = pipe.annotated_many([(face.url, siblings)], photo_options(options, face), None)
    _beside_typical(ctx, face)
    left, right = st.columns([3, 2])
    with left:
        if isinstance(result, PictureFailure):
            st.image(error_tile_jpeg(result.reason), caption=escape_md(result.reason, 300))
        else:
            st.image(result.jpeg, width="stretch", caption=escape_md(face.label, 120))
            if len(siblings) > 1:
                st.caption(
                    "This face has the thick outline in a thin halo; the others are the "
                    f"group's {len(siblings) - 1} other face(s) in this photo."
                )
        buttons = st.columns(2)
        if isinstance(result, Rendered) and buttons[0].button(
            "Full size", key=FULL_SIZE, icon=":material/zoom_in:", width="stretch"
        ):
            _full_size(ctx, face, siblings)
        if face.url:
            buttons[1].link_button("Open the original image", face.url, width="stretch")
    with right:
        face_flags = flags.get(face.key, [])
        if face_flags:
            st.warning("Flagged: " + escape_md("; ".join(face_flags), 600))
        face_panel(ctx.review, face)
        fields = {
            "identity distance": distance_text(ctx.evidence, face) or "not scored yet",
            "id": face.id,
            "customId": face.custom_id,
            "feedId": face.feed_id,
            "identityId": face.identity_id,
            "groupId": face.group_id,
            "confidence": pct(face.confidence),
            "sharpness": num(face.sharpness),
            "pose": face.pose,
            "type": face.type,
            "reported size": f"{face.width:g} × {face.height:g}"
            if face.width and face.height
            else None,
            "created": when_noted(face.created_at, face.created_note),
            "url": face.sent_url,  # as sent, even when refused for not being http(s)
        }
        placement = None
        if isinstance(result, PictureFailure) is False:
            placement = result.placements.get(face.key)  # type: ignore[union-attr]
        if face.box is not None:
            fields["box as sent"] = _fmt_xyxy(face.box.as_tuple(), 5)
        if placement is not None:
            fields["read as"] = INTERPRETATIONS.get(placement.interpretation or "", "–")
            if placement.xyxy:
                stored = result.stored_wh  # type: ignore[union-attr]
                fields["box in pixels"] = _fmt_xyxy(placement.xyxy, 1)
                fields["box in fractions"] = _fmt_xyxy(
                    geometry.as_fractions(placement.xyxy, stored), 4
                )
                fields["image size"] = f"{stored[0]} × {stored[1]}"
            if placement.reason:
                fields["no box drawn"] = placement.reason
            if placement.notes:
                fields["box repairs"] = "; ".join(placement.notes)
        st.dataframe(
            {
                "field": list(fields),
                "value": ["–" if v is None else str(v) for v in fields.values()],
            },
            hide_index=True,
            width="stretch",
            height=38 + 35 * len(fields),
            key=session.DETAIL_FIELDS,
        )
        _in_full(fields)
        with st.expander("This face as received (JSON)"):
            st.code(json.dumps(dict(face.raw), indent=2, default=str)[:20_000], language="json")
