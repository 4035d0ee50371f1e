"""``simpul examples list`` and the usage errors of ``simpul examples serve`` (no servers started here)."""

from __future__ import annotations

from typer.testing import CliRunner

from hub.cli import app

runner = CliRunner()


def test_list_shows_apps_and_profiles_in_bahasa_indonesia():
    result = runner.invoke(app, ["examples", "list"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    for word in ("e-planning", "8101", "pelayanan", "8105", "wrong-codes", "Profil mutu", "Tanpa paginasi"):
        assert word in result.output


def test_list_in_english():
    result = runner.invoke(app, ["--lang", "en", "examples", "list"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    assert "Quality profiles" in result.output and "No pagination" in result.output


def test_serve_refuses_an_unknown_profile_in_one_line():
    result = runner.invoke(app, ["examples", "serve", "--profile", "simpeg=luar-biasa"])
    assert result.exit_code == 2
    assert "Pilihan tidak valid" in result.output and "luar-biasa" in result.output
    assert "Traceback" not in result.output
