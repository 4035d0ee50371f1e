"""The closing line of CI sums the JUnit reports; a run without a report counts as failed."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location("ci_summary", ROOT / ".ci" / "summary.py")
ci_summary = importlib.util.module_from_spec(spec)
sys.modules["ci_summary"] = ci_summary
spec.loader.exec_module(ci_summary)  # type: ignore[union-attr]

PYTEST = """<?xml version="1.0" encoding="utf-8"?><testsuites name="pytest tests">
<testsuite name="pytest" errors="1" failures="2" skipped="30" tests="1700" time="1.0"/></testsuites>"""
SCHEMATHESIS = """<?xml version="1.0" encoding="utf-8"?>
<testsuites errors="0" failures="0" skipped="0" tests="59"><testsuite name="schemathesis" errors="0" failures="0"
 skipped="0" tests="59"/></testsuites>"""


def test_pytest_and_schemathesis_are_summed(tmp_path: Path):
    (tmp_path / "pytest.xml").write_text(PYTEST)
    (tmp_path / "schemathesis.xml").write_text(SCHEMATHESIS)
    line, _ = ci_summary.summary([tmp_path / "pytest.xml", tmp_path / "schemathesis.xml"])
    assert line == "tests: 1726 passed, 3 failed, 30 skipped"


def test_a_missing_report_is_a_failed_run_and_the_line_is_printed_last(tmp_path: Path, capsys):
    (tmp_path / "schemathesis.xml").write_text(SCHEMATHESIS)
    code = ci_summary.main([str(tmp_path / "pytest.xml"), str(tmp_path / "schemathesis.xml")])
    out = capsys.readouterr().out.splitlines()
    assert code == 1
    assert out[-1] == "tests: 59 passed, 1 failed, 0 skipped"
    assert "no readable report" in out[0]


def test_all_green_exits_0(tmp_path: Path):
    (tmp_path / "s.xml").write_text(SCHEMATHESIS)
    assert ci_summary.main([str(tmp_path / "s.xml")]) == 0
