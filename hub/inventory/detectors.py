"""Gap detectors: small pure functions ``(ctx, params) -> [Finding]``, registered by the name ``gaps.yaml`` uses.

A finding names its subject (the gap id is ``<kind>/<subject>``), the applications and area concerned, the
evidence (registry fields with their values, check results, scores) and the parameters the kind's templates fill
in. Texts in parameters are :class:`Text` so the gap reads in both languages.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from hub.assessment.models import Text
from hub.inventory import fmt
from hub.inventory.context import Context, area_label, item_areas, standard_names, vocab_label
from hub.inventory.models import CheckRef, EvidenceRef
from registry.models import ApplicationIn
from registry.vocab import vocab


@dataclass
class Finding:
    subject: str
    app_ids: list[str]
    evidence: list[EvidenceRef]
    area: str | None = None
    params: dict[str, Any] = field(default_factory=dict)


Detector = Callable[[Context, dict[str, Any]], list[Finding]]
DETECTORS: dict[str, Detector] = {}


def detector(name: str) -> Callable[[Detector], Detector]:
    def register(fn: Detector) -> Detector:
        DETECTORS[name] = fn
        return fn
    return register


def T(id_: str, en: str) -> Text:
    return Text(id=id_, en=en)


def join(texts: list[Text], sep: str = "; ") -> Text:
    return T(sep.join(x.id for x in texts), sep.join(x.en for x in texts))


def names(ctx: Context, app_ids: list[str]) -> str:
    return ", ".join(ctx.by_id[i].name if i in ctx.by_id else i for i in app_ids)


def _lower_first(text: Text) -> Text:
    def low(s: str) -> str:
        return s[:1].lower() + s[1:] if s[1:2].islower() else s
    return T(low(text.id), low(text.en))


def status_of(app: ApplicationIn) -> Text:
    label = vocab_label("status", app.status)
    return T(f"{app.name} ({label.id.lower()})", f"{app.name} ({label.en.lower()})")


def _production(ctx: Context, kinds: list[str] | None = None) -> list[ApplicationIn]:
    return [a for a in ctx.apps if a.status == "production" and (not kinds or a.kind in kinds)]


def _scores_ref(ctx: Context, app_id: str, standards: list[str]) -> EvidenceRef:
    line = ctx.lines[app_id]
    if not line.assessed:
        return EvidenceRef(app_id=app_id, fields={"status": line.status, "assessment": "none"})
    return EvidenceRef(app_id=app_id, fields={"status": line.status},
                       scores={s: line.scores.get(s) for s in standards}, run_id=line.run_id)


def _in_items(app: ApplicationIn) -> bool:
    items = set(item_areas())
    return app.area in items or any(a in items for a in app.other_areas)


# --- areas ------------------------------------------------------------------------------------------------------

@detector("area_without_application")
def area_without_application(ctx: Context, params: dict[str, Any]) -> list[Finding]:
    out = []
    for area in item_areas():
        apps = ctx.by_area.get(area, [])
        if any(a.status == "production" for a in apps):
            continue
        if apps:
            listed = join([status_of(a) for a in apps], ", ")
            reason = T(f"yang terdaftar: {listed.id}", f"registered: {listed.en}")
            evidence = [EvidenceRef(app_id=a.id, fields={"status": a.status, "area": area}) for a in apps]
        else:
            reason = T("tidak ada aplikasi terdaftar", "no application registered")
            evidence = [EvidenceRef(fields={"area": area, "registered": 0})]
        out.append(Finding(subject=area, area=area, app_ids=[a.id for a in apps], evidence=evidence,
                           params={"reason": reason}))
    return out


@detector("area_not_interoperable")
def area_not_interoperable(ctx: Context, params: dict[str, Any]) -> list[Finding]:
    out = []
    need = ctx.rules.interoperable_requires
    for area in item_areas():
        prod = [a for a in ctx.by_area.get(area, []) if a.status == "production"]
        if not prod or any(ctx.lines[a.id].interoperable for a in prod):
            continue
        unassessed = [a.id for a in prod if not ctx.lines[a.id].assessed]
        below = [a.id for a in prod if ctx.lines[a.id].assessed]
        parts = []
        if unassessed:
            listed = names(ctx, unassessed)
            parts.append(T(f"belum dinilai: {listed}", f"not assessed: {listed}"))
        if below:
            shown = {lang: ", ".join(f"{ctx.by_id[i].name} ({_short_scores(ctx, i, need, lang)})" for i in below)
                     for lang in ("id", "en")}
            parts.append(T(f"di bawah ambang: {shown['id']}", f"below the threshold: {shown['en']}"))
        out.append(Finding(subject=area, area=area, app_ids=[a.id for a in prod],
                           evidence=[_scores_ref(ctx, a.id, need) for a in prod], params={"reason": join(parts)}))
    return out


def _short_scores(ctx: Context, app_id: str, standards: list[str], lang: str) -> str:
    """'Interoperabel 55,6; Mudah diintegrasikan (Integrateable) 30' — each standard by its name."""
    scores, names_ = ctx.lines[app_id].scores, standard_names()
    return "; ".join(f"{names_[s].get(lang)} {fmt.number(scores.get(s), lang)}" for s in standards)


# --- duplicates and overlaps ------------------------------------------------------------------------------------

def _function_keys(app: ApplicationIn, single: set[str], shared: set[int]) -> list[tuple[str, str, int | None]]:
    keys: list[tuple[str, str, int | None]] = []
    if app.area in single:
        keys.append(("area", app.area, None))
    keys += [("spbe", app.area, n) for n in app.spbe_indicators if n in shared]
    return keys


def _spbe_label(n: int) -> Text:
    term = vocab("spbe_indicator").get(str(n))
    return T(f"{n} {term.label_id}", f"{n} {term.label_en}") if term else T(str(n), str(n))


@detector("duplicate_function")
def duplicate_function(ctx: Context, params: dict[str, Any]) -> list[Finding]:
    single = set(params.get("single_function_areas", []))
    shared = set(params.get("shared_indicators", []))
    groups: dict[tuple[str, str, int | None], list[ApplicationIn]] = {}
    for app in _production(ctx, ["khusus"]):
        for key in _function_keys(app, single, shared):
            groups.setdefault(key, []).append(app)
    found: list[tuple[tuple[str, str, int | None], list[ApplicationIn]]] = []
    for key, apps in groups.items():
        if len({a.kode_opd for a in apps}) < 2:
            continue
        ids = {a.id for a in apps}
        if any(ids <= {a.id for a in other} for _, other in found):
            continue
        found = [(k, o) for k, o in found if not {a.id for a in o} < ids]
        found.append((key, apps))
    out = []
    for (how, area, n), apps in sorted(found, key=lambda f: (f[0][1], f[0][2] or 0)):
        label = area_label(area)
        if how == "area":
            reason = T(f"bidang utama sama: {label.id.lower()}", f"same main area: {label.en.lower()}")
        else:
            spbe = _spbe_label(n)  # type: ignore[arg-type]
            reason = T(f"indikator SPBE {spbe.id}", f"SPBE indicator {spbe.en}")
        evidence = [EvidenceRef(app_id=a.id, fields={"kode_opd": a.kode_opd, "area": a.area,
                                                     "spbe_indicators": list(a.spbe_indicators), "kind": a.kind})
                    for a in apps]
        out.append(Finding(subject=area if how == "area" else f"{area}-{n}", area=area,
                           app_ids=[a.id for a in apps], evidence=evidence, params={"reason": reason}))
    return out


@detector("national_app_overlap")
def national_app_overlap(ctx: Context, params: dict[str, Any]) -> list[Finding]:
    shared = set(params.get("shared_indicators", []))
    nationals: dict[str, list[ApplicationIn]] = {}
    for n in _production(ctx, ["umum"]):
        nationals.setdefault(n.area, []).append(n)
    out = []
    for app in _production(ctx, ["khusus"]):
        if app.integration.connector is not None or app.integration.provides:
            continue
        mine = set(app.spbe_indicators) & shared
        hits = [(n, sorted(mine & set(n.spbe_indicators))) for n in nationals.get(app.area, [])
                if mine & set(n.spbe_indicators)]
        if not hits:
            continue
        indicators = sorted({i for _, common in hits for i in common})
        reason = join([_spbe_label(i) for i in indicators], ", ")
        reason = T(f"indikator SPBE {reason.id}", f"SPBE indicator {reason.en}")
        evidence = [EvidenceRef(app_id=app.id, fields={
            "kind": app.kind, "spbe_indicators": list(app.spbe_indicators), "integration.connector": None,
            "integration.provides": []})]
        evidence += [EvidenceRef(app_id=n.id, fields={"kind": n.kind, "national_app": n.national_app,
                                                      "spbe_indicators": list(n.spbe_indicators)}) for n, _ in hits]
        names = ", ".join(n.name for n, _ in hits)
        out.append(Finding(subject=app.id, area=app.area, app_ids=[app.id], evidence=evidence,
                           params={"national": names, "reason": reason}))
    return out


# --- per application --------------------------------------------------------------------------------------------

@detector("standard_failed")
def standard_failed(ctx: Context, params: dict[str, Any]) -> list[Finding]:
    names = standard_names()
    out = []
    for app in ctx.apps:
        run = ctx.run(app.id)
        if run is None or app.status == "retired":
            continue
        line = ctx.lines[app.id]
        below = [s for s, v in line.scores.items() if v is not None and v < ctx.rules.standard_min[s]]
        if not below:
            continue
        failed = [r for r in run.results if r.standard in below and r.status == "fail"]
        failed.sort(key=lambda r: (-r.weight, r.check_id))
        shown = [T(f"{names[s].id} {fmt.number(line.scores[s], 'id')} < {fmt.number(ctx.rules.standard_min[s], 'id')}",
                   f"{names[s].en} {fmt.number(line.scores[s], 'en')} < {fmt.number(ctx.rules.standard_min[s], 'en')}")
                 for s in below]
        evidence = [EvidenceRef(app_id=app.id, scores={s: line.scores[s] for s in below},
                                checks=[CheckRef(check_id=r.check_id, status=str(r.status), run_id=run.run_id)
                                        for r in failed], run_id=run.run_id)]
        out.append(Finding(subject=app.id, area=app.area, app_ids=[app.id], evidence=evidence,
                           params={"standards": join(shown, ", "),
                                   "checks": ", ".join(r.check_id for r in failed) or "-"}))
    return out


@detector("source_code_not_held")
def source_code_not_held(ctx: Context, params: dict[str, Any]) -> list[Finding]:
    statuses = params.get("statuses", ["production", "development"])
    out = []
    for app in ctx.apps:
        sup = app.supplier
        if app.kind != "khusus" or app.status not in statuses or sup.developer == "central_government":
            continue
        run = ctx.run(app.id)
        check = next((r for r in run.results if r.check_id == "SCA-005"), None) if run else None
        reasons = []
        if sup.source_code_held is False:
            reasons.append(T("registri mencatat kode sumber belum diserahkan ke Pemda",
                             "the registry records that the source code was not handed over to the Pemda"))
        elif sup.source_code_held is None and sup.developer != "in_house":
            reasons.append(T("registri tidak mencatat apakah kode sumber sudah diserahkan",
                             "the registry does not record whether the source code was handed over"))
        if check is not None and check.status == "fail":
            reasons.append(T("pemeriksaan auditor SCA-005 (kode sumber dipegang Pemda) tidak terpenuhi",
                             "the auditor's check SCA-005 (source code held by the Pemda) failed"))
        if not reasons:
            continue
        checks = [CheckRef(check_id="SCA-005", status=str(check.status), run_id=run.run_id)] if check and run else []
        evidence = [EvidenceRef(app_id=app.id, checks=checks, fields={
            "kind": app.kind, "supplier.source_code_held": sup.source_code_held,
            "supplier.developer": sup.developer, "supplier.vendor": sup.vendor})]
        out.append(Finding(subject=app.id, area=app.area, app_ids=[app.id], evidence=evidence,
                           params={"reason": join(reasons), "vendor": sup.vendor or "-"}))
    return out


@detector("hosting_outside_dc")
def hosting_outside_dc(ctx: Context, params: dict[str, Any]) -> list[Finding]:
    outside = set(params.get("outside", []))
    out = []
    for app in _production(ctx, params.get("kinds")):
        kind = app.hosting.type
        if not (kind in outside or (kind is None and params.get("unknown_counts", True))):
            continue
        evidence = [EvidenceRef(app_id=app.id, fields={"hosting.type": kind,
                                                       "hosting.base_urls": list(app.hosting.base_urls)})]
        out.append(Finding(subject=app.id, area=app.area, app_ids=[app.id], evidence=evidence,
                           params={"hosting": _lower_first(vocab_label("hosting", kind))}))
    return out


def _integration_fields(app: ApplicationIn) -> dict[str, Any]:
    return {"integration.connector": None, "integration.provides": list(app.integration.provides),
            "integration.consumes": list(app.integration.consumes)}


@detector("connector_missing")
def connector_missing(ctx: Context, params: dict[str, Any]) -> list[Finding]:
    out = []
    for app in _production(ctx, params.get("kinds")):
        integ = app.integration
        if integ.connector is not None or not (integ.provides or integ.consumes):
            continue
        parts = []
        if integ.provides:
            parts.append(T(f"menyediakan data kanonis {', '.join(integ.provides)}",
                           f"provides the canonical data {', '.join(integ.provides)}"))
        if integ.consumes:
            parts.append(T(f"memakai data kanonis {', '.join(integ.consumes)}",
                           f"consumes the canonical data {', '.join(integ.consumes)}"))
        out.append(Finding(subject=app.id, area=app.area, app_ids=[app.id],
                           evidence=[EvidenceRef(app_id=app.id, fields=_integration_fields(app))],
                           params={"reason": join(parts)}))
    return out


@detector("no_integration")
def no_integration(ctx: Context, params: dict[str, Any]) -> list[Finding]:
    out = []
    for app in _production(ctx, params.get("kinds")):
        integ = app.integration
        if integ.connector is not None or integ.provides or integ.consumes:
            continue
        if params.get("only_items", True) and not _in_items(app):
            continue
        out.append(Finding(subject=app.id, area=app.area, app_ids=[app.id],
                           evidence=[EvidenceRef(app_id=app.id, fields=_integration_fields(app))]))
    return out


@detector("owner_or_contact_missing")
def owner_or_contact_missing(ctx: Context, params: dict[str, Any]) -> list[Finding]:
    out = []
    for app in ctx.apps:
        if app.status == "retired":
            continue
        reasons, fields = [], {}
        if app.kode_opd not in ctx.opds:
            reasons.append(T(f"OPD pemilik {app.kode_opd} tidak terdaftar",
                             f"owning OPD {app.kode_opd} not registered"))
            fields["kode_opd"] = app.kode_opd
        if app.contact is None or not app.contact.name:
            reasons.append(T("narahubung belum dicatat", "no contact person"))
            fields["contact"] = None
        if reasons:
            out.append(Finding(subject=app.id, area=app.area, app_ids=[app.id],
                               evidence=[EvidenceRef(app_id=app.id, fields=fields)], params={"reason": join(reasons)}))
    return out


@detector("retired_still_answering")
def retired_still_answering(ctx: Context, params: dict[str, Any]) -> list[Finding]:
    wanted = params.get("checks", ["REL-001"])
    out = []
    for app in ctx.apps:
        run = ctx.run(app.id)
        if app.status != "retired" or run is None:
            continue
        passed = [r for r in run.results if r.check_id in wanted and r.status == "pass"]
        if not passed:
            continue
        reason = T(f"{run.target.base_url} masih menjawab pada penilaian {fmt.day(run.finished_at, 'id')}",
                   f"{run.target.base_url} still answered at the assessment of {fmt.day(run.finished_at, 'en')}")
        evidence = [EvidenceRef(app_id=app.id, fields={"status": app.status, "target.base_url": run.target.base_url},
                                checks=[CheckRef(check_id=r.check_id, status="pass", run_id=run.run_id)
                                        for r in passed])]
        out.append(Finding(subject=app.id, area=app.area, app_ids=[app.id], evidence=evidence,
                           params={"checks": ", ".join(r.check_id for r in passed), "reason": reason}))
    return out


@detector("retired_not_decommissioned")
def retired_not_decommissioned(ctx: Context, params: dict[str, Any]) -> list[Finding]:
    out = []
    for app in ctx.apps:
        host = app.hosting
        if app.status != "retired" or not (host.type or host.base_urls):
            continue
        parts = []
        if host.type:
            label = vocab_label("hosting", host.type)
            label = _lower_first(label)
            parts.append(T(f"tempat hosting ({label.id})", f"a hosting place ({label.en})"))
        if host.base_urls:
            parts.append(T(f"alamat {', '.join(host.base_urls)}", f"the address {', '.join(host.base_urls)}"))
        evidence = [EvidenceRef(app_id=app.id, fields={"status": app.status, "hosting.type": host.type,
                                                       "hosting.base_urls": list(host.base_urls)})]
        out.append(Finding(subject=app.id, area=app.area, app_ids=[app.id], evidence=evidence,
                           params={"reason": join(parts, ", ")}))
    return out
