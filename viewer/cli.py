"""The command line: ``python -m viewer render NAMESPACE GROUP_ID --out DIR``.

Exit status: 0 everything was drawn; 1 the group could not be fetched or written; 2 a usage
or settings error; 3 the group was written but some images could not be drawn.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TextIO, TypeVar

from tqdm import tqdm

from viewer import export_dir
from viewer.api import MAX_GROUP_ID, MAX_NAMESPACE, Client, validate_segment
from viewer.compose import ViewOptions
from viewer.config import Settings, load_settings
from viewer.exceptions import ViewerError
from viewer.export import ImageFailure, contact_sheet_bytes, one_line, write_dir
from viewer.hosts import image_policy
from viewer.models import Face, Group, answered_another
from viewer.pipeline import Pipeline, group_by_image
from viewer.review import cli as review_cli
from viewer.review.faces import ReviewSnapshot, snapshot
from viewer.select import POSES, Filters, apply_filters, flag_faces, sort_faces

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_PARTIAL = 3

EXPORT_QUALITY = 90

N = TypeVar("N", int, float)

_EPILOG = """\
Credentials come from the same environment variables as the app: II_API_URL and
II_ACCESS_TOKEN, or II_CLIENT_ID and II_CLIENT_SECRET (or .streamlit/secrets.toml).
With none set, the embedded demo API is started and used.

exit status: 0 all images drawn; 1 the group could not be fetched or written;
2 usage or settings error; 3 written, but some images could not be drawn.
"""


def _within(parse: Callable[[str], N], low: N, high: N, kind: str) -> Callable[[str], N]:
    """An argparse type: the text read by ``parse`` (``kind`` names what it reads), in range."""

    def read(text: str) -> N:
        try:
            value = parse(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not {kind}") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{text} is not between {low} and {high}")
        return value

    return read


_fraction = _within(float, 0, 1, "a number")
_concurrency = _within(int, 1, 128, "a whole number")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m viewer",
        description="Group Viewer on the command line.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    render = commands.add_parser(
        "render",
        help="write a group's annotated images, faces.csv, group.json and README.txt",
        description=(
            "Fetch a group and write into DIR what the viewer's ZIP export holds:\n"
            "images/NNNN_<name>.jpg (full size, boxes drawn), faces.csv, group.json and\n"
            "README.txt. DIR must be empty (or missing); --overwrite replaces an earlier\n"
            "export there, and is refused when DIR holds any other file."
        ),
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    render.add_argument("namespace", metavar="NAMESPACE")
    render.add_argument("group_id", metavar="GROUP_ID")
    render.add_argument("--out", required=True, type=Path, metavar="DIR", help="where to write")
    render.add_argument(
        "--overwrite",
        action="store_true",
        help="replace an earlier export in DIR (only its files; other files are refused)",
    )
    picked = render.add_argument_group("which faces")
    picked.add_argument(
        "--min-confidence", type=_fraction, default=0.0, metavar="0..1", help="lowest confidence"
    )
    picked.add_argument(
        "--min-sharpness", type=_fraction, default=0.0, metavar="0..1", help="lowest sharpness"
    )
    picked.add_argument(
        "--max-confidence", type=_fraction, default=1.0, metavar="0..1", help="highest confidence"
    )
    picked.add_argument(
        "--max-sharpness", type=_fraction, default=1.0, metavar="0..1", help="highest sharpness"
    )
    picked.add_argument("--pose", choices=POSES, default="all", help="frontal or profile faces")
    picked.add_argument(
        "--sort",
        choices=("index", "least-like"),
        default="index",
        help="least-like: score every face with the local face model and write the faces "
        "least like the rest of the group first, with identity_distance in faces.csv",
    )
    picked.add_argument(
        "--feed", action="append", default=[], metavar="FEED", help="only this feed (repeatable)"
    )
    picked.add_argument(
        "--only-problems", action="store_true", help="only faces with a quality flag or problem"
    )
    drawing = render.add_argument_group("drawing")
    drawing.add_argument("--blur", action="store_true", help="blur every face (privacy)")
    drawing.add_argument(
        "--color",
        choices=("frontal", "confidence"),
        default="frontal",
        help="colour boxes by pose or by confidence",
    )
    drawing.add_argument("--no-labels", action="store_true", help="draw boxes without labels")
    drawing.add_argument(
        "--sheet", action="store_true", help="also write a contact sheet of the faces"
    )
    drawing.add_argument(
        "--sheet-format", choices=("png", "jpeg"), default="png", help="contact sheet format"
    )
    source = render.add_argument_group("source")
    source.add_argument("--api-url", metavar="URL", help="the API's URL (overrides II_API_URL)")
    source.add_argument(
        "--concurrency", type=_concurrency, default=None, metavar="N", help="parallel downloads"
    )
    source.add_argument(
        "--allow-private-image-hosts",
        action="store_true",
        help="let images come from private network addresses",
    )
    review_cli.add_parser(commands)
    return parser


class ProgressBar:
    """A tqdm bar with rate and time left, fed ``(done, total)``; silent off a terminal."""

    def __init__(self, label: str, stream: TextIO, unit: str = "image") -> None:
        self.label = label
        self.stream = stream
        self.unit = unit
        self._bar: tqdm | None = None

    def __call__(self, done: int, total: int) -> None:
        if self._bar is None:
            # disable=None: tqdm draws nothing when the stream is not a terminal
            self._bar = tqdm(
                total=total, desc=self.label, unit=self.unit, file=self.stream, disable=None
            )
        if self._bar.disable:
            return
        if self._bar.total != total:
            self._bar.total = total
            self._bar.refresh()
        self._bar.update(done - self._bar.n)

    def finish(self) -> None:
        if self._bar is not None:
            self._bar.close()
        self._bar = None


def _settings(args: argparse.Namespace) -> Settings:
    env = dict(os.environ)
    if args.api_url:
        env["II_API_URL"] = args.api_url
    settings = load_settings(env)
    if args.concurrency is not None:
        settings = replace(settings, concurrency=args.concurrency)
    if args.allow_private_image_hosts:
        settings = replace(settings, allow_private_image_hosts=True)
    return settings


def _failure_line(failure: ImageFailure) -> str:
    where = one_line(failure.url or "(no URL)", 200)
    return f"  {failure.file}  {where}: {one_line(failure.reason)}"


def read_review(
    settings: Settings, namespace: str, group_id: str, faces: Sequence[Face]
) -> ReviewSnapshot:
    """The group's verdicts from the store the settings name, as the app would read them.

    A SQLite file that does not exist yet holds no verdicts, and is not made just to read.
    """
    if not settings.database_url and not settings.review_db.exists():
        return ReviewSnapshot()
    from viewer.exceptions import StoreUnavailableError
    from viewer.review.store import open_store

    try:
        with open_store(settings) as store:
            return snapshot(store, namespace, group_id, faces)
    except StoreUnavailableError as error:
        return ReviewSnapshot(unavailable=error.message)


def score_faces(pipeline: Pipeline, group: Group, stderr: TextIO) -> dict[str, float] | None:
    """Every face's identity distance, scored as a batch (descriptors cached on disk), or None
    with a note on stderr when the face model cannot be used."""
    from viewer.identity.scorer import Scorer

    with Scorer(pipeline.fetcher) as scorer:
        if not scorer.model_status.available:
            print(f"note: {scorer.model_status.message} Faces keep their order.", file=stderr)
            return None
        scorer.request(group)
        progress = ProgressBar("faces scored", stderr, unit="face")
        while not (status := scorer.wait(group, timeout=0.5)).finished:
            progress(status.done + status.failed, status.total)
        progress(status.done + status.failed, status.total)
        progress.finish()
        if status.failed:
            print(
                f"note: {status.failed:,} of {status.total:,} faces were not scored.", file=stderr
            )
        return dict(scorer.distances(group).distance)


def render(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    """The ``render`` command; returns the exit status."""
    try:
        validate_segment(args.namespace, "namespace", MAX_NAMESPACE)
        validate_segment(args.group_id, "group ID", MAX_GROUP_ID)
        settings = _settings(args)
    except ViewerError as error:
        print(f"error: {error.message}", file=stderr)
        return EXIT_USAGE
    out: Path = args.out
    if out.exists() and not out.is_dir():
        print(
            f"error: {str(out)!r} exists and is not a directory; choose another --out.", file=stderr
        )
        return EXIT_USAGE
    if refused := export_dir.refusal(out, args.overwrite):
        print(f"error: {refused}", file=stderr)
        return EXIT_USAGE

    server = None
    if settings.demo:
        from viewer.demo.server import DemoServer

        server = DemoServer(host="127.0.0.1", port=0, quiet=True).start()
        settings = settings.for_demo(server.api_url)
        print(
            "note: no API is configured (II_API_URL and credentials are unset); using the "
            f"embedded demo API at {server.api_url}.",
            file=stderr,
        )
    pipeline: Pipeline | None = None
    try:
        try:
            with Client(settings) as client:
                group = client.get_group(args.namespace, args.group_id)
        except ViewerError as error:
            print(f"error: {error.message}", file=stderr)
            return EXIT_FAILED
        if other := answered_another(group, args.namespace, args.group_id):
            print(f"note: {other}", file=stderr)
        if not group.faces:
            gid = one_line(group.id or args.group_id, 120)
            print(
                f"note: group {gid} is empty: the API sent it without any images, so the "
                "export holds no faces.",
                file=stderr,
            )
        filters = Filters(
            min_confidence=args.min_confidence,
            min_sharpness=args.min_sharpness,
            pose=args.pose,
            feeds=tuple(args.feed),
            only_problems=args.only_problems,
            max_confidence=args.max_confidence,
            max_sharpness=args.max_sharpness,
        )
        flags = flag_faces(group.faces)
        shown = apply_filters(group.faces, filters, flags)
        review = read_review(settings, args.namespace, args.group_id, group.faces)
        if review.unavailable:
            print(f"note: {review.unavailable} faces.csv has empty verdict columns.", file=stderr)
        options = ViewOptions(
            color_mode=args.color,
            show_labels=not args.no_labels,
            blur=args.blur,
            boxes_on=settings.boxes_on,
            flagged=frozenset(flags),
            quality=EXPORT_QUALITY,
        )
        policy = image_policy(settings.allow_private_image_hosts, settings.api_url)
        pipeline = Pipeline(settings, policy)
        distances = None
        if args.sort == "least-like":
            distances = score_faces(pipeline, group, stderr)
            if distances is not None:
                shown = sort_faces(shown, "least", distances=distances)
        images = len(group_by_image(shown))
        progress = ProgressBar("images", stderr)
        try:
            if out.exists():  # checked above: empty, or an earlier export to replace
                export_dir.clear_export(out)
            failures = write_dir(
                out,
                group,
                shown,
                pipeline=pipeline,
                options=options,
                settings=settings,
                namespace=args.namespace,
                filters=filters,
                on_progress=progress,
                review=review,
                distances=distances,
                flags=flags,
            )
            progress.finish()
            written = ["images/", "faces.csv", "group.json", "README.txt"]
            if not review.unavailable:
                written[2:2] = ["review_log.csv", "apply_log.csv"]
            if args.sheet:
                suffix = "png" if args.sheet_format == "png" else "jpg"
                sheet_progress = ProgressBar("sheet", stderr, unit="face")
                sheet = contact_sheet_bytes(
                    group,
                    shown,
                    pipeline=pipeline,
                    options=options,
                    fmt=args.sheet_format,
                    on_progress=sheet_progress,
                )
                sheet_progress.finish()
                (out / f"contact_sheet.{suffix}").write_bytes(sheet)
                written.append(f"contact_sheet.{suffix}")
        except OSError as error:
            progress.finish()
            reason = error.strerror or type(error).__name__
            print(f"error: could not write to {str(out)!r} ({reason}).", file=stderr)
            return EXIT_FAILED
    finally:
        if pipeline is not None:
            pipeline.close()
        if server is not None:
            server.stop()

    drawn = images - len(failures)
    gid = one_line(group.id or args.group_id, 120)
    print(
        f"Group {gid}: {len(shown):,} of {len(group.faces):,} faces, "
        f"{drawn:,} of {images:,} images drawn.",
        file=stdout,
    )
    print(f"Wrote {', '.join(written)} to {out}", file=stdout)
    if not failures:
        return EXIT_OK
    print(f"{len(failures):,} of {images:,} images could not be drawn:", file=stderr)
    for failure in failures:
        print(_failure_line(failure), file=stderr)
    return EXIT_PARTIAL


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv`` (default ``sys.argv[1:]``); returns the exit status."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:  # argparse has printed usage and the error (or the help)
        return exit_.code if isinstance(exit_.code, int) else EXIT_USAGE
    if args.command is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        if args.command == "review":
            return review_cli.run(args, sys.stdout, sys.stderr)
        return render(args, sys.stdout, sys.stderr)
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        return 130
