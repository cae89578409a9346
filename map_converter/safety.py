"""Which URLs the resolver may request: exact host allowlist, public addresses only."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from .providers import is_map_page_url, is_short_link_url

DEFAULT_PORTS = {"http": 80, "https": 443}


class UnsafeURLError(Exception):
    """A URL the resolver must not request; the message is the row's note."""


@dataclass(frozen=True)
class HostPolicy:
    """Allowlist and network rules for one resolver."""

    extra_hosts: frozenset[str] = frozenset()  # "host" or "host:port", from configuration
    allow_private_networks: bool = False

    def allows_private_address(self, host: str, port: int) -> bool:
        """Private networks are for the configured extra hosts only."""
        host = host.lower().rstrip(".")
        return self.allow_private_networks and (
            host in self.extra_hosts or f"{host}:{port}" in self.extra_hosts
        )

    def is_configured(self, host: str, port: int, scheme: str) -> bool:
        if f"{host}:{port}" in self.extra_hosts:
            return True
        return host in self.extra_hosts and port == DEFAULT_PORTS[scheme]


def parse_host_list(value: str | None) -> frozenset[str]:
    """'a.example, 127.0.0.1:8080' -> {'a.example', '127.0.0.1:8080'} (lower case, trimmed)."""
    if not value:
        return frozenset()
    return frozenset(item.strip().lower().rstrip(".") for item in value.split(",") if item.strip())


def _is_ip_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


def check_url(url: str, policy: HostPolicy, is_first_hop: bool):
    """The parsed URL if it may be requested, else UnsafeURLError saying why.

    Uses yarl, the parser aiohttp itself uses, so what is checked is what gets requested.
    """
    from yarl import URL  # here, not at import: the CLI without short links never loads it

    try:
        parsed = URL(url)
    except (ValueError, TypeError) as error:
        raise UnsafeURLError("malformed link") from error
    scheme = (parsed.scheme or "").lower()
    if scheme not in DEFAULT_PORTS:
        raise UnsafeURLError("redirected to a link that is not a web address")
    if (
        parsed.user is not None
        or parsed.password is not None
        or "@" in (parsed.raw_authority or "")
    ):
        raise UnsafeURLError("redirected to a host that is not a map service")
    host = (parsed.host or "").lower().rstrip(".")
    port = parsed.port if parsed.port is not None else DEFAULT_PORTS[scheme]
    path = parsed.path or "/"
    if not host:
        raise UnsafeURLError("malformed link")
    if policy.is_configured(host, port, scheme):
        is_private_literal = _is_ip_literal(host) and not is_public_address(host.strip("[]"))
        if is_private_literal and not policy.allow_private_networks:
            raise UnsafeURLError("link leads to a private network address")
        return parsed
    if _is_ip_literal(host) or port != DEFAULT_PORTS[scheme]:
        raise UnsafeURLError("redirected to a host that is not a map service")
    if _is_allowed_map_host(host, path, parsed.raw_query_string, is_first_hop):
        return parsed
    raise UnsafeURLError("redirected to a host that is not a map service")


def _is_allowed_map_host(host: str, path: str, query: str, is_first_hop: bool) -> bool:
    """Exact hosts only, from the provider records: short links first, then the map pages
    those short links lead to."""
    if is_short_link_url(host, path, query):
        return True
    return not is_first_hop and is_map_page_url(host, path, query)


def is_public_address(address: str) -> bool:
    """True for a globally routable unicast address, including what v6 forms wrap."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or (ip.sixtofour if ip.sixtofour else None)
        if ip.teredo:
            return False
        if ip in ipaddress.IPv6Network("64:ff9b::/96") or ip in ipaddress.IPv6Network(
            "64:ff9b:1::/48"
        ):
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is not None:
            return is_public_address(str(embedded))
    return bool(
        ip.is_global
        and not ip.is_multicast
        and not ip.is_reserved
        and not ip.is_loopback
        and not ip.is_link_local
        and not ip.is_private
        and not ip.is_unspecified
    )
