"""``python -m viewer review export|import`` on both stores; the demo API checks the face ids."""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path

import pytest

from tests.review.conftest import sqlite_settings
from viewer import cli
from viewer.api import Client
from viewer.config import Settings
from viewer.demo.server import DemoServer
from viewer.review.faces import store_ids
from viewer.review.store import VerdictStore, open_store
from viewer.review.transfer import LOG_COLUMNS

NS, GROUP = "acme", "demo-crowd"
PASSWORD = "cli-db-Secret-3141"


@pytest.fixture()
def faces(settings: Settings) -> list[tuple[str, str | None]]:
    """demo-crowd's faces as (store id, image id), as the viewer names them."""
    with Client(settings) as client:
        group = client.get_group(NS, GROUP)
    ids = store_ids(group.faces)
    return [(ids[face.key], face.id) for face in group.faces]


def use_store(monkeypatch: pytest.MonkeyPatch, settings: Settings) -> None:
    monkeypatch.delenv("II_DATABASE_URL", raising=False)
    monkeypatch.delenv("II_REVIEW_DB", raising=False)
    if settings.database_url:
        monkeypatch.setenv("II_DATABASE_URL", settings.database_url)
    else:
        monkeypatch.setenv("II_REVIEW_DB", str(settings.review_db))


@pytest.fixture(autouse=True)
def env(demo: DemoServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The demo API through the environment, as a user would set it; no other II_ setting."""
    for key in [k for k in os.environ if k.startswith("II_")]:
        monkeypatch.delenv(key)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("II_API_URL", demo.api_url)
    monkeypatch.setenv("II_CLIENT_ID", "cli-client")
    monkeypatch.setenv("II_CLIENT_SECRET", "cli-secret")
    monkeypatch.chdir(tmp_path)


@pytest.fixture()
def target(store: VerdictStore, monkeypatch: pytest.MonkeyPatch) -> VerdictStore:
    """The parametrised store, named to the command line by II_DATABASE_URL."""
    use_store(monkeypatch, Settings(database_url=store.engine.url.render_as_string(False)))
    return store


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = cli.main(args)
    out, err = capsys.readouterr()
    return code, out, err


def some_history(store: VerdictStore, faces: list[tuple[str, str | None]]) -> None:
    store.record(NS, GROUP, faces[:3], "belongs", "ann", note='=HYPERLINK("x"), "quoted"\nline 2')
    store.record(NS, GROUP, faces[1:2], "not_this_person", "bob", note="Ünïcode · 面")
    store.record(NS, GROUP, faces[3:5], "unsure", "ann")
    store.undo_last(NS, GROUP, "ann")  # clears faces 3 and 4: rows with no verdict


def essence(store: VerdictStore) -> list[tuple[object, ...]]:
    return [(e.face_id, e.image_id, e.verdict, e.note, e.by, e.at) for e in store.log(NS, GROUP)]


@pytest.mark.parametrize("suffix", [".csv", ".json"])
def test_export_then_import_moves_the_whole_history(
    suffix: str,
    store: VerdictStore,
    tmp_path: Path,
    faces: list[tuple[str, str | None]],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    source_settings = sqlite_settings(tmp_path / "source")
    with open_store(source_settings) as source:
        some_history(source, faces)
        expected = essence(source)
    use_store(monkeypatch, source_settings)
    out_file = tmp_path / f"log{suffix}"
    code, out, _ = run(["review", "export", NS, GROUP, "--out", str(out_file)], capsys)
    assert code == 0 and f"Wrote 8 events of group {GROUP} ({NS})" in out
    use_store(monkeypatch, Settings(database_url=store.engine.url.render_as_string(False)))
    code, out, err = run(["review", "import", str(out_file)], capsys)
    assert code == 0, err
    assert "Imported 8 events in 4 action(s)" in out and "0 row(s) already there" in out
    assert essence(store) == expected
    assert {f: v.verdict for f, v in store.latest(NS, GROUP).items()} == {
        faces[0][0]: "belongs",
        faces[1][0]: "not_this_person",
        faces[2][0]: "belongs",
    }
    code, out, _ = run(["review", "import", str(out_file)], capsys)  # again: nothing doubles
    assert code == 0 and "Imported 0 events" in out and "8 row(s) already there" in out
    assert len(store.log(NS, GROUP)) == 8


def test_the_csv_has_every_column_and_neutralises_formulas(
    target: VerdictStore,
    tmp_path: Path,
    faces: list[tuple[str, str | None]],
    capsys: pytest.CaptureFixture[str],
) -> None:
    some_history(target, faces)
    out_file = tmp_path / "log.csv"
    assert run(["review", "export", NS, GROUP, "--out", str(out_file)], capsys)[0] == 0
    rows = list(csv.DictReader(io.StringIO(out_file.read_text(encoding="utf-8"))))
    assert tuple(rows[0]) == LOG_COLUMNS and len(rows) == 8
    assert rows[0]["note"].startswith("'=HYPERLINK") and rows[0]["by"] == "ann"
    assert rows[3]["replaced_verdict"] == "belongs" and rows[3]["verdict"] == "not_this_person"
    assert [r["verdict"] for r in rows[-2:]] == ["", ""] and rows[-1]["action_kind"] == "undo"
    assert rows[0]["at"].endswith("Z")


BAD_CSV_ROWS = [
    ("unknown verdict", "acme,demo-crowd,{face},,maybe,,ann,", "'maybe' is not a verdict"),
    ("missing fields", "acme,demo-crowd,,,belongs,,,", "face_id, by are missing"),
    ("10 MB note", "acme,demo-crowd,{face},,belongs,{note},ann,", "10,485,760 characters"),
    ("unknown face", "acme,demo-crowd,99:nope,,belongs,,ann,", "face '99:nope' is not in group"),
    ("wrong image", "acme,demo-crowd,{face},img-x,belongs,,ann,", "not 'img-x': check the image"),
    ("bad time", "acme,demo-crowd,{face},,belongs,,ann,yesterday", "is not a date and time"),
    ("extra field", "acme,demo-crowd,{face},,belongs,,ann,,surplus", "9 fields where the header"),
    ("bad group", "acme,a/b,{face},,belongs,,ann,", "contains a slash"),
]


def test_every_bad_row_is_named_by_line_and_nothing_is_imported(
    target: VerdictStore,
    tmp_path: Path,
    faces: list[tuple[str, str | None]],
    capsys: pytest.CaptureFixture[str],
) -> None:
    good = f"acme,demo-crowd,{faces[0][0]},{faces[0][1]},belongs,fine,ann,"
    lines = ["namespace,group_id,face_id,image_id,verdict,note,by,at", good]
    for _, row, _ in BAD_CSV_ROWS:
        lines.append(row.format(face=faces[1][0], note="n" * (10 * 1024 * 1024)))
    lines.append(good.replace("fine", "also fine"))
    path = tmp_path / "verdicts.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, out, err = run(["review", "import", str(path)], capsys)
    assert code == 2 and out == ""
    assert f"verdicts.csv has {len(BAD_CSV_ROWS)} bad row(s); nothing was imported" in err
    for line, (_, _, says) in enumerate(BAD_CSV_ROWS, start=3):
        assert f"  line {line}: " in err and says in err
    assert "nnnnnnnnnn" not in err and len(err) < 5000
    assert target.log(NS, GROUP) == []  # the good rows were not imported either


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ('namespace,group_id,face_id,verdict,by\nacme,"demo-crowd"x,0:a,belongs,ann\n', "Line 2"),
        ('namespace,group_id,face_id,verdict,by\nacme,"demo-crowd,0:a,belongs,ann\n', "Line 2"),
        ("namespace,face_id\nacme,0:a\n", "names no column group_id, verdict, by"),
        ("", "The file is empty"),
        ("namespace,group_id,face_id,verdict,by\n", "holds no events"),
    ],
)
def test_a_malformed_csv_is_one_sentence(
    target: VerdictStore,
    tmp_path: Path,
    text: str,
    says: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = tmp_path / "broken.csv"
    path.write_text(text, encoding="utf-8")
    code, _, err = run(["review", "import", str(path)], capsys)
    assert code == 2 and says in err and "Nothing was imported." in err
    assert err.count("\n") == 1 and target.log(NS, GROUP) == []


def test_json_rows_are_named_by_their_line_and_bad_json_by_its_line(
    target: VerdictStore,
    tmp_path: Path,
    faces: list[tuple[str, str | None]],
    capsys: pytest.CaptureFixture[str],
) -> None:
    event = {"namespace": NS, "group_id": GROUP, "face_id": faces[0][0], "by": "ann"}
    events = [{**event, "verdict": "belongs"}, {**event, "verdict": "nope"}, "not an object"]
    path = tmp_path / "log.json"
    body = ",\n".join(json.dumps(e) for e in events)
    path.write_text('{"format": "x",\n "events": [\n' + body + "\n]}\n", encoding="utf-8")
    code, _, err = run(["review", "import", str(path)], capsys)
    assert code == 2 and "line 4: 'nope' is not a verdict" in err
    assert "line 5: an event must be an object, not str" in err
    path.write_text('{"events": [\n{"namespace": "acme",,}\n]}', encoding="utf-8")
    code, _, err = run(["review", "import", str(path)], capsys)
    assert code == 2 and "not valid JSON (line 2" in err
    assert target.log(NS, GROUP) == []


def test_offline_import_skips_the_face_check_and_a_missing_group_is_named(
    target: VerdictStore,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = tmp_path / "v.csv"
    path.write_text("namespace,group_id,face_id,verdict,by\nacme,no-such,0:x,unsure,ann\n")
    code, _, err = run(["review", "import", str(path)], capsys)
    assert code == 2 and "line 2: the API has no group 'no-such' in namespace 'acme'" in err
    code, out, _ = run(["review", "import", str(path), "--offline"], capsys)
    assert code == 0 and "Imported 1 events" in out
    assert target.latest(NS, "no-such")["0:x"].verdict == "unsure"


def test_usage_errors_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["review", "export", NS, GROUP, "--out", str(tmp_path / "x.txt")], capsys)
    assert code == 2 and "neither in .csv nor in .json" in err
    code, _, err = run(["review", "export", "a/b", GROUP, "--out", "x.csv"], capsys)
    assert code == 2 and "namespace contains a slash" in err
    code, _, err = run(["review", "import", str(tmp_path / "absent.csv")], capsys)
    assert code == 2 and "could not be read (No such file or directory)" in err
    assert run(["review"], capsys)[0] == 2


def test_an_unreachable_database_exits_1_without_the_password(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"postgresql+psycopg://viewer:{PASSWORD}@127.0.0.1:1/review"
    monkeypatch.setenv("II_DATABASE_URL", url)
    code, out, err = run(["review", "export", NS, GROUP, "--out", str(tmp_path / "x.csv")], capsys)
    assert code == 1 and "could not be reached" in err and PASSWORD not in out + err
    path = tmp_path / "v.csv"
    path.write_text("namespace,group_id,face_id,verdict,by\nacme,demo-crowd,0:x,unsure,ann\n")
    code, out, err = run(["review", "import", str(path), "--offline"], capsys)
    assert code == 1 and "Nothing was imported." in err and PASSWORD not in out + err
    assert not (tmp_path / "x.csv").exists()
