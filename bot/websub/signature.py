"""The X-Hub-Signature of a WebSub delivery. Pure.

In: the header's value ("sha256=<hex>"), the raw body, the subscription's secret. Out: True
only when the value is an HMAC of the body with the secret in one of the methods WebSub
names (sha1, sha256, sha384, sha512), compared in constant time; anything else (no header,
another method, bad hex) is False. `sign` makes such a header (for hubs in tests and benches).
"""

from __future__ import annotations

import hashlib
import hmac

METHODS = frozenset({"sha1", "sha256", "sha384", "sha512"})


def sign(body: bytes, secret: str, method: str = "sha256") -> str:
    """The X-Hub-Signature value for `body` with `secret`."""
    digest = hmac.new(secret.encode(), body, getattr(hashlib, method)).hexdigest()
    return f"{method}={digest}"


def valid(header: str | None, body: bytes, secret: str) -> bool:
    """Whether `header` signs `body` with `secret` (constant-time comparison)."""
    if not header or not secret:
        return False
    method, _, given = header.strip().partition("=")
    method = method.strip().lower()
    if method not in METHODS or not given:
        return False
    expected = hmac.new(secret.encode(), body, getattr(hashlib, method)).hexdigest()
    return hmac.compare_digest(expected.encode(), given.strip().lower().encode())
