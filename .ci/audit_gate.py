"""Gate of the dependency and code audits of CI: a finding fails unless a reviewed allow-list entry covers it.

    python .ci/audit_gate.py bandit  bandit.json     [--allow .ci/audit-allow.yaml]
    python .ci/audit_gate.py pip-audit pip-audit.json [--allow .ci/audit-allow.yaml]

Prints one line per finding not covered and one per allow-list entry that covers nothing any more (to be
removed), then a summary line. Exit codes: 0 clean, 1 findings not allowed, 2 the allow-list itself is invalid,
3 pip-audit could not audit (its vulnerability service was unreachable): reported, never passed silently.

An allow-list entry (``bandit:`` or ``pip_audit:`` in the YAML) needs ``id``, ``reason``, ``reviewed_by`` and
``date`` (YYYY-MM-DD), and ``file`` (bandit: a path, ``*`` globs allowed; optional ``match``, text of the flagged
line, so an entry follows its line when code moves) or ``package`` (pip-audit; optional ``version``). An entry
older than ``max_age_days`` (default 365) must be reviewed again and stops counting.
"""

from __future__ import annotations

import argparse
import datetime as dt
import fnmatch
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

DEFAULT_ALLOW = Path(__file__).with_name("audit-allow.yaml")
REQUIRED = ("id", "reason", "reviewed_by", "date")


@dataclass
class Finding:
    id: str
    where: str  # file (bandit) or package (pip-audit)
    detail: str
    line_text: str = ""
    version: str = ""


@dataclass
class Entry:
    raw: dict[str, Any]
    used: int = field(default=0)

    def covers(self, finding: Finding, kind: str) -> bool:
        if str(self.raw["id"]) != finding.id:
            return False
        if kind == "bandit":
            if not fnmatch.fnmatch(finding.where, str(self.raw.get("file", ""))):
                return False
            match = self.raw.get("match")
            return match is None or str(match) in finding.line_text
        if str(self.raw.get("package", "")).lower() != finding.where.lower():
            return False
        version = self.raw.get("version")
        return version is None or str(version) == finding.version


def load_allow(path: Path, kind: str, today: dt.date) -> tuple[list[Entry], list[str]]:
    """The entries of ``kind`` and the problems of the file (missing fields, bad or stale dates)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else {}
    data = data or {}
    max_age = int(data.get("max_age_days", 365))
    entries, problems = [], []
    for number, raw in enumerate(data.get(kind.replace("-", "_")) or [], start=1):
        where = f"{path.name} {kind} #{number}"
        if not isinstance(raw, dict):
            problems.append(f"{where}: not a mapping")
            continue
        missing = [k for k in (*REQUIRED, "file" if kind == "bandit" else "package") if not str(raw.get(k) or "")]
        if missing:
            problems.append(f"{where} ({raw.get('id', '?')}): missing {', '.join(missing)}")
            continue
        try:
            reviewed = dt.date.fromisoformat(str(raw["date"]))
        except ValueError:
            problems.append(f"{where} ({raw['id']}): date {raw['date']!r} is not YYYY-MM-DD")
            continue
        if (today - reviewed).days > max_age:
            problems.append(f"{where} ({raw['id']}): reviewed {reviewed}, more than {max_age} days ago: review again")
            continue
        entries.append(Entry(raw))
    return entries, problems


def _line(path: str, number: int) -> str:
    try:
        return Path(path).read_text(encoding="utf-8").splitlines()[number - 1]
    except (OSError, IndexError, UnicodeDecodeError):
        return ""


def bandit_findings(report: dict[str, Any]) -> list[Finding]:
    out = []
    for r in report.get("results", []):
        filename = str(r["filename"]).removeprefix("./")
        out.append(Finding(id=r["test_id"], where=filename, line_text=_line(filename, r["line_number"]),
                           detail=f"{filename}:{r['line_number']} {r['issue_severity']}/{r['issue_confidence']} "
                                  f"{r['issue_text']}"))
    return out


def pip_audit_findings(report: dict[str, Any]) -> tuple[list[Finding], int, int]:
    """Findings, the number of dependencies audited and the number that could not be."""
    findings, audited, skipped = [], 0, 0
    for dep in report.get("dependencies", []):
        if dep.get("skip_reason"):
            skipped += 1
            continue
        audited += 1
        for vuln in dep.get("vulns", []):
            fixed = ", ".join(vuln.get("fix_versions") or []) or "no fixed version"
            findings.append(Finding(id=vuln["id"], where=dep["name"], version=dep.get("version", ""),
                                    detail=f"{dep['name']} {dep.get('version', '')} {vuln['id']} "
                                           f"(fixed in: {fixed}) {(vuln.get('description') or '')[:120]}"))
    return findings, audited, skipped


def gate(kind: str, report: dict[str, Any], allow: Path, today: dt.date | None = None) -> tuple[int, list[str]]:
    """Exit code and the lines to print."""
    entries, problems = load_allow(allow, kind, today or dt.date.today())
    lines = [f"{kind}: allow-list: {p}" for p in problems]
    audited = skipped = 0
    if kind == "bandit":
        findings = bandit_findings(report)
    else:
        findings, audited, skipped = pip_audit_findings(report)
    blocking = []
    for finding in findings:
        entry = next((e for e in entries if e.covers(finding, kind)), None)
        if entry is None:
            blocking.append(finding)
        else:
            entry.used += 1
    lines += [f"{kind}: FINDING {f.id} {f.detail}" for f in blocking]
    lines += [f"{kind}: allow-list entry {e.raw['id']} ({e.raw.get('file') or e.raw.get('package')}) covers nothing "
              f"any more: remove it" for e in entries if not e.used]
    allowed = len(findings) - len(blocking)
    if kind == "pip-audit" and skipped and not audited:
        lines.append(f"pip-audit: NOT AUDITED — none of {skipped} dependencies could be checked: the PyPI "
                     f"vulnerability service did not answer (offline, or a proxy that blocks "
                     f"https://pypi.org/pypi/<name>/<version>/json). Run it where PyPI is reachable.")
        return 3, lines
    extra = f", {skipped} not audited" if skipped else ""
    if kind == "pip-audit":
        lines.append(f"pip-audit: {audited} dependencies audited{extra}; {len(findings)} findings, "
                     f"{allowed} allowed, {len(blocking)} blocking")
    else:
        lines.append(f"bandit: {len(findings)} findings, {allowed} allowed, {len(blocking)} blocking")
    if problems:
        return 2, lines
    return (1 if blocking else 0), lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("kind", choices=("bandit", "pip-audit"))
    parser.add_argument("report", type=Path)
    parser.add_argument("--allow", type=Path, default=DEFAULT_ALLOW)
    args = parser.parse_args(argv)
    try:
        report = json.loads(args.report.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        print(f"{args.kind}: no readable report at {args.report} ({exc})")
        return 3 if args.kind == "pip-audit" else 1
    code, lines = gate(args.kind, report, args.allow)
    print("\n".join(lines))
    return code


if __name__ == "__main__":
    sys.exit(main())
