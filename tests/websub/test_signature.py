"""X-Hub-Signature: an HMAC of the raw body with the subscription's secret, or nothing."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from bot.websub.signature import sign, valid

BODY = b'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title></channel></rss>'
SECRET = "a3f9" * 16


def mac(method: str, body: bytes = BODY, secret: str = SECRET) -> str:
    return f"{method}={hmac.new(secret.encode(), body, getattr(hashlib, method)).hexdigest()}"


@pytest.mark.parametrize(
    ("header", "body", "ok"),
    [
        (mac("sha1"), BODY, True),
        (mac("sha256"), BODY, True),
        (mac("sha384"), BODY, True),
        (mac("sha512"), BODY, True),
        (mac("sha256").upper().replace("SHA256=", "sha256="), BODY, True),
        (mac("sha256", secret="another secret"), BODY, False),
        (mac("sha256"), BODY + b" ", False),
        (mac("md5"), BODY, False),
        ("sha256=", BODY, False),
        ("sha256=zz", BODY, False),
        ("sha256", BODY, False),
        ("", BODY, False),
        (None, BODY, False),
        (mac("sha1")[:-2], BODY, False),
    ],
    ids=[
        "sha1",
        "sha256",
        "sha384",
        "sha512",
        "hex-in-capitals",
        "wrong-secret",
        "body-changed",
        "md5-not-a-websub-method",
        "empty-digest",
        "not-hex",
        "no-digest",
        "empty-header",
        "no-header",
        "truncated",
    ],
)
def test_signatures(header: str | None, body: bytes, ok: bool) -> None:
    assert valid(header, body, SECRET) is ok


def test_no_secret_accepts_nothing() -> None:
    assert not valid(mac("sha256", secret=""), BODY, "")


def test_sign_makes_what_valid_accepts() -> None:
    for method in ("sha1", "sha256", "sha384", "sha512"):
        assert valid(sign(BODY, SECRET, method), BODY, SECRET)
