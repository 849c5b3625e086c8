"""Value types for a group and its faces, and lenient parsing from the API's JSON."""

from __future__ import annotations

import gc
import json
import math
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Annotated, Any

import msgspec

from viewer.exceptions import InvalidGroupError

LINK_WORDS = {"ML": "machine learning", "MANUAL": "manual", "HITL": "human in the loop"}

_GROUP_FIELDS = {
    "id",
    "identityId",
    "batchId",
    "namespace",
    "linkModifiedBy",
    "linkLastModifiedAt",
    "createdAt",
    "images",
}


@dataclass(frozen=True, slots=True)
class RawBox:
    """A bounding box exactly as the API sent it: fractions or pixels, possibly inverted."""

    x_min: float
    y_min: float
    x_max: float
    y_max: float

    def as_tuple(self) -> tuple[float, float, float, float]:
        return (self.x_min, self.y_min, self.x_max, self.y_max)


POSE_WORDS = {True: "frontal", False: "profile", None: "pose unknown"}
NO_URL = "no image URL"
ONLY_HTTP = "only http and https images are downloaded"
URL_SHOWN = 80  # characters of a refused URL that messages show
# A time from this many units on is a date after 1970 in seconds, and one in 1970 in
# milliseconds: no recognition ran in 1970, so such a number was sent in seconds.
SECONDS_FROM = 365 * 24 * 3600


def shortened(text: str, limit: int = URL_SHOWN) -> str:
    """API text for a message: control characters become spaces, long text is cut with "…"."""
    text = "".join(ch if ch.isprintable() else " " for ch in text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def refused_url_problem(url: str) -> str:
    """The problem a face gets when its URL is not http(s): the URL, shortened, and why."""
    return f"image URL '{shortened(url)}' is not http or https ({ONLY_HTTP})"


@dataclass(frozen=True, slots=True)  # slots: no __dict__ per face, a group may hold millions
class Face:
    """One face of a group. Fields the API left out are None; ``problems`` says what was odd."""

    index: int
    id: str | None = None
    custom_id: str | None = None
    feed_id: str | None = None
    identity_id: str | None = None
    group_id: str | None = None
    url: str | None = None
    box: RawBox | None = None
    confidence: float | None = None
    sharpness: float | None = None
    is_frontal: bool | None = None
    type: str | None = None
    width: float | None = None
    height: float | None = None
    created_at: datetime | None = None
    problems: tuple[str, ...] = ()
    # the image object as sent: a mapping, or its JSON text (parsed only when ``raw`` is read)
    source: Mapping[str, Any] | msgspec.Raw | None = field(default=None, compare=False, repr=False)

    @property
    def raw(self) -> Mapping[str, Any]:
        """The image object exactly as the API sent it (parsed on each read from its text)."""
        return _mapping(self.source)

    @property
    def key(self) -> str:
        """A stable identifier within the group, unique even when ids repeat or are missing."""
        return f"{self.index}:{self.id or ''}"

    @property
    def label(self) -> str:
        return self.custom_id or self.id or f"face {self.index + 1}"

    @property
    def reported_wh(self) -> tuple[float | None, float | None]:
        return (self.width, self.height)

    @property
    def sent_url(self) -> str | None:
        """The url as the API sent it, as text: ``url``, or the one refused for not being
        http(s), which is never downloaded but is shown and exported as it was."""
        if self.url is not None:
            return self.url
        value = self.raw.get("url") if isinstance(self.raw, Mapping) else None
        if isinstance(value, str):
            return value
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return str(value)
        return None

    @property
    def missing_image(self) -> str:
        """Why this face has no image to download, in one sentence (for a face without ``url``)."""
        if self.sent_url is None:
            return "This face has no image URL."
        return f"The image URL '{shortened(self.sent_url)}' is refused: {ONLY_HTTP}."

    @property
    def created_note(self) -> str | None:
        """The note when ``createdAt`` was sent in seconds (and is read as seconds), else None."""
        note = seconds_note("createdAt")
        return note if note in self.problems else None

    @property
    def pose(self) -> str:
        """The pose in words, the same in every view: see ``POSE_WORDS``."""
        return POSE_WORDS[self.is_frontal]


def url_problem(face: Face) -> str:
    """The problem that keeps a face without ``url`` from being drawn: no URL, or a refused one."""
    sent = face.sent_url
    return NO_URL if sent is None else refused_url_problem(sent)


@dataclass(frozen=True)
class Group:
    id: str | None = None
    identity_id: str | None = None
    batch_id: str | None = None
    namespace: str | None = None
    link_modified_by: str | None = None
    link_last_modified_at: datetime | None = None
    created_at: datetime | None = None
    faces: tuple[Face, ...] = ()
    problems: tuple[str, ...] = ()
    extra: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)
    # the group as sent: a mapping, or the response body (parsed only when ``raw`` is read)
    source: Mapping[str, Any] | bytes | None = field(default=None, compare=False, repr=False)
    # the top-level members, "images" empty, for ``raw_preview`` (when ``source`` is a body)
    head: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def raw(self) -> Mapping[str, Any]:
        """The whole group as the API sent it. For a large group this parses the whole body:
        views use ``raw_preview`` and exports ``raw_json`` instead."""
        return _mapping(self.source)

    def raw_preview(self, faces: int) -> dict[str, Any]:
        """The group as sent with only its first ``faces`` image objects, parsed."""
        if not isinstance(self.source, bytes):
            raw = dict(_mapping(self.source))
            if isinstance(raw.get("images"), list):
                raw["images"] = raw["images"][:faces]
            return raw
        preview = dict(self.head)
        if isinstance(preview.get("images"), list):
            preview["images"] = [dict(face.raw) for face in self.faces[:faces]]
        return preview

    def raw_json(self) -> bytes:
        """The group's JSON: the response body exactly as sent, when it was read from one."""
        if isinstance(self.source, bytes):
            return self.source
        return json.dumps(_mapping(self.source)).encode("utf-8")

    @property
    def link_words(self) -> str | None:
        """``linkModifiedBy`` in words: machine learning, manual, human in the loop."""
        if self.link_modified_by is None:
            return None
        return LINK_WORDS.get(self.link_modified_by, self.link_modified_by)

    @property
    def time_notes(self) -> dict[str, str]:
        """Notes on the group's own times sent in seconds, by field name."""
        names = ("createdAt", "linkLastModifiedAt")
        return {n: seconds_note(n) for n in names if seconds_note(n) in self.problems}

    @property
    def image_urls(self) -> list[str]:
        """Distinct image URLs in the order they first appear."""
        return list(dict.fromkeys(f.url for f in self.faces if f.url))


def answered_another(group: Group, namespace: str, group_id: str) -> str | None:
    """One sentence (plain text) when the API answered another group or namespace than the
    one asked for, else None; a group that leaves its id or namespace out is not doubted."""
    other_id = group.id is not None and group.id != group_id
    other_ns = group.namespace is not None and group.namespace != namespace
    if not (other_id or other_ns):
        return None

    def named(gid: str, ns: str) -> str:
        where = f" in namespace '{shortened(ns)}'" if other_ns else ""
        return f"group '{shortened(gid)}'{where}"

    answered = named(group.id or group_id, group.namespace or namespace)
    return (
        f"The API answered {answered} when {named(group_id, namespace)} was asked for; "
        "shown is what it answered."
    )


def _text(value: Any, name: str, problems: list[str]) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        problems.append(f"{name} was a number, read as text")
        return str(value)
    problems.append(f"{name} had an unusable type ({type(value).__name__})")
    return None


def _number(value: Any, name: str, problems: list[str]) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool):
        problems.append(f"{name} was a boolean, not a number")
        return None
    if isinstance(value, (int, float)):
        try:
            number = float(value)
        except OverflowError:
            problems.append(f"{name} is too large to be a number")
            return None
    elif isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            problems.append(f"{name} is not a number ({value[:40]!r})")
            return None
    else:
        problems.append(f"{name} had an unusable type ({type(value).__name__})")
        return None
    if not math.isfinite(number):
        problems.append(f"{name} is not finite ({number})")
        return None
    return number


def _bool(value: Any, name: str, problems: list[str]) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    problems.append(f"{name} is not true or false ({str(value)[:40]!r})")
    return None


def seconds_note(name: str) -> str:
    """The problem of a time that was plainly sent in seconds, and is read as seconds."""
    return f"{name} looks like seconds, not milliseconds; shown as seconds"


def _millis(value: Any, name: str, problems: list[str]) -> datetime | None:
    """A time in milliseconds since the epoch; one that would fall in 1970 but is a later
    time in seconds (the API's unit went wrong) is read as seconds, with a problem saying so."""
    number = _number(value, name, problems)
    if number is None:
        return None
    scale = 1000.0
    if SECONDS_FROM <= number < SECONDS_FROM * 1000:
        problems.append(seconds_note(name))
        scale = 1.0
    try:
        return datetime.fromtimestamp(number / scale, tz=UTC)
    except (OverflowError, OSError, ValueError):
        problems.append(f"{name} is not a usable time ({number:g})")
        return None


def _box(value: Any, problems: list[str]) -> RawBox | None:
    if value is None:
        problems.append("no bounding box")
        return None
    if not isinstance(value, Mapping):
        problems.append("boundingBox is not an object")
        return None
    numbers = []
    for key in ("xMin", "yMin", "xMax", "yMax"):
        if value.get(key) is None:
            problems.append(f"boundingBox lacks {key}")
            return None
        number = _number(value.get(key), f"boundingBox.{key}", problems)
        if number is None:
            return None
        numbers.append(number)
    return RawBox(*numbers)


def _confidence_like(value: Any, name: str, problems: list[str]) -> float | None:
    number = _number(value, name, problems)
    if number is not None and not 0.0 <= number <= 1.0:
        problems.append(f"{name} {number:g} lies outside 0..1")
    return number


def parse_face(data: Any, index: int) -> Face:
    """Parse one image object; never raises: what is unusable becomes a problem."""
    problems: list[str] = []
    if not isinstance(data, Mapping):
        return Face(index=index, problems=(f"entry is not an object ({type(data).__name__})",))
    url = _text(data.get("url"), "url", problems)
    if url is None:
        problems.append(NO_URL)
    elif not url.lower().startswith(("http://", "https://")):
        problems.append(refused_url_problem(url))
        url = None
    width = _number(data.get("width"), "width", problems)
    height = _number(data.get("height"), "height", problems)
    for name, size in (("width", width), ("height", height)):
        if size is not None and size <= 0:
            problems.append(f"{name} {size:g} is not positive")
    return Face(
        index=index,
        id=_text(data.get("id"), "id", problems),
        custom_id=_text(data.get("customId"), "customId", problems),
        feed_id=_text(data.get("feedId"), "feedId", problems),
        identity_id=_text(data.get("identityId"), "identityId", problems),
        group_id=_text(data.get("groupId"), "groupId", problems),
        url=url,
        box=_box(data.get("boundingBox"), problems),
        confidence=_confidence_like(
            data.get("boundingBoxConfidence"), "boundingBoxConfidence", problems
        ),
        sharpness=_confidence_like(data.get("sharpness"), "sharpness", problems),
        is_frontal=_bool(data.get("isFrontal"), "isFrontal", problems),
        type=_text(data.get("type"), "type", problems),
        width=width if width and width > 0 else None,
        height=height if height and height > 0 else None,
        created_at=_millis(data.get("createdAt"), "createdAt", problems),
        problems=tuple(problems),
        source=data,
    )


def parse_group(data: Any) -> Group:
    """Parse a group object leniently. Raises InvalidGroupError only if it is not an object."""
    if not isinstance(data, Mapping):
        raise InvalidGroupError(
            f"The API's answer was JSON but not a group (a {type(data).__name__}, not an object): "
            "check II_API_URL."
        )
    problems: list[str] = []
    images = data.get("images")
    if images is None:
        images = []
    elif not isinstance(images, list):
        problems.append("images is not a list")
        images = []
    faces = tuple(parse_face(item, i) for i, item in enumerate(images))
    return _group(data, faces, problems, data)


def _group(
    data: Mapping[str, Any],
    faces: tuple[Face, ...],
    problems: list[str],
    source: Mapping[str, Any] | bytes,
) -> Group:
    """The group from its top-level members (``data``; "images" is not read) and its faces."""
    seen: dict[str, int] = {}
    for face in faces:
        if face.id:
            seen[face.id] = seen.get(face.id, 0) + 1
    duplicates = sum(1 for n in seen.values() if n > 1)
    if duplicates:
        problems.append(f"{duplicates} face id(s) appear more than once")
    return Group(
        id=_text(data.get("id"), "id", problems),
        identity_id=_text(data.get("identityId"), "identityId", problems),
        batch_id=_text(data.get("batchId"), "batchId", problems),
        namespace=_text(data.get("namespace"), "namespace", problems),
        link_modified_by=_text(data.get("linkModifiedBy"), "linkModifiedBy", problems),
        link_last_modified_at=_millis(
            data.get("linkLastModifiedAt"), "linkLastModifiedAt", problems
        ),
        created_at=_millis(data.get("createdAt"), "createdAt", problems),
        faces=faces,
        problems=tuple(problems),
        extra={k: v for k, v in data.items() if k not in _GROUP_FIELDS},
        source=source,
        head=data if isinstance(source, bytes) else {},
    )


def _mapping(source: Any) -> Mapping[str, Any]:
    """What ``source`` holds as a mapping: JSON text is parsed (by the standard library, as
    the lenient path reads it), anything else not a mapping is an empty one."""
    if isinstance(source, Mapping):
        return source
    if isinstance(source, (bytes, msgspec.Raw)):
        data = json.loads(bytes(source))
        return data if isinstance(data, Mapping) else {}
    return {}


# --- the fast path: a group's response body ---------------------------------------------------

_LARGEST = 1.7976931348623157e308
_Finite = Annotated[float, msgspec.Meta(ge=-_LARGEST, le=_LARGEST)]
_Share = Annotated[float, msgspec.Meta(ge=0.0, le=1.0)]
_Size = Annotated[float, msgspec.Meta(gt=0.0, le=_LARGEST)]
_Millis = Annotated[float, msgspec.Meta(ge=0.0, le=253_402_300_799_000.0)]  # to year 9999
_HttpUrl = Annotated[str, msgspec.Meta(pattern="^[hH][tT][tT][pP][sS]?://")]


class _CleanBox(msgspec.Struct, gc=False):  # the API's names, as in its JSON
    xMin: _Finite
    yMin: _Finite
    xMax: _Finite
    yMax: _Finite


class _CleanFace(msgspec.Struct, gc=False):
    """An image object ``parse_face`` would find nothing odd in: each field it reads has the
    documented type and range. One that does not decode as this is parsed leniently."""

    url: _HttpUrl
    boundingBox: _CleanBox
    id: str | None = None
    customId: str | None = None
    feedId: str | None = None
    identityId: str | None = None
    groupId: str | None = None
    boundingBoxConfidence: _Share | None = None
    sharpness: _Share | None = None
    isFrontal: bool | None = None
    type: str | None = None
    width: _Size | None = None
    height: _Size | None = None
    createdAt: _Millis | None = None


_TOP = msgspec.json.Decoder(dict[str, msgspec.Raw])
_IMAGES = msgspec.json.Decoder(list[msgspec.Raw] | None)
_CLEAN = msgspec.json.Decoder(_CleanFace)
_CLEAN_MANY = msgspec.json.Decoder(list[_CleanFace])
_CHUNK = 2048  # image objects decoded together


@contextmanager
def _no_collection() -> Iterator[None]:
    """Without the cyclic collector: building a million faces (none in a cycle) would
    otherwise set off full collections over them again and again."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _clean_face(c: _CleanFace, index: int, source: msgspec.Raw, shared: dict[Any, Any]) -> Face:
    """The face of a clean image object; values repeated across faces are stored once."""
    b, at = c.boundingBox, c.createdAt
    if at is not None and SECONDS_FROM <= at < SECONDS_FROM * 1000:  # plainly seconds
        return _lenient_face(source, index)
    return Face(  # positionally, in field order: a million faces are built here
        index,
        c.id,
        c.customId,
        shared.setdefault(c.feedId, c.feedId),
        shared.setdefault(c.identityId, c.identityId),
        shared.setdefault(c.groupId, c.groupId),
        c.url,
        RawBox(b.xMin, b.yMin, b.xMax, b.yMax),
        c.boundingBoxConfidence,
        c.sharpness,
        c.isFrontal,
        shared.setdefault(c.type, c.type),
        shared.setdefault(c.width, c.width),
        shared.setdefault(c.height, c.height),
        None if at is None else datetime.fromtimestamp(at / 1000.0, tz=UTC),
        (),
        source,
    )


def _one_face(source: msgspec.Raw, index: int, shared: dict[Any, Any]) -> Face:
    try:
        return _clean_face(_CLEAN.decode(source), index, source, shared)
    except msgspec.ValidationError:
        return _lenient_face(source, index)


def _lenient_face(source: msgspec.Raw, index: int) -> Face:
    """``parse_face`` of an image object that is not clean, keeping its JSON text."""
    face = parse_face(json.loads(bytes(source)), index)
    return Face(**{**_fields(face), "source": source})


def _fields(face: Face) -> dict[str, Any]:
    return {name: getattr(face, name) for name in Face.__dataclass_fields__}


def _faces(images: Sequence[msgspec.Raw]) -> tuple[Face, ...]:
    """The faces of the image objects: clean ones decoded a chunk at a time."""
    faces: list[Face] = []
    shared: dict[Any, Any] = {}
    for start in range(0, len(images), _CHUNK):
        chunk = images[start : start + _CHUNK]
        try:
            clean = _CLEAN_MANY.decode(b"[" + b",".join(chunk) + b"]")
        except msgspec.ValidationError:  # some object in it is not clean: one at a time
            faces.extend(_one_face(s, start + i, shared) for i, s in enumerate(chunk))
            continue
        pairs = enumerate(zip(clean, chunk, strict=True))
        faces.extend(_clean_face(c, start + i, s, shared) for i, (c, s) in pairs)
    return tuple(faces)


def parse_group_body(body: bytes) -> Group:
    """Parse a group's response body: the same Group as ``parse_group(json.loads(body))``,
    quicker and smaller for a large group. Each face keeps its JSON text, parsed only when
    its ``raw`` is read; the group keeps the body.

    Raises ValueError (or RecursionError) if the body is not JSON, InvalidGroupError if it is
    not an object.
    """
    try:
        top = _TOP.decode(body)
        images = _IMAGES.decode(top["images"]) if "images" in top else None
    except (msgspec.MsgspecError, RecursionError):  # not JSON to msgspec, or images no list
        return parse_group(json.loads(body))
    # "images" keeps its place, empty, for raw_preview
    empty = None if images is None else []
    data = {k: empty if k == "images" else json.loads(bytes(v)) for k, v in top.items()}
    with _no_collection():
        faces = _faces(images or ())
    return _group(data, faces, [], body)
