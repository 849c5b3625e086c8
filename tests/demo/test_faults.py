"""Injected API faults: each kind answers as named; once-faults fail the first request only."""

from __future__ import annotations

import pytest
import requests

from viewer.demo import FAULT_KINDS, SAMPLE_GROUP_ID, DemoServer

from .support import AUTH, group_url, search


def test_fault_kinds_answer_as_named(server: DemoServer) -> None:
    def fault(kind: str) -> requests.Response:
        return requests.get(group_url(server, "faults", kind), headers=AUTH, timeout=10)

    too_many = fault("429")
    assert too_many.status_code == 429 and too_many.headers["Retry-After"] == "1"
    assert fault("not-object").json() == [1, 2, 3]
    empty = fault("empty")
    assert empty.status_code == 200 and empty.content == b""
    assert empty.headers["Content-Length"] == "0"
    assert fault("html").headers["Content-Type"].startswith("text/html")
    with pytest.raises(ValueError):
        fault("truncated-json").json()
    assert [fault(str(code)).status_code for code in (500, 502, 503)] == [500, 502, 503]
    huge = fault("huge")
    assert len(huge.content) >= 8 * 1024 * 1024
    assert huge.json()["id"] == SAMPLE_GROUP_ID
    assert fault("no-such-kind").status_code == 404


@pytest.mark.parametrize(("kind", "status"), [("429-once", 429), ("503-once", 503)])
def test_once_faults_fail_the_first_request_only(
    server: DemoServer, kind: str, status: int
) -> None:
    server.reset_counts()
    url = group_url(server, "faults", kind)
    codes = [requests.get(url, headers=AUTH, timeout=10).status_code for _ in range(3)]
    assert codes == [status, 200, 200]
    server.reset_counts()
    assert requests.get(url, headers=AUTH, timeout=10).status_code == status


def test_reset_fault_breaks_the_connection(server: DemoServer) -> None:
    broken = (requests.exceptions.ConnectionError, requests.exceptions.ChunkedEncodingError)
    with pytest.raises(broken, match=r"reset|broken|aborted"):
        requests.get(group_url(server, "faults", "reset"), headers=AUTH, timeout=10)


def test_latency_fault_delays_the_answer(server: DemoServer) -> None:
    with pytest.raises(requests.exceptions.ReadTimeout):
        requests.get(group_url(server, "faults", "latency"), headers=AUTH, timeout=(2, 0.5))


def test_api_fault_applies_to_every_group_get() -> None:
    with DemoServer(api_fault="503", large_faces=10, large_photos=5) as demo:
        for group_id in (SAMPLE_GROUP_ID, "demo-pixels"):
            response = requests.get(group_url(demo, "acme", group_id), headers=AUTH, timeout=10)
            assert response.status_code == 503
        assert search(demo, {"limit": 2}).status_code == 200
    with pytest.raises(ValueError):
        DemoServer(api_fault="nonsense")
    assert "trickle" in FAULT_KINDS and "reset" in FAULT_KINDS
