from typer.testing import CliRunner

from hub.cli import app

runner = CliRunner()


def test_version():
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert "simpul" in result.output


def test_bad_language_is_one_readable_line_and_exit_2():
    result = runner.invoke(app, ["--lang", "fr", "serve", "--help"])
    assert result.exit_code == 2
    assert "--lang" in result.output
    assert "Traceback" not in result.output
