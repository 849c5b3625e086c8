"""Identity evidence on the page: scored in the background, sorted, shown in Table and Faces."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest
from streamlit.testing.v1 import AppTest

from tests.ui.apptest import SMALL_LARGE, rerun_until, run, unescaped
from viewer.api import Client
from viewer.config import Settings
from viewer.demo import conflict_ids, duplicate_ids, impostor_ids
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


def table_ids(at: AppTest) -> list[str]:
    (frame,) = [d.value for d in at.dataframe if "flags" in d.value.columns]
    return list(frame["id"])


def test_the_conflict_filter_and_sort_take_exactly_the_planted_conflicts(
    on_demo: DemoServer,
) -> None:
    """No model needed: demo-crowd's planted same-photo conflicts, filtered and sorted."""
    at = run(namespace="acme", group="demo-crowd", view="table", identity="conflict")
    assert not at.exception
    assert set(table_ids(at)) == conflict_ids() | duplicate_ids()
    at = run(namespace="acme", group="demo-crowd", view="table", sort="conflict")
    ids, clashing = table_ids(at), conflict_ids() | duplicate_ids()
    assert set(ids[: len(clashing)]) == clashing
    with Client(Settings(api_url=on_demo.api_url, access_token=on_demo.static_token)) as c:
        url = {f.id: f.url for f in c.get_group("acme", "demo-crowd").faces}
    photos = [url[i] for i in ids[: len(clashing)]]
    assert photos == sorted(photos)  # one photo's faces side by side


def test_stats_draw_the_distances_and_the_threshold_moves_the_flags(
    scoring_demo: DemoServer,
) -> None:
    planted = impostor_ids(**SMALL_LARGE)
    at = run(namespace="acme", group="demo-large", view="stats")
    scored(at, 200)
    assert f"{len(planted)} of the shown faces lie farther than 0.45" in captions(at)
    (chart,) = [c for c in at.get("vega_lite_chart") if "Identity distance" in c.proto.spec]
    assert chart_values(chart.proto, "threshold") == [0.45]
    drawn = chart_values(chart.proto, "distance")
    assert len(drawn) == 200 and sum(d > 0.45 for d in drawn) == len(planted)
    at = run(namespace="acme", group="demo-large", view="table", identity="someone_else")
    scored(at, 200)
    assert set(table_ids(at)) == planted
    at = run(namespace="acme", group="demo-large", view="table", identity="someone_else", tdist="2")
    scored(at, 200)
    assert "0 may be someone else (distance above 2.00)" in captions(at)
    assert table_ids(at) == [], table_ids(at)


def test_detail_shows_the_face_beside_the_most_typical_faces_with_distances(
    scoring_demo: DemoServer,
) -> None:
    with Client(
        Settings(api_url=scoring_demo.api_url, access_token=scoring_demo.static_token)
    ) as c:
        faces = c.get_group("acme", "demo-large").faces
    planted = next(f for f in faces if f.id in impostor_ids(**SMALL_LARGE))
    at = run(namespace="acme", group="demo-large", view="detail", sort="least")
    scored(at, 200)
    at = run(namespace="acme", group="demo-large", view="detail", face=str(planted.index))
    strip = unescaped_captions(at.main.image[0])
    assert strip[0].startswith("this face · distance ") and strip[0].endswith("≠")
    typical = [float(t.split("distance ")[1]) for t in strip[1:]]
    assert len(typical) == 5 and typical == sorted(typical)
    assert max(typical) < float(strip[0].split("distance ")[1].split()[0])


def chart_values(chart: object, column: str) -> list[float]:
    """The values of ``column`` in the data a chart was sent with."""
    for dataset in chart.datasets:  # type: ignore[attr-defined]
        table = pa.ipc.open_stream(dataset.data.data).read_all()
        if column in table.column_names:
            return table.column(column).to_pylist()
    raise AssertionError(f"no {column!r} in the chart's data")


def unescaped_captions(image: object) -> list[str]:
    return [unescaped(c) for c in image.captions]  # type: ignore[attr-defined]
