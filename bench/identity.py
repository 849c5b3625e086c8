"""``python -m bench.identity``: face descriptors on demo-large, and how well they find the
planted faces of another person.

Measures faces scored per second with the machine's worker processes, the time until the first
page's faces are scored, all of demo-large, a second run from the descriptor cache (a new
scorer, as after a restart), and the AUC and precision among the 20 least-like faces for
demo-large's planted faces. Prints the distributions that calibrate the thresholds in
``viewer.identity.distance``, a table, then as its last line one JSON object with every number.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from contextlib import closing
from dataclasses import replace
from typing import Any

import numpy as np

from bench.report import Row, table
from bench.server import ServerOptions, ServerProcess
from viewer.api import Client
from viewer.config import Settings
from viewer.demo import impostor_ids
from viewer.hosts import HostPolicy
from viewer.identity.distance import (
    FLAG_DISTANCE,
    SAME_PERSON_DISTANCE,
    GroupDistances,
    centre_distance,
)
from viewer.identity.scorer import Scorer
from viewer.images import Fetcher
from viewer.models import Group

NAMESPACE = "acme"
LARGE = "demo-large"
FIRST_PAGE = 24  # the Faces tab's default page
PEOPLE = ("demo-person-a1", "demo-person-a2", "demo-person-b", "demo-fractions", "demo-crowd")
RATE_TARGET = 20.0


def _say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def auc(scores: np.ndarray, positive: np.ndarray) -> float:
    """The probability that a random positive scores above a random negative (ties count half)."""
    pos, neg = scores[positive], scores[~positive]
    if not len(pos) or not len(neg):
        return float("nan")
    above = (pos[:, None] > neg[None, :]).sum() + 0.5 * (pos[:, None] == neg[None, :]).sum()
    return float(above / (len(pos) * len(neg)))


def percentiles(values: np.ndarray) -> str:
    if not len(values):
        return "none"
    marks = np.percentile(values, [0, 5, 25, 50, 75, 95, 99, 100])
    return " ".join(f"{v:.3f}" for v in marks)


def cut_table(distances: np.ndarray, planted: np.ndarray) -> tuple[list[str], float]:
    """Flagged faces at each cut, and the cut with the highest F1 for the planted faces."""
    lines, best, best_f1 = [], FLAG_DISTANCE, -1.0
    for cut in np.arange(0.30, 0.56, 0.01):
        flagged = distances > cut
        hits = int((flagged & planted).sum())
        precision = hits / max(1, int(flagged.sum()))
        recall = hits / max(1, int(planted.sum()))
        f1 = 2 * precision * recall / max(1e-9, precision + recall)
        if f1 > best_f1:
            best, best_f1 = float(round(cut, 2)), f1
        lines.append(
            f"  cut {cut:.2f}: {int(flagged.sum()):4d} flagged, {hits:2d} planted, "
            f"precision {precision:.2f}, recall {recall:.2f}, F1 {f1:.2f}"
        )
    return lines, best


def medoid_ranking(descriptors: dict[str, np.ndarray]) -> dict[str, float]:
    """Distances to the medoid (the face with the least total distance to the others), the
    alternative centre the median was measured against."""
    keys = list(descriptors)
    x = np.stack([descriptors[k].astype(np.float64) for k in keys])
    squared = (x * x).sum(1)
    pairwise = np.sqrt(np.maximum(squared[:, None] + squared[None, :] - 2 * x @ x.T, 0.0))
    centre = x[int(np.argmin(pairwise.sum(1)))]
    return dict(zip(keys, np.linalg.norm(x - centre, axis=1).tolist(), strict=True))


def _score(scorer: Scorer, group: Group, first: int) -> tuple[float, float]:
    """Seconds until the first ``first`` faces, then all faces, are scored or settled."""
    start = time.perf_counter()
    head = replace(group, faces=group.faces[:first])
    scorer.request(group, group.faces[:first])
    while not scorer.status(head).finished:
        time.sleep(0.01)
    first_s = time.perf_counter() - start
    scorer.wait(group)
    return first_s, time.perf_counter() - start


def run(args: argparse.Namespace) -> dict[str, Any]:
    options = ServerOptions(args.latency_ms / 1000, args.latency_ms / 1000, args.faces, args.photos)
    with ServerProcess(options) as server, tempfile.TemporaryDirectory() as cache_dir:
        settings = Settings(
            api_url=server.api_url, access_token=server.static_token, cache_dir=cache_dir
        )
        policy = HostPolicy(False, [server.base_url])
        with closing(Client(settings)) as client:
            large = client.get_group(NAMESPACE, LARGE)
            people = {gid: client.get_group(NAMESPACE, gid) for gid in PEOPLE}
        with Fetcher(settings, policy) as warm:  # the demo draws each photo once, untimed
            warm.fetch_many(large.image_urls + [u for g in people.values() for u in g.image_urls])

        _say(f"Scoring {len(large.faces)} faces with {args.workers or 'the default'} workers…")
        with Fetcher(settings, policy) as fetcher, Scorer(fetcher, workers=args.workers) as scorer:
            if not scorer.model_status.available:
                raise SystemExit(scorer.model_status.message)
            started = time.perf_counter()
            for group in people.values():  # also starts the workers and loads the model
                scorer.request(group)
                scorer.wait(group)
            warm_s = time.perf_counter() - started
            first_s, all_s = _score(scorer, large, FIRST_PAGE)
            status = scorer.status(large)
            distances = scorer.distances(large)
            medoid = medoid_ranking(scorer.descriptors(large))
            centres = {gid: scorer.distances(g) for gid, g in people.items()}
            centres[LARGE] = distances
            workers = scorer.workers
        _say("Again from the descriptor cache, with a new scorer…")
        with Fetcher(settings, policy) as fetcher, Scorer(fetcher, workers=args.workers) as again:
            _, cached_s = _score(again, large, FIRST_PAGE)
            cached_status = again.status(large)
            cached_computed = again.computed

    planted_ids = impostor_ids(args.faces, args.photos)
    keys = list(distances.distance)
    by_key = {f.key: f for f in large.faces}
    values = np.array([distances.distance[k] for k in keys])
    planted = np.array([by_key[k].id in planted_ids for k in keys])
    top = set(distances.least_like(20))
    top_planted = sum(1 for k in top if by_key[k].id in planted_ids)
    lines, best_cut = cut_table(values, planted)
    medoid_values = np.array([medoid[k] for k in keys])
    medoid_top = sorted(keys, key=lambda k: (-medoid[k], k))[:20]
    pairs = _centre_pairs(centres)
    return {
        "workers": workers,
        "faces": len(large.faces),
        "scored": status.done,
        "not_scored": status.failed,
        "start_up_s": round(warm_s, 2),
        "first_page_s": round(first_s, 2),
        "all_s": round(all_s, 2),
        "faces_per_s": round(status.done / all_s, 1),
        "cached_s": round(cached_s, 2),
        "cached_scored": cached_status.done,
        "cached_computed": cached_computed,
        "auc": round(auc(values, planted), 3),
        "planted": int(planted.sum()),
        "planted_in_top_20": top_planted,
        "medoid_auc": round(auc(medoid_values, planted), 3),
        "medoid_planted_in_top_20": sum(1 for k in medoid_top if by_key[k].id in planted_ids),
        "genuine_distances": percentiles(values[~planted]),
        "planted_distances": percentiles(values[planted]),
        "flag_distance": FLAG_DISTANCE,
        "flagged": len(distances.flagged()),
        "flagged_planted": sum(1 for k in distances.flagged() if by_key[k].id in planted_ids),
        "best_f1_cut": best_cut,
        "cuts": lines,
        "centre_distances": pairs,
        "same_person_distance": SAME_PERSON_DISTANCE,
    }


def _centre_pairs(centres: dict[str, GroupDistances]) -> dict[str, float | None]:
    names = list(centres)
    found: dict[str, float | None] = {}
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            d = centre_distance(centres[a], centres[b])
            found[f"{a} ~ {b}"] = None if d is None else round(d, 3)
    return found


def report(result: dict[str, Any]) -> str:
    rate = result["faces_per_s"]
    rows = [
        Row("section", f"demo-large: {result['faces']} faces, {result['workers']} workers"),
        Row("start-up (workers, model, 5 small groups)", f"{result['start_up_s']:.2f} s"),
        Row(f"first page ({FIRST_PAGE} faces) scored", f"{result['first_page_s']:.2f} s"),
        Row("all faces scored", f"{result['all_s']:.2f} s"),
        Row("faces per second", f"{rate:.1f}", (f"≥ {RATE_TARGET:g}", rate >= RATE_TARGET)),
        Row("not scored", str(result["not_scored"])),
        Row(
            "second run, from the cache (a new scorer)",
            f"{result['cached_s']:.2f} s, {result['cached_computed']} computed",
        ),
        Row("section", f"Finding the {result['planted']} planted faces"),
        Row("AUC of the distance to the centre", f"{result['auc']:.3f}"),
        Row("planted among the 20 least-like", f"{result['planted_in_top_20']} / 20"),
        Row(
            "the same to the medoid instead of the median",
            f"{result['medoid_auc']:.3f}, {result['medoid_planted_in_top_20']} / 20",
        ),
        Row(
            f"flagged above {result['flag_distance']:.2f}",
            f"{result['flagged']} ({result['flagged_planted']} planted)",
        ),
        Row("cut with the best F1", f"{result['best_f1_cut']:.2f}"),
    ]
    text = [table(rows), "", "Distance to the centre (min p5 p25 median p75 p95 p99 max):"]
    text += [f"  genuine {result['genuine_distances']}", f"  planted {result['planted_distances']}"]
    text += ["", "Flags by cut:", *result["cuts"], "", "Distances between group centres:"]
    cut = result["same_person_distance"]
    for pair, d in result["centre_distances"].items():
        same = d is not None and d < cut
        text.append(f"  {pair}: {d}{'  likely the same person' if same else ''}")
    return "\n".join(text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.identity", description=__doc__)
    parser.add_argument("--latency-ms", type=float, default=40.0, help="delay of every request")
    parser.add_argument("--faces", type=int, default=2000, help="faces in demo-large")
    parser.add_argument("--photos", type=int, default=300, help="photos in demo-large")
    parser.add_argument("--workers", type=int, default=None, help="model processes")
    result = run(parser.parse_args(argv))
    print(report(result))
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
