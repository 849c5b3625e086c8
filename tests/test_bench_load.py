"""The load run's helpers: percentiles, the process tree and its RSS from /proc, the summary."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bench.load import (
    _parent,
    percentile,
    process_tree,
    rows,
    rss_bytes,
    summary,
    tree_rss_mb,
)
from bench.report import table


def test_percentile_interpolates_between_ranks() -> None:
    values = [4.0, 1.0, 3.0, 2.0]
    assert percentile(values, 50) == pytest.approx(2.5)
    assert percentile(values, 95) == pytest.approx(3.85)
    assert percentile(values, 0) == 1.0
    assert percentile(values, 100) == 4.0
    assert percentile([7.0], 95) == 7.0


@pytest.mark.parametrize(("values", "q"), [([], 50), ([1.0], -1), ([1.0], 101)])
def test_percentile_refuses_what_it_cannot_answer(values: list[float], q: float) -> None:
    with pytest.raises(ValueError, match="percentile"):
        percentile(values, q)


def test_parent_is_read_after_a_command_name_with_spaces_and_parentheses() -> None:
    assert _parent("4242 (web (worker) 2) S 77 4242 4242 0 -1") == 77


def _fake_process(proc: Path, pid: int, parent: int, rss_kb: int | None = None) -> None:
    folder = proc / str(pid)
    folder.mkdir()
    (folder / "stat").write_text(f"{pid} (python3 x) S {parent} {pid} {pid} 0 -1\n")
    status = "Name:\tpython3\n" + (f"VmRSS:\t  {rss_kb} kB\n" if rss_kb is not None else "")
    (folder / "status").write_text(status)


def test_process_tree_holds_the_root_and_its_descendants_only(tmp_path: Path) -> None:
    _fake_process(tmp_path, 10, 1, 1000)
    _fake_process(tmp_path, 11, 10, 200)
    _fake_process(tmp_path, 12, 11, 30)
    _fake_process(tmp_path, 13, 1, 4000)  # a sibling of the root
    (tmp_path / "self").mkdir()  # not a process
    (tmp_path / "14").mkdir()  # gone before its stat was read

    assert sorted(process_tree(10, tmp_path)) == [10, 11, 12]
    assert tree_rss_mb(10, tmp_path) == pytest.approx(1230 * 1024 / 1e6)


def test_rss_is_zero_for_a_gone_process_or_one_without_memory(tmp_path: Path) -> None:
    _fake_process(tmp_path, 20, 1, 2048)
    _fake_process(tmp_path, 21, 1, None)  # a zombie has no VmRSS line
    assert rss_bytes(20, tmp_path) == 2048 * 1024
    assert rss_bytes(21, tmp_path) == 0
    assert rss_bytes(22, tmp_path) == 0


def test_the_real_process_tree_counts_a_child_and_its_memory() -> None:
    code = "import time; print('ready', flush=True); time.sleep(60)"
    child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == "ready"
        tree = process_tree(os.getpid())
        assert child.pid in tree
        child_bytes = rss_bytes(child.pid)
        assert child_bytes > 1_000_000  # an interpreter holds some MB
        # the child's MB on top of this process's own, give or take this process's growth
        assert tree_rss_mb(os.getpid()) * 1e6 > rss_bytes(os.getpid()) + child_bytes / 2
    finally:
        child.kill()
        child.wait(10)


def test_summary_splits_first_and_next_pages_and_shares_memory_per_session() -> None:
    results = [([3.0, 1.0, 1.2], None), ([4.0, 2.0], "page 3: TimeoutError: waited")]
    r = summary(results, 2, idle_mb=100.0, peak_mb=300.0, after_mb=250.0, wall_s=9.0, one_mb=200.0)

    assert r["pages_done"] == 5
    assert r["pages_per_session"] == 3
    assert r["failures"] == ["page 3: TimeoutError: waited"]
    assert r["first_p50_s"] == pytest.approx(3.5)
    assert r["next_p50_s"] == pytest.approx(1.2)  # of 1.0, 1.2 and 2.0
    assert r["per_session_mb"] == pytest.approx(100.0)
    assert r["per_session_shared_warm_mb"] == pytest.approx(50.0)


def test_a_failed_session_misses_the_target_in_the_table() -> None:
    ok = summary([([1.0, 1.0], None)], 1, 100.0, 120.0, 110.0, 2.0)
    failed = summary(
        [([1.0], "page 2: TimeoutError: waited")], 1, 100.0, 120.0, 110.0, 2.0, pages_per_session=2
    )

    assert "none failing: met" in table(rows(ok))
    text = table(rows(failed))
    assert "1 of 2" in text
    assert "none failing: MISSED" in text
    assert "failed: page 2: TimeoutError" in text
