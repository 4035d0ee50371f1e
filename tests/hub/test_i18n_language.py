"""One language at a time: the main commands of every group, run with SIMPUL_LANG=id on a temporary SQLite
registry holding the sample registry (probes on in-process transports, no network), print no English."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from hub.cli import app

from .services.test_assessments_kit import options

WORDS = yaml.safe_load((Path(__file__).parent / "data" / "english_words.yaml").read_text(encoding="utf-8"))
REGISTRY = Path(__file__).resolve().parents[2] / "examples" / "registry" / "registry.yaml"
SCHEMAS = Path(__file__).resolve().parents[2] / "schemas"
runner = CliRunner()


def identifiers() -> set[str]:
    """Names a user types (field names of `registry set`, profile codes of `--profile`): not prose."""
    from examples.apps.config import profiles
    from registry.convert import APP_FIELDS

    return {*APP_FIELDS, *profiles()}


# Commands whose output lists identifiers the user types back (field names, profile codes) next to their words.
LISTS_IDENTIFIERS = (("registry", "show"), ("examples", "list"))


def english_in(text: str, names: set[str] = frozenset()) -> list[str]:  # type: ignore[assignment]
    for name in WORDS["allowed"]:
        text = text.replace(name, " ")
    text = "\n".join(" ".join(w for w in line.split(" ") if w not in names) for line in text.splitlines())
    text = re.sub(r"\S*[/_=@:]\S*|--?[\w-]+|\{[^}]*\}", " ", text)  # paths, ids, keys, options: not prose
    found = []
    for word in WORDS["words"]:
        if re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", text, re.IGNORECASE):
            found.append(word)
    return found


def scenario(tmp_path: Path) -> list[list[str]]:
    pegawai = json.loads(next((SCHEMAS / "kepegawaian/pegawai/examples/valid").glob("*.json")).read_text())
    bad = dict(pegawai, nip="1985 0101 2010 01 1 002", tanggal_lahir="17-08-1985")
    (tmp_path / "bad.json").write_text(json.dumps(bad, indent=2), encoding="utf-8")
    (tmp_path / "broken.json").write_text('{"nip": ', encoding="utf-8")
    (tmp_path / "good.json").write_text(json.dumps(pegawai, indent=2), encoding="utf-8")
    out = tmp_path / "out"
    return [
        ["registry", "import", str(REGISTRY)],
        ["registry", "list"],
        ["registry", "show", "e-planning", "--history"],
        ["registry", "summary"],
        ["registry", "set", "e-planning", "status=production"],
        ["registry", "show", "e-plannin"],
        ["keys", "create", "--role", "admin", "--name", "Admin Diskominfo"],
        ["keys", "list"],
        ["keys", "revoke", "Admin Diskominfo"],
        ["keys", "create", "--name", "tanpa peran"],
        ["schemas", "list"],
        ["schemas", "show", "kepegawaian/pegawai"],
        ["schemas", "versions", "kepegawaian/pegawai"],
        ["schemas", "diff", "kepegawaian/pegawai", "1", "1"],
        ["schemas", "changelog"],
        ["certificate", "verify", str(tmp_path / "tidak-ada.json")],
        ["validate", "kepegawaian/pegawai", str(tmp_path / "good.json")],
        ["validate", "kepegawaian/pegawai", str(tmp_path / "bad.json")],
        ["validate", "kepegawaian/pegawai", str(tmp_path / "broken.json")],
        ["assess", "e-planning", "e-budgeting", "--report-dir", str(out / "penilaian"), "--report-format", "html"],
        ["assess", "runs"],
        ["assess", "answer", "e-planning", "REL-001", "--answer", "pass", "--evidence", "Dok|https://x.example",
         "--by", "Inspektorat"],
        ["inventory", "--pemda", "35.72", "--out", str(out / "inv.md")],
        ["sync-status"],
        ["deliveries", "list"],
        ["subscriptions", "list"],
        ["audit", "log"],
        ["audit", "verify"],
        ["db", "current"],
        ["examples", "list"],
        ["connectors", "list"],
        ["mapping", "suggest", "simpeg", "pegawai", "--schema", "kepegawaian/pegawai", "--sample",
         str(tmp_path / "bad.json")],
        ["federation", "add", "Kota Kediri", "--pemda", "35.71", "--url", "https://simpul.kedirikota.example",
         "--key-env", "SIMPUL_FED_3571_KEY_UNSET"],
        ["federation", "list"],
        ["federation", "pull"],
        ["federation", "status"],
        ["nosuch"],
    ]


@pytest.fixture
def probes(monkeypatch: pytest.MonkeyPatch) -> None:
    from hub.commands import assess as assess_cmd

    monkeypatch.setattr(assess_cmd, "probe_options", lambda: options({"e-planning": "good", "e-budgeting": "flaky"}))


def test_main_commands_print_no_english_in_indonesian(registry_db, probes, tmp_path: Path):  # type: ignore[no-untyped-def]
    problems = []
    for args in scenario(tmp_path):
        result = runner.invoke(app, args, env={"SIMPUL_LANG": "id", "COLUMNS": "200"})
        assert "Traceback" not in result.output, (args, result.output)
        assert result.exit_code in (0, 1, 2), (args, result.exit_code, result.output, result.exception)
        print("$ simpul", " ".join(args), "→", result.exit_code)
        print(result.output)
        words = english_in(result.output, identifiers() if tuple(args[:2]) in LISTS_IDENTIFIERS else set())
        if words:
            problems.append(f"simpul {' '.join(args)}: {', '.join(words)}")
    for report in sorted((tmp_path / "out" / "penilaian").glob("*.html")):
        words = english_in(report_text(report.read_text(encoding="utf-8")))
        if words:
            problems.append(f"report {report.name}: {', '.join(words)}")
    assert not problems, "English in Indonesian output:\n" + "\n".join(problems)


def report_text(html: str) -> str:
    """The prose of an HTML report: without styles, and without the application's own answers (evidence)."""
    html = re.sub(r"<(style|pre|title)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


def test_every_measured_value_has_a_name_in_both_languages(registry_db, probes, tmp_path: Path):  # type: ignore[no-untyped-def]
    from hub.i18n import catalog

    assert runner.invoke(app, ["registry", "import", str(REGISTRY)]).exit_code == 0
    assert runner.invoke(app, ["assess", "e-planning", "e-budgeting"]).exit_code in (0, 1)
    runs = json.loads(runner.invoke(app, ["assess", "runs", "--format", "json"]).stdout)["items"]
    from hub.services.assessments import AssessmentService
    from hub.services.registry_access import Principal
    from hub.services.registry_db import get_database

    service = AssessmentService(get_database(), Principal.cli(), "id")
    keys = {key for item in runs for r in service.run(item["run_id"]).results for key in r.measured}
    missing = sorted(k for k in keys if f"assessment.measured.{k}" not in catalog())
    assert keys and not missing, f"add assessment.measured.<key> to hub/i18n/catalog/assessment_report.yaml: {missing}"
