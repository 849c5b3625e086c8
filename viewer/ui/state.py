"""The view an analyst sees, to and from the page's URL query parameters."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

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
# The identity filter: faces by their identity evidence.
IDENTITY_FILTERS = {
    "all": "Every face",
    "conflict": "Same-photo conflicts",
    "someone_else": "May be someone else",
    "either": "A conflict or someone else",
}


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
        updates["compare"] = tuple(dict.fromkeys(x for x in raw.split(",") if x))[:MAX_COMPARED]
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
        filters["feeds"] = tuple(dict.fromkeys(x for x in raw.split(",") if x))
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
        state, filters=replace(f, **filters), thresholds=replace(t, **thresholds), **updates
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
        out["feeds"] = ",".join(f.feeds)
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
        out["compare"] = ",".join(state.compare)
    if state.verdict != default.verdict:
        out["verdict"] = state.verdict
    if state.identity != default.identity:
        out["identity"] = state.identity
    return out
