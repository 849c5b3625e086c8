"""Across groups, with the face model on: Compare's centre distance and Browse's ranking by
nearness to the open group (merge candidates)."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.ui.apptest import rerun_until, run, unescaped
from viewer.demo.server import DemoServer


def texts(at: AppTest) -> str:
    return "\n".join(unescaped(m.value) for m in [*at.markdown, *at.caption, *at.info])


def centres_line(at: AppTest) -> str:
    """Compare's line on the two groups' centres, once every face of both is scored."""
    done = "from 12 and 12 scored faces."  # not "(scoring goes on)."
    rerun_until(at, lambda at: done in texts(at))
    (line,) = [x for x in texts(at).splitlines() if x.startswith("Centres ")]
    return line


def test_compare_says_two_groups_of_one_person_are_likely_the_same(
    scoring_demo: DemoServer,
) -> None:
    at = run(mode="compare", namespace="acme", compare="demo-person-a1,demo-person-a2")
    line = centres_line(at)
    assert ": likely the same person (under 0.12)" in line, line


def test_compare_says_another_person_is_not_the_same(scoring_demo: DemoServer) -> None:
    at = run(mode="compare", namespace="acme", compare="demo-person-a1,demo-person-b")
    line = centres_line(at)
    assert ": not the same person (threshold 0.12)" in line, line


def test_compare_of_three_groups_marks_the_likely_pair_in_a_table(
    scoring_demo: DemoServer,
) -> None:
    ids = "demo-person-a1,demo-person-a2,demo-person-b"
    at = run(mode="compare", namespace="acme", compare=ids)
    rerun_until(at, lambda at: "Centre distances, from each group's scored faces;" in texts(at))
    assert "likely the same person: demo-person-a1 and demo-person-a2." in texts(at)
    (table,) = [d.value for d in at.dataframe if "demo-person-b" in d.value.columns]
    assert list(table.index) == [f"{g} (12 scored faces)" for g in ids.split(",")]
    marked = {(r, c) for r in range(3) for c in range(3) if "✓" in table.iat[r, c]}
    assert marked == {(0, 1), (1, 0)}


def test_browse_ranks_the_other_group_of_the_person_first(scoring_demo: DemoServer) -> None:
    at = run(mode="browse", namespace="acme", group="demo-person-a1")
    assert not at.exception
    assert not any(t.key == "browse_near" and t.value for t in at.toggle)
    at.toggle(key="browse_near").set_value(True)
    at.run()

    def ranked(at: AppTest) -> bool:  # every listed group ranked, scoring over
        said = texts(at)
        return "Not ranked yet" not in said and "Scoring goes on" not in said

    rerun_until(at, ranked)
    opens = [b.key for b in at.button if b.key and b.key.startswith("browse_open_")]
    assert len(opens) == 9  # the page's ten groups but the open one
    assert opens[0].endswith("_demo-person-a2"), opens
    rows = [unescaped(m.value) for m in at.markdown if unescaped(m.value).startswith("Distance ")]
    assert len(rows) == 9
    assert "likely the same person" in rows[0], rows[0]
    assert not any("likely the same person" in row for row in rows[1:]), rows
    assert "centre from 12 of its 12 faces" in rows[0]
    (large,) = [row for row in rows if "of its 200 faces" in row]  # demo-large: its best 12
    assert "centre from 12 of its 200 faces" in large, large
    distances = [float(row.split()[1]) for row in rows]
    assert distances == sorted(distances)
    assert any("at most the group's 12 best faces" in c.value for c in at.caption)
    # the candidate goes to Compare with the open group
    at.button(key=opens[0].replace("browse_open_", "browse_cmp_")).click()
    at.run()
    assert at.session_state["compare_ids"] == "demo-person-a1\ndemo-person-a2"


def test_a_missing_face_model_is_said_once_and_browse_still_lists_the_groups(
    scoring_demo: DemoServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("II_FACE_MODEL_DIR", str(tmp_path / "no-model"))
    at = run(mode="browse", namespace="acme", group="demo-person-a1")
    at.toggle(key="browse_near").set_value(True)
    at.run()
    assert not at.exception
    said = [i.value for i in at.info if "cannot be ranked by nearness" in i.value]
    assert len(said) == 1
    opens = [b.key for b in at.button if b.key and b.key.startswith("browse_open_")]
    assert len(opens) == 10 and opens[0].endswith("_demo-hostile")  # newest first, as listed
