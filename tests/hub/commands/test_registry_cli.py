"""The registry from the terminal: a new user's first session, and the errors they may meet."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import structlog
from typer.testing import CliRunner

from hub.cli import app
from registry.db import head_revision

EXAMPLES = Path(__file__).resolve().parents[3] / "examples" / "registry"
runner = CliRunner()


@pytest.fixture(autouse=True)
def _release_cli_logging():  # type: ignore[no-untyped-def]
    """``simpul`` binds its logger to the stderr of the moment; CliRunner closes that stream after each run."""
    yield
    structlog.reset_defaults()


def run(*args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, list(args), env={"COLUMNS": "200"})


def test_first_session_import_list_edit_history(registry_db, tmp_path):  # type: ignore[no-untyped-def]
    r = run("db", "upgrade")
    assert r.exit_code == 0, r.output
    assert head_revision() in r.output
    r = run("registry", "import", str(EXAMPLES / "registry.yaml"), "--dry-run")
    assert r.exit_code == 0 and "31" in r.output
    r = run("registry", "import", str(EXAMPLES / "registry.yaml"))
    assert r.exit_code == 0 and "31 baru" in r.output
    r = run("--lang", "en", "registry", "import", str(EXAMPLES / "registry.yaml"))
    assert "31 unchanged" in r.output
    r = run("registry", "list", "--area", "legislasi")
    assert r.exit_code == 0 and "jdih" in r.output and "simpeg" not in r.output
    r = run("registry", "list", "--json", "--kind", "umum", "--limit", "3")
    data = json.loads(r.output)
    assert data["total"] == 10 and len(data["items"]) == 3 and data["next_cursor"]
    r = run("registry", "set", "e-planning", "status=retired", "tags=rkpd; renja", "contact.phone=")
    assert r.exit_code == 0, r.output
    assert "3" in r.output
    r = run("registry", "show", "e-planning", "--history")
    assert r.exit_code == 0
    assert "status: production → retired" in r.output
    assert "cli:" in r.output
    assert "rina.w@" not in r.output  # personal data masked on screen
    out = tmp_path / "registry.xlsx"
    r = run("registry", "export", "--format", "xlsx", "-o", str(out))
    assert r.exit_code == 0 and out.read_bytes().startswith(b"PK")
    r = run("registry", "summary")
    assert r.exit_code == 0 and "31" in r.output


def test_bad_spreadsheet_one_line_per_bad_row_and_nothing_stored(registry_db):  # type: ignore[no-untyped-def]
    run("registry", "import", str(EXAMPLES / "registry.yaml"))
    r = run("registry", "import", str(EXAMPLES / "aplikasi-opd-salah.csv"))
    assert r.exit_code == 2
    lines = [line for line in r.output.splitlines() if line.strip()]
    assert any(line.startswith("[aplikasi-opd-salah.csv] baris 4, kolom status:") for line in lines)
    assert lines[-1].startswith("simpul: Impor ditolak")
    assert "Traceback" not in r.output
    r = run("registry", "show", "e-retribusi")
    assert r.exit_code == 2 and "tidak ditemukan" in r.output


def test_unknown_application_suggests_close_ids(registry_db):  # type: ignore[no-untyped-def]
    run("registry", "import", str(EXAMPLES / "registry.yaml"))
    r = run("--lang", "en", "registry", "show", "e-planing")
    assert r.exit_code == 2 and "Did you mean: e-planning" in r.output
    r = run("registry", "set", "e-planning", "statuz=retired")
    assert r.exit_code == 2 and "statuz" in r.output


def test_keys_create_list_revoke(registry_db):  # type: ignore[no-untyped-def]
    r = run("keys", "create", "--role", "admin", "--name", "Bidang Aptika")
    assert r.exit_code == 0
    token = r.output.strip().splitlines()[-1]
    assert token.startswith("smpl_")
    r = run("keys", "list")
    assert "Bidang Aptika" in r.output and token not in r.output
    r = run("keys", "create", "--role", "opd", "--name", "Bappeda")
    assert r.exit_code == 2 and "kode_pemda" in r.output
    r = run("keys", "revoke", "Bidang Aptika")
    assert r.exit_code == 0 and "dicabut" in r.output
    r = run("keys", "revoke", "tidak-ada")
    assert r.exit_code == 2
