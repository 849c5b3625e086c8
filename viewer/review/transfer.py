"""The review log as CSV or JSON, and import files read and checked row by row.

Export writes every event of a group, oldest first. Import reads the same columns (only
``namespace``, ``group_id``, ``face_id``, ``verdict`` and ``by`` are required), checks every
row before anything is written, and names each bad row by its line in the file.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from viewer.exceptions import InvalidVerdictError, ReviewFileError
from viewer.export_csv import FORMULA_STARTS, csv_cell
from viewer.models import Group
from viewer.review.faces import store_ids
from viewer.review.values import (
    KIND_UNDO,
    ImportRow,
    VerdictEvent,
    check_analyst,
    check_face,
    check_note,
    check_place,
    check_verdict,
)

LOG_COLUMNS = (
    "event_id",
    "action_id",
    "action_kind",
    "namespace",
    "group_id",
    "face_id",
    "image_id",
    "verdict",
    "note",
    "by",
    "at",
    "replaces_event_id",
    "replaced_verdict",
)
REQUIRED = ("namespace", "group_id", "face_id", "verdict", "by")
FORMATS = {".csv": "csv", ".json": "json"}
FORMAT_NAME = "group-viewer review log"
MAX_FILE_BYTES = 64 * 1024 * 1024

Row = dict[str, Any]
Problem = tuple[int, str]  # (line in the file, what is wrong with that row)


def file_format(path: Path) -> str:
    """``csv`` or ``json`` from the file's extension; anything else is refused."""
    found = FORMATS.get(path.suffix.lower())
    if found is None:
        raise ReviewFileError(
            f"{path.name!r} ends neither in .csv nor in .json: name the file for its format."
        )
    return found


def _cells(event: VerdictEvent) -> dict[str, object]:
    return {
        "event_id": event.id,
        "action_id": event.action_id,
        "action_kind": event.action_kind,
        "namespace": event.namespace,
        "group_id": event.group,
        "face_id": event.face_id,
        "image_id": event.image_id,
        "verdict": event.verdict,
        "note": event.note,
        "by": event.by,
        "at": event.at.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z"),
        "replaces_event_id": event.replaces_event_id,
        "replaced_verdict": event.replaced_verdict,
    }


def cells_csv(columns: Sequence[str], rows: Iterable[dict[str, object]]) -> str:
    """Rows of cells as CSV under ``columns``; None is empty, text a spreadsheet would run is
    neutralised."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for cells in rows:
        writer.writerow("" if cells[c] is None else csv_cell(str(cells[c])) for c in columns)
    return out.getvalue()


def review_log_csv(events: Sequence[VerdictEvent]) -> str:
    """The events as CSV (``review_log.csv``); text that a spreadsheet would run is neutralised."""
    return cells_csv(LOG_COLUMNS, (_cells(event) for event in events))


def review_log_json(events: Sequence[VerdictEvent], namespace: str, group: str) -> str:
    """The events as one JSON object, one event per line (so import can name lines)."""
    head = json.dumps({"format": FORMAT_NAME, "version": 1, "namespace": namespace, "group": group})
    lines = [json.dumps(_cells(event), ensure_ascii=False) for event in events]
    body = ",\n".join(lines)
    return f'{head[:-1]}, "events": [\n{body}\n]}}\n' if lines else f'{head[:-1]}, "events": []}}\n'


def _read_text(path: Path) -> str:
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ReviewFileError(
                f"{path.name!r} is {size / 2**20:,.0f} MB; import at most "
                f"{MAX_FILE_BYTES // 2**20} MB at a time (split the file)."
            )
        return path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ReviewFileError(f"{path.name!r} is not UTF-8 text: save it as UTF-8.") from None
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise ReviewFileError(f"{str(path)!r} could not be read ({reason}).") from None


def _csv_rows(text: str) -> Iterator[tuple[int, Row]]:
    previous_limit = csv.field_size_limit()
    csv.field_size_limit(max(previous_limit, len(text) + 1))  # long notes get their own sentence
    try:
        reader = csv.reader(io.StringIO(text, newline=""), strict=True)
        line = 1
        try:
            header = [name.strip() for name in next(reader)]
        except StopIteration:
            raise ReviewFileError("The file is empty: export a review log first.") from None
        missing = [name for name in REQUIRED if name not in header]
        if missing:
            raise ReviewFileError(
                f"The file's first line names no column {', '.join(missing)}: it must be the "
                "header of a review log (export one to see it)."
            )
        while True:
            line = reader.line_num + 1
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as error:
                raise ReviewFileError(
                    f"Line {line} is not valid CSV ({error}): fix the quoting from there on."
                ) from None
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) > len(header):
                yield line, {"": f"{len(cells)} fields where the header has {len(header)}"}
                continue
            yield line, dict(zip(header, cells, strict=False))
    finally:
        csv.field_size_limit(previous_limit)


def _json_items(text: str) -> Iterator[tuple[int, Any]]:
    """The file's events with the line each starts on."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise ReviewFileError(
            f"The file is not valid JSON (line {error.lineno}: {error.msg}): fix it there."
        ) from None
    if isinstance(data, dict):
        if not isinstance(data.get("events"), list):
            raise ReviewFileError("The JSON file has no list of events: export a review log.")
    elif not isinstance(data, list):
        raise ReviewFileError("The JSON file holds neither a review log nor a list of events.")
    decoder = json.JSONDecoder()
    start = text.find("[") if isinstance(data, list) else _events_start(text, decoder)
    at = start + 1
    for _ in range(len(data if isinstance(data, list) else data["events"])):
        at = _skip(text, at, ",")
        item, end = decoder.raw_decode(text, at)
        yield text.count("\n", 0, at) + 1, item
        at = end


def _skip(text: str, at: int, also: str = "") -> int:
    while at < len(text) and (text[at].isspace() or text[at] in also):
        at += 1
    return at


def _events_start(text: str, decoder: json.JSONDecoder) -> int:
    """Where the top-level object's ``events`` array opens."""
    at = _skip(text, text.index("{") + 1)
    while text[at] != "}":
        key, at = decoder.raw_decode(text, at)
        at = _skip(text, at, ":")
        if key == "events":
            return at
        _, at = decoder.raw_decode(text, at)
        at = _skip(text, at, ",")
    raise ReviewFileError("The JSON file has no list of events: export a review log.")


def _text(value: Any) -> str:
    if value is None:
        return ""
    text = value if isinstance(value, str) else json.dumps(value)
    return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA_STARTS) else text


def _at(value: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise InvalidVerdictError(
            f"'at' {value[:40]!r} is not a date and time like 2024-05-01T12:00:00Z."
        ) from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def check_row(line: int, item: Any, now: datetime) -> ImportRow:
    """One file row as an ImportRow; InvalidVerdictError says what is wrong with it."""
    if not isinstance(item, dict):
        raise InvalidVerdictError(f"an event must be an object, not {type(item).__name__}.")
    if "" in item:
        raise InvalidVerdictError(f"{item['']}: quote any text that holds a comma.")
    row = {
        key: _text(value).strip() if key != "note" else _text(value) for key, value in item.items()
    }
    cleared = row.get("action_kind") == KIND_UNDO and not row.get("verdict")
    missing = [
        name for name in REQUIRED if not row.get(name) and not (cleared and name == "verdict")
    ]
    if missing:
        raise InvalidVerdictError(
            f"{', '.join(missing)} {'is' if len(missing) == 1 else 'are'} missing: "
            "fill in every required column."
        )
    namespace, group = check_place(row["namespace"], row["group_id"])
    face_id, image_id = check_face(row["face_id"], row.get("image_id"))
    return ImportRow(
        line=line,
        namespace=namespace,
        group=group,
        face_id=face_id,
        image_id=image_id,
        verdict=None if cleared else check_verdict(row["verdict"]),
        note=check_note(row.get("note") or None),
        by=check_analyst(row["by"]),
        at=_at(row["at"]) if row.get("at") else now,
        action_key=row.get("action_id") or None,
    )


def read_import(path: Path) -> tuple[list[ImportRow], list[Problem]]:
    """Every row of the file checked: (good rows, (line, sentence) per bad row)."""
    kind = file_format(path)
    text = _read_text(path)
    items = _csv_rows(text) if kind == "csv" else _json_items(text)
    now = datetime.now(UTC)
    rows: list[ImportRow] = []
    problems: list[Problem] = []
    for line, item in items:
        try:
            rows.append(check_row(line, item, now))
        except InvalidVerdictError as error:
            problems.append((line, error.message))
    if not rows and not problems:
        raise ReviewFileError("The file holds no events: export a review log first.")
    return rows, problems


def face_problems(rows: Sequence[ImportRow], group: Group) -> list[Problem]:
    """A sentence per row whose face is not in ``group`` as the API returned it.

    Faces are named as the store records them (``faces.store_ids``).
    """
    ids = store_ids(group.faces)
    faces = {ids[face.key]: face.id for face in group.faces}
    problems: list[Problem] = []
    for row in rows:
        if row.face_id not in faces:
            problems.append(
                (
                    row.line,
                    f"face {row.face_id[:60]!r} is not in group {row.group!r} of namespace "
                    f"{row.namespace!r} ({len(faces):,} faces): check the face id.",
                )
            )
        elif row.image_id and faces[row.face_id] and row.image_id != faces[row.face_id]:
            problems.append(
                (
                    row.line,
                    f"face {row.face_id[:60]!r} shows image {faces[row.face_id]!r}, not "
                    f"{row.image_id[:60]!r}: check the image id.",
                )
            )
    return problems


def by_group(rows: Sequence[ImportRow]) -> dict[tuple[str, str], list[ImportRow]]:
    places: dict[tuple[str, str], list[ImportRow]] = {}
    for row in rows:
        places.setdefault((row.namespace, row.group), []).append(row)
    return places
