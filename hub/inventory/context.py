"""The inputs of one inventory, indexed once: applications, OPDs, latest runs, and who is responsible for what.

Pure: built from registry models and assessment runs, never from a database. Detectors and the coverage read it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from hub.assessment.catalog import load_catalog
from hub.assessment.models import STANDARDS, AssessmentRun, Text
from hub.inventory.config import ReadinessConfig
from hub.inventory.models import AppLine, OpdRef
from registry.models import ApplicationIn, OpdIn, PemdaIn
from registry.vocab import vocab

ACTIVE = ("planned", "development", "production")


@lru_cache
def area_terms() -> dict[str, tuple[int | None, Text]]:
    """area code → (Tabel II.3 item, label)."""
    return {t.code: (t.extra.get("item"), Text(id=t.label_id, en=t.label_en)) for t in vocab("area").terms}


def item_areas() -> list[str]:
    """The areas of Tabel II.3 items 14-20, in item order."""
    return sorted((a for a, (item, _) in area_terms().items() if item), key=lambda a: area_terms()[a][0] or 0)


def area_label(area: str | None) -> Text:
    if not area:
        return Text(id="-", en="-")
    return area_terms().get(area, (None, Text(id=area, en=area)))[1]


@lru_cache
def standard_names() -> dict[str, Text]:
    cat = load_catalog()
    return {key: cat.standards[key].name for key in STANDARDS}


def vocab_label(name: str, code: str | None) -> Text:
    if code is None:
        return Text(id="tidak tercatat", en="not recorded")
    v = vocab(name)
    return Text(id=v.label(code, "id"), en=v.label(code, "en"))


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "x"


@dataclass
class Context:
    pemda: PemdaIn | None
    opds: dict[str, OpdIn]
    apps: list[ApplicationIn]
    runs: Mapping[str, AssessmentRun]
    rules: ReadinessConfig
    by_id: dict[str, ApplicationIn] = field(default_factory=dict)
    lines: dict[str, AppLine] = field(default_factory=dict)
    by_area: dict[str, list[ApplicationIn]] = field(default_factory=dict)

    @classmethod
    def build(cls, pemda: PemdaIn | None, opds: Sequence[OpdIn], apps: Sequence[ApplicationIn],
              runs: Mapping[str, AssessmentRun] | None, rules: ReadinessConfig) -> Context:
        kode_pemda = pemda.kode if pemda else None
        mine = [a for a in apps if kode_pemda is None or a.kode_pemda == kode_pemda]
        mine.sort(key=lambda a: a.id)
        ctx = cls(pemda=pemda, opds={o.kode: o for o in opds if kode_pemda is None or o.kode_pemda == kode_pemda},
                  apps=mine, runs=runs or {}, rules=rules)
        ctx.by_id = {a.id: a for a in mine}
        for app in mine:
            ctx.lines[app.id] = ctx._line(app)
            for area in dict.fromkeys([app.area, *app.other_areas]):
                ctx.by_area.setdefault(area, []).append(app)
        return ctx

    # --- runs and scores -------------------------------------------------------------------------------------

    def run(self, app_id: str) -> AssessmentRun | None:
        """The latest run of an application, unless it was refused (a refused run measured nothing)."""
        run = self.runs.get(app_id)
        return None if run is None or run.refused is not None else run

    def meets(self, scores: Mapping[str, float | None], standard: str) -> bool:
        score = scores.get(standard)
        return score is not None and score >= self.rules.standard_min[standard]

    def _line(self, app: ApplicationIn) -> AppLine:
        run = self.run(app.id)
        scores = {s: run.score(s) for s in STANDARDS} if run else {}
        interoperable = (all(self.meets(scores, s) for s in self.rules.interoperable_requires) if run else None)
        opd = self.opds.get(app.kode_opd)
        return AppLine(app_id=app.id, name=app.name, status=app.status, kind=app.kind, area=app.area,
                       other_areas=list(app.other_areas), kode_opd=app.kode_opd,
                       opd=(opd.short_name or opd.name) if opd else app.kode_opd, known_opd=opd is not None,
                       run_id=run.run_id if run else None, run_at=run.finished_at if run else None, scores=scores,
                       overall=run.maturity.overall_score if run else None,
                       level=run.maturity.level if run else None, interoperable=interoperable)

    # --- who ------------------------------------------------------------------------------------------------

    def opd_ref(self, kode: str) -> OpdRef:
        opd = self.opds.get(kode)
        if opd is None:
            return OpdRef(kode=kode, name=kode)
        return OpdRef(kode=opd.kode, name=opd.name, short_name=opd.short_name)

    def _match(self, hints: Sequence[str]) -> OpdRef | None:
        ordered = sorted(self.opds.values(), key=lambda o: o.kode)
        for hint in hints:
            h = hint.lower()
            for opd in ordered:
                if h in (opd.short_name or "").lower() or h in opd.name.lower():
                    return self.opd_ref(opd.kode)
        return None

    def coordinator(self) -> OpdRef:
        found = self._match(self.rules.coordinator)
        fallback = self.rules.coordinator_fallback
        return found or OpdRef(kode=None, name=fallback.id, short_name=fallback.id)

    def area_lead(self, area: str | None) -> OpdRef:
        return self._match(self.rules.area_leads.get(area or "", [])) or self.coordinator()

    def owner(self, app_id: str) -> OpdRef:
        app = self.by_id.get(app_id)
        if app is None or app.kode_opd not in self.opds:
            return self.coordinator()
        return self.opd_ref(app.kode_opd)

    @staticmethod
    def slug(ref: OpdRef) -> str:
        return _slug(ref.short_name or ref.name)
