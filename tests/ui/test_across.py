"""Across groups, with the face model on: Compare's centre distance."""

from __future__ import annotations

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
