"""The API client against the demo API over real HTTP on loopback."""

from __future__ import annotations

import http.server
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import ClassVar

import pytest
import requests

from viewer import exceptions as exc
from viewer.api import Client, group_path, validate_segment
from viewer.config import Settings
from viewer.demo.server import DemoServer

from .test_images import Loopback, loopback, reply  # noqa: F401 - fixtures are used by name

SAMPLE_NS = "acme"
SAMPLE_ID = "ab36de62-fe3e-4907-8a03-7d27c21fa01a"


def test_client_credentials_fetch_the_sample_group(settings: Settings, demo: DemoServer) -> None:
    demo.reset_counts()
    with Client(settings) as client:
        group = client.get_group(SAMPLE_NS, SAMPLE_ID)
        client.get_group(SAMPLE_NS, SAMPLE_ID)
        assert client.token_info is not None
        assert client.token_info.org_name == "Demo Org"
    assert group.id == SAMPLE_ID
    assert group.link_words == "machine learning"
    assert len(group.faces) == 1
    assert group.faces[0].custom_id == "some_person_filled_image"
    # one token exchange serves both requests
    assert demo.request_count("/v2/oauth/token") == 1
    assert demo.request_count("/v2/recognition/groups/") == 2


def test_static_token(token_settings: Settings) -> None:
    with Client(token_settings) as client:
        assert client.get_group(SAMPLE_NS, SAMPLE_ID).id == SAMPLE_ID


def test_wrong_token_is_a_401_sentence(settings: Settings) -> None:
    bad = replace(settings, client_id=None, client_secret=None, access_token="not-a-token")
    with Client(bad) as client, pytest.raises(exc.AuthenticationError) as info:
        client.get_group(SAMPLE_NS, SAMPLE_ID)
    assert "401" in info.value.message
    assert "not-a-token" not in info.value.message


def test_expired_token_is_renewed_once_on_401(settings: Settings, demo: DemoServer) -> None:
    with Client(settings) as client:
        client.get_group(SAMPLE_NS, SAMPLE_ID)
        client._token = "revoked-token"  # as if the server had forgotten it
        demo.reset_counts()
        assert client.get_group(SAMPLE_NS, SAMPLE_ID).id == SAMPLE_ID
    assert demo.request_count("/v2/oauth/token") == 1
    assert demo.request_count("/v2/recognition/groups/") == 2


@pytest.mark.parametrize(
    ("namespace", "group_id", "error", "words"),
    [
        ("private", SAMPLE_ID, exc.ForbiddenError, "403"),
        (SAMPLE_NS, "no-such-group", exc.NotFoundError, "404"),
        ("faults", "500", exc.ServerError, "server error"),
        ("faults", "503", exc.ServerError, "503"),
        ("faults", "429", exc.RateLimitedError, "429"),
        ("faults", "truncated-json", exc.InvalidResponseError, "not JSON"),
        ("faults", "html", exc.InvalidResponseError, "not JSON"),
        ("faults", "empty", exc.InvalidResponseError, "empty"),
        ("faults", "not-object", exc.InvalidGroupError, "not a group"),
        ("faults", "reset", exc.InvalidResponseError, "closed the connection"),
    ],
)
def test_failures_become_sentences(
    settings: Settings, namespace: str, group_id: str, error: type, words: str
) -> None:
    with Client(settings) as client, pytest.raises(error) as info:
        client.get_group(namespace, group_id)
    assert words in info.value.message
    assert info.value.message.endswith(".")
    assert settings.client_secret not in info.value.message


def test_retry_recovers_from_one_503(settings: Settings, demo: DemoServer) -> None:
    demo.reset_counts()
    with Client(settings) as client:
        group = client.get_group("faults", "503-once")
    assert group.id == SAMPLE_ID
    assert demo.request_count("/v2/recognition/groups/faults/503-once") == 2


def test_retry_honours_retry_after(token_settings: Settings, demo: DemoServer) -> None:
    # what the demo API asks a client to wait after a 429 (urllib3 caps it at retry_after_max)
    answer = requests.get(
        f"{demo.api_url}{group_path('faults', '429')}",
        headers={"Authorization": f"Bearer {demo.static_token}"},
        timeout=5,
    )
    assert answer.status_code == 429
    wait_s = float(answer.headers["Retry-After"])
    assert wait_s >= 1
    demo.reset_counts()
    with Client(token_settings) as client:
        start = time.monotonic()
        assert client.get_group("faults", "429-once").id == SAMPLE_ID
        elapsed = time.monotonic() - start
    assert demo.request_count("/v2/recognition/groups/faults/429-once") == 2
    # the first retry's own backoff is zero, so only Retry-After makes the client wait
    assert elapsed >= wait_s


def test_oversized_answer_is_refused(settings: Settings) -> None:
    small = replace(settings, max_response_bytes=1024 * 1024)
    with Client(small) as client, pytest.raises(exc.InvalidResponseError) as info:
        client.get_group("faults", "huge")
    assert info.value.message == (
        "The API's answer is larger than 1 MB, the II_MAX_GROUP_MB limit: "
        "raise it to show a group this large."
    )


def test_trickling_answer_hits_the_deadline(settings: Settings) -> None:
    slow = replace(settings, api_timeout_s=1.0)
    with Client(slow) as client, pytest.raises(exc.APITimeoutError):
        client.get_group("faults", "trickle")


def test_unreachable_api() -> None:
    settings = Settings(api_url="http://127.0.0.1:9/v2", access_token="t")
    with Client(settings) as client, pytest.raises(exc.UnreachableError) as info:
        client.get_group(SAMPLE_NS, SAMPLE_ID)
    assert "127.0.0.1" in info.value.message


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("", "empty"),
        ("a b", "space"),
        ("a/b", "slash"),
        ("..", "cannot be"),
        (".", "cannot be"),
        ("a%2Fb", "%"),
        ("x" * 10_000, "10,000 characters"),
        ("a\x00b", "control character"),
        ("a\nb", "control character"),
    ],
)
def test_bad_path_segments_are_refused_before_any_request(
    settings: Settings, demo: DemoServer, value: str, words: str
) -> None:
    demo.reset_counts()
    with Client(settings) as client, pytest.raises(exc.InvalidInputError) as info:
        client.get_group(value, SAMPLE_ID)
    assert words in info.value.message
    assert demo.request_count() == 0


def test_segments_are_percent_encoded_whole() -> None:
    assert group_path("ac:me", "a?b#c") == "/recognition/groups/ac%3Ame/a%3Fb%23c"
    assert validate_segment("é-ü", "namespace", 128) == "é-ü"


class _Recorder(http.server.BaseHTTPRequestHandler):
    seen: ClassVar[list[dict[str, str]]] = []

    def do_GET(self) -> None:
        type(self).seen.append(dict(self.headers))
        if self.path.startswith("/v2/"):
            self.send_response(302)
            self.send_header("Location", f"http://localhost:{self.server.server_port}/elsewhere")
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture()
def redirecting_api() -> Iterator[str]:
    _Recorder.seen = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/v2"
    server.shutdown()
    server.server_close()


def test_token_never_follows_a_redirect(redirecting_api: str) -> None:
    settings = Settings(api_url=redirecting_api, access_token="secret-token-123")
    with Client(settings) as client, pytest.raises(exc.UnexpectedStatusError) as info:
        client.get_group(SAMPLE_NS, SAMPLE_ID)
    assert "redirect" in info.value.message
    assert len(_Recorder.seen) == 1  # the redirect target was never asked
    assert _Recorder.seen[0]["Authorization"] == "Bearer secret-token-123"


def test_search_pages_and_validates(settings: Settings) -> None:
    with Client(settings) as client:
        first = client.search_groups("acme", limit=3, offset=0)
        second = client.search_groups("acme", limit=3, offset=3)
        assert len(first) == 3
        assert {g.id for g in first}.isdisjoint({g.id for g in second})
        with pytest.raises(exc.InvalidInputError):
            client.search_groups("acme", limit=101)


@pytest.mark.parametrize("suffix", ["", "/v2/v2"])
def test_a_wrong_api_url_is_named_not_taken_for_a_missing_group(
    token_settings: Settings, demo: DemoServer, suffix: str
) -> None:
    wrong = replace(token_settings, api_url=demo.base_url + suffix)
    demo.reset_counts()
    with Client(wrong) as client:
        for _ in range(2):  # the address is probed once, not on every 404
            with pytest.raises(exc.WrongAPIURLError) as info:
                client.get_group(SAMPLE_NS, SAMPLE_ID)
        with pytest.raises(exc.WrongAPIURLError):
            client.search_groups(SAMPLE_NS)
    url = demo.base_url + suffix
    assert info.value.message == (
        f"Nothing at {url} answers like the API (even paths it always has are not found): "
        "check II_API_URL, which usually ends in /v2 as in https://api.imageintelligence.com/v2."
    )
    # two group reads, one probe (a search of the namespace) and the search asked for
    assert demo.request_count(suffix + "/recognition/groups/") == 4
    assert demo.request_count(suffix + f"/recognition/groups/{SAMPLE_NS}/search") == 2


def test_a_wrong_api_url_with_client_credentials_is_named(
    settings: Settings, demo: DemoServer
) -> None:
    wrong = replace(settings, api_url=f"http://someone:pa55word@127.0.0.1:{demo.port}")
    with Client(wrong) as client, pytest.raises(exc.WrongAPIURLError) as info:
        client.get_group(SAMPLE_NS, SAMPLE_ID)
    assert info.value.message.startswith(f"Nothing at http://127.0.0.1:{demo.port} answers")
    assert "pa55word" not in info.value.message and "someone" not in info.value.message
    assert settings.client_secret not in info.value.message


def test_a_missing_group_at_the_right_api_url_is_still_no_such_group(
    settings: Settings, token_settings: Settings, demo: DemoServer
) -> None:
    demo.reset_counts()
    with Client(token_settings) as client, pytest.raises(exc.NotFoundError) as info:
        client.get_group(SAMPLE_NS, "no-such-group")
    assert info.value.message == "No such group (404): check the namespace and the group ID."
    assert demo.request_count(f"/v2/recognition/groups/{SAMPLE_NS}/search") == 1  # the probe
    with Client(settings) as client, pytest.raises(exc.NotFoundError):
        client.get_group(SAMPLE_NS, "no-such-group")  # the token exchange found the API
    assert demo.request_count(f"/v2/recognition/groups/{SAMPLE_NS}/search") == 1


def test_a_proxy_without_a_token_endpoint_still_reads_no_such_group(
    loopback: Callable[..., Loopback],  # noqa: F811
) -> None:
    # II_API_URL alone, for a proxy that adds the token: it has no /oauth/token of its own
    api = loopback({"/v2/recognition/groups/acme/search": lambda h: reply(h, 200, b"[]")})
    settings = Settings(api_url=api.url("/v2"), api_timeout_s=5)
    with Client(settings) as client, pytest.raises(exc.NotFoundError) as info:
        client.get_group("acme", "gone")
    assert info.value.message == "No such group (404): check the namespace and the group ID."
    assert [seen.path for seen in api.seen] == [
        "/v2/recognition/groups/acme/gone",
        "/v2/recognition/groups/acme/search",
    ]
