"""The HTTP client of webhook deliveries: pinned and policy-checked like every outgoing connection of Simpul.

A subscriber's URL is connected to only where the network policy allows (loopback, ``SIMPUL_PROBE_ALLOW``, the
registry's ``probe_allow``; never metadata or link-local), each connection to the address that was checked.
Redirects are not followed: a webhook answers where it was registered. A refused delivery fails with the
policy's message (an ``httpx.ConnectError``), which names the setting to change.
"""

from __future__ import annotations

import httpx

from connectors.netpolicy import default_policy


def webhook_client(timeout_s: float) -> httpx.AsyncClient:
    return default_policy().async_client(timeout=httpx.Timeout(timeout_s), follow_redirects=False)
