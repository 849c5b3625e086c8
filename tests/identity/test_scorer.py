"""Background scoring against the demo API: what is scored, in what order, what is not and why,
and the descriptor cache surviving a new scorer and a new process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tests.identity.conftest import SCORE_TIMEOUT_S, LargeRun, score
from viewer.config import Settings
from viewer.demo import impostor_ids
from viewer.demo.scenes import encode, render_photo
from viewer.demo.server import DemoServer
from viewer.hosts import HostPolicy
from viewer.identity import jobs
from viewer.identity.distance import centre_distance, likely_same_person, rank_nearness
from viewer.identity.model import DESCRIPTOR_SIZE
from viewer.identity.scorer import Scorer
from viewer.images import Fetcher
from viewer.models import Group, parse_group

REPO = Path(__file__).resolve().parents[2]
LONG = pytest.mark.timeout(SCORE_TIMEOUT_S)


@LONG
def test_a_group_is_scored(scorer: Scorer, groups: dict[str, Group]) -> None:
    group = groups["demo-person-a1"]
    status = score(scorer, group)
    assert (status.total, status.done, status.failed, status.finished) == (12, 12, 0, True)
    descriptors = scorer.descriptors(group)
    assert set(descriptors) == {f.key for f in group.faces}
    assert all(v.shape == (DESCRIPTOR_SIZE,) for v in descriptors.values())
    distances = scorer.distances(group)
    assert distances.used == 12 and set(distances.distance) == set(descriptors)


@LONG
def test_faces_that_cannot_be_scored_say_why(scorer: Scorer, groups: dict[str, Group]) -> None:
    group = groups["demo-broken"]
    status = score(scorer, group)
    reasons = {f.custom_id: r for f in group.faces if (r := scorer.not_scored(group).get(f.key))}
    assert reasons == {
        "broken-url-404": "The image is gone from its host (404).",
        "broken-not-an-image": jobs.NOT_AN_IMAGE,
        "broken-no-url": jobs.NO_URL,
        "broken-no-box": jobs.NO_BOX,
    }
    assert status.done == len(group.faces) - 4  # the inverted box is repaired and scored


@LONG
def test_handed_bytes_are_not_downloaded_and_tiny_faces_are_not_scored(
    scorer: Scorer, demo: DemoServer
) -> None:
    assert demo.data is not None
    spec = demo.data.photos["/images/photo/pa1-000.jpg"]
    x0, y0, x1, y1 = spec.faces[0].xyxy
    url = "https://images.invalid/handed.jpg"  # never resolvable: the bytes come with the request
    w, h = spec.wh
    boxes = [
        {"xMin": x0 / w, "yMin": y0 / h, "xMax": x1 / w, "yMax": y1 / h},
        {"xMin": 0.5, "yMin": 0.5, "xMax": 0.5 + 12 / w, "yMax": 0.5 + 30 / h},
    ]
    group = parse_group(
        {
            "id": "handed",
            "images": [{"id": f"h{i}", "url": url, "boundingBox": b} for i, b in enumerate(boxes)],
        }
    )
    downloads = scorer.fetcher.downloads
    scorer.request(group, images={url: encode(render_photo(spec))})
    status = scorer.wait(group, SCORE_TIMEOUT_S)
    assert (status.done, status.failed) == (1, 1)
    assert scorer.not_scored(group) == {
        group.faces[1].key: "The face is 12 px on its shorter side, too small to compare "
        "(under 20 px)."
    }
    assert scorer.fetcher.downloads == downloads


@LONG
def test_faces_on_screen_come_first(large: LargeRun) -> None:
    """The last page was asked for first: when it was done, little else was (in index order it
    would have been last of 2,000)."""
    assert large.done_when_first_page_was < 150


@LONG
def test_least_like_the_rest_finds_the_planted_faces(scorer: Scorer, large: LargeRun) -> None:
    assert (large.status.done, large.status.failed) == (2000, 0)
    distances = scorer.distances(large.group)
    planted = impostor_ids()
    ids = {f.key: f.id for f in large.group.faces}
    assert len(planted) == 40
    assert sum(ids[k] in planted for k in distances.least_like(20)) >= 15
    assert not any(ids[k] in planted for k in distances.typical(10))
    flagged = distances.flagged()
    hits = sum(ids[k] in planted for k in flagged)
    assert hits >= 0.8 * len(flagged) and hits >= 0.9 * len(planted)


@LONG
def test_compare_says_a1_and_a2_are_one_person_and_b_is_not(
    scorer: Scorer, groups: dict[str, Group]
) -> None:
    names = ("demo-person-a1", "demo-person-a2", "demo-person-b")
    for name in names:
        score(scorer, groups[name])
    a1, a2, b = (scorer.distances(groups[name]) for name in names)
    assert likely_same_person(centre_distance(a1, a2))
    assert not likely_same_person(centre_distance(a1, b))
    assert not likely_same_person(centre_distance(a2, b))
    ranked = rank_nearness(a1, {"demo-person-a2": a2, "demo-person-b": b})
    assert [(n.group, n.used, n.likely_same) for n in ranked] == [
        ("demo-person-a2", 12, True),
        ("demo-person-b", 12, False),
    ]


@LONG
def test_a_new_scorer_reads_the_cache(
    scorer: Scorer, groups: dict[str, Group], identity_settings: Settings, image_policy: HostPolicy
) -> None:
    group = groups["demo-person-a1"]
    score(scorer, group)
    with Fetcher(identity_settings, image_policy) as fetcher, Scorer(fetcher) as again:
        status = score(again, group)
        assert (status.done, again.computed) == (12, 0)
        for key, vector in scorer.descriptors(group).items():
            assert np.array_equal(again.descriptors(group)[key], vector)


CHILD = """
import json, sys
from viewer.api import Client
from viewer.config import Settings
from viewer.hosts import HostPolicy
from viewer.identity.scorer import Scorer
from viewer.images import Fetcher

api, base, cache = sys.argv[1:4]
settings = Settings(api_url=api, access_token="demo-token", cache_dir=cache)
group = Client(settings).get_group("acme", "demo-person-a2")
with Fetcher(settings, HostPolicy(False, [base])) as fetcher, Scorer(fetcher) as scorer:
    scorer.request(group)
    status = scorer.wait(group, 300)
    print(json.dumps({"done": status.done, "computed": scorer.computed}))
"""


@LONG
def test_the_cache_survives_into_another_process(
    scorer: Scorer, groups: dict[str, Group], demo: DemoServer, cache_dir: Path
) -> None:
    score(scorer, groups["demo-person-a2"])
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    answer = subprocess.run(
        [sys.executable, "-c", CHILD, demo.api_url, demo.base_url, str(cache_dir)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=SCORE_TIMEOUT_S,
        check=True,
    )
    assert json.loads(answer.stdout.strip().splitlines()[-1]) == {"done": 12, "computed": 0}
