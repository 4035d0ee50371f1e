"""The audit gate of CI: a bandit or pip-audit finding fails unless a reviewed allow-list entry covers it."""

from __future__ import annotations

import datetime as dt
import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location("audit_gate", ROOT / ".ci" / "audit_gate.py")
audit_gate = importlib.util.module_from_spec(spec)
sys.modules["audit_gate"] = audit_gate  # dataclasses look their module up
spec.loader.exec_module(audit_gate)  # type: ignore[union-attr]
TODAY = dt.date(2026, 12, 7)


def _bandit(test_id: str = "B608", filename: str = "connectors/sql.py", line: int = 148) -> dict:
    return {"results": [{"test_id": test_id, "filename": filename, "line_number": line, "issue_severity": "MEDIUM",
                         "issue_confidence": "LOW", "issue_text": "Possible SQL injection"}]}


def _pip(vulns: list[dict] | None = None, skipped: bool = False) -> dict:
    if skipped:
        return {"dependencies": [{"name": "jinja2", "skip_reason": "Dependency not found on PyPI"}]}
    return {"dependencies": [{"name": "jinja2", "version": "3.1.2", "vulns": vulns or []}]}


def _allow(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "allow.yaml"
    path.write_text(text, encoding="utf-8")
    return path


ENTRY = """
bandit:
  - id: B608
    file: connectors/*.py
    match: SELECT * FROM
    reason: identifiers only, quoted
    reviewed_by: Diskominfo
    date: 2026-11-01
"""


def test_a_finding_without_an_entry_fails(tmp_path: Path):
    code, lines = audit_gate.gate("bandit", _bandit(), _allow(tmp_path, "bandit: []"), TODAY)
    assert code == 1 and any("FINDING B608 connectors/sql.py:148" in line for line in lines)


def test_a_reviewed_entry_covers_its_finding_and_only_that(tmp_path: Path):
    allow = _allow(tmp_path, ENTRY)
    code, _ = audit_gate.gate("bandit", _bandit(), allow, TODAY)
    assert code == 0
    code, lines = audit_gate.gate("bandit", _bandit(test_id="B602"), allow, TODAY)
    assert code == 1
    assert any("covers nothing any more" in line for line in lines)


def test_an_entry_without_a_reason_or_too_old_does_not_count(tmp_path: Path):
    code, lines = audit_gate.gate("bandit", _bandit(), _allow(tmp_path, ENTRY.replace(
        "    reason: identifiers only, quoted\n", "")), TODAY)
    assert code == 2 and any("missing reason" in line for line in lines)
    code, lines = audit_gate.gate("bandit", _bandit(), _allow(tmp_path, ENTRY.replace("2026-11-01", "2024-01-01")),
                                  TODAY)
    assert code == 2 and any("review again" in line for line in lines)


def test_pip_audit_vulnerability_needs_an_entry(tmp_path: Path):
    vuln = [{"id": "GHSA-h5c8-rqwp-cp95", "fix_versions": ["3.1.3"], "description": "xmlattr filter"}]
    code, lines = audit_gate.gate("pip-audit", _pip(vuln), _allow(tmp_path, "pip_audit: []"), TODAY)
    assert code == 1 and any("jinja2 3.1.2 GHSA-h5c8-rqwp-cp95 (fixed in: 3.1.3)" in line for line in lines)
    allow = _allow(tmp_path, """
pip_audit:
  - {id: GHSA-h5c8-rqwp-cp95, package: Jinja2, reason: no xmlattr with user keys, reviewed_by: x, date: 2026-12-01}
""")
    assert audit_gate.gate("pip-audit", _pip(vuln), allow, TODAY)[0] == 0


def test_an_unreachable_vulnerability_service_is_said_not_passed(tmp_path: Path):
    code, lines = audit_gate.gate("pip-audit", _pip(skipped=True), _allow(tmp_path, ""), TODAY)
    assert code == 3 and "NOT AUDITED" in lines[-1]


@pytest.mark.parametrize("kind", ["bandit", "pip-audit"])
def test_the_shipped_allow_list_is_valid(kind: str):
    _, problems = audit_gate.load_allow(ROOT / ".ci" / "audit-allow.yaml", kind, dt.date.today())
    assert not problems
