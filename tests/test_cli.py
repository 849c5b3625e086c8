"""The command line against the demo API: files written, exit statuses, messages, demo mode."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from viewer import cli
from viewer.api import Client
from viewer.config import Settings
from viewer.demo import NAMESPACE, SAMPLE_GROUP_ID, impostor_ids
from viewer.demo.server import DemoServer
from viewer.review.faces import store_ids
from viewer.review.store import open_store

ROOT = Path(__file__).resolve().parents[1]
SECRET = "cli-secret-value"


# What a render without a contact sheet writes into its folder.
PLAIN_EXPORT = [
    "README.txt",
    "apply_log.csv",
    "faces.csv",
    "group.json",
    "images",
    "review_log.csv",
]


def clean_env(tmp_path: Path) -> dict[str, str]:
    """The environment without any II_ setting, and with no secrets.toml to find."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("II_")}
    env.update({"PYTHONPATH": str(ROOT), "HOME": str(tmp_path)})
    return env


def demo_env(demo: DemoServer, tmp_path: Path) -> dict[str, str]:
    return {
        **clean_env(tmp_path),
        "II_API_URL": demo.api_url,
        "II_CLIENT_ID": "cli-client",
        "II_CLIENT_SECRET": SECRET,
        "II_ALLOW_PRIVATE_IMAGE_HOSTS": "1",
    }


def demo_settings(demo: DemoServer) -> Settings:
    return Settings(api_url=demo.api_url, client_id="cli-client", client_secret=SECRET)


def run(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "viewer", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
    )


def read_csv(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    text = path.read_text(encoding="utf-8")
    header = next(csv.reader(io.StringIO(text)))
    return header, list(csv.DictReader(io.StringIO(text)))


@pytest.fixture()
def api_env(demo: DemoServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """For in-process runs of ``cli.main``: the demo API through environment variables."""
    for key in [k for k in os.environ if k.startswith("II_")]:
        monkeypatch.delenv(key)
    monkeypatch.setenv("II_API_URL", demo.api_url)
    monkeypatch.setenv("II_CLIENT_ID", "cli-client")
    monkeypatch.setenv("II_CLIENT_SECRET", SECRET)
    monkeypatch.setenv("II_ALLOW_PRIVATE_IMAGE_HOSTS", "1")
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.chdir(tmp_path)


# --- in a subprocess, as an analyst runs it -------------------------------------------------


def test_render_writes_every_file_and_exits_0(demo: DemoServer, tmp_path: Path) -> None:
    out = tmp_path / "crowd"
    done = run(
        ["render", NAMESPACE, "demo-crowd", "--out", str(out)], demo_env(demo, tmp_path), tmp_path
    )
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in out.iterdir()) == PLAIN_EXPORT
    images = sorted((out / "images").iterdir())
    assert len(images) == 10
    for path in images:
        with Image.open(path) as image:
            assert image.format == "JPEG"
    header, rows = read_csv(out / "faces.csv")
    first = ["index", "id", "customId", "feedId", "identityId", "groupId", "url", "image_file"]
    assert header[:8] == first
    assert len(rows) == 13
    assert "demo-crowd" in done.stdout and "10 of 10 images" in done.stdout
    assert done.stderr == ""  # not a terminal: no progress bar, and nothing failed
    assert {r["verdict"] for r in rows} == {""}  # no verdict store yet: none, and none made
    assert not (tmp_path / ".local" / "share" / "group-viewer").exists()
    for text in (done.stdout, *(p.read_text() for p in out.glob("*.*"))):
        assert SECRET not in text


def test_render_of_a_broken_group_exits_3_and_lists_each_failure(
    demo: DemoServer, tmp_path: Path
) -> None:
    out = tmp_path / "broken"
    done = run(
        ["render", NAMESPACE, "demo-broken", "--out", str(out)], demo_env(demo, tmp_path), tmp_path
    )
    assert done.returncode == 3, done.stderr
    lines = done.stderr.strip().splitlines()
    assert lines[0] == "3 of 9 images could not be drawn:"
    failed = lines[1:]
    assert len(failed) == 3
    assert any("broken-404.jpg: The image is gone from its host (404)." in ln for ln in failed)
    assert any("not-image: The file is not an image the viewer can read." in ln for ln in failed)
    assert any("(no URL): This face has no image URL." in ln for ln in failed)
    assert len(list((out / "images").iterdir())) == 6
    assert len(read_csv(out / "faces.csv")[1]) == 9


def test_an_unknown_group_exits_1_with_one_sentence(demo: DemoServer, tmp_path: Path) -> None:
    out = tmp_path / "none"
    done = run(
        ["render", NAMESPACE, "no-such-group", "--out", str(out)],
        demo_env(demo, tmp_path),
        tmp_path,
    )
    assert done.returncode == 1
    assert done.stderr == "error: No such group (404): check the namespace and the group ID.\n"
    assert "Traceback" not in done.stderr
    assert not out.exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["render", "ac/me", "g", "--out", "x"], "error: The namespace contains a slash"),
        (["render", NAMESPACE, "g"], "the following arguments are required: --out"),
    ],
)
def test_usage_errors_exit_2(
    demo: DemoServer, tmp_path: Path, args: list[str], message: str
) -> None:
    demo.reset_counts()
    done = run(args, demo_env(demo, tmp_path), tmp_path)
    assert done.returncode == 2
    assert message in done.stderr
    assert "Traceback" not in done.stderr
    assert demo.request_count("/v2/") == 0


def test_with_nothing_configured_it_starts_the_demo_api_itself(tmp_path: Path) -> None:
    out = tmp_path / "sample"
    done = run(
        ["render", NAMESPACE, SAMPLE_GROUP_ID, "--out", str(out), "--sheet"],
        clean_env(tmp_path),
        tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert "using the embedded demo API" in done.stderr
    assert len(list((out / "images").iterdir())) == 1
    assert "(demo API)" in (out / "README.txt").read_text()
    with Image.open(out / "contact_sheet.png") as sheet:
        assert sheet.width == 1920


def test_render_writes_the_stores_verdicts_and_its_review_log(
    demo: DemoServer, tmp_path: Path
) -> None:
    db = tmp_path / "review.sqlite3"
    with Client(demo_settings(demo)) as client:
        group = client.get_group(NAMESPACE, "demo-crowd")
    ids = store_ids(group.faces)
    face = group.faces[3]
    with open_store(Settings(review_db=db)) as store:
        store.record(NAMESPACE, "demo-crowd", [(ids[face.key], face.id)], "not_this_person", "ann")
    out = tmp_path / "crowd"
    env = {**demo_env(demo, tmp_path), "II_REVIEW_DB": str(db)}
    done = run(["render", NAMESPACE, "demo-crowd", "--out", str(out)], env, tmp_path)
    assert done.returncode == 0, done.stderr
    assert "review_log.csv" in done.stdout
    rows = read_csv(out / "faces.csv")[1]
    assert [(r["index"], r["verdict"], r["verdict_by"]) for r in rows if r["verdict"]] == [
        ("3", "not_this_person", "ann")
    ]
    (event,) = read_csv(out / "review_log.csv")[1]
    assert (event["face_id"], event["verdict"], event["by"]) == (face.id, "not_this_person", "ann")


def test_render_goes_on_without_verdicts_when_the_store_cannot_be_read(
    demo: DemoServer, tmp_path: Path
) -> None:
    folder = tmp_path / "a-folder"
    folder.mkdir()
    out = tmp_path / "crowd"
    env = {**demo_env(demo, tmp_path), "II_REVIEW_DB": str(folder)}  # a folder, not a file
    done = run(["render", NAMESPACE, "demo-crowd", "--out", str(out)], env, tmp_path)
    assert done.returncode == 0, done.stderr
    (note,) = done.stderr.splitlines()
    assert note.startswith("note: The verdict database (SQLite file ")
    assert note.endswith("faces.csv has empty verdict columns.")
    assert {r["verdict"] for r in read_csv(out / "faces.csv")[1]} == {""}
    assert not (out / "review_log.csv").exists()
    assert not (out / "apply_log.csv").exists()
    assert "(no verdicts: The verdict database" in (out / "README.txt").read_text()


# --- in process, for the options ------------------------------------------------------------


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["render"],
        ["render", NAMESPACE],
        ["frobnicate"],
        ["render", NAMESPACE, "g", "--out", "x", "--pose", "sideways"],
        ["render", NAMESPACE, "g", "--out", "x", "--min-confidence", "1.5"],
        ["render", NAMESPACE, "g", "--out", "x", "--min-sharpness", "high"],
        ["render", NAMESPACE, "g", "--out", "x", "--concurrency", "0"],
        ["render", NAMESPACE, "..", "--out", "x"],
        ["render", "", "g", "--out", "x"],
        ["render", NAMESPACE, "a b", "--out", "x"],
        ["render", NAMESPACE, "g", "--out", "x", "--api-url", "ftp://example.com"],
    ],
)
def test_bad_arguments_exit_2_before_any_request(
    api_env: None, demo: DemoServer, argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    demo.reset_counts()
    assert cli.main(argv) == 2
    assert "error" in capsys.readouterr().err or not argv
    assert demo.request_count("/v2/") == 0


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--min-confidence", "1.5", "argument --min-confidence: 1.5 is not between 0 and 1"),
        ("--min-sharpness", "high", "argument --min-sharpness: 'high' is not a number"),
        ("--concurrency", "0", "argument --concurrency: 0 is not between 1 and 128"),
        ("--concurrency", "2.5", "argument --concurrency: '2.5' is not a whole number"),
    ],
)
def test_a_number_out_of_range_is_named_with_its_range(
    option: str, value: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["render", NAMESPACE, "g", "--out", "x", option, value]) == 2
    assert capsys.readouterr().err.strip().endswith(message)


def test_help_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["render", "--help"]) == 0
    assert "--min-confidence" in capsys.readouterr().out


def test_an_out_path_that_is_a_file_is_a_usage_error(
    api_env: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "file").write_text("x")
    assert cli.main(["render", NAMESPACE, "demo-crowd", "--out", str(tmp_path / "file")]) == 2
    assert "is not a directory" in capsys.readouterr().err


def _earlier_export(out: Path) -> list[str]:
    """A blurred export of demo-crowd with a contact sheet in ``out``; its file names."""
    argv = ["render", NAMESPACE, "demo-crowd", "--out", str(out), "--blur", "--sheet"]
    assert cli.main(argv) == 0
    return sorted(str(p.relative_to(out)) for p in out.rglob("*"))


def test_a_folder_holding_an_export_is_refused_with_a_sentence(
    api_env: None, demo: DemoServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "crowd"
    before = _earlier_export(out)
    capsys.readouterr()
    demo.reset_counts()
    assert cli.main(["render", NAMESPACE, SAMPLE_GROUP_ID, "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err == (
        f"error: {str(out)!r} is not empty; choose an empty folder for --out, or pass "
        "--overwrite to replace the earlier export in it.\n"
    )
    assert sorted(str(p.relative_to(out)) for p in out.rglob("*")) == before
    assert demo.request_count("/v2/") == 0  # refused before anything is fetched


def test_overwrite_leaves_exactly_the_new_export(api_env: None, tmp_path: Path) -> None:
    out = tmp_path / "crowd"
    earlier = _earlier_export(out)
    assert len([n for n in earlier if n.startswith("images/")]) == 10
    assert "contact_sheet.png" in earlier
    assert cli.main(["render", NAMESPACE, SAMPLE_GROUP_ID, "--out", str(out), "--overwrite"]) == 0
    assert sorted(p.name for p in out.iterdir()) == PLAIN_EXPORT
    assert len(list((out / "images").iterdir())) == 1
    readme = (out / "README.txt").read_text()
    assert "Blurred:      no one" in readme
    assert f"Group:        {SAMPLE_GROUP_ID}" in readme


@pytest.mark.parametrize("stray", ["notes.txt", "images/holiday.png", "old/"])
def test_overwrite_refuses_a_folder_with_other_files_and_removes_nothing(
    api_env: None, tmp_path: Path, capsys: pytest.CaptureFixture[str], stray: str
) -> None:
    out = tmp_path / "crowd"
    _earlier_export(out)
    if stray.endswith("/"):
        (out / stray).mkdir()
    else:
        (out / stray).write_text("mine")
    before = sorted(str(p.relative_to(out)) for p in out.rglob("*"))
    capsys.readouterr()
    argv = ["render", NAMESPACE, SAMPLE_GROUP_ID, "--out", str(out), "--overwrite"]
    assert cli.main(argv) == 2
    err = capsys.readouterr().err
    assert err == (
        f"error: {str(out)!r} holds files that are not part of an export ({stray}); "
        "--overwrite removes only an earlier export's files, so choose an empty folder for "
        "--out.\n"
    )
    assert sorted(str(p.relative_to(out)) for p in out.rglob("*")) == before


def test_an_empty_folder_is_written_into(api_env: None, tmp_path: Path) -> None:
    out = tmp_path / "empty"
    out.mkdir()
    assert cli.main(["render", NAMESPACE, SAMPLE_GROUP_ID, "--out", str(out)]) == 0
    assert len(list((out / "images").iterdir())) == 1


def test_an_empty_group_is_said_to_be_empty(
    api_env: None, demo: DemoServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    demo.serve_group_body(NAMESPACE, "cli-empty", b'{"id": "cli-empty", "images": []}')
    out = tmp_path / "empty"
    assert cli.main(["render", NAMESPACE, "cli-empty", "--out", str(out)]) == 0
    err = capsys.readouterr().err
    assert (
        "note: group cli-empty is empty: the API sent it without any images, so the export "
        "holds no faces.\n"
    ) in err
    assert "filters" not in err
    readme = (out / "README.txt").read_text()
    assert "(the group is empty: the API sent it without any images)" in readme
    assert read_csv(out / "faces.csv")[1] == []


def test_a_refused_url_is_named_with_the_reason_and_kept_in_faces_csv(
    api_env: None, demo: DemoServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (good,) = demo.data.groups[(NAMESPACE, SAMPLE_GROUP_ID)]["images"]
    refused = {**good, "id": "ftp-face", "customId": "ftp-face", "url": "ftp://files.example/f.jpg"}
    body = {"id": "cli-ftp", "images": [good, refused]}
    demo.serve_group_body(NAMESPACE, "cli-ftp", json.dumps(body).encode())
    out = tmp_path / "ftp"
    assert cli.main(["render", NAMESPACE, "cli-ftp", "--out", str(out)]) == 3
    reason = "The image URL 'ftp://files.example/f.jpg' is refused: only http and https images"
    err = capsys.readouterr().err
    assert f"  0002_ftp-face.jpg  ftp://files.example/f.jpg: {reason} are downloaded." in err
    assert "(no URL)" not in err
    rows = read_csv(out / "faces.csv")[1]
    assert [r["url"] for r in rows] == [good["url"], "ftp://files.example/f.jpg"]
    assert rows[1]["problems"] == (
        "image URL 'ftp://files.example/f.jpg' is not http or https "
        "(only http and https images are downloaded)"
    )
    assert (
        f"0002_ftp-face.jpg  ftp://files.example/f.jpg: {reason}"
        in (out / "README.txt").read_text()
    )


def test_an_answer_for_another_group_is_noted(
    api_env: None, demo: DemoServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (good,) = demo.data.groups[(NAMESPACE, SAMPLE_GROUP_ID)]["images"]
    body = {"id": "cli-answered", "images": [good]}
    demo.serve_group_body(NAMESPACE, "cli-asked", json.dumps(body).encode())
    out = tmp_path / "asked"
    assert cli.main(["render", NAMESPACE, "cli-asked", "--out", str(out)]) == 0
    assert capsys.readouterr().err == (
        "note: The API answered group 'cli-answered' when group 'cli-asked' was asked for; "
        "shown is what it answered.\n"
    )
    assert "Group:        cli-answered" in (out / "README.txt").read_text()


def test_times_sent_in_seconds_are_noted_in_the_readme_and_faces_csv(
    api_env: None, demo: DemoServer, tmp_path: Path
) -> None:
    (good,) = demo.data.groups[(NAMESPACE, SAMPLE_GROUP_ID)]["images"]
    faces = [{**good, "createdAt": 1487648348}, {**good, "id": "ms"}]
    body = {"id": "cli-seconds", "createdAt": 1487648348, "images": faces}
    demo.serve_group_body(NAMESPACE, "cli-seconds", json.dumps(body).encode())
    out = tmp_path / "seconds"
    assert cli.main(["render", NAMESPACE, "cli-seconds", "--out", str(out)]) == 0
    assert (
        "Times:        createdAt of 1 of the 2 exported faces and the group's createdAt looked "
        "like seconds, not milliseconds; they are read as seconds (faces.csv lists it among "
        "the problems)\n"
    ) in (out / "README.txt").read_text()
    rows = read_csv(out / "faces.csv")[1]
    assert [r["createdAt"] for r in rows] == ["2017-02-21T03:39:08.000Z"] * 2
    assert [r["problems"] for r in rows] == [
        "createdAt looks like seconds, not milliseconds; shown as seconds",
        "",
    ]


def test_filters_choose_the_faces_and_are_noted(
    api_env: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "frontal"
    argv = ["render", NAMESPACE, "demo-fractions", "--out", str(out)]
    argv += ["--pose", "frontal", "--min-confidence", "0.8"]
    assert cli.main(argv) == 0
    _, rows = read_csv(out / "faces.csv")
    assert 0 < len(rows) < 24
    assert all(r["isFrontal"] == "true" and float(r["confidence"]) >= 0.8 for r in rows)
    assert len(list((out / "images").iterdir())) == len({r["url"] for r in rows})
    readme = (out / "README.txt").read_text()
    assert "Filters:      confidence at least 80%; frontal faces only" in readme
    assert f"{len(rows)} of 24 faces" in capsys.readouterr().out


def test_feed_filter_repeats(api_env: None, demo: DemoServer, tmp_path: Path) -> None:
    group = demo.data.groups[(NAMESPACE, "demo-fractions")]
    feeds = sorted({i["feedId"] for i in group["images"]})[:2]
    out = tmp_path / "feeds"
    argv = ["render", NAMESPACE, "demo-fractions", "--out", str(out)]
    for feed in feeds:
        argv += ["--feed", feed]
    assert cli.main(argv) == 0
    _, rows = read_csv(out / "faces.csv")
    expected = sum(1 for i in group["images"] if i["feedId"] in feeds)
    assert len(rows) == expected
    assert {r["feedId"] for r in rows} == set(feeds)


def test_api_url_option_overrides_the_environment(
    api_env: None, demo: DemoServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("II_API_URL", "http://127.0.0.1:9/v2")  # nothing listens there
    out = tmp_path / "sample"
    assert cli.main(["render", NAMESPACE, SAMPLE_GROUP_ID, "--out", str(out)]) == 1
    argv = ["render", NAMESPACE, SAMPLE_GROUP_ID, "--out", str(out), "--api-url", demo.api_url]
    assert cli.main(argv) == 0
    assert (out / "faces.csv").exists()


def test_private_image_hosts_are_refused_unless_allowed(
    api_env: None,
    demo: DemoServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.delenv("II_ALLOW_PRIVATE_IMAGE_HOSTS")
    argv = ["render", NAMESPACE, SAMPLE_GROUP_ID, "--out"]
    # images on the API's own origin are allowed, as in the app
    assert cli.main([*argv, str(tmp_path / "own")]) == 0
    # the same API reached as localhost: its images on 127.0.0.1 are another, private origin
    monkeypatch.setenv("II_API_URL", demo.api_url.replace("127.0.0.1", "localhost"))
    assert cli.main([*argv, str(tmp_path / "private")]) == 3
    assert "a private or loopback address" in capsys.readouterr().err
    assert cli.main([*argv, str(tmp_path / "allowed"), "--allow-private-image-hosts"]) == 0


def test_sheet_in_jpeg_and_blurred_images(api_env: None, tmp_path: Path) -> None:
    sharp, blurred = tmp_path / "sharp", tmp_path / "blurred"
    base = ["render", NAMESPACE, SAMPLE_GROUP_ID, "--no-labels"]
    assert cli.main([*base, "--out", str(sharp)]) == 0
    assert (
        cli.main([*base, "--out", str(blurred), "--blur", "--sheet", "--sheet-format", "jpeg"]) == 0
    )
    with Image.open(blurred / "contact_sheet.jpg") as sheet:
        assert (sheet.format, sheet.width) == ("JPEG", 1920)
    (a,) = (sharp / "images").iterdir()
    (b,) = (blurred / "images").iterdir()
    face = (50, 70, 100, 170)  # inside the sample's face box
    with Image.open(a) as one, Image.open(b) as two:
        x = one.convert("L").crop(face).tobytes()
        y = two.convert("L").crop(face).tobytes()
    assert sum(abs(p - q) for p, q in zip(x, y, strict=True)) / len(x) > 4.0
    readme = (blurred / "README.txt").read_text()
    assert "Blurred:      every person in every picture" in readme


# --- the progress bar -----------------------------------------------------------------------


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_draws_on_a_terminal_only() -> None:
    terminal, pipe = _Terminal(), io.StringIO()
    for stream in (terminal, pipe):
        bar = cli.ProgressBar("images", stream)
        for done in range(4):
            bar(done, 3)
        bar.finish()
    last = terminal.getvalue().split("\r")[-1]
    # the count, the time spent and left, and the rate; then the bar is left on its own line
    assert re.fullmatch(r"images: 100%\|.+\| 3/3 \[\d\d:\d\d<\d\d:\d\d, .+image/s\]\n", last), last
    assert pipe.getvalue() == ""


def test_progress_bar_follows_a_growing_total() -> None:
    terminal = _Terminal()
    bar = cli.ProgressBar("sheet", terminal, unit="face")
    bar(1, 2)
    bar(5, 8)
    bar(8, 8)
    bar.finish()
    assert terminal.getvalue().split("\r")[-1].startswith("sheet: 100%")
    assert " 8/8 [" in terminal.getvalue()


# --- identity evidence: --sort least-like ---------------------------------------------------

SMALL_LARGE = {"large_faces": 200, "large_photos": 30}


@pytest.fixture(scope="module")
def small_demo() -> Iterator[DemoServer]:
    """A demo whose demo-large holds 200 faces (4 of another person), quick to score."""
    server = DemoServer(host="127.0.0.1", port=0, quiet=True, **SMALL_LARGE).start()
    try:
        yield server
    finally:
        server.stop()


def test_render_least_like_writes_the_planted_faces_first_with_their_distances(
    small_demo: DemoServer, tmp_path: Path
) -> None:
    out = tmp_path / "large"
    env = {**demo_env(small_demo, tmp_path), "II_CACHE_DIR": str(tmp_path / "cache")}
    done = run(["render", NAMESPACE, "demo-large", "--sort", "least-like", "--out", str(out)],
               env, tmp_path)  # fmt: skip
    assert done.returncode == 0, done.stderr
    header, rows = read_csv(out / "faces.csv")
    assert "identity_distance" in header
    distances = [float(r["identity_distance"]) for r in rows]
    assert len(distances) == 200  # every face scored
    assert distances == sorted(distances, reverse=True)
    planted = impostor_ids(**SMALL_LARGE)
    assert {r["id"] for r in rows[: len(planted)]} == planted


def test_render_without_the_face_model_says_so_and_keeps_the_order(
    demo: DemoServer, tmp_path: Path
) -> None:
    out = tmp_path / "a1"
    env = {**demo_env(demo, tmp_path), "II_FACE_MODEL_DIR": str(tmp_path / "no-model")}
    done = run(["render", NAMESPACE, "demo-person-a1", "--sort", "least-like", "--out", str(out)],
               env, tmp_path)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "note:" in done.stderr and "Faces keep their order" in done.stderr
    _, rows = read_csv(out / "faces.csv")
    assert [int(r["index"]) for r in rows] == list(range(len(rows)))
    assert {r["identity_distance"] for r in rows} == {""}
