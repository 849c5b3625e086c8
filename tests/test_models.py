"""parse_group: exact values for the documented sample, and lenient handling of odd input."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from viewer.exceptions import InvalidGroupError, ViewerError
from viewer.models import (
    Face,
    Group,
    RawBox,
    answered_another,
    parse_face,
    parse_group,
    parse_group_body,
)

# The sample group from the API notes, verbatim.
SAMPLE_JSON = (Path(__file__).parent / "data" / "sample_group.json").read_text()

# 1487648348000 ms = 1487648348 s = 17218 days + 13148 s after the epoch;
# day 17218 is 2017-02-21 (2017-01-01 is day 17167), 13148 s is 03:39:08.
SAMPLE_TIME = datetime(2017, 2, 21, 3, 39, 8, tzinfo=UTC)

GOOD_BOX = {"xMin": 0.1, "yMin": 0.2, "xMax": 0.3, "yMax": 0.4}
GOOD_URL = "https://img.example.com/face-1.jpg"
ONLY_HTTP = "only http and https images are downloaded"


def refused(url: str) -> str:
    """The problem of a face whose URL is not http or https."""
    return f"image URL '{url}' is not http or https ({ONLY_HTTP})"


def _face(**fields) -> Face:
    """Parse a single valid face with ``fields`` overriding (None removes a field), from the
    mapping and from the JSON text (parse_group_body): the two must agree, problems too."""
    data = {"url": GOOD_URL, "boundingBox": dict(GOOD_BOX)}
    data.update(fields)
    data = {k: v for k, v in data.items() if v is not None}
    face = parse_group({"images": [data]}).faces[0]
    from_body = parse_group_body(json.dumps({"images": [data]}).encode()).faces[0]
    assert from_body == face
    assert from_body.problems == face.problems
    return face


def _box(**values) -> dict:
    box = dict(GOOD_BOX)
    box.update(values)
    return {k: v for k, v in box.items() if v is not None}


# --- the documented sample ------------------------------------------------------------------


def test_sample_group_parses_to_exact_values():
    group = parse_group(json.loads(SAMPLE_JSON))
    assert group.id == "ab36de62-fe3e-4907-8a03-7d27c21fa01a"
    assert group.identity_id == "af278ded-5412-4916-bc5c-13469bfe7644"
    assert group.batch_id == "bf94e979-9205-4681-9b89-6ed11a498ec9"
    assert group.namespace == "acme"
    assert group.link_modified_by == "ML"
    assert group.link_words == "machine learning"
    assert group.link_last_modified_at == SAMPLE_TIME
    assert group.created_at == SAMPLE_TIME
    assert group.created_at.utcoffset() == timedelta(0)
    assert group.problems == ()
    assert dict(group.extra) == {}
    assert len(group.faces) == 1
    assert group.image_urls == ["https://publicly.available.domain.net/image-001.jpg"]


def test_sample_face_parses_to_exact_values():
    face = parse_group(json.loads(SAMPLE_JSON)).faces[0]
    assert face.index == 0
    assert face.id == "52547074-a622-11e6-8f61-63f37dc33285"
    assert face.custom_id == "some_person_filled_image"
    assert face.feed_id == "Camera_123456"
    assert face.identity_id == "af278ded-5412-4916-bc5c-13469bfe7644"
    # The face's groupId differs from the group's id in the sample; it is kept as sent.
    assert face.group_id == "65dd9554-ce46-4a29-bcd7-eeb48683b421"
    assert face.url == "https://publicly.available.domain.net/image-001.jpg"
    assert face.box == RawBox(0.23873, 0.23873, 0.75087, 0.96537)
    assert face.confidence == 0.9129213
    assert face.sharpness == 0.671230746
    assert face.is_frontal is True
    assert face.type == "FACE"
    assert face.width == 150.0
    assert face.height == 200.0
    assert face.reported_wh == (150.0, 200.0)
    assert face.created_at == SAMPLE_TIME
    assert face.problems == ()
    assert face.key == "0:52547074-a622-11e6-8f61-63f37dc33285"
    assert face.label == "some_person_filled_image"


# --- every field optional, and what is not a group ------------------------------------------


def test_empty_object_parses_to_an_empty_group():
    group = parse_group({})
    assert group == Group()
    assert group.faces == ()
    assert group.problems == ()
    assert group.link_words is None
    assert group.image_urls == []
    assert dict(group.extra) == {}


def test_empty_face_object_has_only_missing_url_and_box_problems():
    face = parse_group({"images": [{}]}).faces[0]
    assert face == Face(index=0, problems=("no image URL", "no bounding box"))
    assert face.label == "face 1"
    assert face.key == "0:"


@pytest.mark.parametrize(
    ("data", "type_name"),
    [
        ([], "list"),
        ([{"id": "g"}], "list"),
        ("not a group", "str"),
        (42, "int"),
        (4.2, "float"),
        (True, "bool"),
        (None, "NoneType"),
    ],
)
def test_non_object_raises_invalid_group_error(data, type_name):
    with pytest.raises(InvalidGroupError) as info:
        parse_group(data)
    error = info.value
    assert isinstance(error, ViewerError)
    assert error.message == (
        f"The API's answer was JSON but not a group (a {type_name}, not an object): "
        "check II_API_URL."
    )


def test_unknown_top_level_fields_are_kept_in_extra():
    data = {"id": "g1", "nextPage": 2, "debug": {"trace": "abc"}, "tags": ["x"]}
    group = parse_group(data)
    assert group.id == "g1"
    assert dict(group.extra) == {"nextPage": 2, "debug": {"trace": "abc"}, "tags": ["x"]}
    assert group.problems == ()


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("ML", "machine learning"),
        ("MANUAL", "manual"),
        ("HITL", "human in the loop"),
        ("ROBOT", "ROBOT"),  # unknown values are shown as sent
        (None, None),
    ],
)
def test_link_words(value, words):
    assert parse_group({"linkModifiedBy": value}).link_words == words


# --- timestamps -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected", "problems"),
    [
        pytest.param(1487648348000, SAMPLE_TIME, (), id="sample-ms"),
        pytest.param("1487648348000", SAMPLE_TIME, (), id="ms-as-string"),
        pytest.param(1487648348000.0, SAMPLE_TIME, (), id="ms-as-float"),
        pytest.param(0, datetime(1970, 1, 1, tzinfo=UTC), (), id="epoch"),
        # The token sample's issuedAt: the last three digits are milliseconds.
        pytest.param(
            1489019052385,
            datetime(2017, 3, 9, 0, 24, 12, 385000, tzinfo=UTC),
            (),
            id="milliseconds-kept",
        ),
        # A value plainly in seconds (1970-01-18 as milliseconds) is read as seconds, noted.
        pytest.param(
            1487648348,
            SAMPLE_TIME,
            ("createdAt looks like seconds, not milliseconds; shown as seconds",),
            id="seconds-read-as-seconds",
        ),
        pytest.param(None, None, (), id="absent"),
        pytest.param("soon", None, ("createdAt is not a number ('soon')",), id="word"),
        pytest.param(True, None, ("createdAt was a boolean, not a number",), id="boolean"),
        pytest.param(1e20, None, ("createdAt is not a usable time (1e+20)",), id="far-future"),
        pytest.param([1], None, ("createdAt had an unusable type (list)",), id="list"),
    ],
)
def test_group_created_at(value, expected, problems):
    group = parse_group({"createdAt": value})
    assert group.created_at == expected
    if expected is not None:
        assert group.created_at.utcoffset() == timedelta(0)
    assert group.problems == problems


def test_face_created_at_is_utc_datetime():
    face = _face(createdAt=1487648348000)
    assert face.created_at == SAMPLE_TIME
    assert face.created_at.tzinfo is not None
    assert face.created_at.utcoffset() == timedelta(0)


# --- faces, one field at a time -------------------------------------------------------------

NAN = float("nan")
INF = float("inf")


@pytest.mark.parametrize(
    ("fields", "attribute", "expected", "problems"),
    [
        # url
        pytest.param({}, "url", GOOD_URL, (), id="url-ok"),
        pytest.param({"url": None}, "url", None, ("no image URL",), id="url-missing"),
        pytest.param(
            {"url": "ftp://img.example.com/1.jpg"},
            "url",
            None,
            (refused("ftp://img.example.com/1.jpg"),),
            id="url-ftp",
        ),
        pytest.param(
            {"url": "javascript:alert(1)"},
            "url",
            None,
            (refused("javascript:alert(1)"),),
            id="url-javascript",
        ),
        pytest.param(
            {"url": "/relative/1.jpg"},
            "url",
            None,
            (refused("/relative/1.jpg"),),
            id="url-relative",
        ),
        pytest.param(
            {"url": "HTTP://IMG.EXAMPLE.COM/1.JPG"},
            "url",
            "HTTP://IMG.EXAMPLE.COM/1.JPG",
            (),
            id="url-upper-case-scheme",
        ),
        pytest.param(
            {"url": 12345},
            "url",
            None,
            (
                "url was a number, read as text",
                refused("12345"),
            ),
            id="url-number",
        ),
        pytest.param(
            {"url": ["https://img.example.com/1.jpg"]},
            "url",
            None,
            ("url had an unusable type (list)", "no image URL"),
            id="url-list",
        ),
        # boundingBox
        pytest.param({}, "box", RawBox(0.1, 0.2, 0.3, 0.4), (), id="box-ok"),
        pytest.param({"boundingBox": None}, "box", None, ("no bounding box",), id="box-missing"),
        pytest.param(
            {"boundingBox": "0.1,0.2,0.3,0.4"},
            "box",
            None,
            ("boundingBox is not an object",),
            id="box-string",
        ),
        pytest.param(
            {"boundingBox": [0.1, 0.2, 0.3, 0.4]},
            "box",
            None,
            ("boundingBox is not an object",),
            id="box-list",
        ),
        pytest.param(
            {"boundingBox": _box(yMax=None)},
            "box",
            None,
            ("boundingBox lacks yMax",),
            id="box-lacks-ymax",
        ),
        pytest.param(
            {"boundingBox": _box(xMin=None, yMax=None)},
            "box",
            None,
            ("boundingBox lacks xMin",),  # the first missing key is named
            id="box-lacks-two",
        ),
        pytest.param(
            {"boundingBox": _box(xMin="0.8")},
            "box",
            RawBox(0.8, 0.2, 0.3, 0.4),
            (),
            id="box-string-number",
        ),
        pytest.param(
            {"boundingBox": _box(xMax=" 12 ")},
            "box",
            RawBox(0.1, 0.2, 12.0, 0.4),
            (),
            id="box-string-number-with-spaces",
        ),
        pytest.param(
            {"boundingBox": {"xMin": 10, "yMin": 20, "xMax": 110, "yMax": 140}},
            "box",
            RawBox(10.0, 20.0, 110.0, 140.0),
            (),
            id="box-integer-pixels",
        ),
        pytest.param(
            {"boundingBox": _box(xMin="wide")},
            "box",
            None,
            ("boundingBox.xMin is not a number ('wide')",),
            id="box-word",
        ),
        pytest.param(
            {"boundingBox": _box(xMin=NAN)},
            "box",
            None,
            ("boundingBox.xMin is not finite (nan)",),
            id="box-nan",
        ),
        pytest.param(
            {"boundingBox": _box(xMax="Infinity")},
            "box",
            None,
            ("boundingBox.xMax is not finite (inf)",),
            id="box-infinity-string",
        ),
        pytest.param(
            {"boundingBox": _box(yMin=True)},
            "box",
            None,
            ("boundingBox.yMin was a boolean, not a number",),
            id="box-boolean",
        ),
        pytest.param(
            {"boundingBox": _box(yMax={"v": 1})},
            "box",
            None,
            ("boundingBox.yMax had an unusable type (dict)",),
            id="box-object-value",
        ),
        # confidence and sharpness
        pytest.param({"boundingBoxConfidence": "0.8"}, "confidence", 0.8, (), id="conf-string"),
        pytest.param({"boundingBoxConfidence": 1}, "confidence", 1.0, (), id="conf-one"),
        pytest.param({"boundingBoxConfidence": 0}, "confidence", 0.0, (), id="conf-zero"),
        pytest.param(
            {"boundingBoxConfidence": 1.5},
            "confidence",
            1.5,
            ("boundingBoxConfidence 1.5 lies outside 0..1",),
            id="conf-above-one-kept-and-noted",
        ),
        pytest.param(
            {"boundingBoxConfidence": -0.25},
            "confidence",
            -0.25,
            ("boundingBoxConfidence -0.25 lies outside 0..1",),
            id="conf-negative-kept-and-noted",
        ),
        pytest.param(
            {"boundingBoxConfidence": True},
            "confidence",
            None,
            ("boundingBoxConfidence was a boolean, not a number",),
            id="conf-boolean",
        ),
        pytest.param(
            {"boundingBoxConfidence": INF},
            "confidence",
            None,
            ("boundingBoxConfidence is not finite (inf)",),
            id="conf-infinity",
        ),
        pytest.param(
            {"sharpness": NAN},
            "sharpness",
            None,
            ("sharpness is not finite (nan)",),
            id="sharpness-nan",
        ),
        pytest.param(
            {"sharpness": 7},
            "sharpness",
            7.0,
            ("sharpness 7 lies outside 0..1",),
            id="sharpness-out-of-range",
        ),
        # reported size
        pytest.param({"width": "150"}, "width", 150.0, (), id="width-string"),
        pytest.param({"width": 0}, "width", None, ("width 0 is not positive",), id="width-zero"),
        pytest.param(
            {"height": -5}, "height", None, ("height -5 is not positive",), id="height-negative"
        ),
        pytest.param(
            {"height": False},
            "height",
            None,
            ("height was a boolean, not a number",),
            id="height-boolean",
        ),
        pytest.param(
            {"width": INF}, "width", None, ("width is not finite (inf)",), id="width-infinity"
        ),
        # isFrontal
        pytest.param({"isFrontal": False}, "is_frontal", False, (), id="frontal-false"),
        pytest.param({"isFrontal": "true"}, "is_frontal", True, (), id="frontal-string-true"),
        pytest.param({"isFrontal": "FALSE"}, "is_frontal", False, (), id="frontal-string-false"),
        pytest.param({"isFrontal": 1}, "is_frontal", True, (), id="frontal-one"),
        pytest.param({"isFrontal": 0}, "is_frontal", False, (), id="frontal-zero"),
        pytest.param(
            {"isFrontal": "yes"},
            "is_frontal",
            None,
            ("isFrontal is not true or false ('yes')",),
            id="frontal-yes",
        ),
        pytest.param(
            {"isFrontal": 2},
            "is_frontal",
            None,
            ("isFrontal is not true or false ('2')",),
            id="frontal-two",
        ),
        # text fields
        pytest.param({"id": 42}, "id", "42", ("id was a number, read as text",), id="id-number"),
        pytest.param(
            {"customId": {"a": 1}},
            "custom_id",
            None,
            ("customId had an unusable type (dict)",),
            id="custom-id-object",
        ),
        pytest.param(
            {"feedId": True},
            "feed_id",
            None,
            ("feedId had an unusable type (bool)",),
            id="feed-id-boolean",
        ),
        pytest.param({"type": "FACE"}, "type", "FACE", (), id="type"),
    ],
)
def test_face_field(fields, attribute, expected, problems):
    face = _face(**fields)
    assert getattr(face, attribute) == expected
    assert face.problems == problems


def test_face_from_json_with_nan_and_infinity_literals():
    # Python's json module accepts these non-standard literals; they must not become numbers.
    data = json.loads(
        '{"images": [{"url": "https://img.example.com/a.jpg", "boundingBoxConfidence": NaN,'
        ' "sharpness": -Infinity, "boundingBox": {"xMin": 0, "yMin": 0, "xMax": 1, "yMax": 1}}]}'
    )
    face = parse_group(data).faces[0]
    assert face.confidence is None
    assert face.sharpness is None
    assert face.box == RawBox(0.0, 0.0, 1.0, 1.0)
    assert face.problems == (
        "boundingBoxConfidence is not finite (nan)",
        "sharpness is not finite (-inf)",
    )


def test_face_raw_keeps_the_original_mapping():
    data = {"url": GOOD_URL, "boundingBox": GOOD_BOX, "vendorField": 7}
    face = parse_face(data, 3)
    assert face.index == 3
    assert face.raw["vendorField"] == 7


# --- the images list ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("entry", "problem"),
    [
        (None, "entry is not an object (NoneType)"),
        ("https://img.example.com/a.jpg", "entry is not an object (str)"),
        (3, "entry is not an object (int)"),
        ([GOOD_URL], "entry is not an object (list)"),
    ],
)
def test_non_object_image_entries_become_faces_with_a_problem(entry, problem):
    group = parse_group({"images": [{"id": "a", "url": GOOD_URL}, entry]})
    assert len(group.faces) == 2
    odd = group.faces[1]
    assert odd == Face(index=1, problems=(problem,))
    assert odd.url is None
    assert odd.key == "1:"
    assert group.faces[0].id == "a"


@pytest.mark.parametrize(
    ("images", "problems"),
    [
        pytest.param({"0": {"id": "a"}}, ("images is not a list",), id="object"),
        pytest.param("a.jpg", ("images is not a list",), id="string"),
        pytest.param(3, ("images is not a list",), id="number"),
        pytest.param(None, (), id="null-is-no-images"),
        pytest.param([], (), id="empty-list"),
    ],
)
def test_images_not_a_list(images, problems):
    group = parse_group({"id": "g", "images": images})
    assert group.faces == ()
    assert group.problems == problems
    assert group.id == "g"


@pytest.mark.parametrize(
    ("ids", "problems"),
    [
        (["a", "b", "c"], ()),
        (["a", "a"], ("1 face id(s) appear more than once",)),
        (["a", "b", "a", "b", "c"], ("2 face id(s) appear more than once",)),
        (["a", "a", "a"], ("1 face id(s) appear more than once",)),
        ([None, None, "a"], ()),  # missing ids are not duplicates
    ],
)
def test_duplicate_face_ids_are_noted_and_keys_stay_unique(ids, problems):
    images = [{"url": GOOD_URL} if i is None else {"id": i, "url": GOOD_URL} for i in ids]
    group = parse_group({"images": images})
    assert group.problems == problems
    keys = [face.key for face in group.faces]
    assert len(set(keys)) == len(ids)
    assert [face.id for face in group.faces] == ids


@pytest.mark.parametrize(
    ("face", "key", "label"),
    [
        (Face(index=0, id="a", custom_id="cam-7"), "0:a", "cam-7"),
        (Face(index=4, id="a"), "4:a", "a"),
        (Face(index=2), "2:", "face 3"),
        (Face(index=0, id="", custom_id=""), "0:", "face 1"),
    ],
)
def test_face_key_and_label(face, key, label):
    assert face.key == key
    assert face.label == label


def test_group_level_text_fields_are_lenient():
    group = parse_group({"id": 123, "namespace": ["acme"], "linkModifiedBy": "HITL"})
    assert group.id == "123"
    assert group.namespace is None
    assert group.link_words == "human in the loop"
    assert group.problems == (
        "id was a number, read as text",
        "namespace had an unusable type (list)",
    )


@pytest.mark.parametrize(
    ("urls", "expected"),
    [
        (["https://x/b.jpg", "https://x/a.jpg"], ["https://x/b.jpg", "https://x/a.jpg"]),
        (
            ["https://x/b.jpg", "https://x/a.jpg", "https://x/b.jpg", None, "https://x/c.jpg"],
            ["https://x/b.jpg", "https://x/a.jpg", "https://x/c.jpg"],
        ),
        (["ftp://x/a.jpg", "https://x/a.jpg"], ["https://x/a.jpg"]),
        ([None, None], []),
    ],
)
def test_image_urls_are_distinct_and_in_first_seen_order(urls, expected):
    images = [{"id": str(i), "url": url} if url else {"id": str(i)} for i, url in enumerate(urls)]
    assert parse_group({"images": images}).image_urls == expected


# --- robustness -----------------------------------------------------------------------------

# JSON allows integers of any length and json.loads keeps them exact; float() of such an int
# raises OverflowError ("int too large to convert to float").
HUGE = json.loads("1" + "0" * 400)


@pytest.mark.parametrize(
    "data",
    [
        pytest.param({"createdAt": HUGE}, id="group-created-at"),
        pytest.param({"images": [{"url": GOOD_URL, "width": HUGE}]}, id="face-width"),
        pytest.param(
            {"images": [{"url": GOOD_URL, "boundingBox": _box(xMax=HUGE)}]}, id="box-value"
        ),
    ],
)
def test_huge_json_integer_becomes_a_problem_not_a_crash(data):
    group = parse_group(data)
    problems = group.problems + tuple(p for face in group.faces for p in face.problems)
    assert problems
    assert group.created_at is None


def test_parse_never_returns_non_finite_numbers():
    data = {
        "images": [
            {
                "url": GOOD_URL,
                "boundingBox": {"xMin": "nan", "yMin": 0, "xMax": 1, "yMax": 1},
                "boundingBoxConfidence": "-inf",
                "sharpness": "1e999",
                "width": "NaN",
                "height": "inf",
            }
        ]
    }
    face = parse_group(data).faces[0]
    for value in (face.confidence, face.sharpness, face.width, face.height):
        assert value is None or math.isfinite(value)
    assert face.box is None
    assert len(face.problems) == 5


def test_a_face_carries_no_attribute_dictionary():
    """A group may hold a million faces: each one's fields live in slots, not a __dict__."""
    face = parse_face({"id": "f", "url": "http://images.test/a.jpg"}, 0)
    assert not hasattr(face, "__dict__")
    assert not hasattr(face.box or RawBox(0, 0, 1, 1), "__dict__")


# --- a URL that is not downloaded -----------------------------------------------------------

LONG_URL = "ftp://img.example.com/" + "a" * 200 + ".jpg"


@pytest.mark.parametrize(
    ("url", "sent", "why"),
    [
        (
            "ftp://img.example.com/1.jpg",
            "ftp://img.example.com/1.jpg",
            "'ftp://img.example.com/1.jpg'",
        ),
        ("javascript:alert(1)", "javascript:alert(1)", "'javascript:alert(1)'"),
        (
            "data:image/png;\nbase64,AAAA",
            "data:image/png;\nbase64,AAAA",
            "'data:image/png; base64,AAAA'",
        ),
        (12345, "12345", "'12345'"),
        (LONG_URL, LONG_URL, "'" + LONG_URL[:79] + "…'"),
    ],
)
def test_a_refused_url_is_kept_as_sent_and_named_with_the_reason(
    url: object, sent: str, why: str
) -> None:
    face = _face(url=url)
    assert face.url is None  # never downloaded
    assert face.sent_url == sent
    assert face.missing_image == f"The image URL {why} is refused: {ONLY_HTTP}."
    assert f"image URL {why} is not http or https ({ONLY_HTTP})" in face.problems


@pytest.mark.parametrize("fields", [{"url": None}, {"url": ["https://img.example.com/1.jpg"]}])
def test_a_face_without_a_url_says_it_has_none(fields: dict) -> None:
    face = _face(**fields)
    assert face.sent_url is None
    assert face.missing_image == "This face has no image URL."


def test_a_usable_url_is_sent_url_too() -> None:
    assert _face().sent_url == GOOD_URL


# --- an answer for another group --------------------------------------------------------------


@pytest.mark.parametrize(
    ("sent", "expected"),
    [
        ({"id": "g1", "namespace": "acme"}, None),
        ({}, None),  # an answer without id or namespace is not doubted
        (
            {"id": "g2", "namespace": "acme"},
            "The API answered group 'g2' when group 'g1' was asked for; shown is what it answered.",
        ),
        (
            {"id": "g1", "namespace": "other"},
            "The API answered group 'g1' in namespace 'other' when group 'g1' in namespace "
            "'acme' was asked for; shown is what it answered.",
        ),
        (
            {"id": "g2\n" + "x" * 100},
            "The API answered group 'g2 " + "x" * 76 + "…' when group 'g1' was asked for; "
            "shown is what it answered.",
        ),
    ],
)
def test_an_answer_for_another_group_is_named_with_both_ids(
    sent: dict, expected: str | None
) -> None:
    assert answered_another(parse_group(sent), "acme", "g1") == expected


# --- times sent in seconds ------------------------------------------------------------------

SECONDS = "createdAt looks like seconds, not milliseconds; shown as seconds"


@pytest.mark.parametrize(
    ("sent", "expected", "noted"),
    [
        (1487648348000, SAMPLE_TIME, False),  # milliseconds, as documented
        (1487648348, SAMPLE_TIME, True),  # seconds: 1970-01-18 as milliseconds
        (31_536_000, datetime(1971, 1, 1, tzinfo=UTC), True),  # the first such second
        (31_535_999, datetime(1970, 1, 1, 8, 45, 35, 999000, tzinfo=UTC), False),
        (0, datetime(1970, 1, 1, tzinfo=UTC), False),  # the epoch itself: not plainly seconds
        (31_536_000_000, datetime(1971, 1, 1, tzinfo=UTC), False),  # 1971 in milliseconds
        ("1487648348", SAMPLE_TIME, True),  # a number sent as text, in seconds
    ],
)
def test_a_created_at_in_seconds_is_read_as_seconds_with_a_note(
    sent: object, expected: datetime, noted: bool
) -> None:
    face = _face(createdAt=sent)
    assert face.created_at == expected
    assert (SECONDS in face.problems) is noted
    assert face.created_note == (SECONDS if noted else None)
    group = parse_group({"createdAt": sent, "linkLastModifiedAt": sent})
    assert group.created_at == expected
    notes = {
        "createdAt": SECONDS,
        "linkLastModifiedAt": SECONDS.replace("createdAt", "linkLastModifiedAt"),
    }
    assert group.time_notes == (notes if noted else {})


# --- the response body: parse_group_body ----------------------------------------------------


def _clean_image(i: int) -> dict:
    return {
        "id": f"face-{i}",
        "customId": f"cam-{i}",
        "feedId": f"Camera_{i % 3}",
        "identityId": "person-1",
        "groupId": "g",
        "url": f"https://img.example.com/{i}.jpg",
        "boundingBox": {"xMin": 10 + i, "yMin": 0.25, "xMax": 200.5, "yMax": 300},
        "boundingBoxConfidence": (i % 100) / 100,
        "sharpness": 1,
        "isFrontal": i % 2 == 0,
        "type": "FACE",
        "width": 1280,
        "height": 720.0,
        "createdAt": 1_487_648_348_000 + i,
        "vendorField": {"nested": [i]},
    }


ODD_IMAGES = [
    {"url": "ftp://img.example.com/1.jpg", "boundingBox": GOOD_BOX},
    {"url": GOOD_URL},
    {"url": GOOD_URL, "boundingBox": GOOD_BOX, "boundingBoxConfidence": 1.5},
    {"url": GOOD_URL, "boundingBox": GOOD_BOX, "sharpness": "0.4", "isFrontal": "true"},
    {"url": GOOD_URL, "boundingBox": GOOD_BOX, "width": 0, "height": -3},
    {"url": GOOD_URL, "boundingBox": GOOD_BOX, "createdAt": -1},
    {"url": GOOD_URL, "boundingBox": GOOD_BOX, "createdAt": 10**20},
    {"url": GOOD_URL, "boundingBox": _box(xMax=None)},
    {"url": GOOD_URL, "boundingBox": GOOD_BOX, "id": 7, "feedId": ["x"]},
    None,
    "https://img.example.com/a.jpg",
    {"url": GOOD_URL, "boundingBox": GOOD_BOX, "id": "face-3"},  # a repeated id
]


def _bodies() -> list[bytes]:
    clean = [_clean_image(i) for i in range(5000)]  # more than one chunk
    mixed = list(clean)
    for n, odd in enumerate(ODD_IMAGES):
        mixed.insert(n * 397, odd)
    head = {"id": "g", "identityId": 5, "createdAt": "soon", "nextPage": 2, "linkModifiedBy": "ML"}
    texts = [
        SAMPLE_JSON,
        json.dumps({**head, "images": clean}),
        json.dumps({**head, "images": mixed}),
        json.dumps({"images": [{"url": GOOD_URL, "boundingBox": GOOD_BOX, "width": 10**400}]}),
        json.dumps({"images": None, "id": "g"}),
        json.dumps({"id": "g", "images": {"0": {}}}),
        json.dumps({"images": [{"url": GOOD_URL, "boundingBoxConfidence": float("nan")}]}),
        # a repeated key: the last one counts, as for json.loads
        '{"images": [{"url": "ftp://x/1.jpg", "url": "https://x/1.jpg", "boundingBox": '
        '{"xMin": 1, "yMin": 1, "xMax": 2, "yMax": 2}}], "id": "a", "id": "b"}',
    ]
    return [text.encode() for text in texts]


@pytest.mark.parametrize("body", _bodies(), ids=lambda b: f"{len(b)}-bytes")
def test_body_parses_to_the_group_its_json_does(body):
    data = json.loads(body)
    expected = parse_group(data)
    group = parse_group_body(body)
    assert group == expected
    assert dict(group.extra) == dict(expected.extra)
    for face, old in zip(group.faces, expected.faces, strict=True):
        assert (face.problems, face.created_at, face.box) == (old.problems, old.created_at, old.box)
        assert face.raw == old.raw
    assert group.raw == data
    assert json.loads(group.raw_json()) == data


def test_body_that_is_not_json_or_not_a_group_fails_as_before():
    with pytest.raises(ValueError):
        parse_group_body(b"<html>not json</html>")
    with pytest.raises(InvalidGroupError) as info:
        parse_group_body(b'[{"id": "g"}]')
    assert info.value.message == (
        "The API's answer was JSON but not a group (a list, not an object): check II_API_URL."
    )


def test_faces_from_a_body_keep_their_text_not_a_parsed_copy():
    body = json.dumps({"id": "g", "images": [_clean_image(i) for i in range(3)] + [None]}).encode()
    group = parse_group_body(body)
    for face in group.faces:
        assert not isinstance(face.source, dict)
    assert group.faces[2].raw == _clean_image(2)
    assert group.faces[3].raw == {}  # not an object: nothing to show
    assert group.raw_json() is body  # the export writes the body exactly as sent
    assert group.faces[0].group_id is group.faces[1].group_id  # repeated text stored once


def test_raw_preview_holds_the_first_faces_in_the_members_order():
    data = {"id": "g", "images": [_clean_image(i) for i in range(5)], "nextPage": 2}
    for group in (parse_group(data), parse_group_body(json.dumps(data).encode())):
        preview = group.raw_preview(2)
        assert list(preview) == ["id", "images", "nextPage"]
        assert preview["images"] == data["images"][:2]
        assert preview["nextPage"] == 2
    assert parse_group_body(b'{"images": null}').raw_preview(2) == {"images": None}
    assert parse_group_body(b'{"images": []}').raw_preview(2) == {"images": []}
