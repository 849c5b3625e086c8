"""One number in the running page: a face reads the same in Faces, Table and Detail, and the
confidence sliders show percent while the URL keeps fractions."""

from __future__ import annotations

from tests.ui.apptest import SAMPLE, run, unescaped
from viewer.demo.server import DemoServer

# demo-fractions' face #5: confidence 0.8590081 (rounded 86 %, cut 85 %), sharpness 0.3889
# (rounded 0.39, cut 0.38): where rounding and cutting disagree.
GROUP = {"namespace": "acme", "group": "demo-fractions"}
FACE = 4


def _detail(at) -> dict[str, str]:
    (frame,) = [d.value for d in at.dataframe if "pose" in set(d.value.get("field", []))]
    return dict(zip(frame["field"], frame["value"], strict=True))


def test_a_face_reads_the_same_in_faces_table_and_detail(on_demo: DemoServer) -> None:
    at = run(**GROUP, view="detail", face=str(FACE))
    assert not at.exception
    fields = _detail(at)
    assert (fields["confidence"], fields["sharpness"]) == ("85%", "0.38")

    at = run(**GROUP, view="faces")
    captions = [img.caption for image in at.main.image for img in image.proto.imgs]
    assert any(c.startswith("85% · sharp 0.38 · ") for c in captions), captions

    at = run(**GROUP, view="table")
    table = at.dataframe(key="table").value
    row = table[table["#"] == FACE + 1].iloc[0]
    assert (row["confidence"], row["sharpness"]) == (85, 0.38)


def test_confidence_sliders_show_percent_over_fractions(on_demo: DemoServer) -> None:
    at = run(**GROUP, conf="0.8", tconf="0.6")
    assert not at.exception
    conf, tconf = at.slider(key="conf"), at.slider(key="tconf")
    assert conf.proto.format == tconf.proto.format == "percent"
    assert conf.value[0] == 0.8  # fractions, as in the URL (the range's low end here)
    assert tconf.value == 0.6
    assert at.query_params["conf"] == "0.8"
    assert at.query_params["tconf"] == "0.6"


def test_one_face_is_one_face_in_the_group_and_in_browse(on_demo: DemoServer) -> None:
    at = run(namespace="acme", group=SAMPLE)
    assert "1 of 1 face shown" in [c.value for c in at.caption]
    at = run(mode="browse", namespace="acme", bpage="2")  # the sample group is the oldest
    captions = [unescaped(c.value) for c in at.caption]
    assert any(c.startswith("1 face · created") for c in captions), captions
