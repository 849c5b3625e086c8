"""HostPolicy: which image hosts may be downloaded from. Nothing here opens a connection:
check_ip is pure, check_url only resolves literal addresses, ``localhost`` or a ``.invalid`` name.
"""

from __future__ import annotations

import pytest

from viewer.exceptions import ImageError
from viewer.hosts import BlockedHostError, HostPolicy, origin_of

DEMO = "http://127.0.0.1:8765"
DEMO_ORIGIN = origin_of(DEMO + "/images/face-1.jpg")
OTHER_PORT = origin_of("http://127.0.0.1:8766/images/face-1.jpg")

METADATA = "link-local or cloud-metadata"
PRIVATE = "II_ALLOW_PRIVATE_IMAGE_HOSTS"

POLICIES = {
    "default": HostPolicy(),
    "allow_private": HostPolicy(allow_private=True),
    "allowed_origin": HostPolicy(allowed_origins=[DEMO]),
    "both": HostPolicy(allow_private=True, allowed_origins=[DEMO]),
}


def refusal(policy: HostPolicy, address: str, origin: str) -> str | None:
    """None if allowed, else the refusal's text."""
    try:
        policy.check_ip(address, origin)
    except BlockedHostError as exc:
        return str(exc)
    return None


@pytest.mark.parametrize("policy", list(POLICIES))
@pytest.mark.parametrize(
    ("address", "shown"),
    [
        ("169.254.169.254", "169.254.169.254"),
        ("169.254.0.1", "169.254.0.1"),
        ("fe80::1", "fe80::1"),
        ("fe80::1%eth0", "fe80::1"),
        ("fd00:ec2::254", "fd00:ec2::254"),
        ("fd20:ce::254", "fd20:ce::254"),
        ("100.100.100.200", "100.100.100.200"),
        ("192.0.0.192", "192.0.0.192"),
        ("::ffff:169.254.169.254", "169.254.169.254"),  # IPv4-mapped is unwrapped
    ],
)
def test_metadata_and_link_local_always_refused(policy: str, address: str, shown: str) -> None:
    text = refusal(POLICIES[policy], address, DEMO_ORIGIN)
    assert text is not None
    assert METADATA in text
    assert shown in text


PRIVATE_ADDRESSES = [
    ("127.0.0.1", "127.0.0.1"),
    ("10.0.0.1", "10.0.0.1"),
    ("172.16.0.1", "172.16.0.1"),
    ("192.168.1.1", "192.168.1.1"),
    ("::1", "::1"),
    ("fc00::1", "fc00::1"),
    ("::ffff:127.0.0.1", "127.0.0.1"),
]


@pytest.mark.parametrize(("address", "shown"), PRIVATE_ADDRESSES)
@pytest.mark.parametrize(
    ("policy", "origin", "allowed"),
    [
        ("default", DEMO_ORIGIN, False),
        ("allow_private", DEMO_ORIGIN, True),
        ("allow_private", OTHER_PORT, True),
        ("allowed_origin", DEMO_ORIGIN, True),
        # the same host on another port is a different origin
        ("allowed_origin", OTHER_PORT, False),
        ("allowed_origin", "https://127.0.0.1:8765", False),
        ("both", OTHER_PORT, True),
    ],
)
def test_private_addresses(
    address: str, shown: str, policy: str, origin: str, allowed: bool
) -> None:
    text = refusal(POLICIES[policy], address, origin)
    if allowed:
        assert text is None
    else:
        assert text is not None
        assert PRIVATE in text
        assert shown in text
        assert METADATA not in text


@pytest.mark.parametrize("policy", list(POLICIES))
@pytest.mark.parametrize("address", ["8.8.8.8", "1.1.1.1", "2001:4860:4860::8888"])
def test_global_addresses_allowed(policy: str, address: str) -> None:
    assert refusal(POLICIES[policy], address, "http://8.8.8.8:80") is None


@pytest.mark.parametrize("address", ["not-an-ip", "", "999.1.1.1", "localhost"])
def test_invalid_address_refused(address: str) -> None:
    text = refusal(HostPolicy(allow_private=True), address, DEMO_ORIGIN)
    assert text is not None
    assert "not valid" in text


def test_refusal_is_an_image_error() -> None:
    with pytest.raises(ImageError):
        HostPolicy().check_ip("127.0.0.1", DEMO_ORIGIN)


def url_refusal(policy: HostPolicy, url: str) -> str | None:
    try:
        policy.check_url(url)
    except BlockedHostError as exc:
        return str(exc)
    return None


@pytest.mark.parametrize(
    ("policy", "url", "expected"),
    [
        # scheme
        ("both", "file:///etc/passwd", "uses file scheme"),
        ("both", "ftp://127.0.0.1/x.jpg", "uses ftp scheme"),
        ("both", "javascript:alert(1)", "uses javascript scheme"),
        ("both", "//127.0.0.1/x.jpg", "uses no scheme"),
        ("both", "", "uses no scheme"),
        # host and port
        ("both", "http:///x.jpg", "has no host"),
        ("both", "http://127.0.0.1:99999/x.jpg", "invalid port"),
        ("both", "http://no-such-host.invalid/x.jpg", "could not be found"),
        ("default", "https://images.invalid/x.jpg", "could not be found"),
        # addresses, after resolving
        ("default", "http://127.0.0.1:1/x", PRIVATE),
        ("default", "http://localhost:8765/x.jpg", PRIVATE),
        ("default", "http://[::1]:8080/x.jpg", PRIVATE),
        ("default", "http://10.0.0.1/x.jpg", PRIVATE),
        ("allowed_origin", "http://127.0.0.1:8766/x.jpg", PRIVATE),
        ("both", "http://169.254.169.254/latest/meta-data/", METADATA),
        ("both", "http://[fd00:ec2::254]/latest/meta-data/", METADATA),
        ("both", "http://[::ffff:169.254.169.254]/", METADATA),
        # allowed
        ("allow_private", "http://127.0.0.1:1/x", None),
        ("allow_private", "HTTP://localhost/x.jpg", None),
        ("allowed_origin", "http://127.0.0.1:8765/images/face-1.jpg", None),
        ("allowed_origin", "HTTP://127.0.0.1:8765/x.jpg", None),
        ("default", "http://8.8.8.8/x.jpg", None),
        ("default", "https://[2001:4860:4860::8888]/x.jpg", None),
    ],
)
def test_check_url(policy: str, url: str, expected: str | None) -> None:
    text = url_refusal(POLICIES[policy], url)
    if expected is None:
        assert text is None
    else:
        assert text is not None
        assert expected in text


@pytest.mark.parametrize(
    ("allowed", "url"),
    [
        ("http://localhost:8765", "http://localhost:8765/x.jpg"),
        ("http://LOCALHOST:8765/", "http://localhost:8765/x.jpg"),
        ("http://127.0.0.1", "http://127.0.0.1:80/x.jpg"),
        ("http://[::1]:8080", "http://[::1]:8080/x.jpg"),
    ],
)
def test_check_url_allowed_origin(allowed: str, url: str) -> None:
    assert url_refusal(HostPolicy(allowed_origins=[allowed]), url) is None
    # the same URL is refused without the exemption
    assert PRIVATE in (url_refusal(HostPolicy(), url) or "")


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://127.0.0.1/x.jpg", "http://127.0.0.1:80"),
        ("https://127.0.0.1/x.jpg", "https://127.0.0.1:443"),
        ("http://127.0.0.1:8765/a?b=c#d", "http://127.0.0.1:8765"),
        ("https://127.0.0.1:80/", "https://127.0.0.1:80"),
        ("HTTPS://LocalHost/x", "https://localhost:443"),
        ("HTTP://Images.Example.TEST:81/x", "http://images.example.test:81"),
        ("http://user:secret@Images.Test:8080/x", "http://images.test:8080"),
        ("http://localhost", "http://localhost:80"),
    ],
)
def test_origin_of(url: str, expected: str) -> None:
    assert origin_of(url) == expected


def test_allowed_origins_are_normalised() -> None:
    policy = HostPolicy(allowed_origins=["HTTP://LOCALHOST", "https://127.0.0.1:8443/x"])
    assert policy.allowed_origins == {"http://localhost:80", "https://127.0.0.1:8443"}
