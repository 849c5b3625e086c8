"""Table: a page holds the sidebar's page size of rows, all of them in view, with every column
and thumbnails large enough to recognise a face."""

from __future__ import annotations

import base64
import io

import pytest
from PIL import Image

from tests.ui.apptest import run
from viewer.demo.server import DemoServer
from viewer.models import parse_group
from viewer.ui.table import COLUMN_ORDER, ROW_HEIGHT, flags_width, table_frame, table_height


def the_table(at: object) -> object:
    """The Table view's grid (the page has other tables, of the group's fields)."""
    (table,) = [t for t in at.main.dataframe if "flags" in t.value.columns]  # type: ignore[attr-defined]
    return table


def face_numbers(at: object) -> list[int]:
    """The "#" column of the table on the page."""
    return [int(n) for n in the_table(at).value["#"]]  # type: ignore[attr-defined]


@pytest.mark.parametrize(("per", "page"), [("12", 1), ("48", 2)])
def test_a_table_page_holds_the_page_size_of_rows(on_demo: DemoServer, per: str, page: int) -> None:
    faces = list(parse_group(on_demo.data.groups[("acme", "demo-large")]).faces)
    at = run(namespace="acme", group="demo-large", view="table", per=per)
    at.session_state["table_page"] = page
    at.run()
    assert not at.exception
    size, first = int(per), (page - 1) * int(per)
    assert face_numbers(at) == [f.index + 1 for f in faces[first : first + size]]


def test_the_last_table_page_holds_what_is_left(on_demo: DemoServer) -> None:
    faces = list(parse_group(on_demo.data.groups[("acme", "demo-crowd")]).faces)
    at = run(namespace="acme", group="demo-crowd", view="table", per="12")
    at.session_state["table_page"] = 2
    at.run()
    assert not at.exception
    assert face_numbers(at) == [f.index + 1 for f in faces[12:]]
    assert at.session_state["table_page"] == 2


def test_a_table_page_is_tall_enough_for_all_its_rows() -> None:
    assert table_height(48) >= 48 * ROW_HEIGHT
    assert table_height(12) < table_height(13)


def test_every_column_of_the_table_is_shown() -> None:
    assert sorted(COLUMN_ORDER) == sorted(table_frame([], {}, {}).columns)


def test_the_flags_column_fits_its_longest_text() -> None:
    short, long = "blurry", "low confidence; blurry; profile; small box; duplicate box"
    assert flags_width([short, long]) > flags_width([short])
    assert flags_width([long]) >= 7 * len(long)


def test_table_thumbnails_are_large_enough_to_recognise_a_face(on_demo: DemoServer) -> None:
    at = run(namespace="acme", group="demo-crowd", view="table", per="12")
    assert not at.exception
    table = the_table(at)
    thumb = next(t for t in table.value["face"] if t)
    assert thumb.startswith("data:image/jpeg;base64,")
    with Image.open(io.BytesIO(base64.b64decode(thumb.split(",", 1)[1]))) as image:
        assert min(image.size) >= 2 * ROW_HEIGHT - 1  # sharp on a screen of twice the density
