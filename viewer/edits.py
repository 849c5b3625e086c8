"""Identity edits: the Identity value type, the checks before a change is sent, the scopes a
change needs, and the sentences for a refused or lost change (used by ``api.Client``)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from viewer import exceptions as exc
from viewer.models import Face, parse_face

if TYPE_CHECKING:
    from viewer.api import TokenInfo

MAX_IDS = 20  # image ids per list in one request (the specification's maxLength)
MAX_IMAGE_ID = 256
MAX_CUSTOM_ID = 256
MAX_ANSWER_CHARS = 2000  # of an answer kept for the review log
UPDATE_SCOPE = "recognition:update"
CREATE_SCOPE = "recognition:create"
WRITE_SCOPES = {"add": UPDATE_SCOPE, "remove": UPDATE_SCOPE, "create": CREATE_SCOPE}
_VERBS = {"add": "added to", "remove": "removed from", "create": "given to a new"}


@dataclass(frozen=True)
class Identity:
    """A person as the API keeps it; ``image_ids`` in the API's order, without repeats."""

    id: str
    namespace: str | None = None
    custom_id: str | None = None
    created_at: datetime | None = None
    faces: tuple[Face, ...] = ()
    raw: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def image_ids(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(f.id for f in self.faces if f.id))


def parse_identity(data: Any) -> Identity:
    """An identity from the API's JSON; InvalidResponseError if it has no id or no images list."""
    if not isinstance(data, Mapping) or not isinstance(data.get("id"), str) or not data["id"]:
        raise exc.InvalidResponseError(
            "The API's answer was not an identity (no id): check II_API_URL points at the API."
        )
    images = data.get("images")
    if images is None:
        images = []
    if not isinstance(images, list):
        raise exc.InvalidResponseError(
            "The API's identity answer has no list of images: check II_API_URL."
        )
    created = data.get("createdAt")
    created_at = None
    if isinstance(created, (int, float)) and not isinstance(created, bool):
        try:
            created_at = datetime.fromtimestamp(created / 1000.0, tz=UTC)
        except (OverflowError, OSError, ValueError):
            created_at = None
    namespace, custom_id = data.get("namespace"), data.get("customId")
    return Identity(
        id=data["id"],
        namespace=namespace if isinstance(namespace, str) else None,
        custom_id=custom_id if isinstance(custom_id, str) else None,
        created_at=created_at,
        faces=tuple(parse_face(item, i) for i, item in enumerate(images)),
        raw=data,
    )


def check_image_ids(ids: Iterable[str], what: str) -> list[str]:
    """``ids`` as a list if they can be sent in one request, else InvalidInputError."""
    checked = list(ids)
    for image_id in checked:
        if not isinstance(image_id, str) or not image_id.strip():
            raise exc.InvalidInputError(f"An image id to be {what} is empty: leave it out.")
        if len(image_id) > MAX_IMAGE_ID or not image_id.isprintable():
            raise exc.InvalidInputError(
                f"The image id {image_id[:40]!r} is not one the API makes: at most "
                f"{MAX_IMAGE_ID} printable characters."
            )
    if len(set(checked)) != len(checked):
        raise exc.InvalidInputError(f"An image id to be {what} the identity is listed twice.")
    if len(checked) > MAX_IDS:
        raise exc.InvalidInputError(
            f"{len(checked)} image ids were to be {what} the identity at once; the API takes at "
            f"most {MAX_IDS} per request: send them in batches of {MAX_IDS}."
        )
    return checked


def check_custom_id(custom_id: str | None) -> str | None:
    if custom_id is not None and (not isinstance(custom_id, str) or len(custom_id) > MAX_CUSTOM_ID):
        raise exc.InvalidInputError(
            f"An identity's custom id is text of at most {MAX_CUSTOM_ID} characters."
        )
    return custom_id


def patch_body(add: Sequence[str], remove: Sequence[str], custom_id: str | None) -> dict[str, Any]:
    """The PATCH body; InvalidInputError for ids that cannot be sent or a change of nothing."""
    added = check_image_ids(add, _VERBS["add"])
    removed = check_image_ids(remove, _VERBS["remove"])
    both = sorted(set(added) & set(removed))
    if both:
        raise exc.InvalidInputError(
            f"The image {both[0][:40]!r} is both to be added and removed: choose one."
        )
    body: dict[str, Any] = {}
    if check_custom_id(custom_id) is not None:
        body["customId"] = custom_id
    if added or removed:
        body["images"] = {"add": added, "remove": removed}
    if not body:
        raise exc.InvalidInputError("Nothing to change: give image ids to add or remove.")
    return body


def create_body(image_ids: Sequence[str], custom_id: str | None) -> dict[str, Any]:
    body: dict[str, Any] = {"imageIds": check_image_ids(image_ids, _VERBS["create"] + " identity")}
    if check_custom_id(custom_id) is not None:
        body["customId"] = custom_id
    return body


def missing_write_scopes(token_info: TokenInfo | None, operation: str) -> tuple[str, ...] | None:
    """The scopes ``operation`` (add, remove, create) needs that the token lacks.

    None when the token's scopes are unknown (a token given directly, or an answer without
    ``scope``): then only the API's answer tells. The API's 403 is the final word either way.
    """
    if operation not in WRITE_SCOPES:
        raise ValueError(f"operation must be one of {', '.join(WRITE_SCOPES)}")
    if token_info is None or token_info.scope is None:
        return None
    needed = WRITE_SCOPES[operation]
    return () if needed in token_info.scope.split() else (needed,)


def answer_text(status: int, body: bytes, secrets: Iterable[str] = ()) -> str:
    """The API's answer for the review log: status and body, trimmed, on one line, no secrets."""
    text = body.decode("utf-8", "replace")
    for secret in secrets:
        if secret:
            text = text.replace(secret, "[secret]")
    text = " ".join(text.split())
    text = "".join(ch if ch.isprintable() else " " for ch in text)
    if len(text) > MAX_ANSWER_CHARS:
        text = text[: MAX_ANSWER_CHARS - 1] + "…"
    return f"{status} {text}".strip()


def _message(body: bytes) -> str:
    """The ``message`` of a JSON error body, else its start; on one line, short."""
    try:
        data = json.loads(body)
        text = data.get("message") if isinstance(data, dict) else None
    except (ValueError, RecursionError):
        text = None
    text = text if isinstance(text, str) else body.decode("utf-8", "replace")
    text = " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())
    return text[:200] or "no reason given"


def write_error(
    status: int, body: bytes, operation: str, retry_after_s: float | None
) -> exc.APIError:
    """The error for a change the API did not accept (``status`` not 2xx)."""
    error: exc.APIError
    if status == 400:
        error = exc.UnexpectedStatusError(
            f"The API refused the change as malformed (400): {_message(body)}."
        )
    elif status == 401:
        error = exc.AuthenticationError(
            "The API rejected the credentials for this change (401): check II_ACCESS_TOKEN, "
            "or II_CLIENT_ID and II_CLIENT_SECRET."
        )
    elif status == 403:
        scope = WRITE_SCOPES.get(operation, UPDATE_SCOPE)
        doing = "create identities" if operation == "create" else "edit identities"
        error = exc.ForbiddenError(
            f"The API refused this change (403): the credentials lack permission to {doing} "
            f"(scope {scope}); ask for it, or leave the change to someone who has it."
        )
    elif status == 404:
        error = exc.NotFoundError(
            "No such identity (404): it may have been deleted; reload the group and apply again."
        )
    elif status == 429:
        wait = f"{retry_after_s:g} s" if retry_after_s is not None else "a minute"
        error = exc.RateLimitedError(
            f"The API is rate limiting changes (429): wait {wait} and apply again."
        )
        error.retry_after_s = retry_after_s
    elif status >= 500:
        error = exc.ServerError(
            f"The API had a server error ({status}) on this change, which may or may not have "
            "been made: apply again, which checks the identity first."
        )
    else:
        error = exc.UnexpectedStatusError(f"The API answered {status} to the change.")
    error.status = status
    return error


def retry_after_seconds(value: str | None) -> float | None:
    """A ``Retry-After`` header in seconds (dates are not used by this API), or None."""
    try:
        seconds = float(value) if value is not None else None
    except ValueError:
        return None
    return seconds if seconds is not None and 0 <= seconds < 86_400 else None
