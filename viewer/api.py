"""Client for the recognition API: token exchange, retries, typed errors, groups, identities.

Reads are retried on connection errors and 429, 502, 503 and 504 (not on a 500, the API's own
fault); changes to identities are not (only a connection that never opened is tried again),
because a change whose answer was lost may have been made: the caller (the apply engine) reads
the identity and decides. Every request ends, retries and answer included, by one overall
deadline (``II_API_DEADLINE_S``), however slowly its headers arrive.
"""

from __future__ import annotations

import contextlib
import inspect
import json
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError
from urllib3.util.retry import Retry

from viewer import exceptions as exc
from viewer.body import BodyError, read_body
from viewer.config import DEFAULT_API_URL, Settings
from viewer.edits import (
    Identity,
    answer_text,
    create_body,
    missing_write_scopes,  # noqa: F401 - for callers of the client
    parse_identity,
    patch_body,
    retry_after_seconds,
    write_error,
)
from viewer.models import Group, parse_group, parse_group_body
from viewer.paths import (
    MAX_GROUP_ID,  # noqa: F401 - for callers of the client
    MAX_NAMESPACE,
    group_path,
    identity_path,
    validate_segment,
)
from viewer.statuses import status_words
from viewer.token import renew_at
from viewer.watchdog import DeadlineMixin, deadline

RETRY_STATUSES = (429, 502, 503, 504)


@dataclass(frozen=True)
class _Answer:
    """One answer; ``earlier``: the statuses of the attempts retried before it (None: no answer)."""

    status: int
    body: bytes
    retry_after: str | None = None
    method: str = "GET"
    path: str = ""
    earlier: tuple[int | None, ...] = ()

    @property
    def attempts(self) -> int:
        return len(self.earlier) + 1


@dataclass(frozen=True)
class TokenInfo:
    """What may be shown about the token: never the token itself."""

    org_name: str | None
    app_name: str | None
    scope: str | None
    expires_at_ms: float | None


def _write_retry() -> Retry:
    """Changes are sent once; only a connection that could not be opened is tried again."""
    return Retry(
        total=2,
        connect=2,
        read=0,
        status=0,
        other=0,
        redirect=0,
        allowed_methods=frozenset({"GET"}),  # never a change's method
        respect_retry_after_header=False,
        raise_on_redirect=False,
    )


_LOST = "so it may or may not have been made: apply again, which checks the identity first."
Timeout = requests.exceptions.Timeout
RetryError = requests.exceptions.RetryError


def _never_sent(error: requests.exceptions.RequestException) -> bool:
    """True if the request failed before a connection was opened, so nothing reached the API."""
    if isinstance(error, requests.exceptions.ConnectTimeout):
        return True
    reason = getattr(error.args[0], "reason", None) if error.args else None
    return isinstance(reason, ConnectTimeoutError)  # NewConnectionError is one too


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


class _Conn(DeadlineMixin, HTTPConnection):
    pass


class _SConn(DeadlineMixin, HTTPSConnection):
    pass


class _Pool(HTTPConnectionPool):
    ConnectionCls = _Conn


class _SPool(HTTPSConnectionPool):
    ConnectionCls = _SConn


class _DeadlineAdapter(HTTPAdapter):
    """Connections cut when the request's overall deadline passes while headers arrive."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _Pool, "https": _SPool}


def _prepare(session: requests.Session, adapter: HTTPAdapter) -> requests.Session:
    """``session`` ignoring proxy settings, sending through ``adapter``, named as the viewer."""
    session.trust_env = False
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.headers["User-Agent"] = "group-viewer/0.1"
    return session


class Client:
    """A session with the recognition API. Use as a context manager, or call ``close()``.

    The bearer token is attached per request to URLs under ``settings.api_url`` only, never
    set on the session, and redirects are not followed, so it cannot reach another host.
    """

    def __init__(self, settings: Settings, session: requests.Session | None = None) -> None:
        self.settings = settings
        reader = _DeadlineAdapter(max_retries=_retry(), pool_connections=2, pool_maxsize=8)
        self.session = _prepare(session or requests.Session(), reader)
        writer = _DeadlineAdapter(max_retries=_write_retry(), pool_connections=1, pool_maxsize=2)
        self._write_session = _prepare(requests.Session(), writer)
        self._lock = threading.Lock()
        self._token: str | None = settings.access_token
        self._renew_at: float | None = None  # time.monotonic() reading; None: on a 401 only
        self.token_info: TokenInfo | None = None
        self._address_ok: bool | None = None  # None: not asked yet

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        self.session.close()
        self._write_session.close()

    # --- auth -----------------------------------------------------------------------------

    @property
    def _uses_client_credentials(self) -> bool:
        s = self.settings
        return bool(s.client_id and s.client_secret and not s.access_token)

    def _fresh_token(self, force: bool = False) -> str | None:
        if not self._uses_client_credentials:
            return self._token
        with self._lock:
            expired = self._renew_at is not None and time.monotonic() >= self._renew_at
            if force or self._token is None or expired:
                self._token = None
                self._authenticate()
            return self._token

    def _authenticate(self) -> None:
        body = {"clientId": self.settings.client_id, "clientSecret": self.settings.client_secret}
        answer = self._send("POST", "/oauth/token", json_body=body, token=None)
        arrived = time.monotonic()
        if answer.status in (400, 401, 403):
            raise exc.AuthenticationError(
                f"The API refused the client credentials ({answer.status}): check "
                "II_CLIENT_ID and II_CLIENT_SECRET."
            )
        if answer.status == 404:
            raise self._wrong_address()
        self._raise_for_status(answer, "/oauth/token")
        data = self._json(answer, "/oauth/token")
        token = data.get("accessToken") if isinstance(data, dict) else None
        if not isinstance(token, str) or not token:
            raise exc.InvalidResponseError(
                "The API's token answer had no accessToken: check II_API_URL points at the API."
            )
        expires = data.get("expiresAt")
        self._token = token
        self._renew_at = renew_at(arrived, data.get("issuedAt"), expires, time.time() * 1000)
        self.token_info = TokenInfo(
            org_name=_str_or_none(data.get("orgName")),
            app_name=_str_or_none(data.get("appName")),
            scope=_str_or_none(data.get("scope")),
            expires_at_ms=float(expires) if isinstance(expires, (int, float)) else None,
        )

    # --- transport ------------------------------------------------------------------------

    def _send(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        token: str | None,
        change: bool = False,
    ) -> _Answer:
        """One request. ``change``: an identity change, sent once; an answer lost after it may
        have reached the API raises OutcomeUnknownError. The request, its retries and its
        answer all end by ``settings.api_deadline_s``."""
        url = self.settings.api_url + path
        headers = {"Accept": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        timeout = self.settings.api_timeout_s
        host = self.settings.api_host
        session = self._write_session if change else self.session
        until = time.monotonic() + self.settings.api_deadline_s
        deadline.value = until
        try:
            response = session.request(
                method,
                url,
                json=json_body,
                headers=headers,
                timeout=(min(5.0, timeout, self.settings.api_deadline_s), timeout),
                allow_redirects=False,
                stream=True,
            )
        except requests.exceptions.RequestException as error:
            if change and not _never_sent(error):
                late = isinstance(error, Timeout) or time.monotonic() >= until
                how = "did not answer in time" if late else "cut the line"
                raise exc.OutcomeUnknownError(f"The API {how} during the change, {_LOST}") from None
            if time.monotonic() >= until:
                raise self._past_deadline() from None
            if isinstance(error, Timeout):
                raise exc.APITimeoutError(
                    f"The API at {host} did not answer within {timeout:g} s: "
                    "check the network or try again."
                ) from None
            if isinstance(error, (requests.exceptions.ConnectionError, RetryError)):
                raise exc.UnreachableError(
                    f"The API at {host} could not be reached: check II_API_URL and the network."
                ) from None
            raise exc.UnreachableError(
                f"The request to the API at {host} failed ({type(error).__name__}): "
                "check II_API_URL."
            ) from None
        finally:
            deadline.value = None
        # the body has twice the read timeout from here (after any retries), within the deadline
        body_until = min(until, time.monotonic() + timeout * 2)
        try:
            body = self._read_limited(response, body_until, until)
        except exc.APIError:
            if change:
                raise exc.OutcomeUnknownError(
                    f"The API's answer to the change broke off, {_LOST}"
                ) from None
            raise
        finally:
            response.close()
        retries = getattr(response.raw, "retries", None)
        earlier = tuple(h.status for h in getattr(retries, "history", ()))
        return _Answer(
            response.status_code,
            body,
            response.headers.get("Retry-After"),
            method=method,
            path=path,
            earlier=earlier,
        )

    def _past_deadline(self) -> exc.APITimeoutError:
        return exc.APITimeoutError(
            f"The API at {self.settings.api_host} did not finish answering within "
            f"{self.settings.api_deadline_s:g} s, the II_API_DEADLINE_S limit: try again later, "
            "or raise II_API_DEADLINE_S on a slow network."
        )

    def _read_limited(self, response: requests.Response, body_until: float, until: float) -> bytes:
        limit = self.settings.max_response_bytes
        host = self.settings.api_host
        try:
            return read_body(response, limit, body_until)
        except BodyError as error:
            if error.kind == "too_large":
                raise exc.InvalidResponseError(
                    f"The API's answer is larger than {limit / (1024 * 1024):g} MB, the "
                    "II_MAX_GROUP_MB limit: raise it to show a group this large."
                ) from None
            if error.kind in ("too_slow", "stalled") and time.monotonic() >= until:
                raise self._past_deadline() from None
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

    def _request(
        self,
        method: str,
        path: str,
        json_body: Any = None,
        *,
        operation: str | None = None,
        unparsed: bool = False,
    ) -> Any:
        """The answer's JSON. ``operation`` (add, remove, create): an identity change, sent once;
        a refusal raises with the API's answer (``APIError.answer``) for the review log.
        ``unparsed``: the successful answer itself, its body for the caller to parse."""
        change = operation is not None
        answer = self._send(
            method, path, json_body=json_body, token=self._fresh_token(), change=change
        )
        if answer.status == 401 and self._uses_client_credentials:
            token = self._fresh_token(force=True)
            answer = self._send(method, path, json_body=json_body, token=token, change=change)
        if answer.status == 404 and not change and not self._uses_client_credentials:
            self._check_address(path)  # with credentials, the token exchange found the API
        if operation is not None and not 200 <= answer.status < 300:
            wait = retry_after_seconds(answer.retry_after)
            error = write_error(answer.status, answer.body, operation, wait)
            error.answer = answer_text(answer.status, answer.body, self._secrets())
            raise error
        self._raise_for_status(answer, path)
        return answer if unparsed else self._json(answer, path)

    def _check_address(self, path: str) -> None:
        """After a 404 to a read at ``path``: WrongAPIURLError if a search of its namespace,
        which the API answers for every namespace, is not found either. Asked once per client;
        a probe that fails says nothing, and the 404 stands."""
        probe = _search_path(path)
        if probe is None:
            return
        if self._address_ok is None:
            if probe == path:  # the search itself was not found
                self._address_ok = False
            else:
                try:
                    answer = self._send(
                        "POST", probe, json_body={"limit": 1}, token=self._fresh_token()
                    )
                except exc.APIError:
                    return
                self._address_ok = answer.status != 404
        if not self._address_ok:
            raise self._wrong_address()

    def _wrong_address(self) -> exc.WrongAPIURLError:
        url = self.settings.api_url_shown
        return exc.WrongAPIURLError(
            f"Nothing at {url} answers like the API (even paths it always has are not found): "
            f"check II_API_URL, which usually ends in /v2 as in {DEFAULT_API_URL}."
        )

    def _secrets(self) -> tuple[str, ...]:
        s = self.settings
        return tuple(v for v in (self._token, s.access_token, s.client_secret) if v)

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
            error = exc.ServerError(self._server_error(answer))
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

    def _server_error(self, answer: _Answer) -> str:
        """What happened, with as many attempts as were really made."""
        said = (
            f"The API at {self.settings.api_host} answered {status_words(answer.status)} "
            f"to {answer.method} {answer.path}"
        )
        n = answer.attempts
        if n == 1 and answer.status not in RETRY_STATUSES:
            return (
                f"{said}; it was not retried, because a {answer.status} is a fault of the API "
                "itself rather than a passing overload: try again later, or report it to the "
                "API's operators."
            )
        if n == 1:
            return f"{said}: try again in a moment."
        same = all(status == answer.status for status in answer.earlier)
        which = f"on all {n} attempts" if same else f"on the last of {n} attempts"
        retries = "1 retry" if n == 2 else f"{n - 1} retries"
        return f"{said} {which} ({retries}): try again in a moment."

    # --- resources ------------------------------------------------------------------------

    def get_group(self, namespace: str, group_id: str) -> Group:
        """Fetch one group; raises a ViewerError subclass with a sentence for the analyst."""
        path = group_path(namespace, group_id)
        answer = self._request("GET", path, unparsed=True)
        if answer.body.strip():
            with contextlib.suppress(ValueError, RecursionError):  # said below, as for any answer
                return parse_group_body(answer.body)
        return parse_group(self._json(answer, path))

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

    # --- identities -----------------------------------------------------------------------

    def get_identity(self, namespace: str, identity_id: str) -> Identity:
        """Read one identity (``GET /recognition/identities/{namespace}/{id}``)."""
        try:
            return parse_identity(self._request("GET", identity_path(namespace, identity_id)))
        except exc.NotFoundError:
            raise exc.NotFoundError(
                "No such identity (404): check the namespace and the identity ID."
            ) from None

    def find_identities(
        self, namespace: str, *, custom_ids: Sequence[str] = (), limit: int = 20
    ) -> list[Identity]:
        """Identities whose customId is one of ``custom_ids`` (all when empty), newest first."""
        if not 1 <= limit <= 100:
            raise exc.InvalidInputError(f"The page size must lie between 1 and 100, not {limit}.")
        body: dict[str, Any] = {"limit": limit}
        if custom_ids:
            body["customIds"] = list(custom_ids)
        data = self._request("POST", identity_path(namespace) + "/search", body)
        if not isinstance(data, list):
            raise exc.InvalidResponseError(
                "The API's identity search answer was not a list: check II_API_URL."
            )
        return [parse_identity(item) for item in data]

    def patch_identity(
        self,
        namespace: str,
        identity_id: str,
        add: Sequence[str] = (),
        remove: Sequence[str] = (),
        custom_id: str | None = None,
    ) -> Identity:
        """Add and remove images (at most 20 of each), sent once: never retried."""
        body = patch_body(add, remove, custom_id)
        operation = "remove" if remove and not add else "add"
        return self._change("PATCH", identity_path(namespace, identity_id), body, operation)

    def create_identity(
        self, namespace: str, image_ids: Sequence[str], custom_id: str | None = None
    ) -> Identity:
        """Create an identity of ``image_ids`` (at most 20), sent once: never retried."""
        body = create_body(image_ids, custom_id)
        return self._change("POST", identity_path(namespace), body, "create")

    def _change(self, method: str, path: str, body: Any, operation: str) -> Identity:
        try:
            return parse_identity(self._request(method, path, body, operation=operation))
        except exc.InvalidResponseError:  # accepted, but the answer is unusable
            raise exc.OutcomeUnknownError(
                f"The API's answer to the change was not an identity, {_LOST}"
            ) from None


def _search_path(path: str) -> str | None:
    """The group search of the namespace ``path`` is under, or None for another path."""
    parts = path.split("/")
    if len(parts) < 4 or parts[1] != "recognition" or parts[2] not in ("groups", "identities"):
        return None
    return f"/recognition/groups/{parts[3]}/search"


def _str_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) else None
