"""faces.csv: one row per exported face with every field, its box three ways, its flags and
its verdict; cells that a spreadsheet would run as a formula are neutralised."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

from viewer import geometry
from viewer.geometry import Placement
from viewer.models import Face, Group
from viewer.review.values import Verdict

CSV_COLUMNS = (
    "index",
    "id",
    "customId",
    "feedId",
    "identityId",
    "groupId",
    "url",
    "image_file",
    "confidence",
    "sharpness",
    "isFrontal",
    "type",
    "width",
    "height",
    "createdAt",
    "xMin",
    "yMin",
    "xMax",
    "yMax",
    "x0",
    "y0",
    "x1",
    "y1",
    "fx0",
    "fy0",
    "fx1",
    "fy1",
    "image_width",
    "image_height",
    "interpretation",
    "problems",
    "flags",
    "verdict",
    "verdict_by",
    "verdict_at",
    "identity_distance",
)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: str) -> str:
    """Text made safe for spreadsheets: a leading ``= + - @``, tab or CR gets an apostrophe."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def _number(value: float | None, digits: int | None = None) -> str:
    if value is None:
        return ""
    if digits is not None:
        value = round(value, digits)
    if float(value).is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(float(value))


def _iso(value: datetime | None, timespec: str = "milliseconds") -> str:
    if value is None:
        return ""
    return value.astimezone(UTC).isoformat(timespec=timespec).replace("+00:00", "Z")


def faces_csv(
    group: Group,
    faces: Sequence[Face],
    placements_by_key: Mapping[str, Placement],
    flags_by_key: Mapping[str, Sequence[str]],
    *,
    image_wh_by_key: Mapping[str, tuple[int, int]] | None = None,
    files_by_key: Mapping[str, str] | None = None,
    verdicts_by_key: Mapping[str, Verdict] | None = None,
    distances_by_key: Mapping[str, float] | None = None,
) -> bytes:
    """UTF-8 CSV, one row per face with every field, in the order of ``faces``.

    ``placements_by_key`` says where each box landed (pixels ``x0..y1``); with the size of the
    space it landed in (``image_wh_by_key``) the box is also given in fractions ``fx0..fy1``.
    ``problems`` joins the face's data problems and the box's repairs; ``flags`` the quality
    flags not already listed under problems. ``verdicts_by_key`` gives each face's current
    verdict (``verdict``, ``verdict_by``, ``verdict_at`` as in review_log.csv); without one
    those cells are empty. ``distances_by_key`` gives each scored face's identity distance
    (empty for a face not scored). Text cells are guarded against formulas.
    """
    sizes = image_wh_by_key or {}
    files = files_by_key or {}
    verdicts = verdicts_by_key or {}
    distances = distances_by_key or {}
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for face in faces:
        placement = placements_by_key.get(face.key)
        wh = sizes.get(face.key)
        xyxy = placement.xyxy if placement else None
        fractions = geometry.as_fractions(xyxy, wh) if xyxy and wh else None
        problems = list(face.problems)
        if placement is not None:
            problems += placement.notes
            if placement.reason and placement.reason not in problems:
                problems.append(placement.reason)
        flags = [f for f in flags_by_key.get(face.key, ()) if f not in problems]
        box = face.box.as_tuple() if face.box else (None,) * 4
        text = [
            face.id,
            face.custom_id,
            face.feed_id,
            face.identity_id,
            face.group_id,
            face.sent_url,  # a URL that was refused (not http or https) as it was sent
            files.get(face.key),
        ]
        row = [
            str(face.index),
            *(csv_cell(t or "") for t in text),
            _number(face.confidence),
            _number(face.sharpness),
            {True: "true", False: "false"}.get(face.is_frontal, ""),  # type: ignore[arg-type]
            csv_cell(face.type or ""),
            _number(face.width),
            _number(face.height),
            _iso(face.created_at),
            *(_number(v) for v in box),
            *(_number(v, 2) for v in (xyxy or (None,) * 4)),
            *(_number(v, 6) for v in (fractions or (None,) * 4)),
            _number(wh[0]) if wh else "",
            _number(wh[1]) if wh else "",
            (placement.interpretation or "") if placement else "",
            csv_cell("; ".join(problems)),
            csv_cell("; ".join(flags)),
            *_verdict_cells(verdicts.get(face.key)),
            _number(distances.get(face.key), 4),
        ]
        writer.writerow(row)
    return buffer.getvalue().encode("utf-8")


def _verdict_cells(verdict: Verdict | None) -> tuple[str, str, str]:
    if verdict is None:
        return ("", "", "")
    return (verdict.verdict, csv_cell(verdict.by), _iso(verdict.at, "microseconds"))
