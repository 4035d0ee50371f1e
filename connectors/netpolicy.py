"""Where Simpul may open a network connection, and connections pinned to the address that was checked.

Every outgoing HTTP request of Simpul (connectors, assessment probes, ``simpul conformance``, webhooks, OAuth2
token requests) goes through a client made here. The rules, in order:

1. only ``http`` and ``https``;
2. never a cloud metadata endpoint (169.254.169.254, fd00:ec2::254, 100.100.100.200, 169.254.170.2,
   metadata.google.internal …), a link-local address (169.254.0.0/16, fe80::/10), or an unspecified, multicast
   or reserved address — whatever the allow-list says, and also when such an address hides in an IPv4-mapped,
   NAT64 or 6to4 IPv6 address;
3. loopback (127.0.0.0/8, ::1, and the names ``localhost`` / ``*.localhost``, answered without DNS) is always
   allowed;
4. any other host or network only when the operator allowed it (``SIMPUL_PROBE_ALLOW``, or ``probe_allow`` in the
   registry file's header): host names (``simpeg.kotablitar.go.id``), wildcard domains (``*.kotablitar.go.id``:
   every name below that domain) and networks (``10.20.0.0/16``, ``192.0.2.7``). A name that no entry allows is
   refused *before* it is resolved, so a refused name never causes a DNS query.

Pinning: the name is resolved once (the answer is cached for ``cache_ttl_s``), every address of the answer is
checked, and the TCP connection goes to exactly one of the checked addresses. TLS still verifies the certificate
for the *name* and sends it as SNI, and the ``Host`` header is the name: the check is done in an
``httpcore`` network backend, under httpx's own connection handling. So a DNS answer that changes between the
check and the connection (DNS rebinding) cannot move the connection elsewhere, and every redirect hop, being a
new connection, passes the same check.

Use::

    policy = default_policy()                     # the process-wide policy (the hub configures it)
    client = policy.async_client(timeout=10)      # an httpx.AsyncClient whose every connection is checked
    transport = policy.transport()                # or only the transport, for a client built elsewhere
    await policy.check("https://simpeg.kotablitar.go.id/api")   # -> the checked addresses, or NetworkRefused
"""

from __future__ import annotations

import asyncio
import ipaddress
import re
import socket
import ssl
import threading
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpcore
import httpx

from connectors.errors import FatalError
from connectors.masking import get_logger

log = get_logger("netpolicy")

IP = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
AsyncResolver = Callable[[str], Awaitable[list[str]]]
SETTING = "SIMPUL_PROBE_ALLOW"
REGISTRY_FIELD = "probe_allow"
SCHEMES = ("http", "https")
MAX_ADDRESSES = 4  # addresses of one answer tried in turn when a connection fails

METADATA_HOSTS = frozenset({"metadata.google.internal", "metadata", "metadata.internal", "instance-data",
                            "instance-data.ec2.internal", "metadata.azure.com", "metadata.packet.net"})
METADATA_IPS = frozenset(ipaddress.ip_address(a) for a in (
    "169.254.169.254",  # AWS, GCP, Azure, OpenStack, DigitalOcean, Oracle
    "169.254.170.2",    # AWS ECS task credentials
    "fd00:ec2::254",    # AWS IPv6
    "100.100.100.200",  # Alibaba Cloud (inside 100.64.0.0/10, so not caught as link-local)
))
LOOPBACK_ANSWER: tuple[IP, ...] = (ipaddress.ip_address("127.0.0.1"), ipaddress.ip_address("::1"))
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


class NetworkRefused(FatalError, httpx.ConnectError):
    """Simpul refused to open a connection (never sent, never retried).

    ``reason``: ``scheme``, ``metadata``, ``link_local``, ``reserved``, ``not_allowed`` or ``unresolvable``.
    It is an ``httpx.ConnectError`` too, so code that only knows httpx still stops on it; code that reports
    results must catch it first and show its message (``.messages()``), which names the setting to change.
    """

    key = "net.refused.not_allowed"

    def __init__(self, reason: str, host: str, ip: str | None = None) -> None:
        self.reason, self.host, self.ip = reason, host, ip
        where = host + (f" ({ip})" if ip and ip != host else "")
        super().__init__(f"net.refused.{reason}", host=where, setting=SETTING, field=REGISTRY_FIELD)


class AllowListError(ValueError):
    """One entry of an allow-list cannot be read (``entry``, ``problem`` — a key of the connector messages)."""

    def __init__(self, entry: str, problem: str) -> None:
        self.entry, self.problem = entry, problem
        super().__init__(f"{entry!r}: {problem}")


# -- addresses ---------------------------------------------------------------------------------------------------
def as_ip(text: str) -> IP | None:
    """``text`` as an IP address (brackets and a zone id allowed), IPv4-mapped IPv6 unwrapped; else ``None``."""
    try:
        ip = ipaddress.ip_address(text.strip().strip("[]").split("%", 1)[0])
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    return ip


def _embedded_ipv4(ip: IP) -> ipaddress.IPv4Address | None:
    if not isinstance(ip, ipaddress.IPv6Address):
        return None
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return ip.sixtofour


def forbidden_ip(ip: IP) -> str | None:
    """Why no connection may ever go to ``ip`` (``metadata``, ``link_local``, ``reserved``), or ``None``."""
    inner = _embedded_ipv4(ip)
    if inner is not None and forbidden_ip(inner):
        return forbidden_ip(inner)
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
    """Lower case, no brackets, no trailing dot; an internationalised name in its ASCII (IDNA) form."""
    host = host.strip().strip("[]").rstrip(".").lower()
    if host and not host.isascii():
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError:
            return host
    return host


def is_loopback_name(host: str) -> bool:
    """``localhost`` and every name below it (RFC 6761 §6.3): loopback without asking DNS."""
    return host == "localhost" or host.endswith(".localhost")


# -- the allow-list ----------------------------------------------------------------------------------------------
def split_entries(value: str | Iterable[str] | None) -> list[str]:
    """``"a.go.id, *.b.go.id 10.0.0.0/8"`` (commas, spaces or new lines) or a list → the entries."""
    if value is None:
        return []
    items = [value] if isinstance(value, str) else list(value)
    return [part for item in items for part in re.split(r"[\s,;]+", str(item)) if part]


def _valid_name(name: str) -> bool:
    return bool(name) and len(name) <= 253 and all(_LABEL.match(label) for label in name.split("."))


@dataclass(frozen=True)
class AllowList:
    """Hosts, wildcard domains and networks the operator allowed (loopback needs no entry)."""

    entries: tuple[str, ...] = ()
    hosts: frozenset[str] = frozenset()
    domains: tuple[str, ...] = ()  # ".kotablitar.go.id" for "*.kotablitar.go.id"
    networks: tuple[Network, ...] = ()

    @classmethod
    def parse(cls, value: str | Iterable[str] | None) -> AllowList:
        """Read entries; raise :class:`AllowListError` naming the first entry that cannot be read."""
        entries: list[str] = []
        hosts: set[str] = set()
        domains: list[str] = []
        networks: list[Network] = []
        for raw in split_entries(value):
            entry = raw.strip()
            if "://" in entry or entry.startswith("/"):
                raise AllowListError(raw, "net.allow.url")
            if "/" in entry or as_ip(entry) is not None:
                networks.append(cls._network(raw, entry))
                entries.append(str(networks[-1]) if "/" in entry else str(as_ip(entry)))
                continue
            if ":" in entry:
                raise AllowListError(raw, "net.allow.port")
            if entry.startswith("*."):
                name = norm_host(entry[2:])
                if not _valid_name(name):
                    raise AllowListError(raw, "net.allow.wildcard")
                domains.append("." + name)
                entries.append("*." + name)
                continue
            name = norm_host(entry)
            if "*" in name or not _valid_name(name):
                raise AllowListError(raw, "net.allow.name")
            if name in METADATA_HOSTS:
                raise AllowListError(raw, "net.allow.never")
            hosts.add(name)
            entries.append(name)
        return cls(tuple(dict.fromkeys(entries)), frozenset(hosts), tuple(dict.fromkeys(domains)), tuple(networks))

    @staticmethod
    def _network(raw: str, entry: str) -> Network:
        try:
            network = ipaddress.ip_network(entry.strip("[]"), strict=False)
        except ValueError:
            raise AllowListError(raw, "net.allow.network") from None
        first = as_ip(str(network.network_address)) or network.network_address
        if network.num_addresses <= 256 * 256 and forbidden_ip(first) and forbidden_ip(
                as_ip(str(network.broadcast_address)) or network.broadcast_address):
            raise AllowListError(raw, "net.allow.never")
        return network

    def merged(self, other: str | Iterable[str] | AllowList | None) -> AllowList:
        extra = other if isinstance(other, AllowList) else AllowList.parse(other)
        return AllowList.parse([*self.entries, *extra.entries])

    def name_allowed(self, host: str) -> bool:
        return host in self.hosts or any(host.endswith(d) for d in self.domains)

    def ip_allowed(self, ip: IP) -> bool:
        return any(ip.version == n.version and ip in n for n in self.networks)

    def __bool__(self) -> bool:
        return bool(self.entries)


# -- the policy --------------------------------------------------------------------------------------------------
async def system_resolver(host: str) -> list[str]:
    loop = asyncio.get_running_loop()
    infos = await loop.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]).split("%", 1)[0] for info in infos))


class NetPolicy:
    """The rules above, with one DNS cache (``cache_ttl_s``) shared by the checks and the connections."""

    def __init__(self, allow: str | Iterable[str] | AllowList | None = None, *,
                 resolver: AsyncResolver | None = None, cache_ttl_s: float = 60.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.allow = allow if isinstance(allow, AllowList) else AllowList.parse(allow)
        self.resolver = resolver or system_resolver
        self.cache_ttl_s = cache_ttl_s
        self._clock = clock
        self._cache: dict[str, tuple[float, list[IP]]] = {}
        self._lock = threading.Lock()
        self._refresher: Callable[[], None] | None = None
        self._refresh_every_s = 60.0
        self._refreshed_at = 0.0

    # configuration
    def set_allow(self, allow: str | Iterable[str] | AllowList | None) -> None:
        """Replace the allow-list (e.g. after the registry header changed); forget cached answers if it changed."""
        new = allow if isinstance(allow, AllowList) else AllowList.parse(allow)
        if new == self.allow:
            return
        self.allow = new
        with self._lock:
            self._cache.clear()

    def set_refresher(self, refresher: Callable[[], None] | None, every_s: float = 60.0) -> None:
        """Call ``refresher`` (which calls :meth:`set_allow`) before a decision when ``every_s`` have passed:
        how a change stored elsewhere (the registry header) reaches a long-running process."""
        self._refresher, self._refresh_every_s, self._refreshed_at = refresher, every_s, self._clock()

    def refresh_due(self) -> None:
        """Let the next decision call the refresher (e.g. right after start-up, or after an import)."""
        self._refreshed_at = float("-inf")

    def _maybe_refresh(self) -> None:
        if self._refresher is None or self._clock() - self._refreshed_at < self._refresh_every_s:
            return
        self._refreshed_at = self._clock()
        try:
            self._refresher()
        except Exception as exc:  # keep the rules we have; never let a refresh failure open anything
            log.warning("network policy refresh failed, keeping the current rules: %s", type(exc).__name__)

    def extended(self, extra: str | Iterable[str] | AllowList | None) -> NetPolicy:
        """A policy that also allows ``extra`` (e.g. ``--allow-host``), sharing this one's resolver and cache."""
        other = NetPolicy(self.allow.merged(extra), resolver=self.resolver, cache_ttl_s=self.cache_ttl_s,
                          clock=self._clock)
        other._cache, other._lock = self._cache, self._lock
        return other

    def describe(self) -> dict[str, Any]:
        return {"loopback": True, "allow": list(self.allow.entries), "setting": SETTING,
                "registry_field": REGISTRY_FIELD}

    # decisions
    def check_url(self, url: str) -> str:
        """The URL's host, after the checks that need no DNS (scheme, metadata names, forbidden literals)."""
        parts = urlsplit(url)
        host = norm_host(parts.hostname or "")
        if parts.scheme.lower() not in SCHEMES or not host:
            raise NetworkRefused("scheme", url.split("?", 1)[0][:120])
        return host

    def _before_dns(self, host: str) -> list[IP] | None:
        """The answer when no DNS is needed; ``None`` when the name must be resolved; raises when refused."""
        host = norm_host(host)
        if host in METADATA_HOSTS:
            raise NetworkRefused("metadata", host)
        literal = as_ip(host)
        if literal is not None:
            why = forbidden_ip(literal)
            if why:
                raise NetworkRefused(why, host, str(literal))
            if literal.is_loopback or self.allow.ip_allowed(literal):
                return [literal]
            raise NetworkRefused("not_allowed", host)
        if is_loopback_name(host):
            return list(LOOPBACK_ANSWER)
        if not self.allow.name_allowed(host) and not self.allow.networks:
            raise NetworkRefused("not_allowed", host)
        return None

    def _after_dns(self, host: str, answer: Sequence[IP]) -> list[IP]:
        if not answer:
            raise NetworkRefused("unresolvable", host)
        for ip in answer:
            why = forbidden_ip(ip)
            if why:  # one bad address in an answer makes the whole name suspect
                raise NetworkRefused(why, host, str(ip))
        if self.allow.name_allowed(host):
            return list(answer)
        usable = [ip for ip in answer if ip.is_loopback or self.allow.ip_allowed(ip)]
        if not usable:
            raise NetworkRefused("not_allowed", host, str(answer[0]))
        return usable

    def _cached(self, host: str) -> list[IP] | None:
        with self._lock:
            hit = self._cache.get(host)
        if hit is not None and hit[0] > self._clock():
            return hit[1]
        return None

    def _remember(self, host: str, answer: list[IP]) -> None:
        if self.cache_ttl_s > 0:
            with self._lock:
                if len(self._cache) > 4096:
                    self._cache.clear()
                self._cache[host] = (self._clock() + self.cache_ttl_s, answer)

    async def addresses(self, host: str) -> list[IP]:
        """The checked addresses a connection to ``host`` may use (resolved at most once per ``cache_ttl_s``)."""
        host = norm_host(host)
        self._maybe_refresh()
        fixed = self._before_dns(host)
        if fixed is not None:
            return fixed
        answer = self._cached(host)
        if answer is None:
            try:
                raw = await self.resolver(host)
            except (OSError, UnicodeError) as exc:
                raise NetworkRefused("unresolvable", host, type(exc).__name__) from None
            answer = [ip for ip in (as_ip(a) for a in raw) if ip is not None]
            self._remember(host, answer)
        return self._after_dns(host, answer)

    async def check(self, url: str) -> list[IP]:
        """Raise :class:`NetworkRefused` unless Simpul may connect to ``url``; return the checked addresses."""
        return await self.addresses(self.check_url(url))

    def permits_without_dns(self, url: str) -> bool:
        """True when ``url`` is allowed by address or name alone (no resolution needed to say yes)."""
        try:
            host = self.check_url(url)
            return self._before_dns(host) is not None or self.allow.name_allowed(host)
        except NetworkRefused:
            return False

    # clients
    def transport(self, *, verify: ssl.SSLContext | bool = True, limits: httpx.Limits | None = None,
                  http2: bool = False, backend: httpcore.AsyncNetworkBackend | None = None) -> PinnedTransport:
        return PinnedTransport(self, verify=verify, limits=limits, http2=http2, backend=backend)

    def async_client(self, *, verify: ssl.SSLContext | bool = True, limits: httpx.Limits | None = None,
                     backend: httpcore.AsyncNetworkBackend | None = None, **kwargs: Any) -> httpx.AsyncClient:
        """An ``httpx.AsyncClient`` whose every connection (redirects included) is checked and pinned.

        Environment proxies are not used (``trust_env=False``): a proxy would connect where the policy cannot see.
        """
        kwargs.setdefault("timeout", httpx.Timeout(30.0, connect=5.0))
        return httpx.AsyncClient(transport=self.transport(verify=verify, limits=limits, backend=backend),
                                 trust_env=False, **kwargs)


# -- pinning -----------------------------------------------------------------------------------------------------
class PinnedBackend(httpcore.AsyncNetworkBackend):
    """Resolves through the policy, connects to a checked address; TLS (started later by httpcore) keeps the name."""

    def __init__(self, policy: NetPolicy, inner: httpcore.AsyncNetworkBackend | None = None) -> None:
        self.policy = policy
        self.inner = inner or httpcore.AnyIOBackend()

    async def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                          local_address: str | None = None,
                          socket_options: Iterable[Any] | None = None) -> httpcore.AsyncNetworkStream:
        try:
            addresses = await self.policy.addresses(host)
        except NetworkRefused as exc:
            log.warning("connection refused by the network policy: %s (%s)", exc.host, exc.reason)
            raise
        last: Exception | None = None
        for ip in addresses[:MAX_ADDRESSES]:
            try:
                return await self.inner.connect_tcp(str(ip), port, timeout=timeout, local_address=local_address,
                                                    socket_options=socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last = exc
        if last is None:  # resolution gave no address at all
            raise httpcore.ConnectError(f"no address to connect to for {host}")
        raise last

    async def connect_unix_socket(self, path: str, timeout: float | None = None,
                                  socket_options: Iterable[Any] | None = None) -> httpcore.AsyncNetworkStream:
        raise NetworkRefused("scheme", "unix:" + path)

    async def sleep(self, seconds: float) -> None:
        await self.inner.sleep(seconds)


class PinnedTransport(httpx.AsyncHTTPTransport):
    """httpx's own transport (request mapping, errors, pooling) over a :class:`PinnedBackend`.

    httpx has no public way to hand its connection pool a network backend, so the pool it built is replaced by
    one with the same settings and the pinned backend (docs/adr/0007-pinned-connections.md).
    """

    def __init__(self, policy: NetPolicy, *, verify: ssl.SSLContext | bool = True, limits: httpx.Limits | None = None,
                 http2: bool = False, backend: httpcore.AsyncNetworkBackend | None = None) -> None:
        context = verify if isinstance(verify, ssl.SSLContext) else httpx.create_ssl_context(verify=verify,
                                                                                              trust_env=False)
        limits = limits or httpx.Limits(max_connections=100, max_keepalive_connections=20)
        super().__init__(verify=context, trust_env=False, limits=limits, http2=http2)
        self.policy = policy
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=context, max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections, keepalive_expiry=limits.keepalive_expiry,
            http1=True, http2=http2, network_backend=PinnedBackend(policy, backend))

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.scheme not in SCHEMES:
            raise NetworkRefused("scheme", str(request.url.copy_with(query=None))[:120])
        return await super().handle_async_request(request)


# -- the process-wide policy -------------------------------------------------------------------------------------
_DEFAULT = NetPolicy()


def default_policy() -> NetPolicy:
    """The policy of this process; the hub sets its allow-list from ``SIMPUL_PROBE_ALLOW`` and the registry."""
    return _DEFAULT


def configure(allow: str | Iterable[str] | AllowList | None = None, *,
              resolver: AsyncResolver | None = None) -> NetPolicy:
    """Set the allow-list (and, for tests, the resolver) of the process-wide policy, in place: every client made
    from it, also those made earlier, follows the new rules."""
    if resolver is not None:
        _DEFAULT.resolver = resolver
    _DEFAULT.set_allow(allow)
    return _DEFAULT


def reset() -> NetPolicy:
    """Back to loopback only, the system resolver, no refresher (tests)."""
    _DEFAULT.resolver = system_resolver
    _DEFAULT.set_refresher(None)
    _DEFAULT.set_allow(None)
    with _DEFAULT._lock:
        _DEFAULT._cache.clear()
    return _DEFAULT
