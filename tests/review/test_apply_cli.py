"""``python -m viewer review apply`` and ``review apply-log`` against a demo API and both stores."""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from viewer import cli
from viewer.api import Client
from viewer.config import Settings, load_settings
from viewer.demo.server import DemoServer
from viewer.review import apply_cli
from viewer.review.apply_cli import BATCH_COLUMNS
from viewer.review.faces import store_ids
from viewer.review.store import VerdictStore

NS, GROUP = "acme", "demo-fractions"
SECRET = "cli-Secret-2718"


@pytest.fixture()
def demo() -> Iterator[DemoServer]:
    with DemoServer(large_faces=20, large_photos=5) as server:
        yield server


@pytest.fixture(autouse=True)
def env(
    demo: DemoServer, store: VerdictStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A demo API named by II_API_URL (so not the embedded one) and the parametrised store."""
    for key in [k for k in os.environ if k.startswith("II_")]:
        monkeypatch.delenv(key)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("II_API_URL", demo.api_url)
    monkeypatch.setenv("II_CLIENT_ID", "cli-client")
    monkeypatch.setenv("II_CLIENT_SECRET", SECRET)
    monkeypatch.setenv("II_DATABASE_URL", store.engine.url.render_as_string(False))
    monkeypatch.chdir(tmp_path)


@pytest.fixture()
def marked(demo: DemoServer, store: VerdictStore) -> tuple[str, list[str]]:
    """22 of demo-fractions' 24 faces marked "not this person": two batches. Identity, ids."""
    settings = Settings(api_url=demo.api_url, access_token=demo.static_token)
    with Client(settings) as client:
        group = client.get_group(NS, GROUP)
    ids = store_ids(group.faces)
    faces = [(ids[f.key], f.id) for f in group.faces]  # as the app records them
    store.record(NS, GROUP, faces[:22], "not_this_person", "ann")
    store.record(NS, GROUP, faces[22:], "belongs", "ann")
    return group.identity_id or "", [f.id or "" for f in group.faces]


def held(demo: DemoServer, identity_id: str) -> list[str]:
    return demo.identities.image_ids(NS, identity_id) or []


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = cli.main(args)
    out, err = capsys.readouterr()
    return code, out, err


def test_dry_run_prints_every_request_and_sends_nothing(
    demo: DemoServer, store: VerdictStore, marked: tuple[str, list[str]], capsys
) -> None:
    identity_id, ids = marked
    code, out, _ = run(["review", "apply", NS, GROUP, "--dry-run"], capsys)
    assert code == 0
    assert f"remove 22 image(s) from identity {identity_id} in 2 request(s)" in out
    request = json.loads(out.splitlines()[-1].split(maxsplit=3)[3])
    assert request == {"images": {"add": [], "remove": ids[20:22]}}
    assert held(demo, identity_id) == ids
    assert store.apply_log.batches(NS, GROUP) == []


def test_writing_is_refused_unless_a_setting_allows_it(
    demo: DemoServer, marked: tuple[str, list[str]], capsys
) -> None:
    code, _, err = run(["review", "apply", NS, GROUP, "--yes"], capsys)
    assert code == 2 and "set II_ALLOW_WRITES=1 to allow it" in err
    assert held(demo, marked[0]) == marked[1]


def test_without_a_terminal_nothing_is_sent_unless_yes(
    demo: DemoServer, marked: tuple[str, list[str]], capsys, monkeypatch
) -> None:
    monkeypatch.setenv("II_ALLOW_WRITES", "1")
    monkeypatch.setattr("sys.stdin", io.StringIO("y\n"))  # piped input is not a confirmation
    code, _, err = run(["review", "apply", NS, GROUP], capsys)
    assert code == 2 and "confirm on a terminal, or pass --yes" in err
    assert held(demo, marked[0]) == marked[1]


@pytest.mark.parametrize(("reply", "sent"), [("y", True), ("", False), ("no", False)])
def test_a_terminal_answer_decides(
    demo: DemoServer, marked: tuple[str, list[str]], reply: str, sent: bool
) -> None:
    identity_id, ids = marked
    args = cli.build_parser().parse_args(["review", "apply", NS, GROUP, "--by", "cat"])
    settings = load_settings({**os.environ, "II_ALLOW_WRITES": "1"}, secrets_paths=())
    prompts: list[str] = []
    out, err = io.StringIO(), io.StringIO()
    primary, secondary = os.openpty()
    try:
        with open(secondary, closefd=False) as terminal:

            def ask(prompt: str) -> str:
                prompts.append(prompt)
                return reply

            code = apply_cli.apply(args, settings, out, err, ask, terminal)
    finally:
        os.close(primary)
        os.close(secondary)
    assert code == 0 and prompts == ["Send these 2 request(s) to the API? [y/N] "]
    assert held(demo, identity_id) == (ids[22:] if sent else ids)
    assert ("Done: every batch was confirmed." in out.getvalue()) is sent


def test_apply_then_export_the_log(
    demo: DemoServer, marked: tuple[str, list[str]], capsys, monkeypatch
) -> None:
    identity_id, ids = marked
    monkeypatch.setenv("II_ALLOW_WRITES", "1")
    monkeypatch.setenv("II_ANALYST", "dan")
    code, out, _ = run(["review", "apply", NS, GROUP, "--yes"], capsys)
    assert code == 0 and "Done: every batch was confirmed." in out
    assert held(demo, identity_id) == ids[22:]
    assert run(["review", "apply-log", NS, GROUP, "--out", "log.csv"], capsys)[0] == 0
    rows = list(csv.DictReader(Path("log.csv").read_text().splitlines()))
    assert [(r["operation"], r["state"], r["by"]) for r in rows] == [
        ("remove", "confirmed", "dan")
    ] * 2
    assert list(rows[0]) == list(BATCH_COLUMNS)
    assert rows[1]["image_ids"].split() == ids[20:22]
    assert rows[1]["answer"] == f"200 OK: identity {identity_id} now holds 2 image(s)"
    assert run(["review", "apply-log", NS, GROUP, "--out", "log.json"], capsys)[0] == 0
    data = json.loads(Path("log.json").read_text())
    assert data["group"] == GROUP and data["batches"][0]["image_ids"] == ids[:20]
    for name in ("log.csv", "log.json"):
        assert SECRET not in Path(name).read_text()
    again = run(["review", "apply", NS, GROUP, "--yes"], capsys)
    assert again[0] == 0 and "nothing to send." in again[1]


def test_a_fault_part_way_exits_1_and_applying_again_finishes(
    demo: DemoServer, marked: tuple[str, list[str]], capsys, monkeypatch
) -> None:
    identity_id, ids = marked
    monkeypatch.setenv("II_ALLOW_WRITES", "1")
    demo.inject_write_fault("500", after=1)
    code, out, _ = run(["review", "apply", NS, GROUP, "--yes"], capsys)
    assert code == 1 and "Stopped: The API had a server error (500)" in out
    assert held(demo, identity_id) == ids[20:]
    code, out, _ = run(["review", "apply", NS, GROUP, "--yes"], capsys)
    assert code == 0 and "remove 2 image(s)" in out
    assert held(demo, identity_id) == ids[22:]


def test_a_token_without_the_write_scope_is_warned_then_refused(
    demo: DemoServer, marked: tuple[str, list[str]], capsys, monkeypatch
) -> None:
    monkeypatch.setenv("II_ALLOW_WRITES", "1")
    monkeypatch.setenv("II_CLIENT_ID", "read-only")
    code, out, err = run(["review", "apply", NS, GROUP, "--yes"], capsys)
    assert "warning: the token lacks the scope recognition:update" in err
    assert code == 1 and "The API refused this change (403)" in out
    assert held(demo, marked[0]) == marked[1]


def test_bad_input_is_one_sentence(capsys) -> None:
    code, _, err = run(["review", "apply", "a/b", GROUP, "--dry-run"], capsys)
    assert code == 2 and "slash" in err
    code, _, err = run(["review", "apply-log", NS, GROUP, "--out", "log.txt"], capsys)
    assert code == 2 and "neither in .csv nor in .json" in err


def test_apply_sends_the_moves_recorded_in_the_store(
    demo: DemoServer,
    store: VerdictStore,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("II_ALLOW_WRITES", "1")
    settings = Settings(api_url=demo.api_url, access_token=demo.static_token)
    with Client(settings) as client:
        group, other = client.get_group(NS, GROUP), client.get_group(NS, "demo-crowd")
    face = group.faces[0]
    store.moves.record(NS, GROUP, (store_ids(group.faces)[face.key], face.id), "demo-crowd", "ann")
    code, out, _ = run(["review", "apply", NS, GROUP, "--yes", "--by", "ann"], capsys)
    assert code == 0, out
    assert f"add 1 image(s) to identity {other.identity_id}" in out
    assert face.id not in held(demo, group.identity_id or "")
    assert face.id in held(demo, other.identity_id or "")
