"""The hub's side of the network policy (:mod:`connectors.netpolicy`): where Simpul may connect besides loopback.

The process-wide policy allows what the operator allowed, from three places:

* ``SIMPUL_PROBE_ALLOW`` — hosts, ``*.domains`` and networks, separated by commas, spaces or new lines (or a JSON
  list);
* ``probe_allow`` in the registry file's header (stored at import by an admin);
* ``SIMPUL_ASSESS_ALLOWED_HOSTS`` — hosts named for the assessment (an API gateway), which the operator chose too.

:func:`install` is called by the CLI and the API at start; it applies the rules and re-reads the registry's part
every minute, so a new ``probe_allow`` reaches a long-running worker too. :func:`refresh` applies them now.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from connectors.netpolicy import (
    REGISTRY_FIELD,
    SETTING,
    AllowList,
    AllowListError,
    NetPolicy,
    default_policy,
    split_entries,
)
from hub.errors import BadRequest
from hub.logging import get_logger
from hub.settings import Settings, get_settings

log = get_logger("hub.network")
REFRESH_S = 60.0
ASSESS_SETTING = "SIMPUL_ASSESS_ALLOWED_HOSTS"


@dataclass(frozen=True)
class Entry:
    value: str
    source: str  # SIMPUL_PROBE_ALLOW, registry, SIMPUL_ASSESS_ALLOWED_HOSTS, --allow-host


def _env_entries(raw: str) -> list[str]:
    raw = (raw or "").strip()
    if raw.startswith("["):
        try:
            data = json.loads(raw)
        except ValueError:
            data = None
        if isinstance(data, list):
            return split_entries([str(v) for v in data])
    return split_entries(raw)


def _database_exists(url: str) -> bool:
    from pathlib import Path

    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return True
    name = parsed.database or ""
    return name in ("", ":memory:") or name.startswith("file:") or Path(name).expanduser().is_file()


def registry_entries(db: Any = None) -> list[str]:
    """``probe_allow`` of the registry header as stored; none when the database is not there (yet)."""
    from registry.header import probe_allow

    try:
        if db is None:
            from hub.services.registry_db import get_database

            if not _database_exists(get_settings().database_url):
                return []  # never create a registry just to read its header
            db = get_database()
        with db.session() as s:
            return probe_allow(s)
    except Exception as exc:  # no database, not migrated yet: only the settings apply
        log.debug("network_policy_registry_unavailable", error=type(exc).__name__)
        return []


def entries(settings: Settings | None = None, db: Any = None, *, extra: list[str] | None = None,
            with_registry: bool = True) -> list[Entry]:
    settings = settings or get_settings()
    out = [Entry(v, SETTING) for v in _env_entries(settings.probe_allow)]
    if with_registry:
        out += [Entry(v, f"registry:{REGISTRY_FIELD}") for v in registry_entries(db)]
    out += [Entry(v, ASSESS_SETTING) for v in split_entries(settings.assess_allowed_hosts)]
    out += [Entry(v, "--allow-host") for v in extra or []]
    return out


def allow_list(items: list[Entry]) -> AllowList:
    """The entries as one allow-list; a bad entry is a clear error naming it and where it came from."""
    for item in items:
        try:
            AllowList.parse(item.value)
        except AllowListError as exc:
            raise BadRequest("network.allow_invalid", entry=item.value[:200], source=item.source,
                             problem=exc.problem) from None
    return AllowList.parse([i.value for i in items])


def refresh(db: Any = None, *, extra: list[str] | None = None) -> NetPolicy:
    """Apply the operator's rules to the process-wide policy now (raises BadRequest on a bad entry)."""
    policy = default_policy()
    policy.set_allow(allow_list(entries(db=db, extra=extra)))
    return policy


def install(db: Any = None, *, extra: list[str] | None = None) -> NetPolicy:
    """Apply the settings now (a bad entry fails here, at start) and read the registry's ``probe_allow`` before
    the first connection, then every :data:`REFRESH_S` seconds (CLI and API start-up). Nothing touches the
    database until a connection is about to be made."""
    policy = default_policy()
    policy.set_allow(allow_list(entries(db=db, extra=extra, with_registry=False)))

    def again() -> None:
        policy.set_allow(allow_list(entries(db=db, extra=extra)))

    policy.set_refresher(again, REFRESH_S)
    policy.refresh_due()
    return policy


def describe(db: Any = None) -> dict[str, Any]:
    """What is allowed and why (CLI ``simpul network policy``, API ``GET /v1/network/policy``)."""
    items = entries(db=db)
    return {"loopback": True, "setting": SETTING, "registry_field": REGISTRY_FIELD,
            "always_refused": ["metadata", "link_local", "reserved", "scheme"],
            "entries": [{"entry": e.value, "source": e.source} for e in items]}
