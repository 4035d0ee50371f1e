"""The check catalog (``catalog.yaml``), the retired ids (``retired.yaml``) and the maturity levels (``levels.yaml``).

Checks are data. :func:`load_catalog` reads and validates them (ids unique and well-formed, prefix matching the
standard, never a retired id, both languages present, automated checks naming a probe and an evaluator);
:func:`catalog_markdown` renders the table used in ``docs/assessment.md``.
"""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, Field, model_validator

from hub.assessment.models import PREFIX_OF, STANDARDS, Text
from hub.docsync import sync_blocks

HERE = Path(__file__).parent
CATALOG_PATH = HERE / "catalog.yaml"
RETIRED_PATH = HERE / "retired.yaml"
LEVELS_PATH = HERE / "levels.yaml"
ID_PATTERN = re.compile(r"^(REL|INT|SCA|USR|ITG)-\d{3}$")
Expect = Literal["pass", "fail", "warning", "not_applicable", "error", "inconclusive"]


class CatalogError(ValueError):
    """The catalog files break a rule; the message lists every problem."""


class Example(BaseModel):
    name: str
    expect: Expect
    observation: dict[str, Any]


class Source(BaseModel):
    short: str
    full: str


class Check(BaseModel):
    id: str
    standard: str
    title: Text
    message: Text
    why: Text
    sources: list[str]
    measure: Text
    thresholds: dict[str, Any] = Field(default_factory=dict)
    params: dict[str, Any] = Field(default_factory=dict)
    weight: int = Field(ge=1, le=5)
    automated: bool
    probe: str | None = None
    evaluator: str | None = None
    examples: list[Example] = Field(default_factory=list)

    @model_validator(mode="after")
    def _shape(self) -> Check:
        if not ID_PATTERN.match(self.id):
            raise ValueError(f"{self.id}: id must match {ID_PATTERN.pattern}")
        if self.standard not in STANDARDS:
            raise ValueError(f"{self.id}: unknown standard {self.standard!r}")
        if not self.id.startswith(PREFIX_OF[self.standard] + "-"):
            raise ValueError(f"{self.id}: prefix does not match standard {self.standard}")
        if self.automated and not (self.probe and self.evaluator):
            raise ValueError(f"{self.id}: an automated check names a probe and an evaluator")
        if not self.automated and (self.probe or self.evaluator or self.examples):
            raise ValueError(f"{self.id}: a manual check has no probe, evaluator or examples")
        return self


class Standard(BaseModel):
    key: str
    prefix: str
    name: Text
    guide: Text


class Level(BaseModel):
    level: int
    name: Text
    meaning: Text
    requires: dict[str, Any] = Field(default_factory=dict)


class Retired(BaseModel):
    id: str
    retired_in: str
    reason: str


class Catalog(BaseModel):
    version: str
    hash: str
    sources: dict[str, Source]
    standards: dict[str, Standard]
    areas: dict[str, list[str]]
    checks: list[Check]
    retired: list[Retired]
    levels: list[Level]

    @property
    def label(self) -> str:
        """``<version>+<hash12>``: recorded in every run."""
        return f"{self.version}+{self.hash[:12]}"

    def get(self, check_id: str) -> Check:
        for check in self.checks:
            if check.id == check_id:
                return check
        raise KeyError(check_id)

    def by_standard(self, standard: str) -> list[Check]:
        return [c for c in self.checks if c.standard == standard]

    def schemas_for_area(self, area: str | None) -> list[str]:
        return list(self.areas.get(area or "", []))


def _problems(data: dict[str, Any], retired: list[Retired]) -> list[str]:
    problems: list[str] = []
    seen: set[str] = set()
    retired_ids = {r.id for r in retired}
    sources = set((data.get("sources") or {}).keys())
    for raw in data.get("checks") or []:
        cid = str(raw.get("id"))
        if cid in seen:
            problems.append(f"{cid}: id used twice")
        seen.add(cid)
        if cid in retired_ids:
            problems.append(f"{cid}: id is retired and may not be reused")
        for src in raw.get("sources") or []:
            if src not in sources:
                problems.append(f"{cid}: unknown source {src!r}")
    for key in data.get("standards") or {}:
        if key not in STANDARDS:
            problems.append(f"standards: unknown standard {key!r}")
    return problems


def parse_catalog(text: str, retired_text: str = "retired: []", levels_text: str | None = None) -> Catalog:
    """Build a :class:`Catalog` from YAML texts (tests use this with broken catalogs)."""
    data = yaml.safe_load(text) or {}
    retired = [Retired(**r) for r in (yaml.safe_load(retired_text) or {}).get("retired") or []]
    levels_data = yaml.safe_load(levels_text if levels_text is not None else LEVELS_PATH.read_text("utf-8")) or {}
    problems = _problems(data, retired)
    checks: list[Check] = []
    for raw in data.get("checks") or []:
        try:
            checks.append(Check.model_validate(raw))
        except ValueError as exc:
            problems.append(f"{raw.get('id')}: {exc}")
    if problems:
        raise CatalogError("catalog problems:\n- " + "\n- ".join(problems))
    standards = {k: Standard(key=k, **v) for k, v in (data.get("standards") or {}).items()}
    levels = sorted((Level(**lv) for lv in levels_data.get("levels") or []), key=lambda lv: lv.level)
    known = {c.id for c in checks}
    unknown = [f"level {lv.level}: answered names unknown check {cid!r}" for lv in levels
               for cid in lv.requires.get("answered") or [] if checks and cid not in known]
    if unknown and checks and len(known) > 10:  # small test catalogs carry only some checks
        raise CatalogError("catalog problems:\n- " + "\n- ".join(unknown))
    digest = hashlib.sha256((text + (levels_text or "")).encode("utf-8")).hexdigest()
    sources = {k: Source(**v) for k, v in (data.get("sources") or {}).items()}
    return Catalog(version=str(data.get("version")), hash=digest, sources=sources,
                   standards=standards, areas=data.get("areas") or {}, checks=checks, retired=retired, levels=levels)


@lru_cache
def load_catalog() -> Catalog:
    """The shipped catalog (cached)."""
    return parse_catalog(CATALOG_PATH.read_text("utf-8"), RETIRED_PATH.read_text("utf-8"),
                         LEVELS_PATH.read_text("utf-8"))


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _thresholds(check: Check) -> str:
    return ", ".join(f"{k}={v}" for k, v in check.thresholds.items()) or "—"


def catalog_markdown(lang: str = "id", catalog: Catalog | None = None) -> str:
    """The catalog as Markdown tables, one per standard (``docs/assessment.md`` embeds it)."""
    cat = catalog or load_catalog()
    en = lang == "en"
    head = ("| ID | Check | How it is measured | Thresholds | Weight | Mode | Why (sources) |" if en else
            "| ID | Pemeriksaan | Cara mengukur | Ambang | Bobot | Cara | Alasan (sumber) |")
    mode = {True: "automated" if en else "otomatis", False: "manual"}
    out = [f"{'Catalog version' if en else 'Versi katalog'}: `{cat.version}`", ""]
    for key in STANDARDS:
        std = cat.standards[key]
        out += [f"#### {std.prefix} — {std.name.get(lang)}", "", f"_{std.guide.get(lang)}_", "", head,
                "|---|---|---|---|---|---|---|"]
        for c in cat.by_standard(key):
            srcs = "; ".join(cat.sources[s].short for s in c.sources)
            out.append(f"| {c.id} | {_cell(c.title.get(lang))} | {_cell(c.measure.get(lang))} | {_thresholds(c)} "
                       f"| {c.weight} | {mode[c.automated]} | {_cell(c.why.get(lang))} ({_cell(srcs)}) |")
        out.append("")
    out += [("Sources:" if en else "Sumber:"), ""]
    out += [f"- **{src.short}** — {src.full}" for src in cat.sources.values()]
    return "\n".join(out)


def levels_markdown(lang: str = "id", catalog: Catalog | None = None) -> str:
    cat = catalog or load_catalog()
    en = lang == "en"
    out = ["| Level | " + ("Name | Meaning | Requires |" if en else "Nama | Makna | Syarat |"), "|---|---|---|---|"]
    for lv in cat.levels:
        req = lv.requires
        parts = []
        if "overall_min" in req:
            parts.append(f"{'overall' if en else 'skor total'} ≥ {req['overall_min']}")
        for std, value in (req.get("standards_min") or {}).items():
            parts.append(f"{cat.standards[std].name.get(lang)} ≥ {value}")
        if "min_coverage" in req:
            parts.append(f"{'coverage' if en else 'cakupan'} ≥ {int(req['min_coverage'] * 100)}%")
        if req.get("answered"):
            parts.append(f"{'answered' if en else 'terjawab'}: {', '.join(req['answered'])}")
        out.append(f"| {lv.level} | {lv.name.get(lang)} | {lv.meaning.get(lang)} | {', '.join(parts) or '—'} |")
    return "\n".join(out)


DOC_BLOCKS = {"catalog:id": lambda: catalog_markdown("id"), "catalog:en": lambda: catalog_markdown("en"),
              "levels:id": lambda: levels_markdown("id"), "levels:en": lambda: levels_markdown("en")}


def sync_docs(path: Path, *, write: bool = True) -> bool:
    """Regenerate the blocks between ``<!-- name:start -->`` and ``<!-- name:end -->`` in a Markdown file from
    the catalog; return True when the file was already up to date."""
    return sync_blocks(path, DOC_BLOCKS, write=write)

