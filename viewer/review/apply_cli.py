"""``python -m viewer review apply NAMESPACE GROUP`` and ``review apply-log``.

``apply`` reads the group's latest verdicts from the store, reads the group and its identity
from the API, prints every request it would send, and sends them after a confirmation (a
``y`` on a terminal, or ``--yes``); ``--dry-run`` stops after the preview. Sending is refused
unless II_ALLOW_WRITES=1 (always allowed on the embedded demo API). ``apply-log`` writes the
group's apply batches (who, when, what, the API's answer) to a .csv or .json file.

Heavy modules (SQLAlchemy, the client) are imported only when a command runs.
"""

from __future__ import annotations

import argparse
import getpass
import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from viewer.config import Settings
    from viewer.review.apply_log import ApplyBatch

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
COMMANDS = ("apply", "apply-log")
BATCH_COLUMNS = (
    "batch_id",
    "namespace",
    "group_id",
    "identity_id",
    "operation",
    "image_ids",
    "state",
    "answer",
    "by",
    "created_at",
    "updated_at",
)

_EPILOG = """\
apply sends nothing without a confirmation: answer y on a terminal, or pass --yes.
Writing is off unless II_ALLOW_WRITES=1 (the embedded demo API always takes changes).
Who applied is --by, else II_ANALYST, else the login name.

exit status: 0 done (or nothing to send, or a dry run); 1 the API or the database failed
part-way (apply again: it finishes what is missing); 2 usage, settings, or refused.
"""


def add_parsers(actions: Any) -> None:
    """Add ``apply`` and ``apply-log`` to the ``review`` actions."""
    apply = actions.add_parser(
        "apply",
        help="send a group's verdicts to the API (identities), after a preview",
        description="Apply a group's verdicts: remove 'not this person' faces from its identity.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    apply.add_argument("namespace", metavar="NAMESPACE")
    apply.add_argument("group_id", metavar="GROUP")
    apply.add_argument("--dry-run", action="store_true", help="print the requests, send nothing")
    apply.add_argument("--yes", action="store_true", help="send without asking")
    apply.add_argument("--by", metavar="NAME", help="who applies (default II_ANALYST)")
    apply.add_argument("--api-url", metavar="URL", help="the API's URL (overrides II_API_URL)")
    log = actions.add_parser(
        "apply-log",
        help="write a group's apply batches (requests and answers) to FILE (.csv or .json)",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    log.add_argument("namespace", metavar="NAMESPACE")
    log.add_argument("group_id", metavar="GROUP")
    log.add_argument("--out", required=True, type=Path, metavar="FILE", help=".csv or .json")


def run(args: argparse.Namespace, settings: Settings, stdout: TextIO, stderr: TextIO) -> int:
    if args.review_command == "apply-log":
        return export_log(args, settings, stdout, stderr)
    return apply(args, settings, stdout, stderr, input)


def _cells(batch: ApplyBatch) -> dict[str, object]:
    def stamp(value: Any) -> str:
        return value.isoformat(timespec="microseconds").replace("+00:00", "Z")

    return {
        "batch_id": batch.id,
        "namespace": batch.namespace,
        "group_id": batch.group,
        "identity_id": batch.identity_id,
        "operation": batch.operation,
        "image_ids": " ".join(batch.image_ids),
        "state": batch.state,
        "answer": batch.answer,
        "by": batch.by,
        "created_at": stamp(batch.created_at),
        "updated_at": stamp(batch.updated_at),
    }


def apply_log_csv(batches: Sequence[ApplyBatch]) -> str:
    """The batches as CSV (``apply_log.csv``); text a spreadsheet would run is neutralised."""
    from viewer.review.transfer import cells_csv

    return cells_csv(BATCH_COLUMNS, (_cells(batch) for batch in batches))


def apply_log_json(batches: Sequence[ApplyBatch], namespace: str, group: str) -> str:
    rows = [{**_cells(b), "image_ids": list(b.image_ids)} for b in batches]
    data = {"format": "group-viewer apply log", "version": 1, "namespace": namespace}
    return json.dumps({**data, "group": group, "batches": rows}, ensure_ascii=False, indent=1)


def export_log(args: argparse.Namespace, settings: Settings, stdout: TextIO, stderr: TextIO) -> int:
    from viewer.review.cli import write_export

    def read(store: Any, namespace: str, group: str) -> list[ApplyBatch]:
        return store.apply_log.batches(namespace, group)

    writers = (apply_log_csv, apply_log_json)
    return write_export(args, settings, (stdout, stderr), read, writers, "apply batches")


def _confirmed(
    args: argparse.Namespace, count: int, ask: Callable[[str], str], stdin: Any
) -> bool | None:
    """True to send; False if the person said no; None if there was nobody to ask."""
    if args.yes:
        return True
    if not stdin.isatty():
        return None
    try:
        return ask(f"Send these {count} request(s) to the API? [y/N] ").strip().lower() in (
            "y",
            "yes",
        )
    except EOFError:
        return False


def apply(
    args: argparse.Namespace,
    settings: Settings,
    stdout: TextIO,
    stderr: TextIO,
    ask: Callable[[str], str],
    stdin: Any = None,
) -> int:
    """The ``apply`` command; ``ask`` reads the confirmation from ``stdin`` (a terminal)."""
    import sys

    from viewer.api import Client
    from viewer.edits import missing_write_scopes
    from viewer.exceptions import ViewerError
    from viewer.review.apply import (
        execute,
        prepare,
        stored_moves,
        stored_verdicts,
        write_refusal,
    )
    from viewer.review.store import open_store
    from viewer.review.values import check_analyst, check_place

    try:
        namespace, group = check_place(args.namespace, args.group_id)
        by = check_analyst(args.by or settings.analyst or getpass.getuser())
    except ViewerError as error:
        print(f"error: {error.message}", file=stderr)
        return EXIT_USAGE
    refused = write_refusal(settings, by)
    if refused and not args.dry_run:
        print(f"error: {refused}", file=stderr)
        return EXIT_USAGE
    server = None
    if settings.demo:
        from viewer.demo.server import DemoServer

        server = DemoServer(host="127.0.0.1", port=0, quiet=True).start()
        settings = settings.for_demo(server.api_url)
        print(f"note: using the embedded demo API at {server.api_url}.", file=stderr)
    try:
        with open_store(settings) as store, Client(settings) as client:
            verdicts = stored_verdicts(store, namespace, group)
            moves = stored_moves(client, store, namespace, group)
            prepared = prepare(client, store.apply_log, namespace, group, verdicts, moves)
            plan = prepared.plan
            print(plan.preview(), file=stdout)
            for operation in dict.fromkeys(step.operation for step in plan.steps):
                missing = missing_write_scopes(client.token_info, operation)
                if missing:
                    print(
                        f"warning: the token lacks the scope {missing[0]}, which this change "
                        "needs: the API will likely refuse it (403).",
                        file=stderr,
                    )
            if args.dry_run or (plan.empty and not prepared.leftovers):
                return EXIT_OK
            # Settling what an earlier apply left sends nothing, so it needs no confirmation.
            answer = plan.empty or _confirmed(args, len(plan.steps), ask, stdin or sys.stdin)
            if answer is None:
                print("error: nothing was sent: confirm on a terminal, or pass --yes.", file=stderr)
                return EXIT_USAGE
            if not answer:
                print("Nothing was sent.", file=stdout)
                return EXIT_OK
            result = execute(client, store.apply_log, prepared, by)
            print(result.report(), file=stdout)
            return EXIT_OK if result.complete else EXIT_FAILED
    except ViewerError as error:
        print(f"error: {error.message}", file=stderr)
        return EXIT_FAILED
    finally:
        if server is not None:
            server.stop()
