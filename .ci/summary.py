"""The closing line of CI: ``tests: N passed, N failed, N skipped`` summed over JUnit XML reports.

    python3 .ci/summary.py REPORT.xml ...

Each report is one test run that CI started (pytest with the browser tests, Schemathesis). A report that is
missing or unreadable counts as one failed test: a run that crashed before writing its report must never read
as "0 failed". Standard library only, so it works even when installing the project failed.
"""

from __future__ import annotations

import sys
import xml.etree.ElementTree as ET
from pathlib import Path


def counts(path: Path) -> tuple[int, int, int, str]:
    """(passed, failed, skipped, note) of one JUnit XML report; errors count as failed."""
    try:
        root = ET.parse(path).getroot()  # noqa: S314 - written by pytest/Schemathesis in this run
    except (OSError, ET.ParseError) as exc:
        return 0, 1, 0, f"{path.name}: no readable report ({type(exc).__name__})"
    suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
    tests = failed = skipped = 0
    for suite in suites:
        tests += int(suite.get("tests", 0))
        failed += int(suite.get("failures", 0)) + int(suite.get("errors", 0))
        skipped += int(suite.get("skipped", 0))
    return max(0, tests - failed - skipped), failed, skipped, f"{path.name}: {tests} tests"


def summary(paths: list[Path]) -> tuple[str, list[str]]:
    passed = failed = skipped = 0
    notes = []
    for path in paths:
        p, f, s, note = counts(path)
        passed, failed, skipped = passed + p, failed + f, skipped + s
        notes.append(note)
    return f"tests: {passed} passed, {failed} failed, {skipped} skipped", notes


def main(argv: list[str]) -> int:
    line, notes = summary([Path(a) for a in argv])
    for note in notes:
        print(f"  {note}")
    print(line)
    return 1 if " 0 failed," not in line else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
