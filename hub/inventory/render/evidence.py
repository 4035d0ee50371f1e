"""The evidence of a gap in words, for planners: which application, what the registry records (field names and
codes turned into labels), which scores and checks of which assessment, and a link to that assessment's report.

The JSON export keeps the raw :class:`~hub.inventory.models.EvidenceRef` (field paths, codes, run ids); only the
planner's formats read these sentences.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from hub.i18n import t
from hub.inventory import fmt
from hub.inventory.context import area_label, standard_names
from hub.inventory.models import AppLine, EvidenceRef, Inventory

# registry fields whose values are codes of a vocabulary (registry/data/vocabularies.yaml)
VOCAB_FIELDS = {"status": "status", "kind": "kind", "hosting.type": "hosting", "supplier.developer": "developer"}
RunLink = Callable[[str, str], str | None]  # (run_id, app_id) -> URL of the run's report, or None


@dataclass(frozen=True)
class Link:
    """A piece of a table cell that points somewhere (``url`` None: shown as plain text)."""

    text: str
    url: str | None = None


Rich = list["str | Link"]


def no_link(run_id: str, app_id: str) -> str | None:
    return None


def link_template(template: str | None) -> RunLink:
    """``template`` with ``{run_id}`` and/or ``{app_id}``, e.g. ``https://simpul.kotaku.go.id/v1/assessments/runs/
    {run_id}/report`` or ``../assessment/{app_id}.html``; None: no links."""
    if not template:
        return no_link

    def build(run_id: str, app_id: str) -> str | None:
        return template.format(run_id=run_id, app_id=app_id)

    return build


def default_run_link() -> RunLink:
    """Links to the API's report of the run when ``SIMPUL_PUBLIC_URL`` says where Simpul is reached."""
    from hub.settings import get_settings

    base = (get_settings().public_url or "").rstrip("/")
    return link_template(f"{base}/v1/assessments/runs/{{run_id}}/report" if base else None)


def lower_first(text: str) -> str:
    """'Server OPD' → 'server OPD' (inside a sentence; acronyms keep their capitals)."""
    return text[:1].lower() + text[1:] if text[1:2].islower() or len(text) == 1 else text


def _value(field: str, value: Any, lang: str) -> str:
    if value is None or value == []:
        return t("inventory.evidence.empty", lang)
    if isinstance(value, bool):
        return t("inventory.value.yes" if value else "inventory.value.no", lang)
    if field in VOCAB_FIELDS and isinstance(value, str):
        from registry.vocab import vocab

        return lower_first(vocab(VOCAB_FIELDS[field]).label(value, lang))
    if field == "area" and isinstance(value, str):
        return area_label(value).get(lang).lower()
    if field == "assessment" and value == "none":
        return t("inventory.value.not_assessed", lang)
    if field == "contact":
        return t("inventory.evidence.empty", lang)
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, float):
        return fmt.number(value, lang)
    return str(value)


def _field(field: str, value: Any, lang: str, opds: dict[str, str]) -> str:
    if field == "status":  # 'beroperasi' says it all
        return _value(field, value, lang)
    if field == "assessment" and value == "none":
        return t("inventory.value.not_assessed", lang)
    if field == "kode_opd" and isinstance(value, str) and value in opds:
        return t("inventory.evidence.field", lang, name=t("inventory.field.opd", lang), value=opds[value])
    return t("inventory.evidence.field", lang, name=t(f"inventory.field.{field}", lang),
             value=_value(field, value, lang))


def ref_text(ref: EvidenceRef, line: AppLine | None, lang: str, run_link: RunLink,
             opds: dict[str, str] | None = None) -> Rich:
    """One piece of evidence: '<application> — registri: …; skor …; pemeriksaan …; <link to the assessment>'."""
    names = standard_names()
    fields = [f for f in ref.fields if f != "assessment" or not ref.run_id]
    if line:
        who = line.name
    elif ref.app_id:
        who = ref.app_id
    elif isinstance(ref.fields.get("area"), str):  # a finding about a whole function area
        label = area_label(ref.fields["area"]).get(lang)
        who = t("inventory.evidence.area", lang, area=label)
        fields = [f for f in fields if f != "area"]
    else:
        who = t("inventory.evidence.pemda", lang)
    parts: list[str] = []
    if fields:
        shown = ", ".join(_field(f, ref.fields[f], lang, opds or {}) for f in fields)
        parts.append(t("inventory.evidence.registry", lang, fields=shown))
    if ref.scores:
        shown = ", ".join(f"{names[s].get(lang)} {fmt.number(v, lang)}" for s, v in ref.scores.items())
        parts.append(t("inventory.evidence.scores", lang, scores=shown))
    if ref.checks:
        shown = ", ".join(f"{c.check_id} {t(f'assessment.status.{c.status}', lang)}" for c in ref.checks)
        parts.append(t("inventory.evidence.checks", lang, checks=shown))
    out: Rich = [f"{who} — " + "; ".join(parts) if parts else who]
    run_id = ref.run_id or (ref.checks[0].run_id if ref.checks else None)
    if run_id and ref.app_id:
        when = fmt.day(line.run_at, lang, short=True) if line and line.run_id == run_id and line.run_at else ""
        label = t("inventory.evidence.report", lang, date=when).strip()
        out += [" (", Link(label, run_link(run_id, ref.app_id)), ")"]
    return out


def gap_evidence(inv: Inventory, refs: list[EvidenceRef], lang: str, run_link: RunLink) -> Rich:
    """Every piece of evidence of one or more gaps, one line each, without repeating a line."""
    lines = {a.app_id: a for a in inv.applications}
    opds = {o.kode_opd: o.opd for o in inv.opd_summary}
    out: Rich = []
    seen: set[str] = set()
    for ref in refs:
        piece = ref_text(ref, lines.get(ref.app_id or ""), lang, run_link, opds)
        key = "".join(p if isinstance(p, str) else p.text for p in piece)
        if key in seen:
            continue
        seen.add(key)
        if out:
            out.append("\n")
        out += piece
    return out


def plain(value: Any) -> str:
    """The text of a cell: rich cells joined, links shown by their text."""
    if isinstance(value, list):
        return "".join(p.text if isinstance(p, Link) else str(p) for p in value)
    return "" if value is None else str(value)
