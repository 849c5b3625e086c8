"""Identities in the demo API: reading, editing, creating, validation, auth and write faults."""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from typing import Any

import pytest
import requests

from viewer.demo import DemoServer

from .support import AUTH, get_group

BROKEN = (requests.exceptions.ConnectionError, requests.exceptions.ChunkedEncodingError)


@pytest.fixture()
def demo() -> Iterator[DemoServer]:
    """A fresh server per test: identity changes stay in memory."""
    with DemoServer(large_faces=30, large_photos=10) as server:
        yield server


def url(demo: DemoServer, *parts: str) -> str:
    return "/".join((demo.api_url, "recognition", "identities", *parts))


def identity_of(demo: DemoServer, group_id: str, namespace: str = "acme") -> str:
    return get_group(demo, namespace, group_id)["identityId"]


def image_ids(demo: DemoServer, identity_id: str, namespace: str = "acme") -> list[str]:
    response = requests.get(url(demo, namespace, identity_id), headers=AUTH, timeout=10)
    assert response.status_code == 200, response.text
    return [image["id"] for image in response.json()["images"]]


def patch(
    demo: DemoServer, identity_id: str, body: Any, namespace: str = "acme", timeout: float = 10
) -> requests.Response:
    return requests.patch(
        url(demo, namespace, identity_id), json=body, headers=AUTH, timeout=timeout
    )


def change(add: Sequence[str] = (), remove: Sequence[str] = ()) -> dict[str, Any]:
    return {"images": {"add": list(add), "remove": list(remove)}}


# --- reading ----------------------------------------------------------------------------


def test_a_shared_identity_holds_both_groups_images(demo: DemoServer) -> None:
    a1, a2 = get_group(demo, "acme", "demo-person-a1"), get_group(demo, "acme", "demo-person-a2")
    assert a1["identityId"] == a2["identityId"]
    response = requests.get(url(demo, "acme", a1["identityId"]), headers=AUTH, timeout=10)
    identity = response.json()
    assert {"id", "namespace", "createdAt", "images"} <= set(identity)
    assert identity["id"] == a1["identityId"] and identity["namespace"] == "acme"
    assert identity["createdAt"] == min(a1["createdAt"], a2["createdAt"])
    assert [i["id"] for i in identity["images"]] == [i["id"] for i in a1["images"] + a2["images"]]
    assert identity["images"][0] == a1["images"][0]  # image objects as in a group


def test_the_unlinked_group_has_no_identity(demo: DemoServer) -> None:
    group = get_group(demo, "acme2", "demo-unlinked")
    assert "identityId" not in group and "linkModifiedBy" not in group
    assert len(group["images"]) == 6
    assert not any("identityId" in image for image in group["images"])


def test_unknown_identity_is_404_for_every_method(demo: DemoServer) -> None:
    target = url(demo, "acme", "no-such-identity")
    answers = [
        requests.get(target, headers=AUTH, timeout=10),
        requests.patch(target, json=change(), headers=AUTH, timeout=10),
        requests.delete(target, headers=AUTH, timeout=10),
    ]
    assert [a.status_code for a in answers] == [404, 404, 404]
    assert "no-such-identity" in answers[0].json()["message"]
    # The identity exists, but in another namespace.
    other = url(demo, "acme2", identity_of(demo, "demo-fractions"))
    assert requests.get(other, headers=AUTH, timeout=10).status_code == 404


# --- editing ----------------------------------------------------------------------------


def test_removing_images_shows_in_the_group(demo: DemoServer) -> None:
    before = get_group(demo, "acme", "demo-fractions")
    identity_id = before["identityId"]
    gone = [before["images"][3]["id"], before["images"][7]["id"]]
    started_ms = time.time() * 1000
    response = patch(demo, identity_id, change(remove=gone))
    assert response.status_code == 200, response.text
    assert len(response.json()["images"]) == 22
    assert image_ids(demo, identity_id) == [
        i["id"] for i in before["images"] if i["id"] not in gone
    ]
    after = get_group(demo, "acme", "demo-fractions")
    assert after["identityId"] == identity_id
    assert after["linkModifiedBy"] == "MANUAL" and before["linkModifiedBy"] == "ML"
    assert after["linkLastModifiedAt"] >= started_ms > before["linkLastModifiedAt"]
    unlinked = [i["id"] for i in after["images"] if "identityId" not in i]
    assert unlinked == gone
    assert len(after["images"]) == 24  # the group still holds the faces
    # Removing again, or adding what is there, changes nothing.
    again = patch(demo, identity_id, change(add=[after["images"][0]["id"]], remove=gone))
    assert again.status_code == 200 and len(again.json()["images"]) == 22


def test_adding_an_image_moves_it_from_its_identity(demo: DemoServer) -> None:
    b = get_group(demo, "acme", "demo-person-b")
    a_identity = identity_of(demo, "demo-person-a1")
    moved = b["images"][0]["id"]
    response = patch(demo, a_identity, {"customId": "person A", **change(add=[moved])})
    assert response.status_code == 200
    assert response.json()["customId"] == "person A"
    assert image_ids(demo, a_identity)[-1] == moved
    assert moved not in image_ids(demo, b["identityId"])
    after = get_group(demo, "acme", "demo-person-b")
    assert after["images"][0]["identityId"] == a_identity
    assert after["linkModifiedBy"] == "MANUAL"
    untouched = get_group(demo, "acme", "demo-person-a1")
    assert untouched["linkModifiedBy"] == "ML"  # none of its images changed


def test_creating_an_identity_links_the_unlinked_group(demo: DemoServer) -> None:
    group = get_group(demo, "acme2", "demo-unlinked")
    ids = [i["id"] for i in group["images"]]
    body = {"customId": "unlinked person", "imageIds": ids[:5]}
    response = requests.post(url(demo, "acme2"), json=body, headers=AUTH, timeout=10)
    assert response.status_code == 200, response.text
    created = response.json()
    assert created["customId"] == "unlinked person" and created["namespace"] == "acme2"
    assert image_ids(demo, created["id"], "acme2") == ids[:5]
    after = get_group(demo, "acme2", "demo-unlinked")
    assert after["identityId"] == created["id"] and after["linkModifiedBy"] == "MANUAL"
    assert [i.get("identityId") for i in after["images"]] == [created["id"]] * 5 + [None]
    search = requests.post(
        url(demo, "acme2", "search"),
        json={"customIds": ["unlinked person"]},
        headers=AUTH,
        timeout=10,
    )
    assert [i["id"] for i in search.json()] == [created["id"]]


def test_deleting_an_identity_unlinks_its_groups(demo: DemoServer) -> None:
    identity_id = identity_of(demo, "demo-person-a1")
    response = requests.delete(url(demo, "acme", identity_id), headers=AUTH, timeout=10)
    assert response.status_code == 200
    assert requests.get(url(demo, "acme", identity_id), headers=AUTH, timeout=10).status_code == 404
    for group_id in ("demo-person-a1", "demo-person-a2"):
        group = get_group(demo, "acme", group_id)
        assert "identityId" not in group
        assert not any("identityId" in image for image in group["images"])


def test_search_lists_identities_with_the_search_body(demo: DemoServer) -> None:
    search = url(demo, "acme", "search")
    found = requests.post(search, json={"limit": 3}, headers=AUTH, timeout=10).json()
    assert len(found) == 3
    assert [i["createdAt"] for i in found] == sorted((i["createdAt"] for i in found), reverse=True)
    bad = requests.post(search, json={"limit": 0}, headers=AUTH, timeout=10)
    assert bad.status_code == 400 and "limit" in bad.json()["message"]


# --- validation -------------------------------------------------------------------------

TWENTY_ONE = [f"id-{n}" for n in range(21)]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (b"", "required"),
        (b"{not json", "JSON"),
        (b"[1]", "object"),
        ({"images": []}, "images"),
        ({"images": {"add": []}}, "images.remove"),
        ({"images": {"remove": []}}, "images.add"),
        ({"images": {"add": "x", "remove": []}}, "images.add"),
        (change(add=TWENTY_ONE), "at most 20"),
        (change(remove=TWENTY_ONE), "images.remove"),
        (change(add=["a", "a"]), "twice"),
        ({"images": {"add": [7], "remove": []}}, "non-empty strings"),
        ({"images": {"add": [""], "remove": []}}, "non-empty strings"),
        ({"customId": "x" * 257}, "customId"),
        ({"customId": 5}, "customId"),
        (change(add=["not-an-image"]), "not-an-image"),
    ],
)
def test_malformed_patch_is_400_and_changes_nothing(
    demo: DemoServer, body: Any, field: str
) -> None:
    identity_id = identity_of(demo, "demo-fractions")
    before = image_ids(demo, identity_id)
    target = url(demo, "acme", identity_id)
    if isinstance(body, bytes):
        headers = {**AUTH, "Content-Type": "application/json"}
        response = requests.patch(target, data=body, headers=headers, timeout=10)
    else:
        response = requests.patch(target, json=body, headers=AUTH, timeout=10)
    assert response.status_code == 400
    assert field in response.json()["message"]
    assert image_ids(demo, identity_id) == before


def test_an_image_both_added_and_removed_is_400(demo: DemoServer) -> None:
    group = get_group(demo, "acme", "demo-fractions")
    one = group["images"][0]["id"]
    response = patch(demo, group["identityId"], change(add=[one], remove=[one]))
    assert response.status_code == 400 and one in response.json()["message"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "imageIds"),
        ({"imageIds": "x"}, "imageIds"),
        ({"imageIds": [], "customId": [1]}, "customId"),
    ],
)
def test_malformed_create_is_400(demo: DemoServer, body: Any, field: str) -> None:
    response = requests.post(url(demo, "acme2"), json=body, headers=AUTH, timeout=10)
    assert response.status_code == 400 and field in response.json()["message"]


# --- access -----------------------------------------------------------------------------


def test_writes_need_a_token_with_the_write_scope(demo: DemoServer) -> None:
    identity_id = identity_of(demo, "demo-fractions")
    target = url(demo, "acme", identity_id)
    assert requests.patch(target, json=change(), timeout=10).status_code == 401
    exchange = {"clientId": "read-only", "clientSecret": "x"}
    token = requests.post(f"{demo.api_url}/oauth/token", json=exchange, timeout=10).json()
    assert token["scope"] == "recognition:read"
    headers = {"Authorization": f"Bearer {token['accessToken']}"}
    assert requests.get(target, headers=headers, timeout=10).status_code == 200
    refused = requests.patch(target, json=change(), headers=headers, timeout=10)
    assert refused.status_code == 403 and "recognition:update" in refused.json()["message"]
    created = requests.post(url(demo, "acme"), json={"imageIds": []}, headers=headers, timeout=10)
    assert created.status_code == 403 and "recognition:create" in created.json()["message"]
    private = requests.get(url(demo, "private", identity_id), headers=AUTH, timeout=10)
    assert private.status_code == 403


# --- write faults -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "applied"),
    [
        ("429", False),
        ("500", False),
        ("reset", False),
        ("timeout-after-apply", True),
        ("reset-after-apply", True),
    ],
)
def test_write_faults_fail_the_next_write_only(demo: DemoServer, kind: str, applied: bool) -> None:
    group = get_group(demo, "acme", "demo-fractions")
    identity_id = group["identityId"]
    first, second = group["images"][0]["id"], group["images"][1]["id"]
    demo.inject_write_fault(kind, after=1, retry_after_s=3)
    assert patch(demo, identity_id, change(remove=[first])).status_code == 200
    if kind in ("429", "500"):
        response = patch(demo, identity_id, change(remove=[second]))
        assert response.status_code == int(kind)
        if kind == "429":
            assert response.headers["Retry-After"] == "3"
    elif kind == "timeout-after-apply":
        with pytest.raises(requests.exceptions.ReadTimeout):
            patch(demo, identity_id, change(remove=[second]), timeout=0.5)
    else:
        with pytest.raises(BROKEN):
            patch(demo, identity_id, change(remove=[second]))
    held = image_ids(demo, identity_id)
    assert first not in held
    assert (second not in held) is applied
    # The fault is spent: the next write succeeds.
    assert patch(demo, identity_id, change(add=[first])).status_code == 200
    assert first in image_ids(demo, identity_id)


def test_write_faults_leave_reads_alone_and_refuse_unknown_kinds(demo: DemoServer) -> None:
    identity_id = identity_of(demo, "demo-fractions")
    demo.inject_write_fault("500", count=2)
    assert len(image_ids(demo, identity_id)) == 24
    codes = [patch(demo, identity_id, change()).status_code for _ in range(3)]
    assert codes == [500, 500, 200]
    with pytest.raises(ValueError, match="kind must be one of"):
        demo.inject_write_fault("nonsense")
