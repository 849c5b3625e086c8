"""The client's identity calls against the demo API over real HTTP on loopback."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator

import pytest

from viewer import exceptions as exc
from viewer.api import Client, TokenInfo, identity_path, missing_write_scopes
from viewer.config import Settings
from viewer.demo.server import DemoServer

IDENTITIES = "/v2/recognition/identities/"


@pytest.fixture()
def fresh() -> Iterator[DemoServer]:
    """A server of its own: identity changes stay in its memory."""
    with DemoServer(large_faces=30, large_photos=10) as server:
        yield server


@pytest.fixture()
def client(fresh: DemoServer) -> Iterator[Client]:
    settings = Settings(
        api_url=fresh.api_url, client_id="analyst", client_secret="s3cret-value", api_timeout_s=2
    )
    with Client(settings) as made:
        yield made


def group_ids(client: Client, group_id: str, namespace: str = "acme") -> tuple[str, list[str]]:
    group = client.get_group(namespace, group_id)
    return group.identity_id or "", [f.id or "" for f in group.faces]


# --- reading and editing ----------------------------------------------------------------


def test_get_identity_is_typed(client: Client) -> None:
    identity_id, ids = group_ids(client, "demo-fractions")
    identity = client.get_identity("acme", identity_id)
    assert identity.id == identity_id and identity.namespace == "acme"
    assert identity.image_ids == tuple(ids)
    assert identity.created_at is not None and identity.created_at.year == 2026
    assert identity.faces[0].id == ids[0]


def test_unknown_identity_and_bad_ids_are_sentences(client: Client, fresh: DemoServer) -> None:
    with pytest.raises(exc.NotFoundError, match=r"^No such identity \(404\)"):
        client.get_identity("acme", "no-such-identity")
    fresh.reset_counts()
    for bad in ("a/b", "..", ""):
        with pytest.raises(exc.InvalidInputError, match="identity ID"):
            client.patch_identity("acme", bad, remove=["x"])
    assert fresh.request_count() == 0


def test_patch_removes_and_the_group_shows_it(client: Client) -> None:
    identity_id, ids = group_ids(client, "demo-fractions")
    after = client.patch_identity("acme", identity_id, remove=ids[:2])
    assert after.image_ids == tuple(ids[2:])
    assert client.get_identity("acme", identity_id).image_ids == tuple(ids[2:])
    group = client.get_group("acme", "demo-fractions")
    assert [f.identity_id for f in group.faces[:3]] == [None, None, identity_id]
    assert group.link_modified_by == "MANUAL"
    back = client.patch_identity("acme", identity_id, add=ids[:1], custom_id="fractions person")
    assert back.custom_id == "fractions person" and back.image_ids[-1] == ids[0]


def test_create_and_find_by_custom_id(client: Client) -> None:
    _, ids = group_ids(client, "demo-unlinked", "acme2")
    created = client.create_identity("acme2", ids, custom_id="unlinked-1")
    assert created.image_ids == tuple(ids) and created.custom_id == "unlinked-1"
    found = client.find_identities("acme2", custom_ids=["unlinked-1"])
    assert [i.id for i in found] == [created.id]
    assert client.get_group("acme2", "demo-unlinked").identity_id == created.id


@pytest.mark.parametrize(
    ("add", "remove", "words"),
    [
        ([f"i{n}" for n in range(21)], [], "at most 20 per request: send them in batches of 20"),
        ([], [f"i{n}" for n in range(21)], "21 image ids were to be removed from"),
        (["a", "a"], [], "listed twice"),
        (["a"], ["a"], "both to be added and removed"),
        ([""], [], "empty"),
        (["x" * 300], [], "at most 256 printable"),
        ([], [], "Nothing to change"),
    ],
)
def test_changes_that_cannot_be_sent_are_refused_before_sending(
    client: Client, fresh: DemoServer, add: list[str], remove: list[str], words: str
) -> None:
    identity_id, _ = group_ids(client, "demo-fractions")
    fresh.reset_counts()
    with pytest.raises(exc.InvalidInputError) as info:
        client.patch_identity("acme", identity_id, add=add, remove=remove)
    assert words in info.value.message
    assert fresh.request_count(IDENTITIES) == 0


def test_creating_with_more_than_20_images_is_refused(client: Client) -> None:
    with pytest.raises(exc.InvalidInputError, match="at most 20 per request"):
        client.create_identity("acme", [f"i{n}" for n in range(21)])


def test_a_refused_change_carries_the_api_reason(client: Client) -> None:
    identity_id, _ = group_ids(client, "demo-fractions")
    with pytest.raises(exc.UnexpectedStatusError) as info:
        client.patch_identity("acme", identity_id, add=["not-an-image"])
    assert info.value.status == 400
    assert "malformed (400)" in info.value.message and "not-an-image" in info.value.message
    assert info.value.answer is not None and info.value.answer.startswith("400 {")


# --- permissions ------------------------------------------------------------------------


def test_read_only_credentials_get_one_sentence_per_refusal(fresh: DemoServer) -> None:
    settings = Settings(api_url=fresh.api_url, client_id="read-only", client_secret="x")
    with Client(settings) as client:
        identity_id, ids = group_ids(client, "demo-fractions")
        assert missing_write_scopes(client.token_info, "remove") == ("recognition:update",)
        assert missing_write_scopes(client.token_info, "create") == ("recognition:create",)
        with pytest.raises(exc.ForbiddenError) as info:
            client.patch_identity("acme", identity_id, remove=ids[:1])
        assert info.value.message == (
            "The API refused this change (403): the credentials lack permission to edit "
            "identities (scope recognition:update); ask for it, or leave the change to someone "
            "who has it."
        )
        with pytest.raises(
            exc.ForbiddenError, match=r"create identities \(scope recognition:create"
        ):
            client.create_identity("acme", ids[:1])
        assert client.get_identity("acme", identity_id).image_ids == tuple(ids)


def test_a_rejected_token_is_one_sentence(fresh: DemoServer) -> None:
    settings = Settings(api_url=fresh.api_url, access_token="not-a-token")
    with Client(settings) as client, pytest.raises(exc.AuthenticationError) as info:
        client.create_identity("acme", ["x"])
    assert info.value.message.startswith("The API rejected the credentials for this change (401)")
    assert "not-a-token" not in info.value.message + (info.value.answer or "")


@pytest.mark.parametrize(
    ("scope", "operation", "missing"),
    [
        ("recognition:read recognition:update", "add", ()),
        ("recognition:read recognition:update", "create", ("recognition:create",)),
        ("recognition:read", "remove", ("recognition:update",)),
        ("", "add", ("recognition:update",)),
        (None, "add", None),
    ],
)
def test_missing_write_scopes(
    scope: str | None, operation: str, missing: tuple[str, ...] | None
) -> None:
    info = TokenInfo(org_name=None, app_name=None, scope=scope, expires_at_ms=None)
    assert missing_write_scopes(info, operation) == missing


def test_missing_write_scopes_unknown_without_an_exchange() -> None:
    assert missing_write_scopes(None, "add") is None
    with pytest.raises(ValueError, match="operation"):
        missing_write_scopes(None, "rename")


def test_the_demo_grants_every_write_scope(client: Client) -> None:
    client.get_group("acme", "demo-fractions")
    assert [missing_write_scopes(client.token_info, op) for op in ("add", "create")] == [(), ()]


# --- faults: a change is sent once ------------------------------------------------------


FAULTS = [
    ("500", exc.ServerError, "may or may not have been made", False),
    ("429", exc.RateLimitedError, "wait 3 s", False),
    ("reset", exc.OutcomeUnknownError, "may or may not have been made", False),
    ("timeout-after-apply", exc.OutcomeUnknownError, "did not answer in time", True),
    ("reset-after-apply", exc.OutcomeUnknownError, "cut the line", True),
]


@pytest.mark.parametrize(("kind", "error", "words", "applied"), FAULTS)
def test_a_failed_change_is_not_sent_again(
    client: Client, fresh: DemoServer, kind: str, error: type, words: str, applied: bool
) -> None:
    identity_id, ids = group_ids(client, "demo-fractions")
    fresh.inject_write_fault(kind, retry_after_s=3)
    fresh.reset_counts()
    with pytest.raises(error) as info:
        client.patch_identity("acme", identity_id, remove=ids[:1])
    assert words in info.value.message
    assert fresh.request_count(IDENTITIES) == 1
    if kind == "429":
        assert info.value.retry_after_s == 3
    held = client.get_identity("acme", identity_id).image_ids
    assert (ids[0] not in held) is applied


@pytest.mark.parametrize(("kind", "error", "words", "applied"), FAULTS)
def test_a_failed_create_is_not_sent_again(
    client: Client, fresh: DemoServer, kind: str, error: type, words: str, applied: bool
) -> None:
    _, ids = group_ids(client, "demo-unlinked", "acme2")
    fresh.inject_write_fault(kind, retry_after_s=0)
    fresh.reset_counts()
    with pytest.raises(error):
        client.create_identity("acme2", ids[:3], custom_id="made-once")
    assert fresh.request_count(IDENTITIES) == 1
    found = client.find_identities("acme2", custom_ids=["made-once"])
    assert [i.image_ids for i in found] == ([tuple(ids[:3])] if applied else [])


def test_a_change_to_an_api_that_is_not_there_was_never_sent() -> None:
    settings = Settings(api_url="http://127.0.0.1:9/v2", access_token="t")
    with Client(settings) as client, pytest.raises(exc.UnreachableError, match=r"127\.0\.0\.1"):
        client.patch_identity("acme", "some-identity", add=["x"])


class _EchoHandler(http.server.BaseHTTPRequestHandler):
    """Answers every change with a 500 whose body repeats the request's Authorization."""

    def do_PATCH(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        body = f'{{"message": "echo {self.headers["Authorization"]}"}}'.encode()
        self.send_response(500)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def test_the_answer_kept_for_the_log_holds_no_secret() -> None:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _EchoHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/v2"
        settings = Settings(api_url=url, access_token="tok-123-secret", api_timeout_s=2)
        with Client(settings) as client, pytest.raises(exc.ServerError) as info:
            client.patch_identity("acme", "some-identity", add=["x"])
    finally:
        server.shutdown()
        server.server_close()
    assert info.value.answer == '500 {"message": "echo Bearer [secret]"}'
    assert "tok-123-secret" not in info.value.message


def test_identity_paths_are_encoded_whole() -> None:
    assert identity_path("ac:me", "a?b") == "/recognition/identities/ac%3Ame/a%3Fb"
    assert identity_path("acme") == "/recognition/identities/acme"
