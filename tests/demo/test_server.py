"""The demo API over real HTTP on loopback: tokens, access, request counts, knobs, life cycle."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import requests

from viewer.demo import SAMPLE_GROUP_ID, DemoServer

from .support import AUTH, get_group, group_url, search

ROOT = Path(__file__).resolve().parents[2]

# --- tokens and access ------------------------------------------------------------------


def test_token_exchange_issues_a_working_token(server: DemoServer) -> None:
    body = {"clientId": "anyone", "clientSecret": "anything"}
    response = requests.post(f"{server.api_url}/oauth/token", json=body, timeout=10)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    data = response.json()
    assert data["expiresAt"] - data["issuedAt"] == 24 * 3600 * 1000
    assert abs(data["issuedAt"] - time.time() * 1000) < 60_000
    assert data["orgName"] == "Demo Org"
    assert data["scope"] == (
        "recognition:read recognition:create recognition:update recognition:remove"
    )
    headers = {"Authorization": f"Bearer {data['accessToken']}"}
    group = requests.get(group_url(server, "acme", SAMPLE_GROUP_ID), headers=headers, timeout=10)
    assert group.status_code == 200


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"clientId": "a"}, "clientSecret"),
        ({"clientSecret": "b"}, "clientId"),
        ({"clientId": "", "clientSecret": "b"}, "clientId"),
        ({"clientId": 7, "clientSecret": "b"}, "clientId"),
        (b"{not json", "JSON"),
        (b"[]", "object"),
    ],
)
def test_token_exchange_refuses_a_bad_body(server: DemoServer, body: Any, field: str) -> None:
    url = f"{server.api_url}/oauth/token"
    if isinstance(body, bytes):
        response = requests.post(url, data=body, timeout=10)
    else:
        response = requests.post(url, json=body, timeout=10)
    assert response.status_code == 400
    assert field in response.json()["message"]


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer wrong"}, {"Authorization": "Basic demo-token"}],
    ids=["none", "wrong-token", "wrong-scheme"],
)
def test_recognition_paths_need_a_known_token(server: DemoServer, headers: dict) -> None:
    for url in (group_url(server, "acme", SAMPLE_GROUP_ID), group_url(server, "faults", "429")):
        response = requests.get(url, headers=headers, timeout=10)
        assert response.status_code == 401
        assert response.json() == {"message": "Unauthorized"}


def test_private_namespace_is_forbidden(server: DemoServer) -> None:
    response = requests.get(group_url(server, "private", SAMPLE_GROUP_ID), headers=AUTH, timeout=10)
    assert response.status_code == 403
    assert search(server, {}, namespace="private").status_code == 403


def test_unknown_group_is_404(server: DemoServer) -> None:
    response = requests.get(group_url(server, "acme", "no-such-group"), headers=AUTH, timeout=10)
    assert response.status_code == 404
    assert "no-such-group" in response.json()["message"]
    # The group exists, but in another namespace.
    other = requests.get(group_url(server, "acme2", "demo-fractions"), headers=AUTH, timeout=10)
    assert other.status_code == 404


def test_path_segments_are_percent_decoded(server: DemoServer) -> None:
    assert get_group(server, "%61cme", "demo%2Dfractions")["id"] == "demo-fractions"


# --- counts and knobs -------------------------------------------------------------------


def test_request_count_counts_by_prefix(server: DemoServer) -> None:
    server.reset_counts()
    assert server.request_count() == 0
    requests.get(f"{server.base_url}/images/sample/image-001.jpg", timeout=10)
    requests.get(f"{server.base_url}/images/sample/image-001.jpg?x=1", timeout=10)
    requests.get(group_url(server, "acme", "demo-small"), headers=AUTH, timeout=10)
    assert server.request_count("/images/sample/") == 2
    assert server.request_count("/v2/recognition/groups/acme/") == 1
    assert server.request_count("/v2/oauth") == 0
    assert server.request_count() == 3
    server.reset_counts()
    assert server.request_count() == 0


def test_latency_knobs_delay_answers(knobs: DemoServer) -> None:
    started = time.monotonic()
    requests.get(f"{knobs.base_url}/images/photo/frac-001.jpg", timeout=10)
    assert time.monotonic() - started >= 0.3
    started = time.monotonic()
    requests.get(group_url(knobs, "acme", SAMPLE_GROUP_ID), headers=AUTH, timeout=10)
    assert time.monotonic() - started >= 0.2


def test_bandwidth_cap_slows_image_bodies() -> None:
    rate = 100_000  # bytes a second
    with DemoServer(bandwidth_bps=rate * 8, large_faces=10, large_photos=5) as demo:
        url = f"{demo.base_url}/images/photo/frac-002.jpg"
        requests.get(url, timeout=10)  # made and cached
        started = time.monotonic()
        body = requests.get(url, timeout=10).content
        elapsed = time.monotonic() - started
    assert len(body) > 20_000
    assert elapsed >= 0.9 * len(body) / rate


def test_stop_closes_the_port() -> None:
    demo = DemoServer(large_faces=10, large_photos=5).start()
    url = group_url(demo, "acme", SAMPLE_GROUP_ID)
    assert requests.get(url, headers=AUTH, timeout=5).status_code == 200
    demo.stop()
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.get(url, headers=AUTH, timeout=5)


def test_command_line_serves_until_interrupted() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "viewer.demo", "--port", "0", "--quiet", "--large-faces", "20"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline().strip()
        assert first.startswith("Demo API: http://127.0.0.1:")
        api_url = first.removeprefix("Demo API: ")
        url = f"{api_url}/recognition/groups/acme/demo-large"
        assert len(requests.get(url, headers=AUTH, timeout=5).json()["images"]) == 20
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=10) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_images_larger_than_the_image_cache_are_still_served() -> None:
    with DemoServer(image_cache_bytes=1000, large_faces=10, large_photos=5) as demo:
        url = f"{demo.base_url}/images/photo/frac-003.jpg"
        bodies = [requests.get(url, timeout=10).content for _ in range(2)]
    assert len(bodies[0]) > 1000
    assert bodies[0] == bodies[1]


def test_answers_go_out_without_waiting_for_the_clients_ack(server: DemoServer) -> None:
    """Headers and body are two writes: Nagle's algorithm would hold the body back for the
    client's delayed ACK (about 40 ms an answer on a reused connection), so it is off."""
    with requests.Session() as session:
        for _ in range(2):  # the second answer on the same connection
            answer = session.get(
                group_url(server, "acme", SAMPLE_GROUP_ID), headers=AUTH, timeout=10
            )
            assert answer.status_code == 200
        httpd = server._httpd
        assert httpd is not None
        with httpd.sockets_lock:
            sockets = list(httpd.open_sockets)
        assert sockets  # the session's connection is still open
        for sock in sockets:
            assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
