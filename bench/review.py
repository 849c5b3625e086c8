"""``python -m bench.review``: 5 processes writing 1,000 verdicts each to one store at once.

Runs on a new SQLite file and on PostgreSQL: the database II_DATABASE_URL names when it is
set (its tables get a namespace of their own), else a throwaway local server with fsync on.
Every verdict is its own action and commit, as when an analyst presses a key. Prints a table,
then as its last line one JSON object with every number.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import statistics
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

from bench.report import Row, table
from viewer.config import Settings, load_settings
from viewer.review.localpg import LocalPostgres, find_bin_dir
from viewer.review.store import open_store

GROUP = "bench-review"
FACES = 2000  # faces of the group; writer n marks faces n, n+5, ... so some overlap later


def _writer(settings: Settings, namespace: str, n: int, count: int, go: Any, out: Any) -> None:
    with open_store(settings) as store:
        out.put(("ready", n))
        go.wait()
        took: list[float] = []
        for i in range(count):
            face = (n + 5 * i) % FACES
            verdict = ("belongs", "not_this_person", "unsure")[i % 3]
            start = time.perf_counter()
            store.record(namespace, GROUP, [(f"{face}:img-{face}", None)], verdict, f"bench-{n}")
            took.append(time.perf_counter() - start)
    out.put(("done", took))


def run_backend(settings: Settings, writers: int, each: int) -> dict[str, Any]:
    """Time ``writers`` processes writing ``each`` verdicts; count what the store holds after."""
    namespace = f"bench-{uuid.uuid4().hex[:8]}"
    with open_store(settings):  # created and migrated before the clock starts
        pass
    context = multiprocessing.get_context("spawn")
    go, out = context.Event(), context.Queue()
    processes = [
        context.Process(target=_writer, args=(settings, namespace, n, each, go, out))
        for n in range(writers)
    ]
    for process in processes:
        process.start()
    for _ in processes:
        out.get(timeout=120)
    start = time.perf_counter()
    go.set()
    took = [t for _ in processes for t in out.get(timeout=600)[1]]
    seconds = time.perf_counter() - start
    for process in processes:
        process.join(timeout=60)
    with open_store(settings) as store:
        log = store.log(namespace, GROUP)
    per_writer = Counter(e.by for e in log)
    complete = all(per_writer[f"bench-{n}"] == each for n in range(writers))
    took.sort()
    return {
        "writers": writers,
        "each": each,
        "seconds": round(seconds, 3),
        "verdicts_per_s": round(writers * each / seconds, 1),
        "median_ms": round(statistics.median(took) * 1000, 2),
        "p95_ms": round(took[int(len(took) * 0.95)] * 1000, 2),
        "found": len(log),
        "every_writer_complete": complete,
        "actions": len({e.action_id for e in log}),
    }


def _rows(name: str, result: dict[str, Any]) -> list[Row]:
    wanted = result["writers"] * result["each"]
    return [
        Row("section", name),
        Row("writers x verdicts", f"{result['writers']} x {result['each']:,}"),
        Row("wall time", f"{result['seconds']:.2f} s"),
        Row("verdicts per second", f"{result['verdicts_per_s']:,.0f}"),
        Row("one verdict, median / p95", f"{result['median_ms']:.1f} / {result['p95_ms']:.1f} ms"),
        Row(
            "found afterwards",
            f"{result['found']:,} of {wanted:,}",
            (f"all {wanted:,}", result["found"] == wanted and result["every_writer_complete"]),
        ),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.review", description=__doc__)
    parser.add_argument("--writers", type=int, default=5)
    parser.add_argument("--each", type=int, default=1000, help="verdicts per writer")
    args = parser.parse_args()
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="bench-review-") as folder:
        sqlite = Settings(review_db=Path(folder) / "review.sqlite3", review_timeout_s=60.0)
        results["sqlite"] = run_backend(sqlite, args.writers, args.each)
    configured = load_settings(dict(os.environ)).database_url
    if configured:
        pg = Settings(database_url=configured, review_timeout_s=60.0)
        results["postgresql"] = run_backend(pg, args.writers, args.each)
    elif (bin_dir := find_bin_dir()) is not None:
        with LocalPostgres(bin_dir, durable=True) as server:
            url = server.create_database("bench").render_as_string(hide_password=False)
            pg = Settings(database_url=url, review_timeout_s=60.0)
            results["postgresql"] = run_backend(pg, args.writers, args.each)
    else:
        print("PostgreSQL is not installed and II_DATABASE_URL is unset: SQLite only.")
    rows = [r for name, result in results.items() for r in _rows(name, result)]
    print(table(rows))
    print(json.dumps(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
