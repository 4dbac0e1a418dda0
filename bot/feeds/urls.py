"""Canonical article URLs: one spelling per page, so the same story is recognised twice.

In: a URL as a feed wrote it (maybe relative, maybe with tracking parameters), and optionally the
base URL it is relative to. Out: an absolute http(s) URL with the scheme and host lower-cased, the
default port, the fragment and known tracking parameters removed, and the remaining query kept in
its original order and spelling. Never raises: input that cannot be made into an http(s) URL gives
the empty string.
"""

from __future__ import annotations

from urllib.parse import quote, unquote, urljoin, urlsplit, urlunsplit

# Query parameters that only say where a click came from. Prefixes cover families (utm_source,
# utm_medium, ...); the names are compared lower-cased.
_TRACKING_PREFIXES = ("utm_", "mtm_", "pk_", "hsa_", "_hs")
_TRACKING_NAMES = frozenset(
    {
        "fbclid",
        "gclid",
        "gclsrc",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "yclid",
        "twclid",
        "igshid",
        "mc_cid",
        "mc_eid",
        "mkt_tok",
        "ncid",
        "ocid",
        "cmpid",
        "smid",
        "yptr",
        "guccounter",
        "guce_referrer",
        "guce_referrer_sig",
        "__twitter_impression",
        "_ga",
        "_gl",
        "oly_anon_id",
        "oly_enc_id",
        "vero_id",
    }
)
_DEFAULT_PORTS = {"http": 80, "https": 443}
# Characters left alone when re-quoting a path or query: everything already legal in a URL
# (and '%', so existing escapes stay as they are).
_SAFE_PATH = "/%:@!$&'()*+,;=~-._"
_SAFE_QUERY = _SAFE_PATH + "?"


def _is_tracking(param: str) -> bool:
    name = unquote(param.split("=", 1)[0]).strip().lower()
    return name.startswith(_TRACKING_PREFIXES) or name in _TRACKING_NAMES


def _clean_query(query: str) -> str:
    kept = [p for p in query.split("&") if p and not _is_tracking(p)]
    return quote("&".join(kept), safe=_SAFE_QUERY)


def canonical_url(url: str, base: str | None = None) -> str:
    """The canonical spelling of `url` (resolved against `base`), or '' if it is not usable."""
    url = url.strip() if isinstance(url, str) else ""
    if not url:
        return ""
    try:
        if base:
            url = urljoin(base.strip(), url)
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme not in _DEFAULT_PORTS:
            return ""
        host = (parts.hostname or "").rstrip(".")
        port = parts.port
    except ValueError:  # a malformed IPv6 literal or port number
        return ""
    if not host:
        return ""
    if ":" in host:  # an IPv6 literal needs its brackets back
        host = f"[{host}]"
    netloc = host if port in (None, _DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    if parts.username is not None:
        userinfo = parts.username + (f":{parts.password}" if parts.password is not None else "")
        netloc = f"{userinfo}@{netloc}"
    path = quote(parts.path, safe=_SAFE_PATH) or "/"
    return urlunsplit((scheme, netloc, path, _clean_query(parts.query), ""))
