"""Image downloads: bounded, deduplicated, cached and host-checked. Decoding: viewer.decoding."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from concurrent.futures import TimeoutError as FuturesTimeout
from dataclasses import dataclass
from operator import attrgetter
from urllib.parse import urljoin

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from viewer.body import BodyError, read_body
from viewer.cache import ByteLRU
from viewer.config import Settings
from viewer.hosts import BlockedHostError, HostPolicy, origin_of
from viewer.watchdog import DeadlineMixin as _DeadlineMixin
from viewer.watchdog import deadline as _deadline

MAX_REDIRECTS = 4
FAILURE_TTL_S = 120.0


@dataclass(frozen=True)
class Fetched:
    url: str
    data: bytes
    content_type: str | None = None

    @property
    def nbytes(self) -> int:
        return len(self.data) + 200


@dataclass(frozen=True)
class FetchFailure:
    """An image that could not be had; ``reason`` is one sentence for the analyst."""

    url: str
    reason: str

    @property
    def nbytes(self) -> int:
        return 500


FetchResult = Fetched | FetchFailure


def left(until: float | None) -> float | None:
    """Seconds from now to ``until`` (a ``time.monotonic()`` time), never below 0; None: no
    end."""
    return None if until is None else max(0.0, until - time.monotonic())


def make_cache(settings: Settings) -> ByteLRU:
    """A cache of ``settings.cache_mb``; every value put in it tells its size as ``nbytes``."""
    return ByteLRU(settings.cache_mb * 1024 * 1024, sizeof=attrgetter("nbytes"))


class _PeerCheck(Exception):
    """Raised from inside a connection when the connected peer is not allowed."""

    def __init__(self, error: BlockedHostError) -> None:
        super().__init__(error.message)
        self.error = error


def _guarded_pool_classes(policy: HostPolicy) -> dict[str, type]:
    """Pool classes whose connections check the address they actually connected to.

    This closes the gap between the up-front DNS check and the connection (DNS rebinding).
    """

    def check(conn: HTTPConnection, scheme: str, sock: object) -> None:
        peer = sock.getpeername()[0]  # type: ignore[attr-defined]
        try:
            host = f"[{conn.host}]" if ":" in conn.host else conn.host
            policy.check_ip(peer, origin_of(f"{scheme}://{host}:{conn.port}"))
        except BlockedHostError as error:
            sock.close()  # type: ignore[attr-defined]
            raise _PeerCheck(error) from None

    class Conn(_DeadlineMixin, HTTPConnection):
        def _new_conn(self):  # type: ignore[no-untyped-def]
            sock = super()._new_conn()
            check(self, "http", sock)
            return sock

    class SConn(_DeadlineMixin, HTTPSConnection):
        def _new_conn(self):  # type: ignore[no-untyped-def]
            sock = super()._new_conn()
            check(self, "https", sock)
            return sock

    class Pool(HTTPConnectionPool):
        ConnectionCls = Conn

    class SPool(HTTPSConnectionPool):
        ConnectionCls = SConn

    return {"http": Pool, "https": SPool}


class _GuardedAdapter(HTTPAdapter):
    def __init__(self, policy: HostPolicy, **kwargs: object) -> None:
        self._policy = policy
        super().__init__(**kwargs)  # type: ignore[arg-type]

    def init_poolmanager(self, *args: object, **kwargs: object) -> None:
        super().init_poolmanager(*args, **kwargs)  # type: ignore[arg-type]
        self.poolmanager.pool_classes_by_scheme = _guarded_pool_classes(self._policy)


class Fetcher:
    """Downloads images several at a time over one pooled session that carries no credentials.

    Each distinct URL is downloaded once: results are kept in ``cache`` (failures for a short
    while), and a URL already being downloaded is waited for rather than fetched again.
    """

    def __init__(
        self,
        settings: Settings,
        policy: HostPolicy | None = None,
        cache: ByteLRU | None = None,
    ) -> None:
        self.settings = settings
        self.policy = policy or HostPolicy(settings.allow_private_image_hosts)
        self.cache = cache if cache is not None else make_cache(settings)
        self.session = requests.Session()
        self.session.trust_env = False  # no proxies or .netrc credentials reach image hosts
        self.session.headers["User-Agent"] = "group-viewer/0.1"
        size = settings.concurrency
        adapter = _GuardedAdapter(self.policy, pool_connections=size, pool_maxsize=size)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        self._pool = ThreadPoolExecutor(size, thread_name_prefix="image")
        self._prefetch_pool = ThreadPoolExecutor(max(2, size // 4), thread_name_prefix="prefetch")
        # each download in flight, with the pool it was queued on
        self._inflight: dict[str, tuple[Future[FetchResult], ThreadPoolExecutor]] = {}
        self._lock = threading.Lock()
        self.downloads = 0  # how many downloads were started, for tests and the benchmark

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
        self._prefetch_pool.shutdown(wait=False, cancel_futures=True)
        self.session.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # --- public -----------------------------------------------------------------------------

    def cached(self, url: str) -> FetchResult | None:
        return self.cache.get(("raw", url))

    def fetch(self, url: str) -> FetchResult:
        return self._submit(url, self._pool).result()

    def fetch_many(
        self, urls: Iterable[str], on_progress: Callable[[int, int], None] | None = None
    ) -> dict[str, FetchResult]:
        """Fetch every distinct URL; ``on_progress(done, total)`` is called from this thread."""
        distinct = list(dict.fromkeys(urls))
        results: dict[str, FetchResult] = {}
        futures: dict[Future[FetchResult], str] = {}
        for url in distinct:
            hit = self.cached(url)
            if hit is not None:
                results[url] = hit
            else:
                futures[self._submit(url, self._pool)] = url
        total = len(distinct)
        if on_progress:
            on_progress(len(results), total)
        for future in as_completed(futures):
            results[futures[future]] = future.result()
            if on_progress:
                on_progress(len(results), total)
        return {url: results[url] for url in distinct}

    def fetch_iter(
        self, urls: Iterable[str], until: float | None = None
    ) -> Iterator[tuple[str, FetchResult]]:
        """Yield (url, result) for every distinct URL: cached ones first, then as they finish,
        so one slow host never holds back the rest. ``until`` (a ``time.monotonic()`` time):
        stop there; what is still downloading goes on and is cached when it arrives."""
        futures: dict[Future[FetchResult], str] = {}
        for url in dict.fromkeys(urls):
            hit = self.cached(url)
            if hit is not None:
                yield url, hit
            else:
                futures[self._submit(url, self._pool)] = url
        try:
            for future in as_completed(futures, timeout=left(until)):
                yield futures[future], future.result()
        except FuturesTimeout:
            return

    def prefetch(self, urls: Iterable[str]) -> int:
        """Start downloading URLs in the background and return at once; returns how many."""
        started = 0
        for url in dict.fromkeys(urls):
            if self.cached(url) is None:
                self._submit(url, self._prefetch_pool)
                started += 1
        return started

    # --- work -------------------------------------------------------------------------------

    def _submit(self, url: str, pool: ThreadPoolExecutor) -> Future[FetchResult]:
        with self._lock:
            entry = self._inflight.get(url)
            if entry is not None:
                future, queued_on = entry
                # A prefetch still waiting in its small pool is wanted now: requeue it on the
                # foreground pool rather than wait behind the other prefetches.
                promote = pool is self._pool and queued_on is not self._pool
                if not (promote and future.cancel()):
                    return future
            else:
                hit = self.cached(url)
                if hit is not None:
                    done: Future[FetchResult] = Future()
                    done.set_result(hit)
                    return done
            future = pool.submit(self._download_and_store, url)
            self._inflight[url] = (future, pool)
            return future

    def _download_and_store(self, url: str) -> FetchResult:
        try:
            result = self._download(url)
        except Exception as error:  # one bad image never stops the page
            reason = f"The image could not be downloaded ({type(error).__name__})."
            result = FetchFailure(url, reason)
        ttl = FAILURE_TTL_S if isinstance(result, FetchFailure) else None
        self.cache.put(("raw", url), result, ttl_s=ttl)
        with self._lock:
            self._inflight.pop(url, None)
        return result

    def _download(self, url: str) -> FetchResult:
        s = self.settings
        self.downloads += 1
        deadline = time.monotonic() + s.image_deadline_s
        too_slow = FetchFailure(url, self._too_slow())
        current = url
        for _ in range(MAX_REDIRECTS + 1):
            remaining = deadline - time.monotonic()
            if remaining <= 0:  # the deadline covers every hop, headers included
                return too_slow
            try:
                self.policy.check_url(current)
            except BlockedHostError as error:
                return FetchFailure(url, error.message)
            _deadline.value = deadline
            try:
                response = self.session.get(
                    current,
                    timeout=(
                        min(s.image_connect_timeout_s, remaining),
                        min(s.image_read_timeout_s, remaining),
                    ),
                    allow_redirects=False,
                    stream=True,
                )
            except _PeerCheck as blocked:
                return FetchFailure(url, blocked.error.message)
            except requests.exceptions.RequestException as error:
                if time.monotonic() >= deadline:
                    return too_slow
                if isinstance(error, requests.exceptions.Timeout):
                    return FetchFailure(url, "The image host did not answer in time.")
                return FetchFailure(url, f"The image host could not be reached ({_cause(error)}).")
            finally:
                _deadline.value = None
            with response:
                if response.is_redirect:
                    location = response.headers.get("Location")
                    if not location:
                        return FetchFailure(url, "The image host redirected without a target.")
                    current = urljoin(current, location)
                    continue
                if response.status_code != 200:
                    return FetchFailure(url, _status_reason(response.status_code))
                declared = response.headers.get("Content-Length")
                if declared and declared.isdigit() and int(declared) > s.max_image_bytes:
                    return FetchFailure(url, _too_large(s.max_image_bytes))
                return self._read_body(url, response, deadline)
        return FetchFailure(url, f"The image host redirected more than {MAX_REDIRECTS} times.")

    def _too_slow(self) -> str:
        return (
            f"The image took longer than {self.settings.image_deadline_s:g} s to download; "
            "the host is too slow."
        )

    def _read_body(self, url: str, response: requests.Response, deadline: float) -> FetchResult:
        limit = self.settings.max_image_bytes
        try:
            data = read_body(response, limit, deadline)
        except BodyError as error:
            reason = {
                "too_large": _too_large(limit),
                "too_slow": self._too_slow(),
                "stalled": "The image host stopped sending the image.",
            }.get(error.kind, "The image download broke off before the end.")
            return FetchFailure(url, reason)
        return Fetched(url, data, response.headers.get("Content-Type"))


def _cause(error: BaseException) -> str:
    text = str(error.__context__ or error)
    if "Connection refused" in text:
        return "connection refused"
    if "Name or service not known" in text or "getaddrinfo" in text:
        return "host not found"
    return type(error).__name__


def _status_reason(status: int) -> str:
    if status == 404:
        return "The image is gone from its host (404)."
    if status in (401, 403):
        return f"The image host refused access ({status})."
    if status >= 500:
        return f"The image host had a server error ({status})."
    return f"The image host answered {status}."


def _too_large(limit: int) -> str:
    return f"The image is larger than {limit / (1024 * 1024):g} MB, the download limit."
