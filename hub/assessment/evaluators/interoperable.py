"""Evaluators of the Interoperable standard (INT-*)."""

from __future__ import annotations

from typing import Any

from hub.assessment.catalog import Check
from hub.assessment.detect import code_values, local_format_violations
from hub.assessment.evaluators import (
    Observation,
    Verdict,
    bi,
    bilist,
    by_ratio,
    error,
    evaluator,
    listing,
    not_applicable,
    pct,
)
from hub.assessment.models import Status


@evaluator("canonical_conformance")
def canonical_conformance(obs: Observation, check: Check) -> Verdict:
    if obs.get("no_schema"):
        return not_applicable("assessment.reason.no_schema")
    per_schema: dict[str, Any] = dict(obs.get("schemas") or {})
    checked = sum(int(s.get("checked") or 0) for s in per_schema.values())
    valid = sum(int(s.get("valid") or 0) for s in per_schema.values())
    th = check.thresholds
    if checked < int(th.get("min_records", 1)):
        return error("assessment.reason.no_records")
    ratio = valid / checked
    status = by_ratio(ratio, th["min_valid_ratio"], th.get("warn_valid_ratio"))
    missing, mismatched = _field_counts(per_schema)
    measured = {"checked": checked, "valid": valid, "valid_pct": pct(ratio),
                "per_schema": {k: {"checked": v.get("checked"), "valid": v.get("valid"),
                                   "top_issues": v.get("top_issues", [])} for k, v in per_schema.items()}}
    if valid < checked:
        # lists, not {field: n}: a key named like personal data (nip, nik) would be masked in the stored run
        measured.update(missing_fields=[{"field": k, "records": n} for k, n in missing.items()],
                        mismatched_fields=[{"field": k, "records": n} for k, n in mismatched.items()])
    return Verdict(status, params={"checked": checked, "valid": valid, "ratio_pct": pct(ratio),
                                   "min_pct": pct(th["min_valid_ratio"]), "schemas": listing(list(per_schema)),
                                   "hint": _mapping_hint(obs, per_schema, missing, mismatched)
                                   if valid < checked else ""},
                   measured=measured)


def _field_counts(per_schema: dict[str, Any]) -> tuple[dict[str, int], dict[str, int]]:
    """Canonical fields missing (``schema:required``) and not matching (any other rule), with the number of
    sampled records each affects, most frequent first."""
    missing: dict[str, int] = {}
    mismatched: dict[str, int] = {}
    for slot in per_schema.values():
        for group in slot.get("groups") or []:
            name = ".".join(p for p in str(group.get("path") or "").split("/") if p) or "/"
            rule = str(group.get("rule") or "")
            if rule in _NOT_CANONICAL:
                continue  # a source field the schema does not know: not a canonical field
            into = missing if rule == "schema:required" else mismatched
            if into is mismatched:
                name = f"{name} ({rule.removeprefix('schema:')})"
            into[name] = into.get(name, 0) + int(group.get("documents") or group.get("count") or 0)
    return (dict(sorted(missing.items(), key=lambda kv: -kv[1])),
            dict(sorted(mismatched.items(), key=lambda kv: -kv[1])))


_NOT_CANONICAL = {"schema:additionalProperties", "schema:unevaluatedProperties"}


def _counted(counts: dict[str, int], limit: int = 10) -> str:
    return listing([f"{name} ×{n}" for name, n in counts.items()], limit)


def _mapping_hint(obs: Observation, per_schema: dict[str, Any], missing: dict[str, int],
                  mismatched: dict[str, int]) -> dict[str, str]:
    """What does not validate, and the command that starts a mapping for the first unmapped resource."""
    from hub.i18n import both
    from hub.mapping import command

    texts = {"id": "", "en": ""}
    for key, counts in (("mapping.hint.missing", missing), ("mapping.hint.mismatched", mismatched)):
        if counts:
            part = both(key, fields=_counted(counts))
            texts = {lang: texts[lang] + part[lang] for lang in texts}
    for key, slot in per_schema.items():
        if slot.get("valid", 0) >= slot.get("checked", 0):
            continue
        unmapped = [r["name"] for r in slot.get("resources") or [] if not r.get("mapped")]
        if unmapped or not slot.get("resources"):
            line = command(str(obs.get("app") or "APP"), unmapped[0] if unmapped else "RESOURCE", key)
            hint = both("mapping.hint.command", command=line)
            return {lang: texts[lang] + hint[lang] for lang in texts}
    return texts


@evaluator("json_utf8")
def json_utf8(obs: Observation, check: Check) -> Verdict:
    responses = list(obs.get("responses") or [])
    if not responses:
        return error("assessment.reason.no_resource")
    problems: list[dict[str, str]] = []
    for item in responses:
        ctype = str(item.get("content_type") or "").lower()
        media, _, rest = ctype.partition(";")
        media = media.strip()
        charset = rest.split("charset=", 1)[1].strip().strip('"') if "charset=" in rest else None
        where = item.get("path") or "?"
        if not (media == "application/json" or media.endswith("+json")):
            problems.append(bi(f"{where}: {media or 'tanpa content-type'}", f"{where}: {media or 'no content-type'}"))
        elif charset and charset.replace("-", "").lower() != "utf8":
            problems.append(bi(f"{where}: charset={charset}", f"{where}: charset={charset}"))
        elif not item.get("utf8", False):
            problems.append(bi(f"{where}: bukan UTF-8", f"{where}: not UTF-8"))
        elif not item.get("json", False):
            problems.append(bi(f"{where}: bukan JSON", f"{where}: not JSON"))
    unique = list({p["en"]: p for p in problems}.values())
    status = Status.FAIL if unique else Status.PASS
    return Verdict(status, params={"problems": bilist(unique)},
                   measured={"responses": len(responses), "problems": [p["en"] for p in unique][:10]})


@evaluator("standard_values")
def standard_values(obs: Observation, check: Check) -> Verdict:
    records = [r for r in obs.get("records") or [] if isinstance(r, dict)]
    th = check.thresholds
    if len(records) < int(th.get("min_records", 1)):
        return error("assessment.reason.no_records")
    examples: list[str] = []
    bad = 0
    for record in records:
        found = local_format_violations(record)
        if found:
            bad += 1
            # the most telling first: dates and rupiah text before plain numbers-as-text
            examples.extend(sorted(found, key=lambda f: not any(c in f for c in "-/Rp"))[:2])
    ratio = bad / len(records)
    status = Status.PASS
    if ratio > th.get("max_violation_ratio", 0.0) + 1e-9:
        status = Status.WARNING if ratio <= th.get("warn_violation_ratio", 0.0) + 1e-9 else Status.FAIL
    examples = list(dict.fromkeys(examples))
    return Verdict(status, params={"violations": bad, "records": len(records), "examples": listing(examples, 3)},
                   measured={"records": len(records), "records_with_local_formats": bad, "examples": examples[:10]})


@evaluator("national_codes")
def national_codes(obs: Observation, check: Check) -> Verdict:
    records = [r for r in obs.get("records") or [] if isinstance(r, dict)]
    values = list(code_values(records))
    if not values:
        return not_applicable("assessment.reason.no_codes")
    matched = sum(ok for _, _, ok in values)
    ratio = matched / len(values)
    th = check.thresholds
    status = by_ratio(ratio, th["min_ratio"], th.get("warn_ratio"))
    wrong = list(dict.fromkeys(f"{f}={v}" for f, v, ok in values if not ok))
    fields = sorted({f for f, _, _ in values})
    return Verdict(status, params={"matched": matched, "total": len(values), "ratio_pct": pct(ratio),
                                   "examples": listing(wrong, 3)},
                   measured={"codes": len(values), "matched": matched, "fields": fields, "wrong": wrong[:10]})


def _key(record: dict[str, Any], field: str, same: list[str]) -> tuple[str, ...]:
    return (str(record.get(field)), *(str(record.get(s)) for s in same))


@evaluator("references_resolve")
def references_resolve(obs: Observation, check: Check) -> Verdict:
    pairs = list(obs.get("pairs") or [])
    if not pairs:
        return error("assessment.reason.no_partner_data")
    rules = {r["field"]: r for r in check.params.get("references", [])}
    total = 0
    unresolved: list[str] = []
    for pair in pairs:
        rule = rules.get(pair.get("rule")) or {"field": pair.get("rule"), "to_field": pair.get("rule"), "same": []}
        same = list(rule.get("same") or [])
        known = {_key(p, rule["to_field"], same) for p in pair.get("partner") or [] if isinstance(p, dict)}
        for record in pair.get("records") or []:
            if not isinstance(record, dict) or record.get(rule["field"]) in (None, ""):
                continue
            total += 1
            key = _key(record, rule["field"], same)
            if key not in known:
                unresolved.append(" / ".join(key))
    if total == 0:
        return not_applicable("assessment.reason.no_references")
    ratio = (total - len(unresolved)) / total
    th = check.thresholds
    status = by_ratio(ratio, th["min_resolved_ratio"], th.get("warn_resolved_ratio"))
    examples = list(dict.fromkeys(unresolved))
    return Verdict(status, params={"unresolved": len(unresolved), "total": total, "examples": listing(examples, 3)},
                   measured={"references": total, "unresolved": len(unresolved), "examples": examples[:10]})
