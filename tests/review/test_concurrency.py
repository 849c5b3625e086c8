"""Several writers at once, and a writer killed mid-run, on SQLite and PostgreSQL."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

from tests.review.conftest import store_env
from tests.review.writer import FACES, GROUP, NAMESPACE
from viewer.config import Settings
from viewer.review.store import open_store

ROOT = Path(__file__).resolve().parents[2]
WRITERS = 5
EACH = 100


def start_writer(
    analyst: str, count: int, env: dict[str, str], go: Path | None
) -> subprocess.Popen[str]:
    extra = ["--go", str(go)] if go else []
    return subprocess.Popen(
        [sys.executable, "-m", "tests.review.writer", analyst, str(count), *extra],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_five_processes_writing_at_once_all_land(store_settings: Settings, tmp_path: Path) -> None:
    env = store_env(store_settings, tmp_path)
    go = tmp_path / "go"
    writers = [start_writer(f"analyst-{n}", EACH, env, go) for n in range(WRITERS)]
    try:
        for writer in writers:  # every one has opened (and raced to create) the fresh store
            assert writer.stdout is not None and writer.stdout.readline().strip() == "ready"
        go.touch()
        outputs = [writer.communicate(timeout=90) for writer in writers]
    finally:
        for writer in writers:
            if writer.poll() is None:
                writer.kill()
                writer.wait()
    for writer, (out, err) in zip(writers, outputs, strict=True):
        assert writer.returncode == 0, err
        assert out.split() == [str(i) for i in range(EACH)]
    with open_store(store_settings) as store:
        log = store.log(NAMESPACE, GROUP)
        assert len(log) == WRITERS * EACH
        assert {e.by for e in log} == {f"analyst-{n}" for n in range(WRITERS)}
        assert len({e.action_id for e in log}) == WRITERS * EACH
        for face in range(FACES):  # every analyst's verdict on every face is in its history
            history = store.history(NAMESPACE, GROUP, f"{face}:img-{face}")
            assert sorted(e.by for e in history) == [f"analyst-{n}" for n in range(WRITERS)]
            chain = [None, *(e.id for e in history[:-1])]
            assert [e.replaces_event_id for e in history] == chain  # each replaced the one before
            assert [e.replaced_verdict for e in history[1:]] == [e.verdict for e in history[:-1]]
        assert len(store.latest(NAMESPACE, GROUP)) == FACES


def test_a_committed_verdict_survives_its_writer_being_killed(
    store_settings: Settings, tmp_path: Path
) -> None:
    writer = start_writer("ann", 0, store_env(store_settings, tmp_path), None)
    confirmed: list[int] = []
    try:
        assert writer.stdout is not None and writer.stdout.readline().strip() == "ready"
        while len(confirmed) < 30:
            confirmed.append(int(writer.stdout.readline()))
    finally:
        writer.send_signal(signal.SIGKILL)
        writer.communicate(timeout=30)
    assert writer.returncode == -signal.SIGKILL
    with open_store(store_settings) as store:
        log = store.log(NAMESPACE, GROUP)
    assert len(log) >= len(confirmed)  # the ones in flight may have landed too
    assert [e.face_id for e in log[: len(confirmed)]] == [f"{i}:img-{i}" for i in confirmed]
