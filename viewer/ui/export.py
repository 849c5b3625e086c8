"""Export: download the shown faces as a ZIP (images, CSV, JSON, README) or a contact sheet."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import streamlit as st

from viewer.compose import ViewOptions
from viewer.config import Settings
from viewer.export import SHEET_MAX_FACES, build_zip, contact_sheet_bytes, safe_name
from viewer.models import Face, Group
from viewer.pipeline import Pipeline, group_by_image
from viewer.review.faces import ReviewSnapshot
from viewer.select import Filters
from viewer.ui import session

MAX_ZIP_IMAGES = 600  # full-size JPEGs of about 100-500 kB each, held in memory until sent


def export_file_names(group: Group) -> dict[str, str]:
    """Download names from the group id, made safe: ``zip``, ``png`` and ``jpeg``."""
    stem = f"group-{safe_name(group.id)}"
    return {"zip": f"{stem}.zip", "png": f"{stem}-faces.png", "jpeg": f"{stem}-faces.jpg"}


def export_caption(group: Group, faces: Sequence[Face], options: ViewOptions) -> str:
    """What the downloads hold, in a sentence or two (numbers only, no API text)."""
    images = len(group_by_image(faces))
    shown = f"{len(faces):,} of {len(group.faces):,} faces"
    text = (
        f"The ZIP holds the {shown} that pass the filters: {images:,} annotated images at "
        "full size, faces.csv (one row per face, boxes in pixels and fractions, verdicts), "
        "review_log.csv (every verdict on the group, with who and when), apply_log.csv "
        "(every batch of identity edits sent to the API, with its answer), group.json "
        "(the group as the API sent it) and README.txt (which lists any image that failed). "
        f"The contact sheet shows the first {min(len(faces), SHEET_MAX_FACES):,} face crops. "
        "Files are made when you click."
    )
    if options.blur:
        text += " Every picture is blurred whole, as on the page: no one in it can be recognised."
    return text


def export_panel(
    pipe: Pipeline,
    group: Group,
    faces: Sequence[Face],
    options: ViewOptions,
    settings: Settings,
    *,
    namespace: str | None = None,
    filters: Filters | None = None,
    flags: Mapping[str, Sequence[str]] | None = None,
    review: Callable[[], ReviewSnapshot] | None = None,
    distances: Mapping[str, float] | None = None,
) -> None:
    """Download buttons whose files are built only when clicked; the page does not rerun.

    ``flags`` are the run's quality flags (``select.flag_faces``), written into faces.csv;
    ``review`` reads the verdicts when the ZIP is built (faces.csv, review_log.csv and
    apply_log.csv).
    """
    faces = list(faces)
    names = export_file_names(group)

    def zip_bytes() -> bytes:
        data, _failures = build_zip(
            group,
            faces,
            pipeline=pipe,
            options=options,
            settings=settings,
            namespace=namespace,
            filters=filters,
            flags=flags,
            review=review() if review else None,
            distances=distances,
        )
        return data

    def sheet(fmt: str) -> Callable[[], bytes]:
        return lambda: contact_sheet_bytes(group, faces, pipeline=pipe, options=options, fmt=fmt)

    st.caption(export_caption(group, faces, options))
    disabled = not faces
    images = len(group_by_image(faces))
    zip_disabled = disabled or images > MAX_ZIP_IMAGES
    if images > MAX_ZIP_IMAGES:
        st.caption(
            f"The ZIP is built in memory, so it holds at most {MAX_ZIP_IMAGES:,} images; these "
            f"faces span {images:,}. Narrow the filters, or write them all with "
            "`python -m viewer render NAMESPACE GROUP_ID --out DIR`."
        )
    cols = st.columns(3)
    with cols[0]:
        st.download_button(
            "Download ZIP",
            data=zip_bytes,
            file_name=names["zip"],
            mime="application/zip",
            key=session.DOWNLOAD_ZIP,
            on_click="ignore",
            disabled=zip_disabled,
            icon=":material/folder_zip:",
        )
    for col, (fmt, label, mime) in zip(
        cols[1:],
        (
            ("png", "Contact sheet (PNG)", "image/png"),
            ("jpeg", "Contact sheet (JPEG)", "image/jpeg"),
        ),
        strict=True,
    ):
        col.download_button(
            label,
            data=sheet(fmt),
            file_name=names[fmt],
            mime=mime,
            key=session.DOWNLOAD_SHEET[fmt],
            on_click="ignore",
            disabled=disabled,
        )
    if disabled:
        st.caption("No faces pass the filters, so there is nothing to export.")
