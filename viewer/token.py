"""When to renew an access token: from its lifetime, counted on this machine's monotonic clock.

The API's ``expiresAt`` is a time on the API's clock. A local clock that is off by more than the
token's margin would make a token look expired on arrival, and the viewer would exchange the
credentials again before every call. ``expiresAt − issuedAt`` is the same on every clock.
"""

from __future__ import annotations

MARGIN_S = 60.0  # renew this long before the token runs out
MARGIN_SHARE = 0.1  # at most this share of a short token's lifetime


def renew_at(
    arrived: float, issued_at_ms: object, expires_at_ms: object, now_ms: float
) -> float | None:
    """The ``time.monotonic()`` reading at which to renew a token that ``arrived`` then.

    With ``issuedAt`` and ``expiresAt`` the lifetime is their difference; with ``expiresAt``
    alone it is what remains by the local clock (``now_ms``). None when no positive lifetime can
    be told: the token is then used until the API answers 401, and renewed once.
    """
    if not _is_number(expires_at_ms):
        return None
    start = issued_at_ms if _is_number(issued_at_ms) else now_ms
    lifetime_s = (float(expires_at_ms) - float(start)) / 1000  # type: ignore[arg-type]
    if lifetime_s <= 0:
        return None
    return arrived + lifetime_s - min(MARGIN_S, lifetime_s * MARGIN_SHARE)


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)
