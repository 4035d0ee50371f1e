"""``simpul validate SCHEMA FILE...``: check data files against a canonical schema.

Exit codes: 0 every document is valid, 1 at least one is invalid, 2 usage error (unknown schema, missing or
unreadable file, malformed JSON).
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

import typer
from rich.console import Group

from hub.commands._common import console, err_console, fail, lang, msg
from hub.errors import BadRequest, SimpulError
from hub.validation.render import render, text_renderables, verdict_line
from hub.validation.service import validate_files


class OutputFormat(StrEnum):
    text = "text"
    json = "json"
    junit = "junit"
    sarif = "sarif"


def register(app: typer.Typer) -> None:
    @app.command("validate")
    def validate(
        schema: str = typer.Argument(..., help="Kunci skema, mis. kepegawaian/pegawai (atau …:1, atau URN) / "
                                               "schema key, e.g. kepegawaian/pegawai"),
        files: list[Path] = typer.Argument(..., help="Berkas .json, .ndjson/.jsonl, .csv atau .xlsx / data files",
                                           show_default=False),
        fmt: OutputFormat = typer.Option(OutputFormat.text, "--format", "-f",
                                         help="Bentuk laporan / report format: text, json, junit, sarif"),
        output: Path | None = typer.Option(None, "--output", "-o",
                                           help="Tulis laporan ke berkas / write the report to a file"),
        sheet: str | None = typer.Option(None, "--sheet",
                                         help="Lembar Excel (bawaan: lembar pertama) / Excel sheet name"),
        no_rules: bool = typer.Option(False, "--no-rules",
                                      help="Hanya skema, tanpa aturan bisnis / schema only, no business rules"),
        only_invalid: bool = typer.Option(False, "--only-invalid",
                                          help="Laporan hanya memuat dokumen bermasalah / list only documents "
                                               "with issues"),
    ) -> None:
        """Periksa berkas data terhadap skema kanonik / validate data files against a canonical schema.

        Keluar dengan 0 bila semua valid, 1 bila ada yang tidak valid, 2 untuk kesalahan pemakaian.
        """
        language = lang()
        # text and SARIF show only documents with issues: valid ones need not be kept (100,000 lines stay small)
        listed = not only_invalid and fmt in (OutputFormat.json, OutputFormat.junit)
        try:
            report = validate_files(schema, files, sheet=sheet, rules=not no_rules, include_valid=listed)
        except SimpulError as err:
            raise fail(err) from None
        if output is not None:
            try:
                output.parent.mkdir(parents=True, exist_ok=True)
                output.write_text(render(report, fmt.value, language), encoding="utf-8")
            except OSError as exc:
                raise fail(BadRequest("validation.output_unwritable", path=str(output),
                                      detail=exc.strerror or str(exc))) from None
            style = "green" if report.valid else "red"
            err_console.print(f"[{style}]{verdict_line(report, language)}[/]", highlight=False)
            err_console.print(msg("validation.text.written", path=str(output)), highlight=False)
        elif fmt is OutputFormat.text:
            console.print(Group(*text_renderables(report, language)), highlight=False)
        else:
            typer.echo(render(report, fmt.value, language), nl=False)
        raise typer.Exit(0 if report.valid else 1)
