"""The SSRF guard for user-added feed URLs: only public http(s) addresses, checked at every hop.

In: a URL, whether private addresses are allowed (ALLOW_PRIVATE_FEEDS) and a resolver (the
system's DNS by default; tests inject their own). Out: the address to connect to, so that the
connection goes to the very address that was checked (a DNS answer that changes between the
check and the connection cannot smuggle a private address in), or `Blocked`, a `FetchError`
whose message says why ("127.0.0.1 is a loopback address"), in English as str() and as a
catalogue phrase for the chat (`say(lang)`). The fetcher calls `check` before
the first request and again before following each redirect.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from bot.feeds.fetch import Blocked
from bot.texts import Phrase

Resolver = Callable[[str, int], Awaitable[list[str]]]

__all__ = ["Blocked", "Guard", "Resolver", "address_phrase", "address_problem", "system_resolver"]


async def system_resolver(host: str, port: int) -> list[str]:
    """Every address the system's resolver gives for `host` (IPv4 and IPv6)."""
    loop = asyncio.get_running_loop()
    infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def address_problem(address: str) -> str | None:
    """Why `address` may not be fetched for a user (None when it is a public unicast address)."""
    phrase = address_phrase(address)
    return phrase.say() if phrase is not None else None


def address_phrase(address: str) -> Phrase | None:
    """`address_problem` as a catalogue phrase, for the chat's language."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return Phrase("guard.not_ip", {"address": address})
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped  # ::ffff:127.0.0.1 is 127.0.0.1
    kinds = (
        ("guard.address.loopback", ip.is_loopback),
        ("guard.address.unspecified", ip.is_unspecified),
        ("guard.address.link_local", ip.is_link_local),
        ("guard.address.multicast", ip.is_multicast),
        ("guard.address.private", ip.is_private),
        ("guard.address.reserved", ip.is_reserved),
        ("guard.address.non_public", not ip.is_global),
    )
    for key, applies in kinds:
        if applies:
            return Phrase(key, {"address": str(ip)})
    return None


@dataclass(frozen=True, slots=True)
class Guard:
    """Checks one hop of a user feed's fetch. With `allow_private`, only the scheme is checked."""

    allow_private: bool = False
    resolver: Resolver = field(default=system_resolver)

    async def check(self, url: str) -> str | None:
        """The address to connect to for `url` (None: connect by name); raises Blocked."""
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError:
            raise Blocked.named("fetch.error.url", detail=url) from None
        if parts.scheme not in ("http", "https"):
            raise Blocked.named("guard.scheme", scheme=parts.scheme or "?")
        host = (parts.hostname or "").rstrip(".")
        if not host:
            raise Blocked.named("guard.no_host")
        if self.allow_private:
            return None
        port = port or (443 if parts.scheme == "https" else 80)
        try:
            addresses = [host] if _is_ip(host) else await self.resolver(host, port)
        except OSError as exc:
            detail = str(exc.strerror or exc)
            raise Blocked.named("guard.unresolved_because", host=host, detail=detail) from None
        if not addresses:
            raise Blocked.named("guard.unresolved", host=host)
        for address in addresses:
            problem = address_phrase(address)
            if problem:
                raise Blocked.named("guard.refused", host=host, problem=problem)
        return addresses[0]


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True
