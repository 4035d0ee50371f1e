"""Registry-wide settings that travel in the registry file's header, stored in ``registry_setting``.

``probe_allow``: hosts, ``*.domains`` and networks (CIDR) Simpul may contact besides loopback — the registry's
part of the network policy (``connectors.netpolicy``), added to the operator's ``SIMPUL_PROBE_ALLOW``. Every
change is kept in the registry history (entity ``setting``).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from registry import history
from registry.tables import SettingRow, utcnow

PROBE_ALLOW = "probe_allow"


def get_setting(s: Session, key: str) -> Any | None:
    row = s.get(SettingRow, key)
    return None if row is None else row.value


def set_setting(s: Session, key: str, value: Any, actor: str) -> str:
    """Store ``value``; ``created``, ``updated`` or ``unchanged`` (a change is written to the history)."""
    row = s.get(SettingRow, key)
    if row is not None and row.value == value:
        return "unchanged"
    old = None if row is None else row.value
    if row is None:
        s.add(SettingRow(key=key, value=value, updated_at=utcnow(), updated_by=actor))
    else:
        row.value, row.updated_at, row.updated_by = value, utcnow(), actor
    history.record(s, "setting", key, "create" if old is None else "update", actor,
                   [{"field": key, "old": old, "new": value}])
    return "created" if old is None else "updated"


def probe_allow(s: Session) -> list[str]:
    value = get_setting(s, PROBE_ALLOW)
    return [str(v) for v in value] if isinstance(value, list) else []
