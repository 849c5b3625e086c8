"""Take a group away: annotated images, a CSV of faces, the raw JSON and a README, as a ZIP or
a directory; and a contact sheet of face crops.

No secret goes into an export: the API is named by its host only, and the group is written as
the API sent it.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from viewer.compose import Rendered, ViewOptions, face_sheet, sheet_title
from viewer.config import Settings
from viewer.draw.encode import to_jpeg, to_png
from viewer.export_csv import faces_csv
from viewer.geometry import Placement
from viewer.models import Face, Group, url_problem
from viewer.numbers import decimal, percent
from viewer.pipeline import Pipeline, group_by_image
from viewer.review.apply_cli import apply_log_csv
from viewer.review.faces import ReviewSnapshot
from viewer.review.transfer import review_log_csv
from viewer.select import Filters, Thresholds, flag_faces

SHEET_MAX_FACES = 200  # 25 rows of 8 at 1920 px: far below JPEG's 65,535-row limit
SHEET_TILE = 240
IMAGE_BATCH = 32  # images fetched and drawn at a time, so memory stays bounded
NAME_LIMIT = 60

ProgressFn = Callable[[int, int], None]

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True)
class ImageFailure:
    """One image of an export that could not be drawn; ``reason`` is one sentence."""

    file: str  # the name it would have had under images/
    url: str | None
    reason: str
    faces: tuple[str, ...] = ()  # labels of the faces on it


# ---------------------------------------------------------------------------------------------
# Names and text


def safe_name(text: str | None, fallback: str = "group", limit: int = NAME_LIMIT) -> str:
    """A file name part made only of ``[A-Za-z0-9._-]``, at most ``limit`` long, never a path.

    Runs of other characters become ``_``; runs of dots become one; leading and trailing
    ``._-`` go, so the result never starts with a dot or a dash. Empty gives ``fallback``.
    """
    cleaned = re.sub(r"\.{2,}", ".", _UNSAFE.sub("_", text or ""))
    cleaned = cleaned.strip("._-")[:limit].strip("._-")
    return cleaned or fallback


def image_file_names(items: Sequence[tuple[str | None, Sequence[Face]]]) -> list[str]:
    """``NNNN_<safe name>.jpg`` per image, numbered from 1, named after its first face."""
    digits = max(4, len(str(len(items))))
    return [
        f"{i:0{digits}d}_{safe_name(faces[0].custom_id or faces[0].id, 'image')}.jpg"
        for i, (_, faces) in enumerate(items, start=1)
    ]


def one_line(value: object, limit: int = 300) -> str:
    """API text for a plain-text file or a terminal: control characters become spaces."""
    text = "" if value is None else str(value)
    text = "".join(ch if ch.isprintable() else " " for ch in text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


BLURRED = "every person in every picture (each image blurred whole)"


def describe_filters(filters: Filters | None) -> str:
    """The filters in words, ``"none"`` when every face passes."""
    if filters is None or filters.is_default:
        return "none"
    parts: list[str] = []
    if filters.min_confidence > 0:
        parts.append(f"confidence at least {percent(filters.min_confidence)}")
    if filters.max_confidence < 1:
        parts.append(f"confidence at most {percent(filters.max_confidence)}")
    if filters.min_sharpness > 0:
        parts.append(f"sharpness at least {decimal(filters.min_sharpness)}")
    if filters.max_sharpness < 1:
        parts.append(f"sharpness at most {decimal(filters.max_sharpness)}")
    if filters.pose != "all":
        parts.append(f"{filters.pose} faces only")
    if filters.feeds:
        parts.append("feeds " + ", ".join(one_line(f, 80) for f in filters.feeds))
    if filters.only_problems:
        parts.append("only faces with problems")
    return "; ".join(parts)


# ---------------------------------------------------------------------------------------------
# The export's files


@dataclass(frozen=True)
class _Context:
    group: Group
    faces: Sequence[Face]
    pipeline: Pipeline
    options: ViewOptions
    settings: Settings
    api_host: str
    namespace: str | None
    filters: Filters | None
    flags: Mapping[str, Sequence[str]]  # each flagged face's reasons, by face key
    on_progress: ProgressFn | None
    review: ReviewSnapshot | None  # None: an export without verdicts or review_log.csv
    distances: Mapping[str, float] | None  # identity distance of each scored face, by key


def _members(ctx: _Context, failures: list[ImageFailure]) -> Iterator[tuple[str, bytes]]:
    """(name, bytes) of every file of the export, images first; failures are appended."""
    items = group_by_image(ctx.faces)
    names = image_file_names(items)
    placements: dict[str, Placement] = {}
    sizes: dict[str, tuple[int, int]] = {}
    files: dict[str, str] = {}
    written: list[tuple[str, str | None]] = []
    total = len(items)
    progress = ctx.on_progress
    if progress:
        progress(0, total)
    for start in range(0, total, IMAGE_BATCH):
        chunk = items[start : start + IMAGE_BATCH]

        def within(done: int, _total: int, start: int = start) -> None:
            if progress:
                progress(start + done, total)

        results = ctx.pipeline.annotated_many(chunk, ctx.options, None, within, cache=False)
        for (url, faces), name, result in zip(
            chunk, names[start : start + IMAGE_BATCH], results, strict=True
        ):
            if isinstance(result, Rendered):
                # boxes were placed on the stored pixels, or on the upright image if so asked
                space = result.stored_wh if ctx.options.boxes_on == "stored" else result.size
                for face in faces:
                    placements[face.key] = result.placements[face.key]
                    sizes[face.key] = space
                    files[face.key] = f"images/{name}"
                written.append((name, url))
                yield f"images/{name}", result.jpeg
            else:
                reason = result.reason
                sent = url or faces[0].sent_url  # a refused URL is named as it was sent
                failures.append(ImageFailure(name, sent, reason, tuple(f.label for f in faces)))
                # a face without a usable URL already lists why among its problems
                note = f"image not drawn: {reason}" if url else url_problem(faces[0])
                for face in faces:
                    placements[face.key] = Placement(None, reason=note)
        if progress:
            progress(start + len(chunk), total)
    review = ctx.review
    yield (
        "faces.csv",
        faces_csv(
            ctx.group,
            ctx.faces,
            placements,
            ctx.flags,
            image_wh_by_key=sizes,
            files_by_key=files,
            verdicts_by_key=review.verdicts if review else None,
            distances_by_key=ctx.distances,
        ),
    )
    if review is not None and review.unavailable is None:
        yield "review_log.csv", review_log_csv(review.log).encode("utf-8")
        yield "apply_log.csv", apply_log_csv(review.apply_log).encode("utf-8")
    yield "group.json", ctx.group.raw_json()
    yield "README.txt", _readme(ctx, written, failures).encode("utf-8")


def _review_lines(review: ReviewSnapshot, faces: Sequence[Face]) -> list[str]:
    """README lines on the verdicts: what review_log.csv holds, or why there are none."""
    if review.unavailable is not None:
        return [f"  (no verdicts: {one_line(review.unavailable)})"]
    reviewed = sum(1 for f in faces if f.key in review.verdicts)
    return [
        "  review_log.csv  every verdict event of the group, oldest first: who, when, the",
        f"              verdict, the note and what it replaced ({len(review.log):,} events;",
        f"              {reviewed:,} of the {len(faces):,} exported faces have a verdict)",
        "  apply_log.csv  every batch of identity edits sent to the API, oldest first: who,",
        "              when, the operation, the identity, the image ids, its state and the",
        f"              API's answer ({len(review.apply_log):,} batches)",
    ]


def _time_note(group: Group, faces: Sequence[Face]) -> str | None:
    """README words on times sent in seconds rather than milliseconds, None when all were."""
    odd = sum(1 for f in faces if f.created_note)
    parts = [f"createdAt of {odd:,} of the {len(faces):,} exported faces"] if odd else []
    parts += [f"the group's {name}" for name in group.time_notes]
    if not parts:
        return None
    return (
        f"{' and '.join(parts)} looked like seconds, not milliseconds; they are read as seconds "
        "(faces.csv lists it among the problems)"
    )


def _readme(
    ctx: _Context, written: Sequence[tuple[str, str | None]], failures: Sequence[ImageFailure]
) -> str:
    group, options = ctx.group, ctx.options
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    images = len(written) + len(failures)
    lines = [
        "Group Viewer export",
        "",
        f"Group:        {one_line(group.id or '(no id)')}",
        f"Namespace:    {one_line(ctx.namespace or group.namespace or '(unknown)')}",
        f"API host:     {one_line(ctx.api_host)}" + (" (demo API)" if ctx.settings.demo else ""),
        f"Exported:     {now}",
        f"Faces:        {len(ctx.faces):,} of {len(group.faces):,} in the group",
        f"Filters:      {describe_filters(ctx.filters)}",
        f"Images:       {images:,} ({len(written):,} drawn, {len(failures):,} failed)",
        f"Box colours:  by {'pose' if options.color_mode == 'frontal' else options.color_mode}",
        f"Blurred:      {BLURRED if options.blur else 'no one'}",
        "",
        "Files",
        "  images/     each image at full size with every exported face's box and label",
        "  faces.csv   one row per exported face: every field, the box as sent (xMin..yMax),",
        "              in pixels (x0..y1) and in fractions of the image (fx0..fy1), how the",
        "              box was read, problems and quality flags; each face's verdict",
        "              (verdict, verdict_by, verdict_at) when verdicts were exported",
        "  group.json  the group exactly as the API sent it, every face included",
        "  README.txt  this file",
    ]
    if times := _time_note(group, ctx.faces):
        blank = lines.index("Files") - 1  # the facts end with a blank line before the files
        lines[blank:blank] = [f"Times:        {times}"]
    if not group.faces:
        after = next(i for i, line in enumerate(lines) if line.startswith("Faces:")) + 1
        lines[after:after] = [
            "              (the group is empty: the API sent it without any images)"
        ]
    if ctx.review is not None:
        lines[-2:-2] = _review_lines(ctx.review, ctx.faces)
    if options.boxes_on == "stored":
        lines += [
            "",
            "Pixel boxes refer to each image's stored pixels; the images are saved upright, so",
            "for a photo with an EXIF rotation the picture is turned relative to those pixels.",
        ]
    if written:
        lines += ["", "Images"]
        lines += [f"  {name}  {one_line(url)}" for name, url in written]
    if failures:
        lines += ["", "Images that could not be drawn"]
        for failure in failures:
            where = one_line(failure.url or "(no URL)")
            lines.append(f"  {failure.file}  {where}: {one_line(failure.reason)}")
    return "\n".join(lines) + "\n"


def _context(
    group: Group,
    faces: Sequence[Face],
    pipeline: Pipeline,
    options: ViewOptions,
    settings: Settings,
    api_host: str | None,
    namespace: str | None,
    filters: Filters | None,
    thresholds: Thresholds | None,
    flags: Mapping[str, Sequence[str]] | None,
    on_progress: ProgressFn | None,
    review: ReviewSnapshot | None,
    distances: Mapping[str, float] | None,
) -> _Context:
    """What ``build_zip`` and ``write_dir`` write from; ``flags`` default to ``thresholds``'."""
    return _Context(
        group=group,
        faces=list(faces),
        pipeline=pipeline,
        options=options,
        settings=settings,
        api_host=api_host or settings.api_host,
        namespace=namespace,
        filters=filters,
        flags=flag_faces(faces, thresholds or Thresholds()) if flags is None else flags,
        on_progress=on_progress,
        review=review,
        distances=distances,
    )


def build_zip(
    group: Group,
    faces: Sequence[Face],
    *,
    pipeline: Pipeline,
    options: ViewOptions,
    settings: Settings,
    api_host: str | None = None,
    namespace: str | None = None,
    filters: Filters | None = None,
    thresholds: Thresholds | None = None,
    flags: Mapping[str, Sequence[str]] | None = None,
    on_progress: ProgressFn | None = None,
    review: ReviewSnapshot | None = None,
    distances: Mapping[str, float] | None = None,
) -> tuple[bytes, list[ImageFailure]]:
    """ZIP bytes holding ``images/``, ``faces.csv``, ``group.json`` and ``README.txt``.

    Images are drawn at full size with ``options`` (blur included); ``flags`` (``flag_faces``)
    default to the flags under ``thresholds``. ``on_progress(done, total)`` counts images.
    With ``review``, faces.csv carries each face's verdict and ``review_log.csv`` the group's
    whole history (left out, and the README says why, when the store could not be read).
    Images that fail are left out, listed in README.txt and returned.
    """
    ctx = _context(
        group,
        faces,
        pipeline,
        options,
        settings,
        api_host,
        namespace,
        filters,
        thresholds,
        flags,
        on_progress,
        review,
        distances,
    )
    failures: list[ImageFailure] = []
    buffer = io.BytesIO()
    stamp = datetime.now(UTC).timetuple()[:6]
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in _members(ctx, failures):
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.external_attr = 0o644 << 16
            # JPEGs are compressed already; text shrinks well
            info.compress_type = (
                zipfile.ZIP_STORED if name.endswith(".jpg") else zipfile.ZIP_DEFLATED
            )
            archive.writestr(info, data)
    return buffer.getvalue(), failures


def write_dir(
    out_dir: str | Path,
    group: Group,
    faces: Sequence[Face],
    *,
    pipeline: Pipeline,
    options: ViewOptions,
    settings: Settings,
    api_host: str | None = None,
    namespace: str | None = None,
    filters: Filters | None = None,
    thresholds: Thresholds | None = None,
    flags: Mapping[str, Sequence[str]] | None = None,
    on_progress: ProgressFn | None = None,
    review: ReviewSnapshot | None = None,
    distances: Mapping[str, float] | None = None,
) -> list[ImageFailure]:
    """Write the files of ``build_zip`` into ``out_dir`` (made if missing); returns failures.

    Files of the same name are overwritten; other files in the directory are left alone.
    """
    ctx = _context(
        group,
        faces,
        pipeline,
        options,
        settings,
        api_host,
        namespace,
        filters,
        thresholds,
        flags,
        on_progress,
        review,
        distances,
    )
    root = Path(out_dir)
    (root / "images").mkdir(parents=True, exist_ok=True)
    failures: list[ImageFailure] = []
    for name, data in _members(ctx, failures):
        (root / name).write_bytes(data)
    return failures


# ---------------------------------------------------------------------------------------------
# Contact sheet


def contact_sheet_bytes(
    group: Group,
    faces: Sequence[Face],
    *,
    pipeline: Pipeline,
    options: ViewOptions,
    fmt: str = "png",
    width: int = 1920,
    limit: int = SHEET_MAX_FACES,
    on_progress: ProgressFn | None = None,
) -> bytes:
    """A sheet of labelled face crops, ``width`` px wide, as PNG or JPEG bytes.

    At most ``limit`` faces (the first ones) are shown, so the sheet stays within JPEG's
    height limit; the title says so. A face that cannot be cropped shows as an error tile.
    """
    if fmt not in ("png", "jpeg", "jpg"):
        raise ValueError(f"contact sheet format must be png or jpeg, not {fmt!r}")
    shown = list(faces[:limit])
    crops = pipeline.crops(shown, options, SHEET_TILE, on_progress)
    sheet = face_sheet(shown, crops, SHEET_TILE, width, sheet_title(group, faces, limit))
    return to_png(sheet) if fmt == "png" else to_jpeg(sheet, 90)
