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
from hub.validation.render import render, text_renderables, verdict_line, write_json
from hub.validation.report import ValidationReport
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
        certificate: Path | None = typer.Option(
            None, "--certificate", help="Terbitkan sertifikat bertanda tangan bila semua valid / issue a signed "
                                        "certificate when every document is valid"),
        app_name: str | None = typer.Option(None, "--app", help="Aplikasi yang disertifikasi / certified app"),
        vendor: str | None = typer.Option(None, "--vendor", help="Vendor aplikasi / the application's vendor"),
        normalise: bool = typer.Option(False, "--normalise", "--normalize",
                                       help="Terima bentuk tampilan (NIP berspasi, kode tanpa titik, DD-MM-YYYY) "
                                            "dan laporkan perubahannya / accept known display forms and report "
                                            "what was changed"),
        write_normalised: Path | None = typer.Option(None, "--write-normalised", "--write-normalized",
                                                     help="Tulis data yang sudah dinormalkan ke berkas (.json "
                                                          "atau .ndjson; berarti --normalise) / write the "
                                                          "normalised data to a file"),
    ) -> None:
        """Periksa berkas data terhadap skema kanonik / validate data files against a canonical schema.

        Keluar dengan 0 bila semua valid, 1 bila ada yang tidak valid, 2 untuk kesalahan pemakaian.
        """
        language = lang()
        # text and SARIF show only documents with issues: valid ones need not be kept (100,000 lines stay small)
        listed = not only_invalid and fmt in (OutputFormat.json, OutputFormat.junit)
        try:
            report = validate_files(schema, files, sheet=sheet, rules=not no_rules, include_valid=listed,
                                    normalise_=normalise, write_normalised=write_normalised)
        except SimpulError as err:
            raise fail(err) from None
        if report.deprecation is not None and (output is not None or fmt is not OutputFormat.text):
            err_console.print(f"[bold yellow]⚠ {report.deprecation.message.text(language)}[/]", highlight=False)
        if write_normalised is not None:
            err_console.print(msg("validation.text.normalised_written", path=str(write_normalised)),
                              highlight=False)
        if output is not None:
            try:
                output.parent.mkdir(parents=True, exist_ok=True)
                if fmt is OutputFormat.json:  # written a batch of documents at a time, never held whole
                    with output.open("w", encoding="utf-8") as handle:
                        write_json(report, handle.write)
                else:
                    output.write_text(render(report, fmt.value, language), encoding="utf-8")
            except OSError as exc:
                raise fail(BadRequest("validation.output_unwritable", path=str(output),
                                      detail=exc.strerror or str(exc))) from None
            style = "green" if report.valid else "red"
            err_console.print(f"[{style}]{verdict_line(report, language)}[/]", highlight=False)
            err_console.print(msg("validation.text.written", path=str(output)), highlight=False)
        elif fmt is OutputFormat.text:
            console.print(Group(*text_renderables(report, language)), highlight=False)
        elif fmt is OutputFormat.json:
            write_json(report, lambda text: typer.echo(text, nl=False))
        else:
            typer.echo(render(report, fmt.value, language), nl=False)
        if certificate is not None and report.valid:
            _certify(report, certificate, app_name, vendor)
        elif certificate is not None:
            refused = msg("certificate.not_all_valid", invalid=report.summary.invalid,
                          documents=report.summary.documents)
            err_console.print(f"[red]{refused}[/]", highlight=False)
        raise typer.Exit(0 if report.valid else 1)


def _certify(report: ValidationReport, path: Path, app_name: str | None, vendor: str | None) -> None:
    from hub.services.certificates import for_validation

    try:
        cert_path, evidence_path = for_validation(report, path, app=app_name, vendor=vendor)
    except SimpulError as err:
        raise fail(err) from None
    err_console.print(msg("certificate.issued", path=str(cert_path), evidence=str(evidence_path)),
                      highlight=False)
