"""Which image hosts the viewer may connect to: refuse metadata and, by default, private hosts."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable
from urllib.parse import urlsplit

from viewer.exceptions import ImageError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

ALWAYS_REFUSED = (
    ipaddress.ip_network("169.254.0.0/16"),  # link-local: AWS, GCP, Azure metadata and more
    ipaddress.ip_network("fe80::/10"),  # IPv6 link-local
    ipaddress.ip_network("fd00:ec2::254/128"),  # AWS metadata over IPv6
    ipaddress.ip_network("fd20:ce::254/128"),  # GCP metadata over IPv6
    ipaddress.ip_network("100.100.100.200/32"),  # Alibaba Cloud metadata
    ipaddress.ip_network("192.0.0.192/32"),  # Oracle Cloud metadata
)


class BlockedHostError(ImageError):
    """The image's host resolves to an address the viewer will not connect to."""


def origin_of(url: str) -> str:
    """``scheme://host:port`` of a URL, with the default port filled in."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    port = parts.port or (443 if scheme == "https" else 80)
    host = (parts.hostname or "").lower()
    if ":" in host:  # an IPv6 literal keeps its brackets
        host = f"[{host}]"
    return f"{scheme}://{host}:{port}"


NAT64 = ipaddress.ip_network("64:ff9b::/96")


def _unwrap(ip: IPAddress) -> IPAddress:
    """The IPv4 address inside an IPv4-mapped, -compatible or NAT64 IPv6 address."""
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return ip.ipv4_mapped
        if ip in NAT64 or (int(ip) >> 32 == 0 and int(ip) > 1):
            return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return ip


class HostPolicy:
    """Decides, per address, whether an image may be downloaded from it.

    Link-local and cloud-metadata addresses are always refused. Loopback, private and other
    non-global addresses are refused unless ``allow_private``; origins in ``allowed_origins``
    (the demo API's own) are exempt from that second rule only.
    """

    def __init__(self, allow_private: bool = False, allowed_origins: Iterable[str] = ()) -> None:
        self.allow_private = allow_private
        self.allowed_origins = frozenset(origin_of(o) for o in allowed_origins)

    def check_ip(self, address: str, origin: str) -> None:
        try:
            ip = _unwrap(ipaddress.ip_address(address.split("%", 1)[0]))
        except ValueError:
            raise BlockedHostError(f"The image host's address {address!r} is not valid.") from None
        if any(ip in net for net in ALWAYS_REFUSED):
            raise BlockedHostError(
                f"The image host resolves to {ip}, a link-local or cloud-metadata address; "
                "the viewer never downloads from there."
            )
        if ip.is_global or self.allow_private or origin in self.allowed_origins:
            return
        raise BlockedHostError(
            f"The image host resolves to {ip}, a private or loopback address; set "
            "II_ALLOW_PRIVATE_IMAGE_HOSTS=1 to allow such hosts."
        )

    def check_url(self, url: str) -> None:
        """Refuse a URL before connecting: its scheme, and every address its host resolves to."""
        try:
            parts = urlsplit(url)
            parts.port  # noqa: B018 - parsing the port is what checks it
        except ValueError as error:
            what = "invalid port" if "port" in str(error).lower() else "bad host"
            raise BlockedHostError(
                f"The image URL is malformed ({what}): check it in the raw JSON."
            ) from None
        if parts.scheme.lower() not in ("http", "https"):
            raise BlockedHostError(
                f"The image URL uses {parts.scheme or 'no'} scheme; only http and https are "
                "downloaded."
            )
        host = parts.hostname
        if not host:
            raise BlockedHostError("The image URL has no host.")
        try:
            port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
        except ValueError:
            raise BlockedHostError("The image URL has an invalid port.") from None
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError):
            raise BlockedHostError(
                f"The image host {host!r} could not be found: check the URL or the network."
            ) from None
        origin = origin_of(url)
        for info in infos:
            self.check_ip(str(info[4][0]), origin)


def image_policy(allow_private: bool, api_url: str) -> HostPolicy:
    """The policy the app and the command line use: public hosts, the API's own origin even
    when it is private (the analyst configured it), other private hosts only when allowed."""
    return HostPolicy(allow_private, [api_url])
