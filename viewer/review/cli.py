"""``python -m viewer review export|import``: a group's review log to a file, and back.

``review apply`` and ``review apply-log`` are in ``viewer.review.apply_cli``.

Exit status: 0 done; 1 the verdict database or the output file failed; 2 usage, settings or
a bad import file (nothing is imported then). The store is imported only when a command runs,
so ``python -m viewer render`` does not pay for it.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TextIO

from viewer.review import apply_cli

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
MAX_SHOWN = 50  # bad rows listed; the rest are counted

_EPILOG = """\
The verdicts are kept where the app keeps them: the SQLite file II_REVIEW_DB, or the
database II_DATABASE_URL names. Import checks face ids against the group fetched from the
API (II_API_URL and credentials, as for render; the embedded demo API when none are set).

exit status: 0 done; 1 the database or the file could not be used;
2 usage or settings error, or a bad import file (then nothing is imported).
"""


def add_parser(commands: Any) -> None:
    """Add ``review`` with its ``export`` and ``import`` actions to the top-level parser."""
    review = commands.add_parser(
        "review",
        help="export, import or apply analysts' verdicts (the review log)",
        description="Export a group's review log, or import one.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    actions = review.add_subparsers(dest="review_command", metavar="ACTION", required=True)
    export = actions.add_parser(
        "export",
        help="write a group's whole verdict history to FILE (.csv or .json)",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    export.add_argument("namespace", metavar="NAMESPACE")
    export.add_argument("group_id", metavar="GROUP")
    export.add_argument(
        "--out", required=True, type=Path, metavar="FILE", help="the file: .csv or .json"
    )
    importing = actions.add_parser(
        "import",
        help="check every row of FILE, then import all of them or none",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    importing.add_argument("file", type=Path, metavar="FILE", help="a .csv or .json review log")
    importing.add_argument(
        "--offline", action="store_true", help="do not check face ids against the API"
    )
    importing.add_argument("--api-url", metavar="URL", help="the API's URL (overrides II_API_URL)")
    apply_cli.add_parsers(actions)


def run(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    """Run ``review export`` or ``review import``; returns the exit status."""
    from viewer.config import load_settings
    from viewer.exceptions import ViewerError

    env = dict(os.environ)
    if getattr(args, "api_url", None):
        env["II_API_URL"] = args.api_url
    try:
        settings = load_settings(env)
    except ViewerError as error:
        print(f"error: {error.message}", file=stderr)
        return EXIT_USAGE
    if args.review_command in apply_cli.COMMANDS:
        return apply_cli.run(args, settings, stdout, stderr)
    if args.review_command == "export":
        return export(args, settings, stdout, stderr)
    return import_file(args, settings, stdout, stderr)


def export(args: argparse.Namespace, settings: Any, stdout: TextIO, stderr: TextIO) -> int:
    from viewer.review.transfer import review_log_csv, review_log_json

    def read(store: Any, namespace: str, group: str) -> Sequence[Any]:
        return store.log(namespace, group)

    return write_export(
        args, settings, (stdout, stderr), read, (review_log_csv, review_log_json), "events"
    )


def write_export(
    args: argparse.Namespace,
    settings: Any,
    streams: tuple[TextIO, TextIO],
    read: Callable[[Any, str, str], Sequence[Any]],
    writers: tuple[Callable[[Sequence[Any]], str], Callable[[Sequence[Any], str, str], str]],
    noun: str,
) -> int:
    """Write what ``read(store, namespace, group)`` gives to ``--out``, whole or not at all.

    ``writers``: the CSV text of the rows, and the JSON text of the rows, namespace and group.
    """
    stdout, stderr = streams
    from viewer.exceptions import ReviewError
    from viewer.review.store import open_store
    from viewer.review.transfer import file_format
    from viewer.review.values import check_place

    out: Path = args.out
    try:
        namespace, group = check_place(args.namespace, args.group_id)
        kind = file_format(out)
    except ReviewError as error:
        print(f"error: {error.message}", file=stderr)
        return EXIT_USAGE
    try:
        with open_store(settings) as store:
            rows = read(store, namespace, group)
    except ReviewError as error:
        print(f"error: {error.message}", file=stderr)
        return EXIT_FAILED
    to_csv, to_json = writers
    text = to_csv(rows) if kind == "csv" else to_json(rows, namespace, group)
    partial = out.with_name(f".{out.name}.partial")
    try:
        partial.write_text(text, encoding="utf-8")
        partial.replace(out)
    except OSError as error:
        partial.unlink(missing_ok=True)
        reason = error.strerror or type(error).__name__
        print(f"error: could not write {str(out)!r} ({reason}).", file=stderr)
        return EXIT_FAILED
    print(f"Wrote {len(rows):,} {noun} of group {group} ({namespace}) to {out}.", file=stdout)
    return EXIT_OK


def _face_problems(rows: list[Any], settings: Any, stderr: TextIO) -> list[tuple[int, str]]:
    """Rows whose face the API does not list; a group the API cannot give is noted, not held."""
    from viewer.api import Client
    from viewer.exceptions import NotFoundError, ViewerError
    from viewer.review.transfer import by_group, face_problems

    server = None
    if settings.demo:
        from viewer.demo.server import DemoServer

        server = DemoServer(host="127.0.0.1", port=0, quiet=True).start()
        settings = settings.for_demo(server.api_url)
        print(
            f"note: checking face ids against the embedded demo API at {server.api_url}.",
            file=stderr,
        )
    problems: list[tuple[int, str]] = []
    try:
        with Client(settings) as client:
            for (namespace, group_id), rows_of_group in by_group(rows).items():
                try:
                    group = client.get_group(namespace, group_id)
                except NotFoundError:
                    problems.extend(
                        (
                            row.line,
                            f"the API has no group {group_id!r} in namespace {namespace!r} "
                            "(404): check the ids.",
                        )
                        for row in rows_of_group
                    )
                except ViewerError as error:
                    print(
                        f"note: face ids of group {group_id} were not checked: {error.message}",
                        file=stderr,
                    )
                else:
                    problems.extend(face_problems(rows_of_group, group))
    finally:
        if server is not None:
            server.stop()
    return problems


def import_file(args: argparse.Namespace, settings: Any, stdout: TextIO, stderr: TextIO) -> int:
    from viewer.exceptions import ReviewError, ReviewFileError
    from viewer.review.store import open_store
    from viewer.review.transfer import read_import

    path: Path = args.file
    try:
        rows, problems = read_import(path)
    except ReviewFileError as error:
        print(f"error: {error.message} Nothing was imported.", file=stderr)
        return EXIT_USAGE
    if rows and not args.offline:
        problems = sorted(problems + _face_problems(rows, settings, stderr))
    if problems:
        print(
            f"error: {path.name} has {len(problems):,} bad row(s); nothing was imported. "
            "Fix them and import again:",
            file=stderr,
        )
        for line, problem in problems[:MAX_SHOWN]:
            print(f"  line {line}: {problem}", file=stderr)
        if len(problems) > MAX_SHOWN:
            print(f"  ... and {len(problems) - MAX_SHOWN:,} more", file=stderr)
        return EXIT_USAGE
    try:
        with open_store(settings) as store:
            result = store.import_rows(rows)
            where = store.location
    except ReviewError as error:
        print(f"error: {error.message} Nothing was imported.", file=stderr)
        return EXIT_FAILED
    print(
        f"Imported {result.imported:,} events in {result.actions:,} action(s) into {where}; "
        f"{result.skipped:,} row(s) already there were skipped.",
        file=stdout,
    )
    return EXIT_OK
