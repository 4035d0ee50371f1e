"""What the CLI and the API call for schema versions: list, diff (with what it affects), changelog, deprecate.

"Affects" is answered from two stores:

* **registered mappings** — resources of the connectors in the registry (``integration.connector.config.resources``)
  that produce the schema, with an inline ``mapping``, a ``mapping_file`` or none (the application sends canonical
  records itself). A breaking change touches a mapping that writes the changed field (or a field inside it); a new
  required field touches a mapping that does not write it; a resource without mapping is touched by every
  breaking change;
* **subscriptions** of the exchange to the schema: their consumers receive documents of the new version, so every
  breaking change touches them.
"""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from hub.logging import get_logger
from hub.validation.diff import SchemaDiff, diff
from hub.validation.store import SchemaStore, get_store
from hub.validation.versions import Deprecation, VersionInfo, deprecate, semver_of, versions

log = get_logger("hub.services.schema_versions")
_REQUIRED_KINDS = {"field_added_required", "required_added"}


def list_versions(key: str, store: SchemaStore | None = None) -> list[VersionInfo]:
    return versions(key, store)


def deprecate_version(key: str, version: str, sunset: str, *, successor: str | None = None,
                      note: str | None = None, store: SchemaStore | None = None) -> Deprecation:
    return deprecate(key, version, sunset, successor=successor, note=note, store=store)


# -- which mappings write which fields ---------------------------------------------------------------------------
def _targets(fields: dict[str, Any], prefix: str = "") -> set[str]:
    out: set[str] = set()
    for target, spec in (fields or {}).items():
        path = prefix + ".".join(p for p in str(target).split(".") if not p.isdigit())
        out.add(path)
        each = spec.get("each") if isinstance(spec, dict) else None
        if isinstance(each, dict):
            out |= _targets(each, path + "[].")
    return out


def _mapping_of(resource: dict[str, Any]) -> dict[str, Any] | None:
    """The mapping document of a registered resource (inline or file), or None when it has none."""
    if isinstance(resource.get("mapping"), dict):
        return resource["mapping"]
    file = resource.get("mapping_file")
    if isinstance(file, str):
        import yaml

        try:
            data = yaml.safe_load(Path(file).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError):
            return {"unreadable": file}
        return data if isinstance(data, dict) else {"unreadable": file}
    return None


def registered_mappings(key: str, db: Any = None) -> list[dict[str, Any]]:
    """Every registry resource producing ``key``: ``{app, name, resource, mapping, fields}``."""
    from hub.exchange.db import database
    from registry.tables import ApplicationRow

    out = []
    with database(db).session() as s:
        rows = s.execute(select(ApplicationRow.id, ApplicationRow.name, ApplicationRow.connector_config)
                         .where(ApplicationRow.connector_config.is_not(None)).order_by(ApplicationRow.id)).all()
    for app_id, name, config in rows:
        for res_name, res in ((config or {}).get("resources") or {}).items():
            if not isinstance(res, dict):
                continue
            mapping = _mapping_of(res)
            schema = str(res.get("schema") or (mapping or {}).get("schema") or "").split(":", 1)[0]
            if schema != key:
                continue
            fields = None
            if mapping is not None:
                fields = sorted(_targets(mapping.get("fields") or {})) if "unreadable" not in mapping else None
            out.append({"app": app_id, "name": name, "resource": str(res_name),
                        "mapping": "inline" if isinstance(res.get("mapping"), dict)
                        else res.get("mapping_file") or None, "fields": fields})
    return out


def _touches(written: set[str], path: str) -> bool:
    return any(w == path or w.startswith(path + ".") or w.startswith(path + "[]") or path.startswith(w + ".")
               or path.startswith(w + "[]") for w in written)


def _database_exists() -> bool:
    """False for a SQLite file that is not there: nothing is registered, and asking must not create it."""
    from sqlalchemy.engine import make_url

    from hub.settings import get_settings

    url = make_url(get_settings().database_url)
    if not url.drivername.startswith("sqlite") or url.database in (None, "", ":memory:"):
        return True
    return Path(url.database).is_file()


def affected(result: SchemaDiff, db: Any = None) -> dict[str, Any]:
    """Registered mappings and subscriptions the breaking changes of ``result`` touch."""
    breaking = [(i, c) for i, c in enumerate(result.changes) if c.breaking]
    if db is None and not _database_exists():
        return {"checked": False, "mappings": [], "subscriptions": []}
    from hub.exchange import subscriptions  # importing the exchange opens its database
    try:
        mappings = registered_mappings(result.key, db)
        subs = subscriptions.list_all(db=db, schema=result.key)
    except SQLAlchemyError as exc:  # no database reachable: the diff still stands, and says what it could not check
        log.warning("affected_unavailable", error=str(exc).splitlines()[0][:200])
        return {"checked": False, "mappings": [], "subscriptions": []}
    touched_mappings = []
    for m in mappings:
        hits = []
        for i, change in breaking:
            if m["fields"] is None:
                hits.append(i)
            elif change.kind in _REQUIRED_KINDS:
                if change.path not in m["fields"] and not change.path.startswith("$defs"):
                    hits.append(i)
            elif _touches(set(m["fields"]), change.path) or change.path == "":
                hits.append(i)
        if hits:
            touched_mappings.append({**m, "changes": hits})
    touched_subs = [{"id": s.id, "name": s.name, "consumer_app": s.consumer_app, "mode": s.mode,
                     "active": s.active, "changes": [i for i, _ in breaking]} for s in subs if breaking]
    return {"checked": True, "mappings": touched_mappings, "subscriptions": touched_subs}


def schema_diff(key: str, from_version: str, to_version: str, *, with_affected: bool = True,
                store: SchemaStore | None = None, db: Any = None) -> SchemaDiff:
    result = diff(key, from_version, to_version, store)
    if with_affected:
        result.affected = affected(result, db)
    return result


# -- changelog ---------------------------------------------------------------------------------------------------
def consecutive_diffs(store: SchemaStore | None = None) -> list[SchemaDiff]:
    """The diff of each pair of consecutive versions of every schema, newest first per schema."""
    store = store or get_store()
    out: list[SchemaDiff] = []
    for key in store.keys(all_versions=False):
        entries = sorted((e for e in store.entries(all_versions=True) if e.key == key), key=semver_of)
        pairs = list(pairwise(entries))
        out += [diff(key, a.version, b.version, store) for a, b in reversed(pairs)]
    return out


def changelog(lang: str = "id", store: SchemaStore | None = None) -> str:
    """docs/schemas/CHANGELOG(.en).md: every version step, its breaking changes first, then the others."""
    from hub.i18n import t

    store = store or get_store()
    diffs = consecutive_diffs(store)
    lines = [f"# {t('schemaver.changelog.title', lang)}", "", t("schemaver.changelog.intro", lang), ""]
    deprecated = [v for key in store.keys(all_versions=False) for v in versions(key, store) if v.deprecation]
    if deprecated:
        lines += [f"## {t('schemaver.changelog.deprecated', lang)}", ""]
        lines += [f"- `{v.key}:{v.version}` — {v.deprecation.message.text(lang)}" for v in deprecated
                  if v.deprecation]
        lines.append("")
    if not diffs:
        lines += [t("schemaver.changelog.none", lang), ""]
    for d in diffs:
        lines += [f"## {d.key} {d.from_version} → {d.to_version}", ""]
        lines.append(t("schemaver.changelog.counts", lang, breaking=d.breaking, non_breaking=d.non_breaking,
                       step=t(f"schemaver.step.{d.step}", lang)))
        if not d.semver_ok:
            lines.append("")
            lines.append(f"> {t('schemaver.semver_warning', lang, step=t(f'schemaver.step.{d.step}', lang))}")
        lines.append("")
        for title_key, group in (("schemaver.changelog.breaking", [c for c in d.changes if c.breaking]),
                                 ("schemaver.changelog.non_breaking", [c for c in d.changes if not c.breaking])):
            if not group:
                continue
            lines += [f"### {t(title_key, lang)}", ""]
            for c in group:
                where = f" ({c.where})" if c.where else ""
                lines.append(f"- `{c.path or '/'}`{where}: {c.message.text(lang)}")
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def write_changelog(out_dir: Path, store: SchemaStore | None = None) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for lang, name in (("id", "CHANGELOG.md"), ("en", "CHANGELOG.en.md")):
        path = out_dir / name
        path.write_text(changelog(lang, store), encoding="utf-8")
        written.append(path)
    return written
