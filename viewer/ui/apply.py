"""Apply to the API: a preview of the requests, an explicit confirmation, the result.

Nothing here runs on page load: the group and its identity are read when the analyst asks for
a preview, and the requests go out only after "I have read the requests" is ticked and the
Apply button pressed. Just before sending, the plan is made again from what the API says now;
if it differs from the preview, the new preview is shown and nothing is sent.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial

import pandas as pd
import streamlit as st

from viewer.config import Settings
from viewer.draw.boxes import Badge
from viewer.draw.color import Color
from viewer.edits import MAX_IDS, missing_write_scopes
from viewer.exceptions import StoreUnavailableError, ViewerError
from viewer.models import Group
from viewer.review.apply import (
    ApplyResult,
    Prepared,
    execute,
    prepare,
    stored_moves,
    stored_verdicts,
    write_refusal,
)
from viewer.review.apply_log import ApplyBatch, last_confirmed, removed_images, unfinished
from viewer.review.plan import ADD, CREATE, REMOVE
from viewer.ui import resources, session
from viewer.ui.context import ApplyContext
from viewer.ui.text import escape_md, when

REMOVED_BADGE = Badge("\u2212", Color.from_hex("#0072B2"))  # Okabe–Ito blue; drawn as "-"
REMOVED = "removed from the identity"
DOING = {CREATE: "creating an identity", ADD: "adding images", REMOVE: "removing images"}
CHANGED = (
    "The requests changed since the preview (the identity or the verdicts changed): nothing "
    "was sent; read the new requests below."
)
EXPLAIN = (
    "Applying sends this group's verdicts to the API: each face marked \u201cnot this "
    "person\u201d is removed from the group's identity, and each face marked \u201cbelongs\u201d "
    "that the identity lacks is added back; a face moved to another group (Detail) leaves "
    f"this identity for that group's, in requests of at most {MAX_IDS} image ids. "
    "Preview reads the group and its identity and lists every request; nothing is sent until "
    "you confirm. Each request is recorded in the review log before it is sent and after it "
    "is answered, so applying again after a failure sends only what is still missing."
)


def apply_context(
    s: Settings, namespace: str, group_id: str, group: Group, analyst: str | None
) -> ApplyContext:
    """The panel's context: the store (or why not), who applies, and this session's apply."""
    store, unavailable, batches = None, None, ()
    try:
        store = resources.verdict_store(s)
        batches = tuple(store.apply_log.batches(namespace, group_id))
    except StoreUnavailableError as error:
        store, unavailable = None, error.message
    return ApplyContext(
        settings=s,
        client=resources.client(s),
        store=store,
        unavailable=unavailable,
        namespace=namespace,
        group_id=group_id,
        group=group,
        analyst=analyst,
        logged_in=session.logged_in(),
        applying=session.applying(namespace, group_id),
        batches=batches,
        keep_preview=partial(session.keep_preview, namespace, group_id),
        keep_result=partial(session.keep_result, namespace, group_id),
        reload_group=partial(resources.group.clear, s, namespace, group_id),
    )


def removed_keys(group: Group, batches: Sequence[ApplyBatch]) -> frozenset[str]:
    """Faces an apply removed from the group's identity that the group no longer links to it."""
    gone = removed_images(batches, group.identity_id)
    return frozenset(
        f.key for f in group.faces if f.id in gone and f.identity_id != group.identity_id
    )


def removed_badges(keys: frozenset[str]) -> dict[str, tuple[Badge, ...]]:
    return {key: (REMOVED_BADGE,) for key in keys}


def refusal(ctx: ApplyContext) -> str | None:
    """Why this analyst may not apply here (one sentence), or None."""
    refused = write_refusal(ctx.settings, ctx.analyst, logged_in=ctx.logged_in)
    if refused is None and ctx.analyst is None:
        return "Enter your name in the sidebar to apply verdicts: each request records who sent it."
    return refused


def scope_refusal(ctx: ApplyContext, prepared: Prepared) -> str | None:
    """The scope the token lacks for this plan (one sentence), or None when it has them all or
    its scopes are unknown (then the API's answer decides)."""
    for operation in dict.fromkeys(step.operation for step in prepared.plan.steps):
        missing = missing_write_scopes(ctx.client.token_info, operation)
        if missing:
            doing = {
                CREATE: "creating an identity",
                ADD: "adding images",
                REMOVE: "removing images",
            }
            return (
                f"The API token lacks the scope {missing[0]}, which {doing[operation]} needs: "
                "ask for a client with that scope before applying."
            )
    return None


def requests_frame(prepared: Prepared) -> pd.DataFrame:
    """One row per request, in the order they are sent: exactly what goes out."""
    plan = prepared.plan
    rows = []
    for n, (step, request) in enumerate(zip(plan.steps, plan.requests(), strict=True), 1):
        ids = " ".join(step.image_ids)
        rows.append(
            {
                "#": n,
                "method": request.method,
                "path": request.path,
                "operation": step.operation,
                "images": len(step.image_ids),
                "add": ids if step.operation in (ADD, CREATE) else "",
                "remove": ids if step.operation == REMOVE else "",
            }
        )
    return pd.DataFrame(rows)


def batches_frame(batches: Sequence[ApplyBatch]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "batch": [b.id for b in batches],
            "operation": [b.operation for b in batches],
            "identity": [b.identity_id or "" for b in batches],
            "images": [len(b.image_ids) for b in batches],
            "state": [b.state for b in batches],
            "answer": [b.answer or "" for b in batches],
            "by": [b.by for b in batches],
            "when": [b.updated_at for b in batches],
        }
    )


def preview_summary(prepared: Prepared) -> str:
    """One sentence: how many requests, in batches of at most 20, and what else happens."""
    plan = prepared.plan
    count = len(plan.steps)
    text = (
        f"{count} request(s) will be sent, at most {MAX_IDS} image ids each."
        if count
        else "Nothing to send: the identity already matches the verdicts."
    )
    if plan.already_done:
        text += f" {plan.already_done:,} image(s) already show their change and are not sent."
    if prepared.leftovers:
        text += (
            f" {len(prepared.leftovers)} batch(es) an earlier apply left unfinished are "
            "settled first (that sends nothing)."
        )
    return text


def _result(result: ApplyResult) -> None:
    confirmed = sum(1 for b in result.batches if b.state == "confirmed")
    failed = [b for b in result.batches if b.state == "failed"]
    if result.complete:
        said = f"Applied: {confirmed} batch(es) confirmed by the API."
        if result.settled:
            said += f" {len(result.settled)} earlier batch(es) settled."
        st.success(escape_md(said, 400), icon=":material/check_circle:")
    else:
        error = result.error
        st.error(
            escape_md(
                f"{confirmed} batch(es) confirmed, {len(failed)} failed: "
                f"{error.message if error else 'the run stopped'}",
                700,
            )
        )
        left = f"{result.pending} batch(es) were not sent. " if result.pending else ""
        st.warning(
            escape_md(
                f"{left}Apply again to finish: it reads the identity first and sends only "
                "what is still missing, so nothing is applied twice.",
                400,
            ),
            icon=":material/replay:",
        )
    shown = [*result.settled, *result.batches]
    if shown:
        st.dataframe(batches_frame(shown), hide_index=True, width="stretch")


def _preview(prepared: Prepared) -> None:
    plan = prepared.plan
    who = f"identity {plan.identity_id}" if plan.identity_id else "no identity yet"
    st.markdown(
        f"**Preview** · group {escape_md(plan.group_id, 80)} · {escape_md(who, 120)}  \n"
        + escape_md(preview_summary(prepared), 600)
    )
    for note in plan.notes:
        st.caption(escape_md(note, 300))
    if plan.steps:
        st.dataframe(requests_frame(prepared), hide_index=True, width="stretch")
        # the same text as ``python -m viewer review apply --dry-run`` prints
        st.code(plan.preview(), language=None, wrap_lines=True)


def _same(kept: Prepared, fresh: Prepared) -> bool:
    """Whether a plan made again sends what the analyst read, and settles the same batches."""
    kept_left = [b.id for b, _ in kept.leftovers]
    fresh_left = [b.id for b, _ in fresh.leftovers]
    return kept.plan.requests() == fresh.plan.requests() and kept_left == fresh_left


def _prepare(ctx: ApplyContext) -> Prepared | None:
    """Read the group, its identity and the verdicts, and plan; None (said) on failure."""
    assert ctx.store is not None
    try:
        with st.spinner("Reading the group and its identity…"):
            verdicts = stored_verdicts(ctx.store, ctx.namespace, ctx.group_id)
            moves = stored_moves(ctx.client, ctx.store, ctx.namespace, ctx.group_id)
            return prepare(
                ctx.client, ctx.store.apply_log, ctx.namespace, ctx.group_id, verdicts, moves
            )
    except ViewerError as error:
        st.error(escape_md(error.message, 600))
        return None


def _send(ctx: ApplyContext, kept: Prepared) -> None:
    """Plan again from what the API says now; send only if it is what the analyst read."""
    assert ctx.store is not None and ctx.analyst is not None
    fresh = _prepare(ctx)
    if fresh is None:
        return
    if not _same(kept, fresh):
        ctx.keep_preview(fresh, CHANGED)
        st.rerun()
    try:
        with st.spinner("Sending the requests…"):
            result = execute(ctx.client, ctx.store.apply_log, fresh, ctx.analyst)
    except ViewerError as error:  # the store failed between batches
        st.error(escape_md(error.message, 600))
        return
    ctx.keep_result(result)
    ctx.reload_group()
    st.rerun()


def apply_panel(ctx: ApplyContext) -> None:
    """The explanation, why not (if so), the preview on request, the confirmation, the result."""
    st.caption(EXPLAIN)
    if ctx.store is None:  # the page said why once, above
        st.caption(
            "Applying needs the verdict database, which cannot be used now: nothing can be "
            "previewed or sent."
        )
        return
    applying = ctx.applying
    if applying.result is not None:
        _result(applying.result)
    left = unfinished(ctx.batches)
    if left and applying.preview is None:
        st.info(
            f"{len(left)} batch(es) of an earlier apply are unfinished: preview and apply "
            "again to finish.",
            icon=":material/pending:",
        )
    refused = refusal(ctx)
    if refused:
        st.warning(escape_md(refused, 600), icon=":material/block:")
    if st.button("Preview the requests", key=session.APPLY_PREVIEW, icon=":material/preview:"):
        prepared = _prepare(ctx)
        if prepared is None:
            return
        applying = ctx.keep_preview(prepared, None)
    kept = applying.preview
    if kept is None:
        return
    if applying.notice:
        st.warning(escape_md(applying.notice, 400), icon=":material/sync_problem:")
    _preview(kept)
    if refused:
        return
    lacking = scope_refusal(ctx, kept)
    if lacking:
        st.warning(escape_md(lacking, 600), icon=":material/key_off:")
        return
    if kept.plan.empty and not kept.leftovers:
        return
    _confirm(ctx, kept, applying.number)


def _confirm(ctx: ApplyContext, kept: Prepared, number: int) -> None:
    count = len(kept.plan.steps)
    read = True
    if count:
        read = st.checkbox(
            "I have read the requests", key=session.keyed(session.APPLY_READ, number)
        )
        label = f"Apply {count} request(s)"
    else:
        label = f"Settle {len(kept.leftovers)} earlier batch(es) (sends nothing)"
    pressed = st.button(
        label,
        key=session.APPLY_SEND,
        type="primary",
        disabled=not read,
        icon=":material/cloud_upload:",
    )
    if pressed and read:
        _send(ctx, kept)


def applied_by(batches: Sequence[ApplyBatch]) -> str | None:
    """``"applied here by ann · 2026-01-02 10:00:00 UTC"`` for the last confirmed batch."""
    last = last_confirmed(batches)
    return f"applied here by {last.by} · {when(last.updated_at)}" if last else None
