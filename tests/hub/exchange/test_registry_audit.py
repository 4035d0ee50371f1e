"""Registry writes enter the hash-chained audit log (non-repudiation), and verify still holds."""

from hub.exchange import audit
from hub.services.registry import RegistryService
from hub.services.registry_access import Principal
from hub.services.registry_db import get_database
from hub.settings import PROJECT_ROOT


def test_registry_import_and_edit_are_audited_with_the_actor():
    service = RegistryService(get_database(), Principal.cli(), "en")
    sample = PROJECT_ROOT / "examples" / "registry" / "registry.yaml"
    service.import_file(sample.read_bytes(), filename=sample.name)
    current = service.get_application("e-planning")
    service.patch_application("e-planning", {"status": "retired"}, f'"r{current.revision}"')
    with get_database().session() as s:
        from sqlalchemy import select

        from registry.tables_exchange import AuditRow

        actions = [(r.action, r.entity_id, r.actor) for r in s.scalars(select(AuditRow).order_by(AuditRow.id))]
    assert ("registry.import", "registry.yaml", Principal.cli().actor) in actions
    assert ("registry.application.patch", "e-planning", Principal.cli().actor) in actions
    assert audit.verify().ok
