"""Where probes may go. Every URL is checked before a request (redirects included):

* the host is the target's host, the OpenAPI host when it is the same or allowed, or a host the caller or the
  operator allowed (``target.allowed_hosts``, ``ProbeLimits.allowed_hosts``);
* never a link-local address (169.254.0.0/16, fe80::/10) or a cloud metadata endpoint (169.254.169.254,
  fd00:ec2::254, 100.100.100.200, metadata.google.internal), whatever was allowed — the resolved IPs are checked,
  so a friendly name pointing at 169.254.169.254 is refused too;
* load (SCA-003) only against loopback or explicitly allowed hosts.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable, Iterable
from urllib.parse import urlsplit

IP = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str], Awaitable[list[str]]]

METADATA_HOSTS = frozenset({"metadata.google.internal", "metadata", "metadata.internal", "instance-data",
                            "instance-data.ec2.internal", "metadata.azure.com"})
METADATA_IPS = frozenset(ipaddress.ip_address(a) for a in ("169.254.169.254", "fd00:ec2::254", "100.100.100.200",
                                                           "169.254.170.2"))


class RefusedHost(Exception):
    """A probe was about to reach a host it must not reach."""

    def __init__(self, reason: str, host: str, ip: str | None = None) -> None:
        self.reason, self.host, self.ip = reason, host, ip
        super().__init__(f"{reason}: {host}" + (f" ({ip})" if ip else ""))


async def system_resolver(host: str) -> list[str]:
    loop = asyncio.get_running_loop()
    infos = await loop.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    return sorted({str(info[4][0]).split("%", 1)[0] for info in infos})


def _as_ip(text: str) -> IP | None:
    try:
        ip = ipaddress.ip_address(text.strip("[]").split("%", 1)[0])
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    return ip


def forbidden_ip(ip: IP) -> str | None:
    if ip.is_loopback:
        return None
    if ip in METADATA_IPS:
        return "metadata"
    if ip.is_link_local:
        return "link_local"
    if ip.is_multicast or ip.is_unspecified or ip.is_reserved:
        return "reserved"
    return None


def norm_host(host: str) -> str:
    return host.strip().strip("[]").rstrip(".").lower()


class HostPolicy:
    def __init__(self, base_url: str, allowed: Iterable[str] = (), *, resolver: Resolver | None = None) -> None:
        self.base_host = norm_host(urlsplit(base_url).hostname or "")
        self.explicit = {norm_host(h) for h in allowed if h}
        self.hosts = {self.base_host} | self.explicit
        self._resolver = resolver or system_resolver
        self._cache: dict[str, list[IP]] = {}

    def allow(self, host: str) -> None:
        self.hosts.add(norm_host(host))

    def is_allowed_name(self, host: str) -> bool:
        return norm_host(host) in self.hosts

    async def resolve(self, host: str) -> list[IP]:
        host = norm_host(host)
        if host not in self._cache:
            literal = _as_ip(host)
            if literal is not None:
                self._cache[host] = [literal]
            else:
                try:
                    addresses = await self._resolver(host)
                except (OSError, UnicodeError) as exc:
                    raise RefusedHost("unresolvable", host, str(exc)[:80]) from None
                self._cache[host] = [ip for ip in (_as_ip(a) for a in addresses) if ip is not None]
        return self._cache[host]

    async def check(self, url: str) -> list[IP]:
        """Raise :class:`RefusedHost` unless a probe may request ``url``; return the host's IPs."""
        parts = urlsplit(url)
        host = norm_host(parts.hostname or "")
        if parts.scheme not in ("http", "https") or not host:
            raise RefusedHost("scheme", url)
        if host in METADATA_HOSTS:
            raise RefusedHost("metadata", host)
        literal = _as_ip(host)
        if literal is not None and forbidden_ip(literal):
            raise RefusedHost(forbidden_ip(literal) or "reserved", host, str(literal))
        if host not in self.hosts:
            raise RefusedHost("host_not_allowed", host)
        ips = await self.resolve(host)
        if not ips:
            raise RefusedHost("unresolvable", host)
        for ip in ips:
            why = forbidden_ip(ip)
            if why:
                raise RefusedHost(why, host, str(ip))
        return ips

    async def load_allowed(self, url: str) -> bool:
        """Load only against loopback or a host the caller/operator named explicitly."""
        host = norm_host(urlsplit(url).hostname or "")
        if host in self.explicit:
            return True
        try:
            ips = await self.check(url)
        except RefusedHost:
            return False
        return all(ip.is_loopback for ip in ips)

    async def is_public(self, url: str) -> bool:
        """True when the host resolves to a global (internet-routable) address."""
        try:
            ips = await self.check(url)
        except RefusedHost:
            return False
        return any(ip.is_global for ip in ips)
