"""HTTP statuses named in words, for sentences about what the API answered."""

from __future__ import annotations

from http import HTTPStatus

_CLASSES = {1: "informational", 2: "success", 3: "redirect", 4: "client error", 5: "server error"}


def status_words(status: int) -> str:
    """The status with its standard name in lower case: ``500 (internal server error)``.

    A code without a standard name gets its class instead: ``599 (server error)``.
    """
    try:
        name = HTTPStatus(status).phrase.lower()
    except ValueError:
        name = _CLASSES.get(status // 100, "unknown status")
    return f"{status} ({name})"
