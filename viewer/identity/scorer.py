"""Background scoring: descriptors for a group's faces, the faces on screen first.

The caller never waits. ``request(group, faces_first)`` queues what is not yet known and
returns; ``status(group)`` and ``distances(group)`` answer from what has arrived. Images come
through the viewer's Fetcher (the same host policy, limits and byte cache as the pictures), are
read cheaply here to find each face's box and cache key, and go to a pool of worker processes
only for the faces the descriptor cache does not hold.
"""

from __future__ import annotations

import heapq
import itertools
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from multiprocessing import get_context

import numpy as np

from viewer.identity import jobs
from viewer.identity.cache import CacheError, DescriptorCache
from viewer.identity.distance import FLAG_DISTANCE, GroupDistances, group_distances
from viewer.identity.jobs import FaceRef, face_ref
from viewer.identity.model import (
    ModelStatus,
    ModelUnavailableError,
    check_model,
    describe_image,
    model_folder,
    warm,
)
from viewer.images import FAILURE_TTL_S, Fetcher, FetchFailure
from viewer.models import Face, Group

Outcome = np.ndarray | str  # a descriptor, or why the face is not scored
Priority = tuple[int, int, int]  # (0 on screen / 1 the rest, newest request first, position)
MAX_REMEMBERED = 200_000  # face outcomes kept in memory (about 600 bytes each)
WORKER_STOPPED = "The face model's worker process stopped while scoring this image."


def default_workers() -> int:
    """Processes for the model: the machine's cores, at most two (the pictures need CPU too)."""
    return max(1, min(2, os.cpu_count() or 1))


@dataclass(frozen=True)
class ScoreStatus:
    """Progress of one group: ``done`` faces scored, ``failed`` not scored, of ``total``."""

    total: int
    done: int
    failed: int
    model: ModelStatus

    @property
    def pending(self) -> int:
        return self.total - self.done - self.failed

    @property
    def finished(self) -> bool:
        return self.pending == 0 or not self.model.available


class Scorer:
    """Computes and caches face descriptors in the background for every session and group.

    ``cache`` defaults to the descriptor cache under ``settings.cache_path``; when it cannot be
    opened, descriptors are kept in memory and ``cache_message`` says so.
    """

    def __init__(
        self,
        fetcher: Fetcher,
        cache: DescriptorCache | None = None,
        workers: int | None = None,
    ) -> None:
        settings = fetcher.settings
        self.settings = settings
        self.fetcher = fetcher
        self.workers = workers or settings.face_workers or default_workers()
        self.cache_message: str | None = None
        self.cache = cache
        self._model = check_model(settings)
        if cache is None and self._model.available:
            try:
                self.cache = DescriptorCache(
                    settings.cache_path, settings.descriptor_cache_mb * 1024 * 1024
                )
            except CacheError as error:
                self.cache_message = error.message
        self._folder = str(model_folder(settings))
        self._cond = threading.Condition()
        self._results: OrderedDict[FaceRef, Outcome] = OrderedDict()
        self._pending: dict[str, dict[FaceRef, tuple[Priority, Face]]] = {}
        self._best: dict[str, Priority] = {}
        self._heap: list[tuple[Priority, int, str]] = []
        self._running: set[FaceRef] = set()
        self._retry_at: dict[FaceRef, float] = {}
        self._images: dict[str, bytes] = {}
        self._preparing = 0  # images being downloaded, read and looked up in the cache
        self._modelling = 0  # images at the worker processes
        self._seq = itertools.count(1)
        self._tick = itertools.count()
        self._closed = False
        self._memo: dict[tuple, GroupDistances] = {}
        # images downloaded and looked up at once: as many as the fetcher downloads at once
        self._preparers = max(2, settings.concurrency)
        self._prepare = ThreadPoolExecutor(self._preparers, thread_name_prefix="identity-prepare")
        self._pool: ProcessPoolExecutor | None = None
        self._restarts = 0
        self.computed = 0  # faces sent to the model, for tests and the benchmark
        if self._model.available:
            self._start_pool()
            threading.Thread(target=self._dispatch, name="identity", daemon=True).start()

    # --- public -----------------------------------------------------------------------------

    @property
    def model_status(self) -> ModelStatus:
        return self._model

    def request(
        self,
        group: Group,
        faces_first: Sequence[Face] = (),
        images: Mapping[str, bytes] | None = None,
    ) -> None:
        """Queue the group's faces not yet scored, ``faces_first`` ahead of the rest; returns at
        once. ``images`` holds bytes already in hand, by URL (they are not downloaded again)."""
        if not self._model.available:
            return
        with self._cond:
            seq = next(self._seq)
            first = {f.key: i for i, f in enumerate(faces_first)}
            for face in [*faces_first, *group.faces]:
                rank = first.get(face.key)
                tier = (0, -seq, rank) if rank is not None else (1, -seq, face.index)
                self._queue(face, tier)
            for url, data in (images or {}).items():
                if url in self._pending:
                    self._images[url] = data
            if len(self._heap) > 4 * len(self._best) + 64:
                self._heap = [(p, next(self._tick), url) for url, p in self._best.items()]
                heapq.heapify(self._heap)
            self._cond.notify_all()

    def status(self, group: Group) -> ScoreStatus:
        with self._cond:
            outcomes = [self._results.get(face_ref(f)) for f in group.faces]
        done = sum(1 for o in outcomes if isinstance(o, np.ndarray))
        failed = sum(1 for o in outcomes if isinstance(o, str))
        return ScoreStatus(len(group.faces), done, failed, self._model)

    def descriptors(self, group: Group) -> dict[str, np.ndarray]:
        """The descriptors scored so far, by face key."""
        with self._cond:
            found = {f.key: self._results.get(face_ref(f)) for f in group.faces}
        return {k: v for k, v in found.items() if isinstance(v, np.ndarray)}

    def not_scored(self, group: Group) -> dict[str, str]:
        """Why each face that will not be scored is not, by face key."""
        with self._cond:
            found = {f.key: self._results.get(face_ref(f)) for f in group.faces}
        return {k: v for k, v in found.items() if isinstance(v, str)}

    def distances(self, group: Group, threshold: float = FLAG_DISTANCE) -> GroupDistances:
        """Distances to the centre of the faces scored so far (recomputed only when more are)."""
        descriptors = self.descriptors(group)
        memo_key = (group.namespace, group.id, tuple(descriptors), threshold)
        hit = self._memo.get(memo_key)
        if hit is None:
            hit = group_distances(descriptors, threshold)
            if len(self._memo) > 64:
                self._memo.clear()
            self._memo[memo_key] = hit
        return hit

    def wait(self, group: Group, timeout: float | None = None) -> ScoreStatus:
        """Block until every face of the group is scored or settled (for the command line)."""
        with self._cond:
            self._cond.wait_for(lambda: self.status(group).finished or self._closed, timeout)
        return self.status(group)

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        self._prepare.shutdown(wait=False, cancel_futures=True)
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)

    def __enter__(self) -> Scorer:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # --- queue ------------------------------------------------------------------------------

    def _queue(self, face: Face, priority: Priority) -> None:
        ref = face_ref(face)
        retry = self._retry_at.get(ref)
        if retry is not None and time.monotonic() >= retry:  # a download that failed may work now
            del self._retry_at[ref]
            self._results.pop(ref, None)
        if ref in self._results or ref in self._running:
            return
        if face.url is None or face.box is None:
            self._remember({ref: jobs.NO_URL if face.url is None else jobs.NO_BOX})
            return
        waiting = self._pending.setdefault(face.url, {})
        if ref in waiting and waiting[ref][0] <= priority:
            return
        waiting[ref] = (priority, face)
        if priority < self._best.get(face.url, (9, 0, 0)):
            self._best[face.url] = priority
            heapq.heappush(self._heap, (priority, next(self._tick), face.url))

    def _take(self) -> tuple[str, dict[FaceRef, Face]] | None:
        """The best image's faces of its best tier, moved from pending to running."""
        while self._heap:
            priority, _, url = heapq.heappop(self._heap)
            if self._best.get(url) != priority:
                continue  # an entry outdone by a later request
            waiting = self._pending[url]
            batch = {ref: face for ref, (p, face) in waiting.items() if p[0] == priority[0]}
            for ref in batch:
                del waiting[ref]
            if waiting:
                self._best[url] = min(p for p, _ in waiting.values())
                heapq.heappush(self._heap, (self._best[url], next(self._tick), url))
            else:
                del self._pending[url], self._best[url]
            self._running.update(batch)
            return url, batch
        return None

    def _drop_pending(self, reason: str) -> None:
        """Settle every queued face with ``reason`` (the model has become unavailable)."""
        for waiting in self._pending.values():
            self._remember(dict.fromkeys(waiting, reason))
        self._pending.clear()
        self._best.clear()
        self._heap.clear()
        self._cond.notify_all()

    def _upcoming(self, n: int) -> list[str]:
        """The next ``n`` images (a prefetch hint). A heap's ``n`` smallest lie in its first
        2**n - 1 places, so this reads those, not the whole heap: with a million faces queued,
        reading it all under the lock held up every page."""
        head = self._heap[: (1 << n) - 1] if n < 16 else self._heap
        return [url for _, _, url in heapq.nsmallest(n, head) if url in self._best]

    def _dispatch(self) -> None:
        # Images at the model: enough to keep the workers busy, few enough that faces asked for
        # later (the next page) soon come first. Images found in the cache never wait for them.
        backlog = self.workers + 2

        def ready() -> bool:
            free = self._preparing < self._preparers and self._modelling < backlog
            return self._closed or (free and bool(self._heap))

        while True:
            with self._cond:
                self._cond.wait_for(ready)
                if self._closed:
                    return
                if not self._model.available:
                    self._drop_pending(self._model.message or "")
                    continue
                taken = self._take()
                if taken is None:
                    continue
                self._preparing += 1
                data = self._images.pop(taken[0], None)
                ahead = self._upcoming(self._preparers)
            self.fetcher.prefetch(u for u in ahead if u not in self._images)
            try:
                self._prepare.submit(self._score_image, *taken, data)
            except RuntimeError:  # closed meanwhile
                return

    # --- work -------------------------------------------------------------------------------

    def _score_image(self, url: str, faces: dict[FaceRef, Face], data: bytes | None) -> None:
        outcomes: dict[FaceRef, Outcome] = {}
        pool = self._pool
        try:
            if data is None:
                got = self.fetcher.fetch(url)
                if isinstance(got, FetchFailure):
                    self._finish(faces, dict.fromkeys(faces, got.reason), retry=True)
                    return
                data = got.data
            header = jobs.read_header(data, self.settings.max_image_pixels)
            if isinstance(header, str):
                self._finish(faces, dict.fromkeys(faces, header))
                return
            version = self._model.version or ""
            plan = jobs.plan_image(list(faces.values()), header, self.settings.boxes_on, version)
            outcomes.update(plan.reasons)
            known = self.cache.get_many(plan.keys.values()) if self.cache else {}
            for ref, key in plan.keys.items():
                if key in known:
                    outcomes[ref] = np.frombuffer(known[key], dtype=np.float32)
            todo = [ref for ref in plan.boxes if ref not in outcomes]
            if not todo:
                self._finish(faces, outcomes)
                return
            pool = self._pool
            assert pool is not None
            future = pool.submit(
                describe_image,
                self._folder,
                data,
                [plan.boxes[ref] for ref in todo],
                header.orientation,
                self.settings.max_image_pixels,
            )
            with self._cond:
                self._preparing -= 1
                self._modelling += 1
                self.computed += len(todo)
        except BrokenProcessPool:
            self._restart_pool(pool)
            self._finish(faces, {**dict.fromkeys(faces, WORKER_STOPPED), **outcomes}, retry=True)
            return
        except Exception as error:  # one bad image never stops the scoring
            reason = f"The face could not be scored ({type(error).__name__})."
            self._finish(faces, {**dict.fromkeys(faces, reason), **outcomes})
            return
        future.add_done_callback(
            lambda f: self._described(f, pool, faces, outcomes, todo, plan.keys)
        )

    def _described(
        self,
        future: Future[list[bytes | str]],
        pool: ProcessPoolExecutor,
        faces: dict[FaceRef, Face],
        outcomes: dict[FaceRef, Outcome],
        todo: list[FaceRef],
        keys: dict[FaceRef, bytes],
    ) -> None:
        retry = False
        try:
            values = future.result()
        except ModelUnavailableError as error:
            self._model = ModelStatus(False, message=error.message)
            values = [error.message] * len(todo)
        except (BrokenProcessPool, RuntimeError):
            values = [WORKER_STOPPED] * len(todo)
            retry = True
            self._restart_pool(pool)
        except Exception as error:
            values = [f"The face could not be scored ({type(error).__name__})."] * len(todo)
        fresh: dict[bytes, bytes] = {}
        for ref, value in zip(todo, values, strict=True):
            if isinstance(value, bytes):
                outcomes[ref] = np.frombuffer(value, dtype=np.float32)
                fresh[keys[ref]] = value
            else:
                outcomes[ref] = value
        if self.cache is not None and fresh:
            try:
                self.cache.put_many(fresh)
            except Exception as error:  # a full disk must not lose what was computed
                self.cache_message = (
                    f"The descriptor cache could not be written ({type(error).__name__}): "
                    "descriptors are kept in memory."
                )
        self._finish(faces, outcomes, modelled=True, retry=retry)

    def _finish(
        self,
        faces: Mapping[FaceRef, Face],
        outcomes: Mapping[FaceRef, Outcome],
        modelled: bool = False,
        retry: bool = False,
    ) -> None:
        """Record outcomes; with ``retry`` the faces not scored are tried again when asked for
        after a while (their trouble may pass: a host down, a worker that stopped)."""
        with self._cond:
            self._remember(outcomes)
            if retry:
                again = time.monotonic() + FAILURE_TTL_S
                self._retry_at.update((r, again) for r, o in outcomes.items() if isinstance(o, str))
            self._running.difference_update(faces)
            if modelled:
                self._modelling -= 1
            else:
                self._preparing -= 1
            self._cond.notify_all()

    def _remember(self, outcomes: Mapping[FaceRef, Outcome]) -> None:
        self._results.update(outcomes)
        while len(self._results) > MAX_REMEMBERED:
            self._results.popitem(last=False)

    # --- worker processes -------------------------------------------------------------------

    def _start_pool(self) -> None:
        # spawn, not fork: the app's process runs many threads, which fork would copy mid-step
        self._pool = ProcessPoolExecutor(self.workers, mp_context=get_context("spawn"))
        for _ in range(self.workers):
            self._pool.submit(warm, self._folder).add_done_callback(self._warmed)

    def _warmed(self, future: Future[str]) -> None:
        error = future.exception()
        if isinstance(error, ModelUnavailableError):
            with self._cond:
                self._model = ModelStatus(False, message=error.message)
                self._cond.notify_all()

    def _restart_pool(self, broken: ProcessPoolExecutor | None) -> None:
        """Replace a pool whose worker died (once, however many of its jobs report it)."""
        with self._cond:
            if self._closed or broken is not self._pool:
                return
            self._restarts += 1
            if self._restarts > 3:
                self._model = ModelStatus(
                    False,
                    message="The face model's worker processes keep stopping: "
                    "identity distances are not shown; restart the viewer.",
                )
                return
            old, self._pool = self._pool, None
            self._start_pool()
        if old is not None:
            old.shutdown(wait=False, cancel_futures=True)
