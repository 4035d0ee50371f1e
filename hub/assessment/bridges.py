"""Bridges to the rest of Simpul: the validator (``hub.validation``) and connections (``hub.services.connections``).

Imported lazily so the assessment still runs (reporting ``error`` for the checks that need them) when one of them
is unavailable or a schema is unknown.
"""

from __future__ import annotations

from typing import Any

from hub.assessment.safety import HostPolicy


def validate_records(schema_key: str, records: list[dict[str, Any]]) -> dict[str, Any]:
    """Validate ``records`` against a canonical schema; a small summary plus the report's top groups."""
    from hub.validation.validator import validate_documents

    report = validate_documents(schema_key, records, include_valid=False)
    groups = [{"rule": g.rule, "path": g.path, "count": g.count, "documents": g.documents,
               "message": {"id": g.message.id, "en": g.message.en}} for g in report.groups[:40]]
    return {"schema": report.schema_.key, "version": report.schema_.version, "hash": report.schema_.hash,
            "checked": report.summary.documents, "valid": report.summary.valid,
            "top_issues": [f"{g['rule']} {g['path']} ×{g['count']}" for g in groups[:5]], "groups": groups}


def expand_schemas(keys: list[str]) -> list[str]:
    """``perencanaan/*`` → every schema of the domain that the schema store holds (or the agreed list)."""
    wanted = [k for k in keys if k]
    if not any(k.endswith("/*") for k in wanted):
        return wanted
    try:
        from hub.validation.store import get_store

        known = get_store().keys()
    except Exception:  # no store: fall back to the connectors' agreed list
        from connectors.canonical import known_schema_keys

        known = list(known_schema_keys())
    out: list[str] = []
    for key in wanted:
        if key.endswith("/*"):
            out.extend(k for k in known if k.startswith(key[:-1]))
        else:
            out.append(key)
    return list(dict.fromkeys(out))


async def pull_mapped(spec_data: dict[str, Any], resource: str, schema_key: str | None, limit: int,
                      policy: HostPolicy) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Read → map → validate ``limit`` records of one spec resource through the connectors.

    Every URL the spec names is checked against the host policy first (the connectors' HTTP layer does not know
    the assessment's safety rules).
    """
    from hub.services.connections import PullStats, pull, spec_from_dict

    config = (spec_data.get("connector") or {}).get("config") or {}
    for value in (config.get("base_url"), *(r.get("path") or r.get("file") for r in
                                           (spec_data.get("resources") or {}).values() if isinstance(r, dict))):
        if isinstance(value, str) and value.startswith(("http://", "https://")):
            await policy.check(value)
    spec = spec_from_dict(spec_data, name=str(spec_data.get("app") or "assessment"))
    stats = PullStats(resource=resource)
    documents: list[dict[str, Any]] = []
    async for item in pull(spec, resource, limit=limit, stats=stats):
        if item.record is not None:
            documents.append(item.record)
    summary = stats.as_dict()
    return documents, {"schema": stats.schema or schema_key, "checked": stats.read, "valid": stats.valid,
                       "mapped": stats.mapped, "unmapped": stats.unmapped, "problems": summary["problems"],
                       "top_issues": [f"{p['kind']} {p['where']}" for p in summary["problems"][:5]]}
