"""Client for the recognition API: token exchange, retries, typed errors, group look-ups."""

from __future__ import annotations

import inspect
import json
import threading
import time
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from viewer import exceptions as exc
from viewer.body import BodyError, read_body
from viewer.config import Settings
from viewer.models import Group, parse_group

TOKEN_MARGIN_S = 60.0
MAX_NAMESPACE = 128
MAX_GROUP_ID = 256
RETRY_STATUSES = (429, 502, 503, 504)


@dataclass(frozen=True)
class _Answer:
    status: int
    body: bytes


@dataclass(frozen=True)
class TokenInfo:
    """What may be shown about the token: never the token itself."""

    org_name: str | None
    app_name: str | None
    scope: str | None
    expires_at_ms: float | None


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


def _retry() -> Retry:
    kwargs: dict[str, Any] = {
        "total": 3,
        "connect": 3,
        "read": False,  # a read timeout is reported as one, not retried
        "status": 3,
        "redirect": 0,
        "backoff_factor": 0.25,
        "backoff_max": 4.0,
        "status_forcelist": RETRY_STATUSES,
        "allowed_methods": frozenset({"GET", "POST"}),
        "raise_on_status": False,
        "raise_on_redirect": False,
        "respect_retry_after_header": True,
    }
    if "retry_after_max" in inspect.signature(Retry).parameters:
        kwargs["retry_after_max"] = 10
    return Retry(**kwargs)


class Client:
    """A session with the recognition API. Use as a context manager, or call ``close()``.

    The bearer token is attached per request to URLs under ``settings.api_url`` only, never
    set on the session, and redirects are not followed, so it cannot reach another host.
    """

    def __init__(self, settings: Settings, session: requests.Session | None = None) -> None:
        self.settings = settings
        self.session = session or requests.Session()
        self.session.trust_env = False
        adapter = HTTPAdapter(max_retries=_retry(), pool_connections=2, pool_maxsize=8)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        self.session.headers["User-Agent"] = "group-viewer/0.1"
        self._lock = threading.Lock()
        self._token: str | None = settings.access_token
        self._token_expires_ms: float | None = None
        self.token_info: TokenInfo | None = None

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        self.session.close()

    # --- auth -----------------------------------------------------------------------------

    @property
    def _uses_client_credentials(self) -> bool:
        s = self.settings
        return bool(s.client_id and s.client_secret and not s.access_token)

    def _fresh_token(self, force: bool = False) -> str | None:
        if not self._uses_client_credentials:
            return self._token
        with self._lock:
            now_ms = time.time() * 1000
            expired = self._token_expires_ms is not None and (
                now_ms >= self._token_expires_ms - TOKEN_MARGIN_S * 1000
            )
            if force or self._token is None or expired:
                self._token = None
                self._authenticate()
            return self._token

    def _authenticate(self) -> None:
        body = {"clientId": self.settings.client_id, "clientSecret": self.settings.client_secret}
        answer = self._send("POST", "/oauth/token", json_body=body, token=None)
        if answer.status in (400, 401, 403):
            raise exc.AuthenticationError(
                f"The API refused the client credentials ({answer.status}): check "
                "II_CLIENT_ID and II_CLIENT_SECRET."
            )
        self._raise_for_status(answer, "/oauth/token")
        data = self._json(answer, "/oauth/token")
        token = data.get("accessToken") if isinstance(data, dict) else None
        if not isinstance(token, str) or not token:
            raise exc.InvalidResponseError(
                "The API's token answer had no accessToken: check II_API_URL points at the API."
            )
        expires = data.get("expiresAt")
        self._token = token
        self._token_expires_ms = float(expires) if isinstance(expires, (int, float)) else None
        self.token_info = TokenInfo(
            org_name=_str_or_none(data.get("orgName")),
            app_name=_str_or_none(data.get("appName")),
            scope=_str_or_none(data.get("scope")),
            expires_at_ms=self._token_expires_ms,
        )

    # --- transport ------------------------------------------------------------------------

    def _send(self, method: str, path: str, *, json_body: Any = None, token: str | None) -> _Answer:
        url = self.settings.api_url + path
        headers = {"Accept": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        timeout = self.settings.api_timeout_s
        try:
            response = self.session.request(
                method,
                url,
                json=json_body,
                headers=headers,
                timeout=(min(5.0, timeout), timeout),
                allow_redirects=False,
                stream=True,
            )
        except requests.exceptions.Timeout:
            raise exc.APITimeoutError(
                f"The API at {self.settings.api_host} did not answer within {timeout:g} s: "
                "check the network or try again."
            ) from None
        except (requests.exceptions.ConnectionError, requests.exceptions.RetryError):
            raise exc.UnreachableError(
                f"The API at {self.settings.api_host} could not be reached: check II_API_URL "
                "and the network."
            ) from None
        except requests.exceptions.RequestException as error:
            raise exc.UnreachableError(
                f"The request to the API at {self.settings.api_host} failed "
                f"({type(error).__name__}): check II_API_URL."
            ) from None
        deadline = time.monotonic() + timeout * 2  # for the body, after any retries
        try:
            return _Answer(response.status_code, self._read_limited(response, deadline))
        finally:
            response.close()

    def _read_limited(self, response: requests.Response, deadline: float) -> bytes:
        limit = self.settings.max_response_bytes
        host = self.settings.api_host
        try:
            return read_body(response, limit, deadline)
        except BodyError as error:
            if error.kind == "too_large":
                raise exc.InvalidResponseError(
                    f"The API's answer is larger than {limit // (1024 * 1024)} MB: "
                    "the group is too large to show, or II_API_URL is wrong."
                ) from None
            if error.kind in ("too_slow", "stalled"):
                raise exc.APITimeoutError(
                    f"The API at {host} is sending its answer too slowly: try again later."
                ) from None
            raise exc.InvalidResponseError(
                f"The API at {host} closed the connection before its answer was complete: "
                "try again."
            ) from None

    def _json(self, answer: _Answer, what: str) -> Any:
        if not answer.body.strip():
            raise exc.InvalidResponseError(
                f"The API's answer for {what} was empty: check II_API_URL points at the API."
            )
        try:
            return json.loads(answer.body)
        except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
            raise exc.InvalidResponseError(
                f"The API's answer for {what} was not JSON: check II_API_URL points at the API."
            ) from None

    def _request(self, method: str, path: str, json_body: Any = None) -> Any:
        answer = self._send(method, path, json_body=json_body, token=self._fresh_token())
        if answer.status == 401 and self._uses_client_credentials:
            answer = self._send(
                method, path, json_body=json_body, token=self._fresh_token(force=True)
            )
        self._raise_for_status(answer, path)
        return self._json(answer, path)

    def _raise_for_status(self, answer: _Answer, what: str) -> None:
        status = answer.status
        if 200 <= status < 300:
            return
        if status == 401:
            raise exc.AuthenticationError()
        if status == 403:
            raise exc.ForbiddenError()
        if status == 404:
            raise exc.NotFoundError()
        if status == 429:
            raise exc.RateLimitedError()
        if status >= 500:
            error = exc.ServerError(
                f"The API had a server error ({status}) and did not recover after retries: "
                "try again in a moment."
            )
            error.status = status
            raise error
        if 300 <= status < 400:
            error = exc.UnexpectedStatusError(
                f"The API answered with a redirect ({status}): set II_API_URL to the API's "
                "final address."
            )
        else:
            error = exc.UnexpectedStatusError(
                f"The API answered {status} for {what}: check the namespace and group ID."
            )
        error.status = status
        raise error

    # --- resources ------------------------------------------------------------------------

    def get_group(self, namespace: str, group_id: str) -> Group:
        """Fetch one group; raises a ViewerError subclass with a sentence for the analyst."""
        path = group_path(namespace, group_id)
        return parse_group(self._request("GET", path))

    def search_groups(
        self,
        namespace: str,
        *,
        limit: int = 20,
        offset: int = 0,
        start_ms: int | None = None,
        end_ms: int | None = None,
        sort_by: str = "DESC",
        feed_ids: Sequence[str] = (),
        ids: Sequence[str] = (),
    ) -> list[Group]:
        """List groups of a namespace (``POST /recognition/groups/{namespace}/search``)."""
        ns = validate_segment(namespace, "namespace", MAX_NAMESPACE)
        if not 1 <= limit <= 100:
            raise exc.InvalidInputError(f"The page size must lie between 1 and 100, not {limit}.")
        if not 0 <= offset <= 100:
            raise exc.InvalidInputError(
                f"The API pages at most 100 groups deep; the offset {offset} is past that."
            )
        if sort_by not in ("ASC", "DESC"):
            raise exc.InvalidInputError(f"Sort must be ASC or DESC, not {sort_by!r}.")
        body: dict[str, Any] = {"limit": limit, "offset": offset, "sortBy": sort_by}
        if start_ms is not None:
            body["start"] = int(start_ms)
        if end_ms is not None:
            body["end"] = int(end_ms)
        if feed_ids:
            body["feedIds"] = list(feed_ids)
        if ids:
            body["ids"] = list(ids)
        data = self._request("POST", f"/recognition/groups/{quote(ns, safe='')}/search", body)
        if not isinstance(data, list):
            raise exc.InvalidGroupError(
                "The API's search answer was not a list of groups: check II_API_URL."
            )
        return [parse_group(item) for item in data if isinstance(item, dict)]


def _str_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) else None
