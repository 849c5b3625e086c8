"""Applying a group's verdicts to the API: read, plan, then send batch by batch, logged.

``prepare`` reads the group and the identities and plans what is still missing (nothing is
written). ``execute`` first settles the batches an earlier apply left unfinished (a batch sent
whose answer was lost becomes confirmed when the identity shows its change, failed when not;
one never sent becomes failed, as its change is planned again), then records each batch
(pending) before it is sent, marks it sent, sends it once and records the answer (confirmed or
failed). A 429 is waited out as its Retry-After asks (up to ``max_wait_s``, a few times);
any other failure stops the run, leaving the rest pending, and applying again completes it
without doubling anything. Nothing here imports Streamlit.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from viewer import exceptions as exc
from viewer.api import Client
from viewer.config import Settings
from viewer.edits import Identity
from viewer.models import Group
from viewer.review.apply_log import CONFIRMED, FAILED, PENDING, SENT, ApplyBatch, ApplyLog
from viewer.review.plan import CREATE, REMOVE, Plan, Step, creation_custom_id, plan_apply

if TYPE_CHECKING:
    from viewer.review.store import VerdictStore

RATE_LIMIT_TRIES = 3  # sends of one batch while the API answers 429
MAX_WAIT_S = 30.0  # the longest Retry-After honoured; a longer one stops the run
DEFAULT_WAIT_S = 1.0  # when a 429 names no Retry-After


@dataclass(frozen=True)
class Prepared:
    """What was read and what it means: the plan, and earlier batches still unfinished.

    ``leftovers`` pairs each unfinished batch with whether the identities show its change.
    """

    plan: Plan
    group: Group
    leftovers: tuple[tuple[ApplyBatch, bool], ...] = ()


@dataclass(frozen=True)
class ApplyResult:
    """One run: the earlier batches it settled, its own batches as they ended, what stopped it."""

    plan: Plan
    settled: tuple[ApplyBatch, ...] = ()
    batches: tuple[ApplyBatch, ...] = ()
    error: exc.ViewerError | None = None
    pending: int = 0  # batches of the plan not sent because the run stopped

    @property
    def complete(self) -> bool:
        return self.error is None

    def report(self) -> str:
        """Lines for a person: each batch's end, then the outcome."""
        lines = [f"  settled earlier batch {b.id}: {b.state} ({b.answer})" for b in self.settled]
        lines += [
            f"  batch {b.id}: {b.operation} {len(b.image_ids)} image(s) -> {b.state}: {b.answer}"
            for b in self.batches
        ]
        if self.error is None:
            lines.append("Done: every batch was confirmed." if self.batches else "Nothing to send.")
        else:
            lines.append(f"Stopped: {self.error.message}")
            if self.pending:
                lines.append(f"{self.pending} batch(es) not sent: apply again to finish.")
        return "\n".join(lines)


def write_refusal(
    settings: Settings, analyst: str | None, *, logged_in: bool = False
) -> str | None:
    """Why ``analyst`` may not apply verdicts here (one sentence), or None if they may.

    The embedded demo API always takes changes. Elsewhere II_ALLOW_WRITES must be on, and
    when login is configured only the analysts named in II_APPLY_ANALYSTS may apply.
    """
    if settings.demo:
        return None
    if not settings.allow_writes:
        return (
            "Applying verdicts to the API is off for this deployment: set II_ALLOW_WRITES=1 "
            "to allow it."
        )
    if logged_in and (analyst or "") not in settings.apply_analysts:
        return (
            f"{analyst or 'This analyst'} may not apply verdicts: ask for your name to be added "
            "to II_APPLY_ANALYSTS."
        )
    return None


# --- reading ------------------------------------------------------------------------------


def stored_verdicts(store: VerdictStore, namespace: str, group_id: str) -> dict[str, str]:
    """The group's latest verdict words, by the face ids the store records (for ``prepare``)."""
    return {face: v.verdict for face, v in store.latest(namespace, group_id).items()}


def stored_moves(
    client: Client, store: VerdictStore, namespace: str, group_id: str
) -> dict[str, str]:
    """The group's moves as ``prepare`` takes them: face id -> the identity of the group each
    face moves to, read from the API now."""
    moves = store.moves.latest(namespace, group_id)
    identities: dict[str, str] = {}
    for target in dict.fromkeys(m.target_group for m in moves.values()):
        linked = client.get_group(namespace, target).identity_id
        if not linked:
            raise exc.InvalidInputError(
                f"Group {target} has no identity to move faces to: withdraw the move, or "
                "apply that group first."
            )
        identities[target] = linked
    return {face: identities[m.target_group] for face, m in moves.items()}


def _group_identity(client: Client, namespace: str, group: Group) -> Identity | None:
    """The group's identity; for a group without one, one an earlier apply created for it."""
    if group.identity_id:
        return client.get_identity(namespace, group.identity_id)
    custom = creation_custom_id(namespace, group.id or "")
    found = client.find_identities(namespace, custom_ids=[custom], limit=1)
    return found[0] if found else None


def _shows(batch: ApplyBatch, identity: Identity | None) -> bool:
    """True if ``identity`` (the one the batch edits, as read) shows the batch's change."""
    if identity is None:
        return False
    held = set(identity.image_ids)
    if batch.operation == REMOVE:
        return held.isdisjoint(batch.image_ids)
    return held.issuperset(batch.image_ids)


def prepare(
    client: Client,
    log: ApplyLog,
    namespace: str,
    group_id: str,
    verdicts: Mapping[str, str],
    moves: Mapping[str, str] | None = None,
) -> Prepared:
    """Read the group, its identity and the move targets, and plan; writes nothing."""
    group = client.get_group(namespace, group_id)
    identity = _group_identity(client, namespace, group)
    known: dict[str, Identity | None] = {identity.id: identity} if identity else {}
    for target in dict.fromkeys((moves or {}).values()):
        if target not in known:
            known[target] = client.get_identity(namespace, target)
    leftovers = []
    for batch in log.batches(namespace, group_id):
        if batch.state not in (PENDING, SENT):
            continue
        edited = identity if batch.operation == CREATE else _read(client, namespace, batch, known)
        leftovers.append((batch, _shows(batch, edited)))
    targets = {k: v for k, v in known.items() if v is not None}
    plan = plan_apply(namespace, group, verdicts, identity, moves=moves, targets=targets)
    return Prepared(plan, group, tuple(leftovers))


def _read(
    client: Client, namespace: str, batch: ApplyBatch, known: dict[str, Identity | None]
) -> Identity | None:
    identity_id = batch.identity_id or ""
    if identity_id not in known:
        try:
            known[identity_id] = client.get_identity(namespace, identity_id)
        except exc.NotFoundError:
            known[identity_id] = None
    return known[identity_id]


# --- sending ------------------------------------------------------------------------------


def _stamp() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _settle(log: ApplyLog, leftovers: tuple[tuple[ApplyBatch, bool], ...]) -> list[ApplyBatch]:
    settled = []
    for batch, shown in leftovers:
        if batch.state == SENT:
            state = CONFIRMED if shown else FAILED
            answer = f"no answer had arrived; the identity read at {_stamp()} " + (
                "shows the change" if shown else "does not show it, so it is planned again"
            )
        else:
            state = FAILED
            answer = "never sent (an earlier apply stopped first); " + (
                "the identity already shows the change" if shown else "planned again"
            )
        settled.append(log.mark(batch.id, state, answer))
    return settled


def _send(client: Client, namespace: str, step: Step, identity_id: str | None) -> Identity:
    ids = step.image_ids
    if step.operation == CREATE:
        return client.create_identity(namespace, ids, custom_id=step.custom_id)
    assert identity_id is not None
    if step.operation == REMOVE:
        return client.patch_identity(namespace, identity_id, remove=ids)
    return client.patch_identity(namespace, identity_id, add=ids)


def _verify(client: Client, namespace: str, step: Step, identity_id: str | None) -> Identity | None:
    """The identity the step edits, read again after a lost answer; None if it is not there."""
    if step.operation == CREATE:
        found = client.find_identities(namespace, custom_ids=[step.custom_id or ""], limit=1)
        return found[0] if found else None
    return client.get_identity(namespace, identity_id or "")


def _holds(identity: Identity) -> str:
    return f"identity {identity.id} now holds {len(identity.image_ids):,} image(s)"


@dataclass
class _Run:
    client: Client
    log: ApplyLog
    plan: Plan
    by: str
    sleep: Callable[[float], None]
    max_wait_s: float
    ended: list[ApplyBatch] = field(default_factory=list)

    def record(self, step: Step, identity_id: str | None) -> ApplyBatch:
        plan = self.plan
        (batch,) = self.log.add(
            plan.namespace, plan.group_id, identity_id, step.operation, [step.image_ids], self.by
        )
        return batch

    def end(self, batch: ApplyBatch, state: str, answer: str) -> None:
        self.ended.append(self.log.mark(batch.id, state, answer))

    def step(self, step: Step, batch: ApplyBatch, identity_id: str | None) -> Identity:
        """Send one batch until it is answered; raises what stops the run."""
        attempt = 0
        while True:
            attempt += 1
            self.log.mark(batch.id, SENT)
            try:
                identity = _send(self.client, self.plan.namespace, step, identity_id)
            except exc.RateLimitedError as error:
                self.end(batch, FAILED, error.answer or error.message)
                wait = error.retry_after_s if error.retry_after_s is not None else DEFAULT_WAIT_S
                if attempt == RATE_LIMIT_TRIES or wait > self.max_wait_s:
                    raise
                self.sleep(wait)
                batch = self.record(step, identity_id)
                continue
            except (exc.OutcomeUnknownError, exc.ServerError) as error:
                self.lost(step, batch, identity_id, error)
                raise
            except exc.ViewerError as error:
                self.end(batch, FAILED, getattr(error, "answer", None) or error.message)
                raise
            self.end(batch, CONFIRMED, f"200 OK: {_holds(identity)}")
            return identity

    def lost(
        self, step: Step, batch: ApplyBatch, identity_id: str | None, error: exc.APIError
    ) -> None:
        """After a lost or failed answer: confirmed if the identity shows it, else failed.

        If even that reading fails, the batch stays sent and the next apply settles it.
        """
        said = error.answer or "no answer"
        try:
            identity = _verify(self.client, self.plan.namespace, step, identity_id)
        except exc.ViewerError:
            return
        if _shows(batch, identity):
            self.end(batch, CONFIRMED, f"{said}; read again: {_holds(identity)}, change shown")
        else:
            self.end(batch, FAILED, f"{said}; read again: the change is not shown")


def execute(
    client: Client,
    log: ApplyLog,
    prepared: Prepared,
    by: str,
    *,
    sleep: Callable[[float], None] = time.sleep,
    max_wait_s: float = MAX_WAIT_S,
) -> ApplyResult:
    """Settle earlier batches, then send the plan batch by batch (see the module docstring)."""
    settled = _settle(log, prepared.leftovers)
    plan = prepared.plan
    run = _Run(client, log, plan, by, sleep, max_wait_s)
    created: str | None = None
    # Every batch is recorded before any is sent, but those adding to an identity the plan
    # creates: they are recorded once it exists.
    waiting = {
        n: run.record(step, step.identity_id)
        for n, step in enumerate(plan.steps)
        if step.identity_id or step.operation == CREATE
    }
    for n, step in enumerate(plan.steps):
        identity_id = step.identity_id or created
        batch = waiting.pop(n, None) or run.record(step, identity_id)
        try:
            identity = run.step(step, batch, identity_id)
        except exc.ViewerError as error:
            left = len(plan.steps) - n - 1
            return ApplyResult(plan, tuple(settled), tuple(run.ended), error, left)
        if step.operation == CREATE:
            created = identity.id
    return ApplyResult(plan, tuple(settled), tuple(run.ended))
