"""A child process that records verdicts, for the concurrency and kill tests.

``python -m tests.review.writer ANALYST COUNT [--go FILE]``: opens the store the environment
names (II_REVIEW_DB or II_DATABASE_URL), prints ``ready``, waits for FILE to exist, then
records ``COUNT`` verdicts (face ``i:img-i``, one action each), printing ``i`` after each
commit. ``COUNT`` 0 runs until killed.
"""

from __future__ import annotations

import argparse
import itertools
import time
from pathlib import Path

from viewer.config import load_settings
from viewer.review.store import open_store

NAMESPACE, GROUP = "acme", "demo-large"
FACES = 100  # faces the writers share; the i-th verdict goes to face i % FACES


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("analyst")
    parser.add_argument("count", type=int)
    parser.add_argument("--go", type=Path)
    args = parser.parse_args()
    with open_store(load_settings()) as store:
        print("ready", flush=True)
        while args.go is not None and not args.go.exists():
            time.sleep(0.01)
        numbers = range(args.count) if args.count else itertools.count()
        for i in numbers:
            face = i % FACES
            verdict = ("belongs", "not_this_person", "unsure")[i % 3]
            store.record(
                NAMESPACE, GROUP, [(f"{face}:img-{face}", f"img-{face}")], verdict, args.analyst
            )
            print(i, flush=True)


if __name__ == "__main__":
    main()
