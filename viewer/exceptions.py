"""One exception root for the viewer; every subclass carries one sentence for the analyst."""

from __future__ import annotations


class ViewerError(Exception):
    """Root of every error the viewer raises on purpose.

    ``message`` is one sentence saying what failed and what to do; it never contains a secret.
    """

    default_message = "Something went wrong."

    def __init__(self, message: str | None = None) -> None:
        self.message = message or self.default_message
        super().__init__(self.message)


class ConfigError(ViewerError):
    default_message = "The viewer's settings are incomplete; check II_API_URL and the credentials."


class InvalidInputError(ViewerError):
    """A namespace or group ID that cannot be sent as a path segment."""


class APIError(ViewerError):
    """Any failure talking to the recognition API.

    ``answer``: for a change sent to the API, its answer as kept in the review log.
    """

    status: int | None = None
    answer: str | None = None


class AuthenticationError(APIError):
    status = 401
    default_message = (
        "The API rejected the credentials (401): check II_ACCESS_TOKEN, or II_CLIENT_ID and "
        "II_CLIENT_SECRET."
    )


class ForbiddenError(APIError):
    status = 403
    default_message = (
        "These credentials have no access to this namespace (403): check the namespace or ask "
        "for access."
    )


class NotFoundError(APIError):
    status = 404
    default_message = "No such group (404): check the namespace and the group ID."


class WrongAPIURLError(APIError):
    """II_API_URL points somewhere that does not answer like the API (every path is a 404)."""

    status = 404
    default_message = "Nothing at II_API_URL answers like the API: check II_API_URL."


class RateLimitedError(APIError):
    status = 429
    default_message = "The API is rate limiting requests (429): wait a minute and load again."
    retry_after_s: float | None = None  # the API's Retry-After, when it sent one


class ServerError(APIError):
    default_message = "The API had a server error: try again in a moment."


class UnexpectedStatusError(APIError):
    default_message = "The API answered with an unexpected status."


class APITimeoutError(APIError):
    default_message = "The API did not answer in time: check the network or try again."


class UnreachableError(APIError):
    default_message = "The API could not be reached: check II_API_URL and the network."


class OutcomeUnknownError(APIError):
    """A change was sent but its answer was lost: it may or may not have been made."""

    default_message = (
        "The API's answer to the change was lost, so it may or may not have been made: "
        "apply again, which checks the identity first."
    )


class InvalidResponseError(APIError):
    default_message = "The API's answer was not JSON: check II_API_URL points at the API."


class InvalidGroupError(APIError):
    default_message = "The API's answer was JSON but not a group: check II_API_URL."


class ImageError(ViewerError):
    """One image could not be shown; the rest of the group goes on."""


class ReviewError(ViewerError):
    """Any failure of the verdict store; the viewer goes on without verdicts."""


class InvalidVerdictError(ReviewError):
    """A verdict, note, analyst name or face that cannot be recorded as given."""


class StoreUnavailableError(ReviewError):
    """The verdict database cannot be reached, is locked or read-only, or has an unknown schema.

    The one error the viewer catches around the store: it then shows the sentence once and
    keeps working without verdicts.
    """

    default_message = (
        "The verdict database could not be used: check II_DATABASE_URL or II_REVIEW_DB."
    )


class ReviewFileError(ReviewError):
    """An export or import file that cannot be read; ``problems`` names each bad row."""

    def __init__(self, message: str | None = None, problems: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.problems = problems
