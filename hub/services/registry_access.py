"""Who is calling (a :class:`Principal`) and what its role may do (``registry/data/roles.yaml``)."""

from __future__ import annotations

import getpass
from dataclasses import dataclass

from hub.errors import Forbidden
from registry.vocab import role_allows

SCOPED_ROLES = ("opd", "operator")  # roles whose principal may be bound to one OPD (registry/data/roles.yaml)
FEDERATION_READ = "federation:read"  # a provincial Simpul reading this one (roles.yaml, docs/federation.md)


@dataclass(frozen=True)
class Principal:
    """The identity behind a request: an API key, a signed-in web account, or the local CLI (trusted, as admin)."""

    actor: str  # written to the change history: "key:<name>#<id>", "user:<username>#<id>" or "cli:<os user>"
    role: str
    name: str
    key_id: int | None = None
    user_id: int | None = None
    kode_pemda: str | None = None
    kode_opd: str | None = None
    scopes_version: int = 0  # of the API key at authentication: the scope cache's freshness check

    @classmethod
    def cli(cls) -> Principal:
        try:
            user = getpass.getuser()
        except (KeyError, OSError):  # no user name in containers without /etc/passwd entries
            user = "unknown"
        return cls(actor=f"cli:{user}", role="admin", name=f"cli:{user}")

    def can(self, action: str) -> bool:
        return role_allows(self.role, action)

    def require(self, action: str) -> None:
        if not self.can(action):
            raise Forbidden(role=self.role, action=action, extra={"role": self.role, "action": action})

    def require_any(self, *actions: str) -> None:
        """403 unless the role may do at least one of ``actions`` (e.g. ``registry:read`` or ``federation:read``)."""
        if not any(self.can(a) for a in actions):
            action = " | ".join(actions)
            raise Forbidden(role=self.role, action=action, extra={"role": self.role, "action": action})

    @property
    def opd_scope(self) -> tuple[str, str] | None:
        """(kode_pemda, kode_opd) for a key of role opd or an operator account bound to one OPD; None when the
        principal is not bound to one OPD."""
        if self.role in SCOPED_ROLES and self.kode_pemda and self.kode_opd:
            return (self.kode_pemda, self.kode_opd)
        return None

    def owns(self, kode_pemda: str, kode_opd: str) -> bool:
        """May this principal change applications of that OPD?"""
        if not self.can("registry:write"):
            return False
        if self.role == "opd" or self.opd_scope is not None:
            return self.opd_scope == (kode_pemda, kode_opd)
        return True
