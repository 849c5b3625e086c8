"""Group search as the API does it: body validation, filters, sort and paging (no HTTP here)."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any


class BadRequest(Exception):
    """A request the API refuses with 400; the message names the field."""


def parse_json_object(body: bytes) -> dict[str, Any]:
    """A request body as a JSON object; an empty body is an empty object."""
    if not body.strip():
        return {}
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise BadRequest("Request body is not valid JSON") from None
    if not isinstance(data, dict):
        raise BadRequest("Request body must be a JSON object")
    return data


def _int_field(data: dict[str, Any], name: str, default: int, low: int, high: int) -> int:
    value = data.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise BadRequest(f"{name} must be an integer from {low} to {high}, not {value!r}")
    return value


def parse_search_query(data: dict[str, Any]) -> dict[str, Any]:
    """Validate a search body; raises BadRequest naming the first bad field."""
    query: dict[str, Any] = {
        "limit": _int_field(data, "limit", 20, 1, 100),
        "offset": _int_field(data, "offset", 0, 0, 100),
    }
    for name in ("start", "end"):
        value = data.get(name)
        if value is not None and (
            isinstance(value, bool)
            or not isinstance(value, (int, float))
            or not math.isfinite(value)
            or value < 0
        ):
            raise BadRequest(f"{name} must be a timestamp in milliseconds, not {value!r}")
        query[name] = value
    sort_by = data.get("sortBy", "DESC")
    if sort_by not in ("ASC", "DESC"):
        raise BadRequest(f"sortBy must be 'ASC' or 'DESC', not {sort_by!r}")
    query["sortBy"] = sort_by
    for name in ("ids", "feedIds", "customIds"):
        value = data.get(name)
        if value is not None and (
            not isinstance(value, list) or not all(isinstance(v, str) for v in value)
        ):
            raise BadRequest(f"{name} must be an array of strings")
        query[name] = None if value is None else set(value)
    return query


def matches(group: dict[str, Any], query: dict[str, Any]) -> bool:
    """True if ``group`` passes every filter of ``query``."""
    created = group.get("createdAt")
    if query["start"] is not None and not (
        isinstance(created, (int, float)) and created >= query["start"]
    ):
        return False
    if query["end"] is not None and not (
        isinstance(created, (int, float)) and created <= query["end"]
    ):
        return False
    if query["ids"] is not None and group.get("id") not in query["ids"]:
        return False
    images = [i for i in group.get("images") or [] if isinstance(i, dict)]
    for name, field in (("feedIds", "feedId"), ("customIds", "customId")):
        wanted = query[name]
        if wanted is not None and not any(
            isinstance(i.get(field), str) and i[field] in wanted for i in images
        ):
            return False
    return True


def search_ids(
    groups: Mapping[tuple[str, str], dict[str, Any]], namespace: str, query: dict[str, Any]
) -> list[str]:
    """Ids of the page of ``namespace``'s groups that ``query`` asks for, in its order."""
    found = [(gid, g) for (ns, gid), g in groups.items() if ns == namespace and matches(g, query)]

    def created(item: tuple[str, dict[str, Any]]) -> tuple[float, str]:
        value = item[1].get("createdAt")
        return (value if isinstance(value, (int, float)) else 0.0, item[0])

    found.sort(key=created, reverse=query["sortBy"] == "DESC")
    return [gid for gid, _ in found[query["offset"] : query["offset"] + query["limit"]]]
