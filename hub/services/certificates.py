"""Conformance certificates: signed statements that a vendor's application or sample set passed (ADR 0009).

A certificate is one JSON file::

    {"certificate": {"format": "simpul-certificate/1", "id", "kind", "subject", "schemas", "checks",
                     "issued_at", "expires_at", "evidence": {"file", "media_type", "bytes", "sha256"}, "issuer"},
     "signature": {"algorithm": "Ed25519", "key_id", "value"}}

The signature (Ed25519, RFC 8032) covers ``simpul-certificate/1\\n`` followed by the canonical JSON of
``certificate`` (sorted keys, no spaces, UTF-8). The file is written in one fixed form (indented, sorted keys,
final newline) and the verifier insists on that form too, so *any* change to the file — one byte included — is
rejected, not only a change to what the signature covers. The evidence (the report the certificate was issued
on) is written beside it; its SHA-256 is in the certificate.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import stat
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from pydantic import BaseModel, Field

import hub
from hub.errors import BadRequest
from hub.i18n import both
from hub.logging import get_logger
from hub.settings import Settings, get_settings
from hub.validation.report import Message
from hub.validation.store import SchemaEntry, SchemaStore, canonical_json, get_store

log = get_logger("hub.services.certificates")

FORMAT = "simpul-certificate/1"
SIGNED_PREFIX = FORMAT.encode() + b"\n"
MEDIA_TYPE = "application/vnd.simpul.certificate+json"


# -- the hub's key --------------------------------------------------------------------------------------------
def _key_path(settings: Settings | None = None) -> Path:
    return Path((settings or get_settings()).certificate_key_file)


def private_key(settings: Settings | None = None) -> Ed25519PrivateKey:
    """The signing key from ``SIMPUL_CERTIFICATE_KEY_FILE``; created (mode 0600) on first use."""
    path = _key_path(settings)
    if not path.exists():
        key = Ed25519PrivateKey.generate()
        pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process created it first: use theirs
            return _read_private(path)
        with os.fdopen(fd, "wb") as handle:
            handle.write(pem)
        log.info("certificate_key_created", path=str(path))
        return key
    return _read_private(path)


def _read_private(path: Path) -> Ed25519PrivateKey:
    try:
        mode = path.stat().st_mode
        if mode & (stat.S_IRWXG | stat.S_IRWXO):
            log.warning("certificate_key_readable_by_others", path=str(path), mode=oct(mode & 0o777))
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError, TypeError) as exc:
        raise BadRequest("certificate.key_unreadable", path=str(path), detail=str(exc).splitlines()[0][:200]) from None
    if not isinstance(key, Ed25519PrivateKey):
        raise BadRequest("certificate.key_unreadable", path=str(path), detail="not an Ed25519 key")
    return key


def hub_public_key(settings: Settings | None = None) -> Ed25519PublicKey:
    """The hub's public key for verifying; never creates a key (a new key could not verify anything)."""
    path = _key_path(settings)
    if not path.exists():
        raise BadRequest("certificate.no_key", path=str(path))
    return _read_private(path).public_key()


def key_id(public: Ed25519PublicKey) -> str:
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return "ed25519:" + hashlib.sha256(raw).hexdigest()[:32]


def public_key_pem(settings: Settings | None = None) -> str:
    public = private_key(settings).public_key()
    return public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def public_key_info(settings: Settings | None = None) -> dict[str, str]:
    public = private_key(settings).public_key()
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return {"algorithm": "Ed25519", "key_id": key_id(public), "pem": public_key_pem(settings),
            "raw": base64.b64encode(raw).decode()}


def load_public_key(data: bytes) -> Ed25519PublicKey:
    """A PEM (SubjectPublicKeyInfo) public key, or the PEM of the private key, or 32 raw bytes in base64."""
    text = data.strip()
    try:
        if b"PRIVATE KEY" in text:
            key: Any = serialization.load_pem_private_key(text, password=None).public_key()
        elif text.startswith(b"-----"):
            key = serialization.load_pem_public_key(text)
        else:
            key = Ed25519PublicKey.from_public_bytes(base64.b64decode(text, validate=True))
    except (ValueError, TypeError) as exc:
        raise BadRequest("certificate.pubkey_invalid", detail=str(exc).splitlines()[0][:200]) from None
    if not isinstance(key, Ed25519PublicKey):
        raise BadRequest("certificate.pubkey_invalid", detail="not an Ed25519 key")
    return key


# -- issuing ----------------------------------------------------------------------------------------------------
def render(document: dict[str, Any]) -> bytes:
    """The one form a certificate file has (the verifier compares against it)."""
    return (json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")


def schema_item(entry: SchemaEntry) -> dict[str, Any]:
    from hub.validation.versions import semver_of

    return {"key": entry.key, "version": entry.version, "semver": str(semver_of(entry)), "id": entry.urn,
            "hash": entry.hash}


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def issue(kind: str, subject: dict[str, str | None], schemas: list[SchemaEntry], checks: dict[str, Any],
          evidence: bytes, evidence_name: str, *, settings: Settings | None = None,
          valid_days: int | None = None) -> dict[str, Any]:
    """A signed certificate (as a dict) over ``evidence``, the report bytes kept beside it."""
    settings = settings or get_settings()
    key = private_key(settings)
    now = _now()
    days = valid_days if valid_days is not None else settings.certificate_valid_days
    payload = {
        "format": FORMAT,
        "id": "cert_" + uuid.uuid4().hex[:24],
        "kind": kind,
        "subject": {k: v for k, v in subject.items() if v},
        "schemas": [schema_item(e) for e in schemas],
        "checks": checks,
        "issued_at": now.isoformat().replace("+00:00", "Z"),
        "expires_at": (now + timedelta(days=days)).isoformat().replace("+00:00", "Z"),
        "evidence": {"file": evidence_name, "media_type": "application/json", "bytes": len(evidence),
                     "sha256": hashlib.sha256(evidence).hexdigest()},
        "issuer": {"name": "Simpul", "url": settings.public_url, "key_id": key_id(key.public_key()),
                   "simpul_version": hub.__version__},
    }
    payload = {k: v for k, v in payload.items() if v is not None}
    payload["issuer"] = {k: v for k, v in payload["issuer"].items() if v is not None}
    signature = key.sign(SIGNED_PREFIX + canonical_json(payload))
    return {"certificate": payload, "signature": {"algorithm": "Ed25519", "key_id": payload["issuer"]["key_id"],
                                                  "value": base64.b64encode(signature).decode()}}


def write(path: Path, certificate: dict[str, Any], evidence: bytes) -> tuple[Path, Path]:
    """Write the certificate and, beside it, its evidence; returns both paths."""
    evidence_path = path.parent / certificate["certificate"]["evidence"]["file"]
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        evidence_path.write_bytes(evidence)
        path.write_bytes(render(certificate))
    except OSError as exc:
        raise BadRequest("validation.output_unwritable", path=str(path), detail=exc.strerror or str(exc)) from None
    return path, evidence_path


def evidence_name(path: Path) -> str:
    return path.name.removesuffix(".json") + ".evidence.json"


# -- verifying ----------------------------------------------------------------------------------------------------
class Notice(BaseModel):
    schema_key: str = Field(serialization_alias="schema")
    kind: str = Field(description="deprecated | superseded | changed | unknown")
    message: Message


class Verification(BaseModel):
    valid: bool = Field(description="Authentic, unaltered and not expired")
    status: str = Field(description="valid | expired | invalid")
    reason: str = Field(description="ok, or why not: not_json, format, altered, signature, wrong_key, "
                                    "evidence_mismatch, expired")
    message: Message
    key_id: str | None = None
    certificate: dict[str, Any] | None = Field(default=None, description="The signed statement, when readable")
    evidence: str = Field(default="not_checked", description="matches | differs | not_checked")
    notices: list[Notice] = Field(default_factory=list)


def _result(status: str, reason: str, **kwargs: Any) -> Verification:
    return Verification(valid=status == "valid", status=status, reason=reason,
                        message=Message(**both(f"certificate.verify.{reason}", **kwargs.pop("params", {}))),
                        **kwargs)


def _parse_time(text: Any) -> datetime | None:
    try:
        moment = datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def notices(payload: dict[str, Any], store: SchemaStore | None = None) -> list[Notice]:
    """Deprecated, superseded, changed or unknown schema versions named by a certificate."""
    from hub.errors import NotFound
    from hub.validation.versions import deprecation_of

    store = store or get_store()
    out = []
    for item in payload.get("schemas") or []:
        key, version = str(item.get("key")), str(item.get("version"))
        name = f"{key}:{version}"
        try:
            entry = store.get(name)
        except NotFound:
            out.append(Notice(schema_key=name, kind="unknown", message=Message(**both(
                "certificate.notice.unknown", schema=name))))
            continue
        if item.get("hash") != entry.hash:
            out.append(Notice(schema_key=name, kind="changed", message=Message(**both(
                "certificate.notice.changed", schema=name))))
        deprecation = deprecation_of(entry, store)
        if deprecation is not None:
            out.append(Notice(schema_key=name, kind="deprecated", message=deprecation.message))
        if not entry.latest:
            latest = store.get(key)
            out.append(Notice(schema_key=name, kind="superseded", message=Message(**both(
                "certificate.notice.superseded", schema=name, latest=latest.versioned_key))))
    return out


def _well_formed(payload: dict[str, Any]) -> bool:
    """The parts the verifier reads have the shapes Simpul writes (anything else is not a certificate)."""
    schemas = payload.get("schemas", [])
    return (isinstance(payload.get("issuer"), dict) and isinstance(payload.get("evidence"), dict)
            and isinstance(schemas, list) and all(isinstance(item, dict) for item in schemas)
            and isinstance(payload.get("checks", {}), dict) and isinstance(payload.get("subject", {}), dict))


def verify(data: bytes, public_key: Ed25519PublicKey | None = None, *, evidence: bytes | None = None,
           store: SchemaStore | None = None, settings: Settings | None = None) -> Verification:
    """Check a certificate file's bytes offline: form, signature (hub key unless ``public_key``), expiry."""
    try:
        document = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return _result("invalid", "not_json")
    payload = document.get("certificate") if isinstance(document, dict) else None
    signature = document.get("signature") if isinstance(document, dict) else None
    if (not isinstance(payload, dict) or not isinstance(signature, dict) or payload.get("format") != FORMAT
            or signature.get("algorithm") != "Ed25519" or set(document) != {"certificate", "signature"}
            or set(signature) != {"algorithm", "key_id", "value"} or not _well_formed(payload)):
        return _result("invalid", "format")
    if render(document) != data:
        return _result("invalid", "altered", certificate=payload)
    key = public_key or hub_public_key(settings)
    given_id = key_id(key)
    try:
        value = str(signature["value"])
        raw = base64.b64decode(value, validate=True)
        if base64.b64encode(raw).decode() != value:  # only the one encoding Simpul writes (no spare bits set)
            raise InvalidSignature
        if signature["key_id"] != (payload.get("issuer") or {}).get("key_id"):  # the signed key id must agree
            raise InvalidSignature
        key.verify(raw, SIGNED_PREFIX + canonical_json(payload))
    except (InvalidSignature, ValueError):
        if signature.get("key_id") != given_id:
            return _result("invalid", "wrong_key", key_id=given_id, certificate=payload,
                           params={"expected": str(signature.get("key_id")), "given": given_id})
        return _result("invalid", "signature", key_id=given_id, certificate=payload)
    evidence_state = "not_checked"
    if evidence is not None:
        evidence_state = "matches" if hashlib.sha256(evidence).hexdigest() == (
            payload.get("evidence") or {}).get("sha256") else "differs"
    found = notices(payload, store)
    if evidence_state == "differs":
        return _result("invalid", "evidence_mismatch", key_id=given_id, certificate=payload,
                       evidence=evidence_state, notices=found)
    expires = _parse_time(payload.get("expires_at"))
    if expires is None or expires < datetime.now(UTC):
        return _result("expired", "expired", key_id=given_id, certificate=payload, evidence=evidence_state,
                       notices=found, params={"expires": str(payload.get("expires_at"))})
    return _result("valid", "ok", key_id=given_id, certificate=payload, evidence=evidence_state, notices=found,
                   params={"id": str(payload.get("id")), "expires": str(payload.get("expires_at"))})


# -- what validate and conformance call ---------------------------------------------------------------------------
def for_validation(report: Any, path: Path, *, app: str | None, vendor: str | None,
                   store: SchemaStore | None = None, settings: Settings | None = None) -> tuple[Path, Path]:
    """A certificate for a sample set that is entirely valid (else a usage error saying why not)."""
    if not report.valid or report.summary.documents == 0:
        raise BadRequest("certificate.not_all_valid", invalid=report.summary.invalid,
                         documents=report.summary.documents)
    store = store or get_store()
    entry = store.get(report.schema_.id)
    passed = [f"schema:{entry.versioned_key}"] + ([f"rules:{entry.key}"] if report.rules_applied else [])
    checks = {"passed": passed, "summary": {"documents": report.summary.documents, "valid": report.summary.valid,
                                            "warnings": report.summary.warnings}}
    evidence = report.to_json().encode("utf-8")
    cert = issue("validation", {"app": app, "vendor": vendor}, [entry], checks, evidence, evidence_name(path),
                 settings=settings)
    return write(path, cert, evidence)


def _score(value: float | None) -> str | None:
    """Scores as text ("87.5"): no floats in what is signed, so any JSON library re-serialises it alike."""
    return None if value is None else f"{value:.1f}"


def for_conformance(run: Any, evidence: bytes, path: Path, *, vendor: str | None,
                    store: SchemaStore | None = None, settings: Settings | None = None) -> tuple[Path, Path]:
    """A certificate for an assessment run with no failed check and no check Simpul could not measure."""
    from hub.assessment import Status
    from hub.errors import NotFound

    if run.failed or run.errors or run.inconclusive:  # an inconclusive timing check was not measured either
        raise BadRequest("certificate.conformance_failed", failed=len(run.failed),
                         errors=len(run.errors) + len(run.inconclusive))
    store = store or get_store()
    entries = []
    for key in run.target.schemas:
        try:
            entries.append(store.get(key))
        except NotFound:
            continue
    counts: dict[str, int] = {}
    for r in run.results:
        counts[r.status.value] = counts.get(r.status.value, 0) + 1
    checks = {"passed": [r.check_id for r in run.results if r.status is Status.PASS],
              "warnings": [r.check_id for r in run.results if r.status is Status.WARNING],
              "summary": {"counts": counts, "level": run.maturity.level,
                          "overall_score": _score(run.maturity.overall_score),
                          "catalog_version": run.catalog_version, "area": run.target.area}}
    subject = {"app": run.target.name, "url": run.target.base_url, "vendor": vendor}
    cert = issue("conformance", subject, entries, checks, evidence, evidence_name(path), settings=settings)
    return write(path, cert, evidence)
