"""Cross-application reference checks (data: references.yaml), reported as findings.

E.g. a budget line's sub-kegiatan must exist in the planning data of the same year (XREF-001); a pegawai's unit
kerja must be an OPD of the registry (XREF-003). Findings never block a sync: they tell Diskominfo and the OPDs
what to fix at the source.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select, true
from sqlalchemy.orm import Session

from hub.exchange.identity import KEY_SEPARATOR, dig
from registry.tables import OpdRow
from registry.tables_exchange import RecordRow

REFERENCES_FILE = Path(__file__).with_name("references.yaml")


@lru_cache
def checks() -> dict[str, list[dict[str, Any]]]:
    return yaml.safe_load(REFERENCES_FILE.read_text(encoding="utf-8")) or {}


class ReferenceChecker:
    """Checks many records of one schema with cached lookups (one query per referenced year/Pemda)."""

    def __init__(self, s: Session, schema: str) -> None:
        self.s, self.schema, self.rules = s, schema, checks().get(schema, [])
        self._records: dict[tuple[str, str], bool] = {}
        self._opds: dict[str, set[str]] = {}

    def _record_exists(self, target: str, key: str) -> bool:
        cached = self._records.get((target, key))
        if cached is None:
            cached = self.s.execute(select(RecordRow.id).where(
                RecordRow.schema_key == target, RecordRow.record_key == key, RecordRow.is_current == true())
            ).first() is not None
            self._records[(target, key)] = cached
        return cached

    def _opd_codes(self, kode_pemda: str) -> set[str]:
        if kode_pemda not in self._opds:
            self._opds[kode_pemda] = set(self.s.execute(
                select(OpdRow.kode).where(OpdRow.kode_pemda == kode_pemda)).scalars())
        return self._opds[kode_pemda]

    def findings(self, document: dict[str, Any]) -> list[dict[str, Any]]:
        found = []
        for rule in self.rules:
            values = [dig(document, f) for f in rule["fields"]]
            if any(v in (None, "") for v in values):
                continue
            value, target = str(values[-1]), rule["target"]
            pemda = str(document.get("kode_pemda") or "")
            year = document.get("tahun_anggaran") or document.get("tahun")
            if "schema" in target:
                ok = self._record_exists(target["schema"], KEY_SEPARATOR.join(str(v) for v in values))
            elif target.get("registry") == "opd":
                ok = value in self._opd_codes(pemda)
            else:
                continue
            if not ok:
                params = {"value": value, "year": year, "pemda": pemda}
                found.append({"rule": rule["id"], "severity": "warning", "pointer": "/" + rule["fields"][-1]
                              .replace(".", "/"), "value": value, "target": target,
                              "message": {lang: text.format(**params) for lang, text in rule["message"].items()}})
        return found


def findings_for(s: Session, schema: str, documents: Iterable[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    checker = ReferenceChecker(s, schema)
    return [checker.findings(d) for d in documents]
