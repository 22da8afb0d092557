"""Which client sent a request: the one place Vigil works out an address.

An address is needed only to count attempts (core/throttle.py), as a keyed hash in
the cache; it is never stored or logged. Behind a reverse proxy every request comes
from the proxy, so the real client is in `X-Forwarded-For`; but anyone can send that
header, and a client that names a fresh address in it on every request would never
be counted. So the header is believed only when the immediate peer is one of the
proxies the operator listed in `VIGIL_TRUSTED_PROXIES`, and then only as far as it
was written by trusted proxies: the right-most address that is not itself a trusted
proxy is the client (everything to its left was written by the client, and may be
invented).
"""

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(configured: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(item, strict=False) for item in configured)


def parse_trusted_proxies(configured: list[str] | tuple[str, ...]) -> tuple[Network, ...]:
    """The networks of `VIGIL_TRUSTED_PROXIES`; raises ValueError on a malformed one."""
    return _networks(tuple(configured))


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    text = text.strip()
    if text.startswith("[") and "]" in text:  # [2001:db8::1]:443
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # 192.0.2.1:443
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    # ::ffff:192.0.2.1 is the same client as 192.0.2.1.
    mapped = getattr(address, "ipv4_mapped", None)
    return mapped or address


def _trusted(address: object, networks: tuple[Network, ...]) -> bool:
    return address is not None and any(address in network for network in networks)


def client_address(request: HttpRequest) -> str:
    """The address of the client that sent `request`, for counting attempts only.

    Threat handled: a client that forges `X-Forwarded-For` to escape a throttle, or
    to get a throttle counted against someone else. The header is ignored unless the
    immediate peer (`REMOTE_ADDR`) is a trusted proxy; then the right-most untrusted
    address in it is the client. With no trusted proxy configured, or no header,
    the peer address is the client (behind an onion service that is one address for
    everyone, which the callers' limits are designed for).
    """
    peer = request.META.get("REMOTE_ADDR", "")
    networks = parse_trusted_proxies(settings.TRUSTED_PROXIES)
    if not networks or not _trusted(_address(peer), networks):
        return peer
    # Several X-Forwarded-For headers arrive joined by commas, in order.
    hops = [hop for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:
            # Not what a trusted proxy writes: nothing from here leftwards is believed,
            # and the request counts against the proxy, like any shared address.
            return peer
        if not _trusted(address, networks):
            return str(address)
    # No header, or every hop a trusted proxy (a health check from inside).
    return peer
