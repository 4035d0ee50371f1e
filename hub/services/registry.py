"""The registry service: roles and OPD scope enforced, ETag preconditions, change history with the caller's
identity, registry errors mapped to hub errors. The API and the CLI both go through it.

    service = RegistryService(get_database(), principal, lang="en")
    page = service.list_applications(ApplicationFilter(area=["keuangan"]), limit=20)
    app = service.patch_application("e-planning", {"status": "retired"}, if_match='"r3"')
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from hub.errors import Forbidden, RequestInvalid
from hub.services.registry_access import FEDERATION_READ, Principal
from hub.services.registry_errors import PreconditionRequired, error_items, etag, mapped
from registry import io as rio
from registry import repository as repo
from registry.convert import input_of
from registry.db import Database
from registry.errors import InvalidData, field_errors_from_pydantic
from registry.models import Application, ApplicationIn, Change, Opd, OpdIn, Page, Pemda, PemdaIn
from registry.repository import ApplicationFilter, ApplicationPage

__all__ = ["ApplicationFilter", "ImportResult", "Principal", "RegistryService", "etag", "find_application",
           "parse_if_match"]


def parse_if_match(header: str | None, required: bool) -> set[int] | None:
    """Revisions an If-Match header accepts; None = any (``*`` or no header when not required)."""
    if header is None or not header.strip():
        if required:
            raise PreconditionRequired()
        return None
    if header.strip() == "*":
        return None
    accepted: set[int] = set()
    for part in header.split(","):
        tag = part.strip()
        if tag.startswith("W/"):
            continue  # weak tags never match for If-Match (RFC 9110 §13.1.1)
        tag = tag.strip('"')
        if tag.startswith("r") and tag[1:].isascii() and tag[1:].isdigit() and len(tag) < 12:
            accepted.add(int(tag[1:]))
    return accepted or {-1}


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7396 JSON merge patch."""
    if not isinstance(patch, dict):
        return patch
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


@dataclass
class ImportResult:
    report: rio.ImportReport
    errors: list[dict[str, Any]]


class RegistryService:
    def __init__(self, db: Database, principal: Principal, lang: str = "id", *, require_if_match: bool = True):
        self.db = db
        self.principal = principal
        self.lang = lang
        self.require_if_match = require_if_match

    # --- helpers -----------------------------------------------------------------------------------------

    def _expected(self, if_match: str | None, stored: int) -> int | None:
        accepted = parse_if_match(if_match, self.require_if_match)
        if accepted is None:
            return None
        return stored if stored in accepted else min(accepted)

    def _check_owner(self, app_id: str, kode_pemda: str, kode_opd: str) -> None:
        if not self.principal.owns(kode_pemda, kode_opd):
            scope = self.principal.opd_scope
            if scope is None:
                self.principal.require("registry:write")
            raise Forbidden("registry.forbidden_opd", opd=scope[1] if scope else "-", app=app_id, owner=kode_opd,
                            extra={"opd": scope[1] if scope else None, "owner": kode_opd})

    def _audit(self, s: Any, action: str, entity: str, entity_id: str, details: dict[str, Any] | None = None) -> None:
        """Every registry write also enters the hash-chained audit log, in the same transaction."""
        from hub.exchange import audit

        audit.append(s, self.principal.actor, action, entity, entity_id, details)

    def present(self, app: Application) -> Application:
        """Contact e-mail and phone are personal data: shown only to those who may change the application."""
        if app.contact and not self.principal.owns(app.kode_pemda, app.kode_opd):
            contact = app.contact.model_copy(update={"email": None, "phone": None})
            return app.model_copy(update={"contact": contact})
        return app

    def _validate_app(self, data: dict[str, Any]) -> ApplicationIn:
        try:
            return ApplicationIn.model_validate(data)
        except ValidationError as exc:
            raise InvalidData(field_errors_from_pydantic(exc)) from exc

    # --- Pemda -------------------------------------------------------------------------------------------

    def list_pemda(self, *, q: str | None = None, level: str | None = None, limit: int | None = None,
                   cursor: str | None = None) -> Page[Pemda]:
        self.principal.require_any("registry:read", FEDERATION_READ)
        with mapped(self.lang), self.db.session() as s:
            return repo.list_pemda(s, q=q, level=level, limit=limit, cursor=cursor)

    def get_pemda(self, kode: str) -> Pemda:
        self.principal.require_any("registry:read", FEDERATION_READ)
        with mapped(self.lang), self.db.session() as s:
            return repo.get_pemda(s, kode)

    def create_pemda(self, data: PemdaIn) -> Pemda:
        self.principal.require("registry:admin")
        with mapped(self.lang), self.db.session() as s:
            created = repo.create_pemda(s, data, self.principal.actor)
            self._audit(s, "registry.pemda.create", "pemda", data.kode)
            return created

    def update_pemda(self, kode: str, data: PemdaIn, if_match: str | None) -> Pemda:
        self.principal.require("registry:admin")
        with mapped(self.lang), self.db.session() as s:
            expected = self._expected(if_match, repo.get_pemda(s, kode).revision)
            updated = repo.update_pemda(s, kode, data, self.principal.actor, expected)
            self._audit(s, "registry.pemda.update", "pemda", kode)
            return updated

    def delete_pemda(self, kode: str, if_match: str | None) -> None:
        self.principal.require("registry:admin")
        with mapped(self.lang), self.db.session() as s:
            expected = self._expected(if_match, repo.get_pemda(s, kode).revision)
            repo.delete_pemda(s, kode, self.principal.actor, expected)
            self._audit(s, "registry.pemda.delete", "pemda", kode)

    # --- OPD ---------------------------------------------------------------------------------------------

    def list_opd(self, *, kode_pemda: str | None = None, q: str | None = None, limit: int | None = None,
                 cursor: str | None = None) -> Page[Opd]:
        self.principal.require_any("registry:read", FEDERATION_READ)
        with mapped(self.lang), self.db.session() as s:
            return repo.list_opd(s, kode_pemda=kode_pemda, q=q, limit=limit, cursor=cursor)

    def get_opd(self, kode_pemda: str, kode: str) -> Opd:
        self.principal.require("registry:read")
        with mapped(self.lang), self.db.session() as s:
            return repo.get_opd(s, kode_pemda, kode)

    def create_opd(self, data: OpdIn) -> Opd:
        self.principal.require("registry:admin")
        with mapped(self.lang), self.db.session() as s:
            created = repo.create_opd(s, data, self.principal.actor)
            self._audit(s, "registry.opd.create", "opd", f"{data.kode_pemda}/{data.kode}")
            return created

    def update_opd(self, kode_pemda: str, kode: str, data: OpdIn, if_match: str | None) -> Opd:
        self.principal.require("registry:admin")
        with mapped(self.lang), self.db.session() as s:
            expected = self._expected(if_match, repo.get_opd(s, kode_pemda, kode).revision)
            updated = repo.update_opd(s, kode_pemda, kode, data, self.principal.actor, expected)
            self._audit(s, "registry.opd.update", "opd", f"{kode_pemda}/{kode}")
            return updated

    def delete_opd(self, kode_pemda: str, kode: str, if_match: str | None) -> None:
        self.principal.require("registry:admin")
        with mapped(self.lang), self.db.session() as s:
            expected = self._expected(if_match, repo.get_opd(s, kode_pemda, kode).revision)
            repo.delete_opd(s, kode_pemda, kode, self.principal.actor, expected)
            self._audit(s, "registry.opd.delete", "opd", f"{kode_pemda}/{kode}")

    # --- applications ------------------------------------------------------------------------------------

    def list_applications(self, filters: ApplicationFilter | None = None, *, sort: str = "name",
                          limit: int | None = None, cursor: str | None = None) -> Page[Application]:
        self.principal.require_any("registry:read", FEDERATION_READ)
        with mapped(self.lang), self.db.session() as s:
            page = repo.list_applications(s, filters, sort=sort, limit=limit, cursor=cursor)
        return ApplicationPage(items=[self.present(a) for a in page.items], next_cursor=page.next_cursor)

    def count_applications(self, filters: ApplicationFilter | None = None) -> int:
        self.principal.require("registry:read")
        with mapped(self.lang), self.db.session() as s:
            return repo.count_applications(s, filters)

    def get_application(self, app_id: str) -> Application:
        self.principal.require_any("registry:read", FEDERATION_READ)
        with mapped(self.lang), self.db.session() as s:
            return self.present(repo.get_application(s, app_id))

    def create_application(self, data: ApplicationIn) -> Application:
        self.principal.require("registry:write")
        self._check_owner(data.id, data.kode_pemda, data.kode_opd)
        with mapped(self.lang), self.db.session() as s:
            created = repo.create_application(s, data, self.principal.actor)
            self._audit(s, "registry.application.create", "application", data.id)
            return created

    def replace_application(self, app_id: str, data: ApplicationIn, if_match: str | None) -> Application:
        self.principal.require("registry:write")
        with mapped(self.lang), self.db.session() as s:
            current = repo.get_application(s, app_id)
            self._check_owner(app_id, current.kode_pemda, current.kode_opd)
            self._check_owner(app_id, data.kode_pemda, data.kode_opd)
            expected = self._expected(if_match, current.revision)
            updated = repo.update_application(s, app_id, data, self.principal.actor, expected)
            self._audit(s, "registry.application.replace", "application", app_id)
            return updated

    def patch_application(self, app_id: str, patch: dict[str, Any], if_match: str | None) -> Application:
        """JSON merge patch (RFC 7396) on the writable fields; every bad field is reported at once."""
        self.principal.require("registry:write")
        with mapped(self.lang), self.db.session() as s:
            current = repo.get_application(s, app_id)
            self._check_owner(app_id, current.kode_pemda, current.kode_opd)
            expected = self._expected(if_match, current.revision)
            merged = merge_patch(input_of(current).model_dump(mode="json"), patch)
            data = self._validate_app(merged)
            self._check_owner(app_id, data.kode_pemda, data.kode_opd)
            updated = repo.update_application(s, app_id, data, self.principal.actor, expected)
            self._audit(s, "registry.application.patch", "application", app_id, {"fields": sorted(patch)})
            return updated

    def delete_application(self, app_id: str, if_match: str | None) -> None:
        self.principal.require("registry:write")
        with mapped(self.lang), self.db.session() as s:
            current = repo.get_application(s, app_id)
            self._check_owner(app_id, current.kode_pemda, current.kode_opd)
            expected = self._expected(if_match, current.revision)
            repo.delete_application(s, app_id, self.principal.actor, expected)
            self._audit(s, "registry.application.delete", "application", app_id)

    def history(self, entity: str, entity_id: str, *, limit: int = 100, before: int | None = None) -> list[Change]:
        """Change history, newest first. The record itself may be gone: its history stays."""
        self.principal.require("registry:read")
        with mapped(self.lang), self.db.session() as s:
            items = repo.history(s, entity, entity_id, limit=limit, before=before)
            if not items and before is None and entity == "application":
                repo.get_application(s, entity_id)  # 404 (with suggestions) for an id that never existed
            elif not items and before is None and entity == "pemda":
                repo.get_pemda(s, entity_id)
            return items

    def summary(self, kode_pemda: str | None = None) -> dict[str, Any]:
        self.principal.require("registry:read")
        with mapped(self.lang), self.db.session() as s:
            return repo.summary(s, kode_pemda)

    # --- import / export ---------------------------------------------------------------------------------

    def import_file(self, content: bytes, *, filename: str = "", content_type: str = "", fmt: str | None = None,
                    dry_run: bool = False, base_dir: Path | None = None) -> ImportResult:
        """Import YAML/CSV/XLSX. Invalid → RequestInvalid naming every bad row (unless a dry run). ``base_dir``
        (the file's folder, when it was read from disk) anchors relative ``openapi_file`` paths of connectors."""
        self.principal.require("registry:import")
        if not content.strip():
            raise RequestInvalid("registry.import.empty", extra={"errors": []})
        scope = rio.Scope(*self.principal.opd_scope) if self.principal.opd_scope else None
        with mapped(self.lang):
            fmt = fmt or rio.detect_format(content, filename, content_type)
            batch = rio.read(content, fmt, filename)
            if base_dir is not None:
                anchor_openapi_files(batch, base_dir)
            with self.db.session() as s:
                report = rio.import_batch(s, batch, self.principal.actor, dry_run=dry_run, scope=scope)
                if not dry_run and not report.errors:
                    self._audit(s, "registry.import", "registry", filename or fmt, {"format": fmt})
        if not dry_run and not report.errors and "probe_allow" in batch.header:
            from hub.services import network

            network.refresh(self.db)  # the new probe_allow applies at once in this process (others within a minute)
        items = error_items(report.errors, self.lang)
        if items and not dry_run:
            raise RequestInvalid("registry.import.rejected", count=len(items),
                                 extra={"errors": items, "rows": report.rows})
        return ImportResult(report=report, errors=items)

    def export(self, fmt: str, entity: str = "applications", filters: ApplicationFilter | None = None) -> bytes:
        self.principal.require("registry:export")
        with mapped(self.lang), self.db.session() as s:
            return rio.export(s, fmt, entity, filters, redact_contacts=self.principal.role != "admin",
                              with_settings=self.principal.role == "admin")


def anchor_openapi_files(batch: Any, base_dir: Path) -> None:
    """Relative ``openapi_file`` paths of the applications' connectors → absolute, against the registry file's
    folder (docs/registry.md): the assessment reads the file later, from wherever it runs."""
    for record in batch.of("applications") if hasattr(batch, "of") else []:
        config = ((record.data.get("integration") or {}).get("connector") or {}).get("config") \
            if isinstance(record.data.get("integration"), dict) else None
        if isinstance(config, dict):
            value = config.get("openapi_file")
            if isinstance(value, str) and value and not value.lower().startswith(("file:", "http:", "https:")) \
                    and not Path(value).is_absolute():
                config["openapi_file"] = str((base_dir / value).resolve())


def find_application(app_id: str, db: Database | None = None) -> Application | None:
    """The application ``app_id`` for the hub's own trusted jobs (connectors, sync), or None when unknown.

    Wire it where a lookup callable is wanted, e.g. ``hub.services.connections.application_lookup``.
    """
    from hub.services.registry_db import get_database
    from registry.errors import NotFoundError

    database = db or get_database()
    try:
        with database.session() as s:
            return repo.get_application(s, app_id)
    except NotFoundError:
        return None
