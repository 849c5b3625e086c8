"""Path parameters: each one validated, then percent-encoded whole as one path segment."""

from __future__ import annotations

import unicodedata
from urllib.parse import quote

from viewer import exceptions as exc

MAX_NAMESPACE = 128
MAX_GROUP_ID = 256
MAX_IDENTITY_ID = 256


def validate_segment(value: str, what: str, max_length: int) -> str:
    """Return ``value`` if it can be sent as one path segment, else raise InvalidInputError.

    The sentence names the problem and what to do; no request is sent for a refused value.
    """
    if not isinstance(value, str) or not value:
        raise exc.InvalidInputError(f"Enter a {what}: it is empty.")
    if len(value) > max_length:
        raise exc.InvalidInputError(
            f"The {what} is {len(value):,} characters long; the API allows at most {max_length}."
        )
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") for ch in value):
        raise exc.InvalidInputError(
            f"The {what} contains a control character; retype it without pasted formatting."
        )
    if any(ch.isspace() for ch in value):
        raise exc.InvalidInputError(f"The {what} contains a space; remove it.")
    if "/" in value or "\\" in value:
        raise exc.InvalidInputError(
            f"The {what} contains a slash; enter the {what} alone, not a path or URL."
        )
    if value in (".", ".."):
        raise exc.InvalidInputError(f"The {what} cannot be {value!r}; enter a real {what}.")
    if "%" in value:
        raise exc.InvalidInputError(
            f"The {what} contains '%'; enter it decoded, as the API shows it."
        )
    return value


def group_path(namespace: str, group_id: str) -> str:
    """The group's path below the API URL, each part validated and percent-encoded whole."""
    ns = validate_segment(namespace, "namespace", MAX_NAMESPACE)
    gid = validate_segment(group_id, "group ID", MAX_GROUP_ID)
    return f"/recognition/groups/{quote(ns, safe='')}/{quote(gid, safe='')}"


def identity_path(namespace: str, identity_id: str | None = None) -> str:
    """The identities' path (or one identity's), each part validated and percent-encoded."""
    ns = quote(validate_segment(namespace, "namespace", MAX_NAMESPACE), safe="")
    if identity_id is None:
        return f"/recognition/identities/{ns}"
    iid = validate_segment(identity_id, "identity ID", MAX_IDENTITY_ID)
    return f"/recognition/identities/{ns}/{quote(iid, safe='')}"
