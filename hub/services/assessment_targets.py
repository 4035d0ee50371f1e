"""From a registry application to an assessment target: address, credentials (from ``{env: VAR}`` references),
exposure, the canonical schemas it provides, and the partner records the cross-application reference check needs.

Split from :mod:`hub.services.assessments`, which re-exports these names.
"""

from __future__ import annotations

import base64
import ipaddress
import math
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
from pydantic import ValidationError

from hub.assessment import (
    AssessmentTarget,
    Catalog,
    ProbeLimits,
    TargetAuth,
)
from hub.assessment.bridges import expand_schemas, pull_mapped
from hub.assessment.client import ProbeClient
from hub.assessment.discovery import openapi_source, read_openapi_file, resources
from hub.assessment.models import OAuth2Grant, Text
from hub.assessment.probes import ProbeContext
from hub.assessment.safety import HostPolicy, Resolver
from hub.assessment.sampling import sample
from hub.errors import SimpulError
from hub.i18n import both
from hub.logging import get_logger
from hub.services.connections import mapper_of, spec_from_application
from hub.settings import get_settings
from registry import secrets
from registry.models import Application

log = get_logger("hub.services.assessments")

# -- registry application → assessment target ---------------------------------------------------------------------
NO_ADDRESS = "http://alamat-belum-diisi.invalid"  # placeholder of a target that has no address (never probed)
PUBLIC_HOSTING = frozenset({"cloud", "vendor_hosted", "national"})
FILE_CONNECTORS = frozenset({"csv", "xlsx", "spreadsheet", "sql"})  # file-drop applications: data checks only
PRIVATE_SUFFIXES = (".local", ".lan", ".internal", ".intranet", ".localdomain", ".localhost", ".home.arpa", ".corp",
                    ".test", ".invalid", ".example")


def _text(key: str, **params: Any) -> Text:
    return Text(**both(key, **params))


def schema_key(key: str) -> str:
    """``urn:simpul:schema:perencanaan/sub_kegiatan:1`` → ``perencanaan/sub_kegiatan``."""
    return key.removeprefix("urn:simpul:schema:").split(":", 1)[0]


def public_address(url: str) -> bool:
    """A global IP literal, or a host name that is not loopback/local/private-looking."""
    host = (urlsplit(url).hostname or "").lower()
    try:
        return ipaddress.ip_address(host).is_global
    except ValueError:
        pass
    return host != "localhost" and "." in host and not host.endswith(PRIVATE_SUFFIXES)


def auth_from_config(config: Mapping[str, Any], environ: Mapping[str, str], app_id: str) -> tuple[TargetAuth,
                                                                                                  Text | None]:
    """Probe credentials from the connector config (``auth`` and ``headers``), with every ``{env: VAR}`` resolved.
    A variable that is not set gives a reason naming it instead of credentials."""
    auth, headers = config.get("auth") or {}, config.get("headers") or {}
    if not isinstance(auth, Mapping) or not isinstance(headers, Mapping):
        return TargetAuth(), None
    missing = [v for v in secrets.references({"auth": dict(auth), "headers": dict(headers)}) if not environ.get(v)]
    if missing:
        return TargetAuth(), _text("assessment_service.reason.env_missing", variables=", ".join(missing), app=app_id)
    plain = secrets.resolve(dict(auth), dict(environ))
    out = {str(k): str(v) for k, v in secrets.resolve(dict(headers), dict(environ)).items() if v not in (None, "")}
    query: dict[str, str] = {}
    kind = str(plain.get("type") or "none")
    if kind == "bearer":
        out["Authorization"] = f"Bearer {plain.get('token') or ''}"
    elif kind == "api_key":
        where = plain.get("in") or ("query" if "query" in plain and "header" not in plain else "header")
        name = str(plain.get("name") or plain.get("header") or plain.get("query") or "X-API-Key")
        value = f"{plain.get('prefix') or ''}{plain.get('value') or plain.get('api_key') or plain.get('key') or ''}"
        (query if where == "query" else out)[name] = value
    elif kind == "basic":
        pair = f"{plain.get('username') or ''}:{plain.get('password') or ''}".encode()
        out["Authorization"] = "Basic " + base64.b64encode(pair).decode()
    elif kind == "oauth2_client_credentials":  # the probes fetch the token themselves (hub/assessment/client.py)
        grant = OAuth2Grant(token_url=str(plain.get("token_url") or plain.get("url") or ""),
                            client_id=str(plain.get("client_id") or ""),
                            client_secret=str(plain.get("client_secret") or ""),
                            scope=plain.get("scope") or (" ".join(plain["scopes"]) if plain.get("scopes") else None),
                            audience=plain.get("audience"), client_auth=plain.get("client_auth") or "basic")
        return TargetAuth(headers=out, query=query, oauth2=grant), None
    elif kind != "none":
        return TargetAuth(), _text("assessment_service.reason.auth_unsupported", type=kind, app=app_id)
    return TargetAuth(headers=out, query=query), None


@dataclass
class TargetPlan:
    """The target of one application and, when its automated checks cannot run, why (``problem``)."""

    app_id: str
    target: AssessmentTarget
    problem: Text | None = None
    consumes: list[str] = field(default_factory=list)

    def partner_schemas(self, rules: list[dict[str, Any]], catalog: Catalog) -> list[str]:
        """Schemas of partner data this application's records refer to (INT-005)."""
        mine = {schema_key(k) for k in expand_schemas(list(self.target.schemas)
                                                        or catalog.schemas_for_area(self.target.area))}
        consumed = {schema_key(k) for k in self.consumes}
        return sorted({r["to_schema"] for r in rules if r["from_schema"] in mine or r["to_schema"] in consumed})


def auth_variables(config: Mapping[str, Any]) -> list[str]:
    """The environment variables the connector's credentials come from (named when the probes get a 401)."""
    auth, headers = config.get("auth") or {}, config.get("headers") or {}
    if not isinstance(auth, Mapping) or not isinstance(headers, Mapping):
        return []
    return list(dict.fromkeys(secrets.references({"auth": dict(auth), "headers": dict(headers)})))


def openapi_fields(value: Any, base_dir: Path | None) -> dict[str, Any]:
    """Target fields of an OpenAPI description given as an http(s) URL or a local file (read now, once)."""
    if not isinstance(value, str) or not value.strip():
        return {}
    url, path = openapi_source(value, base_dir)
    if url is not None:
        return {"openapi_url": url, "openapi_file": None, "openapi_document": None}
    document, why = read_openapi_file(str(path))
    return {"openapi_url": None, "openapi_file": path, "openapi_document": document, "openapi_error": why}


def plan_target(app: Application, *, allowed_hosts: Iterable[str] = (),
                environ: Mapping[str, str] | None = None, base_dir: Path | None = None,
                openapi_override: str | None = None,
                openapi_document: Mapping[str, Any] | None = None) -> TargetPlan:
    """Map a registry application to an :class:`AssessmentTarget`: ``hosting.base_urls[0]`` (else the connector's
    base_url) → base URL; area; connector + resources → connector spec; ``integration.provides`` → schemas; auth
    secrets from the ``{env: VAR}`` references; cloud/vendor-hosted/national hosting or a public address →
    is_public; allowed hosts from the settings."""
    env = os.environ if environ is None else environ
    connector: dict[str, Any] | None = None
    if app.integration.connector is not None:
        try:
            connector = spec_from_application(app).as_dict()
        except SimpulError:
            connector = None
    config = ((connector or {}).get("connector") or {}).get("config") or {}
    kind = str(((connector or {}).get("connector") or {}).get("type") or "")
    urls = [u for u in [*app.hosting.base_urls, config.get("base_url")] if isinstance(u, str) and u]
    base = urls[0] if urls else None
    files_only = kind in FILE_CONNECTORS and not base
    fields: dict[str, Any] = {
        "app_id": app.id, "name": app.name, "area": app.area, "connector": connector,
        "schemas": [schema_key(k) for k in app.integration.provides], "allowed_hosts": list(allowed_hosts),
        "is_public": app.hosting.type in PUBLIC_HOSTING or bool(base and public_address(base)),
        "files_only": files_only, "auth_env": auth_variables(config)}
    problem: Text | None = None
    try:
        fields.update(openapi_fields(config.get("openapi_file") or config.get("openapi_url"), base_dir))
    except SimpulError as exc:  # a file:// URL: say which value, measure nothing against it
        problem = Text(**exc.messages())
    if openapi_override:
        fields.update(openapi_fields(openapi_override, Path.cwd()))
    if openapi_document is not None:  # sent to the API for this run: used as given, never read from a path
        fields.update({"openapi_url": None, "openapi_file": "upload:openapi", "openapi_error": None,
                       "openapi_document": dict(openapi_document)})
    auth, auth_problem = auth_from_config(config, env, app.id)
    problem = problem or auth_problem
    if base is None and not files_only:
        problem = _text("assessment_service.reason.no_base_url", app=app.id)
    for attempt in ({"base_url": base or NO_ADDRESS}, {"base_url": base or NO_ADDRESS, "openapi_url": None}):
        try:
            target = AssessmentTarget(**{**fields, **attempt}, auth=auth)
            break
        except ValidationError as exc:
            detail = exc.errors(include_url=False)[0]["msg"]
    else:
        target = AssessmentTarget(**{**fields, "base_url": NO_ADDRESS, "openapi_url": None})
        problem = _text("assessment_service.reason.bad_base_url", url=str(base)[:200], detail=detail)
    return TargetPlan(app.id, target, problem, consumes=list(app.integration.consumes))


def target_from_application(app: Application, *, allowed_hosts: Iterable[str] | None = None,
                            environ: Mapping[str, str] | None = None) -> AssessmentTarget:
    hosts = get_settings().assess_allowed_hosts if allowed_hosts is None else allowed_hosts
    return plan_target(app, allowed_hosts=hosts, environ=environ).target


def reference_rules(catalog: Catalog) -> list[dict[str, Any]]:
    return [r for c in catalog.checks if c.probe == "partner_references" for r in c.params.get("references", [])]


def provider_of(schema: str, apps: Iterable[Application], exclude: str) -> Application | None:
    """The registered application that provides ``schema`` (production and addressed ones first)."""
    found = [a for a in apps if a.id != exclude and a.status != "retired"
             and schema in {schema_key(k) for k in a.integration.provides}]
    found.sort(key=lambda a: (a.status != "production", not a.hosting.base_urls, a.id))
    return found[0] if found else None


async def fetch_partner_records(plan: TargetPlan, schema: str, limit: int, base: ProbeLimits, catalog: Catalog, *,
                                transport: httpx.AsyncBaseTransport | None = None,
                                resolver: Resolver | None = None) -> list[dict[str, Any]]:
    """A bounded sample (``limit`` records) of ``schema`` from a partner application: through its connector when
    a spec resource maps to that schema, else through the assessment's own discovery. Same host rules as probes;
    any failure gives no records (INT-005 then says partner data is missing)."""
    if plan.problem is not None:
        return []
    target = plan.target.model_copy(update={"schemas": [schema]})
    policy = HostPolicy(target.base_url, target.allowed_hosts, resolver=resolver)
    spec = target.connector or {}
    for name, res in (spec.get("resources") or {}).items() if transport is None else ():
        try:
            mapped_to = res.get("schema") or (mapper_of(res).schema_key if res.get("mapping") is not None
                                              or res.get("mapping_file") else None)
            if mapped_to and schema_key(str(mapped_to)) == schema:
                docs, _ = await pull_mapped(spec, name, schema, limit, policy)
                if docs:
                    return docs[:limit]
        except Exception as exc:  # the connector could not read it: try the assessment's own discovery
            log.warning("assessment_partner_connector_failed", app=plan.app_id, schema=schema,
                        error=f"{type(exc).__name__}: {exc}"[:200])
    wanted = {k: r for k, r in (spec.get("resources") or {}).items()
              if isinstance(r, dict) and schema_key(str(r.get("schema") or "")) == schema}
    if spec:  # discovery reads only the resources of that schema (or finds them itself)
        target = target.model_copy(update={"connector": {**spec, "resources": wanted}})
    try:
        size = min(100, limit)
        pages = min(20, math.ceil(limit / size))
        limits = ProbeLimits(sample_pages=pages, sample_page_size=size, max_resources=1,
                             max_requests=pages + base.max_discovery_requests + 10,
                             total_timeout_s=min(120.0, base.total_timeout_s),
                             connect_timeout_s=base.connect_timeout_s, read_timeout_s=base.read_timeout_s)
        await policy.check(target.base_url)
        client = ProbeClient(target, limits, policy, transport=transport)
        ctx = ProbeContext(target=target, limits=limits, catalog=catalog, client=client, policy=policy,
                           schemas=[schema], validate=lambda _key, _records: {})
        try:
            found = [r for r in await resources(ctx) if r.schema_key and schema_key(r.schema_key) == schema]
            data = await sample(ctx)
        finally:
            await client.aclose()
        return [rec for r in found for rec in data.records.get(r.name, [])][:limit]
    except Exception as exc:  # refused host, connector error, unreadable data: no partner data
        log.warning("assessment_partner_unavailable", app=plan.app_id, schema=schema,
                    error=f"{type(exc).__name__}: {exc}"[:200])
        return []
