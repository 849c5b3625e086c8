"""Identity evidence on the page: scored in the background, sorted, shown in Table and Faces."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.ui.apptest import SMALL_LARGE, rerun_until, run, unescaped
from viewer.api import Client
from viewer.config import Settings
from viewer.demo import impostor_ids
from viewer.demo.server import DemoServer


def captions(at: AppTest) -> str:
    return "\n".join(unescaped(c.value) for c in at.caption)


def scored(at: AppTest, total: int) -> AppTest:
    """Rerun the page until it says every face is scored."""
    return rerun_until(at, lambda at: f"{total} of {total} faces scored" in captions(at))


def test_table_sorted_least_like_shows_the_planted_faces_first(scoring_demo: DemoServer) -> None:
    at = run(namespace="acme", group="demo-large", view="table", sort="least")
    assert not at.exception
    scored(at, 200)
    planted = impostor_ids(**SMALL_LARGE)
    assert f"{len(planted)} may be someone else" in captions(at)
    (frame,) = [d.value for d in at.dataframe if "identity distance" in d.value.columns]
    distances = list(frame["identity distance"])
    assert distances == sorted(distances, reverse=True)
    assert set(frame["id"][: len(planted)]) == planted
    assert all("may be someone else" in f for f in frame["flags"][: len(planted)])
    assert not any("may be someone else" in f for f in frame["flags"][len(planted) :])


def test_faces_captions_carry_each_distance(scoring_demo: DemoServer) -> None:
    at = run(namespace="acme", group="demo-person-a1", view="faces", sort="least")
    scored(at, 12)
    texts = [unescaped(c) for image in at.main.image for c in image.captions]
    assert len(texts) == 12
    assert all("distance 0." in text for text in texts)


def test_a_missing_face_model_is_said_once_and_the_group_still_shows(
    scoring_demo: DemoServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("II_FACE_MODEL_DIR", str(tmp_path / "no-model"))
    at = run(namespace="acme", group="demo-person-a1", view="faces")
    assert not at.exception
    said = [i.value for i in at.info if "Identity distances are not shown" in i.value]
    assert len(said) == 1
    assert len(at.main.image) == 12


def test_the_review_queue_starts_with_the_faces_least_like_the_rest(
    scoring_demo: DemoServer,
) -> None:
    at = run(namespace="acme", group="demo-large", mode="review")
    scored(at, 200)
    planted = impostor_ids(**SMALL_LARGE)
    with Client(
        Settings(api_url=scoring_demo.api_url, access_token=scoring_demo.static_token)
    ) as c:
        group = {f.index: f.id for f in c.get_group("acme", "demo-large").faces}
    order = at.session_state["queue"][1]
    assert {group[i] for i in order[: len(planted)]} == planted
    assert at.query_params["face"] == str(order[0])
