"""The view an analyst sees, to and from the page's URL query parameters."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date

from viewer.draw.color import COLOR_MODES
from viewer.review.triage import VERDICT_FILTERS
from viewer.select import PAGE_SIZES, POSES, SORTS, Filters, Thresholds

VIEWS = {
    "gallery": "Gallery",
    "faces": "Faces",
    "table": "Table",
    "stats": "Stats",
    "detail": "Detail",
}
MODES = {"inspect": "Group", "review": "Review", "browse": "Browse", "compare": "Compare"}
GROUP_MODES = ("inspect", "review")  # the modes that show one loaded group
MAX_COMPARED = 8  # groups side by side in Compare
BROWSE_PAGE_SIZES = (10, 20, 50)  # groups on one page of Browse
BROWSE_ORDERS = {"DESC": "Newest first", "ASC": "Oldest first"}
BROWSE_DATES = (date(1970, 1, 1), date(2100, 12, 31))  # the dates Browse can be given
# A list in one query parameter: items joined by commas, each item's own commas (and the
# percent signs that say so) escaped, so an ID or feed with a comma comes back whole.
_ESCAPES = {"%": "%25", ",": "%2C"}
_UNESCAPE = re.compile("%(25|2C)", re.IGNORECASE)
# The identity filter: faces by their identity evidence.
IDENTITY_FILTERS = {
    "all": "Every face",
    "conflict": "Same-photo conflicts",
    "someone_else": "May be someone else",
    "either": "A conflict or someone else",
}


@dataclass(frozen=True)
class BrowseState:
    """What Browse lists: one page of the namespace's groups, in an order, between dates
    (either end open), from some feeds (none: every feed)."""

    page: int = 1
    per_page: int = BROWSE_PAGE_SIZES[0]
    order: str = "DESC"
    start: date | None = None
    end: date | None = None
    feeds: tuple[str, ...] = ()


@dataclass(frozen=True)
class ViewState:
    namespace: str = ""
    group: str = ""
    mode: str = "inspect"
    view: str = "gallery"
    page: int = 1
    per_page: int = 24
    sort: str = "index"
    descending: bool = False
    filters: Filters = field(default_factory=Filters)
    thresholds: Thresholds = field(default_factory=Thresholds)
    color: str = "frontal"
    blur: bool = False
    face: int | None = None  # index of the face open in Detail, or in the review queue
    compare: tuple[str, ...] = ()
    verdict: str = "all"  # the verdict filter: a key of VERDICT_FILTERS
    identity: str = "all"  # the identity filter: a key of IDENTITY_FILTERS
    browse: BrowseState = field(default_factory=BrowseState)


def join_list(items: Iterable[str]) -> str:
    """Items as one query value: ``("a,b", "c")`` is ``"a%2Cb,c"``; ``split_list`` reads it."""
    return ",".join("".join(_ESCAPES.get(c, c) for c in item) for item in items)


def split_list(raw: str) -> tuple[str, ...]:
    """The items of a ``join_list`` value (or of a plain comma-separated one), empty ones and
    repeats left out, in their first order."""
    items = (_UNESCAPE.sub(lambda m: chr(int(m.group(1), 16)), x) for x in raw.split(","))
    return tuple(dict.fromkeys(x for x in items if x))


def _float(params: Mapping[str, str], name: str, notices: list[str], low: float, high: float):
    raw = params.get(name)
    if raw is None:
        return None
    try:
        value = float(raw)
    except ValueError:
        notices.append(f"Ignored {name}={raw[:40]!r}: not a number.")
        return None
    if not low <= value <= high:
        notices.append(f"Ignored {name}={raw[:40]!r}: outside {low:g}..{high:g}.")
        return None
    return value


def _int(params: Mapping[str, str], name: str, notices: list[str], low: int, high: int):
    raw = params.get(name)
    if raw is None:
        return None
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 9) or not low <= int(raw) <= high:
        notices.append(f"Ignored {name}={raw[:40]!r}: not a whole number from {low} to {high}.")
        return None
    return int(raw)


def _choice(params: Mapping[str, str], name: str, choices, notices: list[str]):
    raw = params.get(name)
    if raw is None:
        return None
    if raw not in choices:
        notices.append(f"Ignored {name}={raw[:40]!r}: expected one of {', '.join(choices)}.")
        return None
    return raw


def _flag(params: Mapping[str, str], name: str, notices: list[str]) -> bool | None:
    raw = params.get(name)
    if raw is None:
        return None
    if raw in ("1", "true"):
        return True
    if raw in ("0", "false"):
        return False
    notices.append(f"Ignored {name}={raw[:40]!r}: expected 1 or 0.")
    return None


def _date(params: Mapping[str, str], name: str, notices: list[str]) -> date | None:
    raw = params.get(name)
    if raw is None:
        return None
    try:
        if len(raw) != 10:
            raise ValueError(raw)
        day = date.fromisoformat(raw)
    except ValueError:
        notices.append(f"Ignored {name}={raw[:40]!r}: not a date like 2026-12-31.")
        return None
    low, high = BROWSE_DATES
    if not low <= day <= high:
        notices.append(f"Ignored {name}={raw!r}: outside {low.isoformat()}..{high.isoformat()}.")
        return None
    return day


def _browse(params: Mapping[str, str], notices: list[str]) -> BrowseState:
    """Browse's page, page size, order, dates and feeds (``bpage``, ``bper``, ``border``,
    ``from``, ``to``, ``bfeeds``)."""
    updates: dict[str, object] = {}
    if (v := _int(params, "bpage", notices, 1, 1_000)) is not None:
        updates["page"] = v
    if (v := _choice(params, "bper", [str(n) for n in BROWSE_PAGE_SIZES], notices)) is not None:
        updates["per_page"] = int(v)
    if (v := _choice(params, "border", list(BROWSE_ORDERS), notices)) is not None:
        updates["order"] = v
    start, end = _date(params, "from", notices), _date(params, "to", notices)
    if start and end and end < start:
        notices.append(f"Ignored to={end.isoformat()!r}: it is before from={start.isoformat()!r}.")
        end = None
    if (raw := params.get("bfeeds")) is not None:
        updates["feeds"] = split_list(raw)
    return replace(BrowseState(), start=start, end=end, **updates)


def from_params(params: Mapping[str, str]) -> tuple[ViewState, list[str]]:
    """Read a view from query parameters. Bad values fall back to defaults with a notice."""
    notices: list[str] = []
    state = ViewState(
        namespace=params.get("namespace", "")[:1000], group=params.get("group", "")[:1000]
    )
    f = state.filters
    t = state.thresholds
    updates: dict[str, object] = {}
    if (v := _choice(params, "mode", list(MODES), notices)) is not None:
        updates["mode"] = v
    if (v := _choice(params, "view", list(VIEWS), notices)) is not None:
        updates["view"] = v
    if (v := _int(params, "page", notices, 1, 100_000)) is not None:
        updates["page"] = v
    if (v := _choice(params, "per", [str(n) for n in PAGE_SIZES], notices)) is not None:
        updates["per_page"] = int(v)
    if (v := _choice(params, "sort", list(SORTS), notices)) is not None:
        updates["sort"] = v
    if (v := _choice(params, "order", ["asc", "desc"], notices)) is not None:
        updates["descending"] = v == "desc"
    if (v := _choice(params, "color", list(COLOR_MODES), notices)) is not None:
        updates["color"] = v
    if (v := _flag(params, "blur", notices)) is not None:
        updates["blur"] = v
    if (v := _int(params, "face", notices, 0, 1_000_000)) is not None:
        updates["face"] = v
    if (v := _choice(params, "verdict", list(VERDICT_FILTERS), notices)) is not None:
        updates["verdict"] = v
    if (v := _choice(params, "identity", list(IDENTITY_FILTERS), notices)) is not None:
        updates["identity"] = v
    if (raw := params.get("compare")) is not None:
        updates["compare"] = split_list(raw)[:MAX_COMPARED]
    filters: dict[str, object] = {}
    if (v := _float(params, "conf", notices, 0.0, 1.0)) is not None:
        filters["min_confidence"] = v
    if (v := _float(params, "sharp", notices, 0.0, 1.0)) is not None:
        filters["min_sharpness"] = v
    if (v := _float(params, "confmax", notices, 0.0, 1.0)) is not None:
        filters["max_confidence"] = v
    if (v := _float(params, "sharpmax", notices, 0.0, 1.0)) is not None:
        filters["max_sharpness"] = v
    if (v := _choice(params, "pose", list(POSES), notices)) is not None:
        filters["pose"] = v
    if (raw := params.get("feeds")) is not None:
        filters["feeds"] = split_list(raw)
    if (v := _flag(params, "problems", notices)) is not None:
        filters["only_problems"] = v
    thresholds: dict[str, float] = {}
    if (v := _float(params, "tconf", notices, 0.0, 1.0)) is not None:
        thresholds["confidence"] = v
    if (v := _float(params, "tsharp", notices, 0.0, 1.0)) is not None:
        thresholds["sharpness"] = v
    if (v := _float(params, "tdist", notices, 0.0, 2.0)) is not None:
        thresholds["identity"] = v
    state = replace(
        state,
        filters=replace(f, **filters),
        thresholds=replace(t, **thresholds),
        browse=_browse(params, notices),
        **updates,
    )
    return state, notices


def as_params(state: ViewState) -> dict[str, str]:
    """The query parameters for a view; defaults are left out to keep links short."""
    default = ViewState()
    out: dict[str, str] = {}
    if state.namespace:
        out["namespace"] = state.namespace
    if state.group:
        out["group"] = state.group
    if state.mode != default.mode:
        out["mode"] = state.mode
    if state.view != default.view:
        out["view"] = state.view
    if state.page != 1:
        out["page"] = str(state.page)
    if state.per_page != default.per_page:
        out["per"] = str(state.per_page)
    if state.sort != default.sort:
        out["sort"] = state.sort
    if state.descending:
        out["order"] = "desc"
    f, df = state.filters, Filters()
    if f.min_confidence != df.min_confidence:
        out["conf"] = f"{f.min_confidence:g}"
    if f.min_sharpness != df.min_sharpness:
        out["sharp"] = f"{f.min_sharpness:g}"
    if f.max_confidence != df.max_confidence:
        out["confmax"] = f"{f.max_confidence:g}"
    if f.max_sharpness != df.max_sharpness:
        out["sharpmax"] = f"{f.max_sharpness:g}"
    if f.pose != df.pose:
        out["pose"] = f.pose
    if f.feeds:
        out["feeds"] = join_list(f.feeds)
    if f.only_problems:
        out["problems"] = "1"
    t, dt = state.thresholds, Thresholds()
    if t.confidence != dt.confidence:
        out["tconf"] = f"{t.confidence:g}"
    if t.sharpness != dt.sharpness:
        out["tsharp"] = f"{t.sharpness:g}"
    if t.identity != dt.identity:
        out["tdist"] = f"{t.identity:g}"
    if state.color != default.color:
        out["color"] = state.color
    if state.blur:
        out["blur"] = "1"
    if state.face is not None:
        out["face"] = str(state.face)
    if state.compare:
        out["compare"] = join_list(state.compare)
    if state.verdict != default.verdict:
        out["verdict"] = state.verdict
    if state.identity != default.identity:
        out["identity"] = state.identity
    out.update(_browse_params(state.browse))
    return out


def _browse_params(b: BrowseState) -> dict[str, str]:
    default = BrowseState()
    out: dict[str, str] = {}
    if b.page != default.page:
        out["bpage"] = str(b.page)
    if b.per_page != default.per_page:
        out["bper"] = str(b.per_page)
    if b.order != default.order:
        out["border"] = b.order
    if b.start is not None:
        out["from"] = b.start.isoformat()
    if b.end is not None:
        out["to"] = b.end.isoformat()
    if b.feeds:
        out["bfeeds"] = join_list(b.feeds)
    return out
