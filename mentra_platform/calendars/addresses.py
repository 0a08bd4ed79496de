"""Which feed addresses the platform fetches: public ones only, by default.

A feed address is typed by a mentor, and the platform fetches it from inside its own
network; without a check, ``http://127.0.0.1:5432/`` or a cloud metadata address would
make the platform probe itself. A host that is, or resolves to, a loopback, private,
link-local, reserved or multicast address is refused when connecting (an IP literal or
``localhost``) and again before every request and every redirect hop (after DNS).
``CALENDAR_ALLOW_PRIVATE_FEEDS=true`` lifts this for feeds served on a private network
(and for tests on 127.0.0.1). A name that re-resolves between the check and the request
(DNS rebinding) is not covered.
"""

from __future__ import annotations

import ipaddress
import socket

PRIVATE_MESSAGE = "points at this machine or a private network, which the platform does not read"


def _is_private(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    return (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_reserved
        or ip.is_multicast
        or ip.is_unspecified
    )


def literal_private(host: str) -> bool:
    """``localhost`` or an IP literal in a non-public range (no DNS lookup)."""
    name = host.strip("[]").lower()
    return name == "localhost" or name.endswith(".localhost") or _is_private(name)


def resolves_private(host: str) -> bool:
    """Whether ``host`` is, or resolves to, any non-public address (unresolvable: no)."""
    if literal_private(host):
        return True
    try:
        infos = socket.getaddrinfo(host.strip("[]"), None)
    except (OSError, UnicodeError):
        return False  # the request itself will fail and say so
    return any(_is_private(str(info[4][0])) for info in infos)


__all__ = ["PRIVATE_MESSAGE", "literal_private", "resolves_private"]
