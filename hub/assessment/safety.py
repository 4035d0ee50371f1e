"""Where probes may go. Two layers, both checked on every URL (redirects included):

* **scope** — the host is the target's host or a host named for this run (``target.allowed_hosts``,
  ``ProbeLimits.allowed_hosts``, ``--allow-host``); a probe never wanders to a third host an answer points at;
* **network** — the process-wide network policy of :mod:`connectors.netpolicy`: loopback always; any other host
  or network only when the operator allowed it (``SIMPUL_PROBE_ALLOW``, ``probe_allow`` in the registry header);
  never a cloud metadata endpoint or a link-local address, whatever was allowed. The connections themselves go
  through :meth:`HostPolicy.transport`, which connects only to the addresses this check resolved (pinning).

Load (SCA-003) runs only against loopback or a host named for this run.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

import httpcore
import httpx

from connectors.netpolicy import (
    IP,
    METADATA_HOSTS,
    METADATA_IPS,
    AllowList,
    AllowListError,
    AsyncResolver,
    NetPolicy,
    NetworkRefused,
    default_policy,
    forbidden_ip,
    norm_host,
)

Resolver = AsyncResolver
RefusedHost = NetworkRefused  # one exception for "Simpul would not connect there": reason, host, ip

__all__ = ["IP", "METADATA_HOSTS", "METADATA_IPS", "HostPolicy", "RefusedHost", "Resolver", "forbidden_ip",
           "norm_host"]


def _allowable(entry: str) -> bool:
    try:
        AllowList.parse(entry)
    except AllowListError:
        return False
    return True


class HostPolicy:
    """The hosts of one assessment run, on top of the network policy."""

    def __init__(self, base_url: str, allowed: Iterable[str] = (), *, resolver: Resolver | None = None,
                 network: NetPolicy | None = None) -> None:
        self.base_host = norm_host(urlsplit(base_url).hostname or "")
        self.explicit = {norm_host(h) for h in allowed if h and norm_host(h)}
        self.hosts = {self.base_host} | self.explicit
        base = network or default_policy()
        # hosts named for this run are the caller's choice: allowed on the network too (except what can never be)
        extra = [h for h in sorted(self.explicit) if _allowable(h)]
        if resolver is not None:  # tests and benchmarks answer names themselves: a cache of their own
            self.network = NetPolicy(base.allow.merged(extra), resolver=resolver, cache_ttl_s=base.cache_ttl_s)
        else:
            self.network = base.extended(extra) if extra else base

    def allow(self, host: str) -> None:
        self.hosts.add(norm_host(host))

    def is_allowed_name(self, host: str) -> bool:
        return norm_host(host) in self.hosts

    async def resolve(self, host: str) -> list[IP]:
        return await self.network.addresses(host)

    async def check(self, url: str) -> list[IP]:
        """Raise :class:`RefusedHost` unless a probe may request ``url``; return the checked addresses."""
        host = self.network.check_url(url)
        if host in METADATA_HOSTS:
            raise RefusedHost("metadata", host)
        if host not in self.hosts:
            try:  # a forbidden address says so, whatever the scope
                self.network._before_dns(host)
            except RefusedHost as exc:
                if exc.reason != "not_allowed":
                    raise
            raise RefusedHost("host_not_allowed", host)
        return await self.network.addresses(host)

    def transport(self, *, verify: object = True, limits: httpx.Limits | None = None,
                  backend: httpcore.AsyncNetworkBackend | None = None) -> httpx.AsyncBaseTransport:
        """The pinned transport of this run (connections only to addresses :meth:`check` resolved)."""
        return self.network.transport(verify=verify, limits=limits, backend=backend)  # type: ignore[arg-type]

    async def load_allowed(self, url: str) -> bool:
        """Load only against loopback or a host named for this run."""
        host = norm_host(urlsplit(url).hostname or "")
        try:
            ips = await self.check(url)
        except RefusedHost:
            return False
        return host in self.explicit or all(ip.is_loopback for ip in ips)

    async def is_public(self, url: str) -> bool:
        """True when the host resolves to a global (internet-routable) address."""
        try:
            ips = await self.check(url)
        except RefusedHost:
            return False
        return any(ip.is_global for ip in ips)
