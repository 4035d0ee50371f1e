"""``simpul conformance URL --area AREA``: run the assessment catalog against an application that is not registered.

For vendors before delivery (and auditors doing a quick check). Exit 0 when no check fails, 1 when any fails,
2 on a usage error (or when the address is refused by the safety rules).
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import typer
import yaml
from pydantic import ValidationError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from hub.assessment import AssessmentRun, AssessmentTarget, ProbeLimits, Status, TargetAuth, assess, load_catalog
from hub.assessment.models import PREFIX_OF
from hub.assessment.render import FORMATS, detail, render, status_label
from hub.commands._common import console, err_console, fail, lang, msg
from hub.errors import BadRequest, SimpulError, UsageError
from hub.services.assessment_targets import openapi_fields

STATUS_STYLE = {Status.PASS: "green", Status.WARNING: "yellow", Status.FAIL: "red", Status.ERROR: "bright_black",
                Status.NOT_APPLICABLE: "bright_black", Status.NOT_ANSWERED: "bright_black",
                Status.INCONCLUSIVE: "magenta"}


def parse_headers(values: list[str], token: str | None) -> dict[str, str]:
    headers: dict[str, str] = {}
    for raw in values:
        name, sep, value = raw.partition(":")
        if not sep or not name.strip() or " " in name.strip():
            raise UsageError("assessment.cli.header_invalid", header=raw.split(":", 1)[0][:40])
        headers[name.strip()] = value.strip()
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return headers


def load_spec_file(path: Path) -> dict[str, Any]:
    try:
        from hub.services.connections import load_spec
    except ImportError:  # connections not available: read the YAML as it is
        if not path.is_file():
            raise BadRequest("error.file_not_found", path=str(path)) from None
        return yaml.safe_load(path.read_text("utf-8")) or {}
    return load_spec(path).as_dict()


def load_partner(path: Path) -> dict[str, list[dict[str, Any]]]:
    if not path.is_file():
        raise BadRequest("error.file_not_found", path=str(path))
    try:
        data = yaml.safe_load(path.read_text("utf-8"))
    except yaml.YAMLError:
        data = None
    if not isinstance(data, dict) or not all(isinstance(v, list) for v in data.values()):
        raise UsageError("assessment.cli.partner_invalid", path=str(path))
    return data


def build_target(url: str, area: str, openapi: str | None, headers: dict[str, str], spec: dict[str, Any] | None,
                 allow_hosts: list[str], public: bool) -> AssessmentTarget:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError("assessment.cli.url_invalid", url=url)
    if parts.username or parts.password:
        raise UsageError("assessment.cli.url_credentials", url=f"{parts.scheme}://***@{parts.hostname}")
    if parts.query or parts.fragment:
        raise UsageError("assessment.cli.url_query", url=f"{parts.scheme}://{parts.netloc}{parts.path}?…")
    catalog = load_catalog()
    if area not in catalog.areas:
        raise UsageError("assessment.cli.area_unknown", area=area, known=", ".join(catalog.areas))
    config = ((spec.get("connector") or {}).get("config") or {}) if isinstance(spec, dict) else {}
    described: dict[str, Any] = {}
    if openapi and (openapi.lower().startswith("file:") or Path(openapi).expanduser().is_file()):
        described = openapi_fields(openapi, Path.cwd())  # a local file (a file:// URL is refused, naming it)
        openapi = None
    elif openapi and not urlsplit(openapi).scheme:
        openapi = url.rstrip("/") + "/" + openapi.lstrip("/")  # a path on the application's own server
    elif not openapi and (config.get("openapi_file") or config.get("openapi_url")):
        described = openapi_fields(config.get("openapi_file") or config.get("openapi_url"), Path.cwd())
        openapi = described.pop("openapi_url", None)
    auth = TargetAuth(headers=headers)
    if spec and not headers:  # the spec's own credentials (bearer, api_key, basic, OAuth2 client credentials)
        import os

        from hub.services.assessment_targets import auth_from_config

        auth, problem = auth_from_config(config, os.environ, parts.hostname)
        if problem is not None:
            raise UsageError("assessment.cli.spec_auth", reason=problem.get(lang()))
    try:
        return AssessmentTarget(
            app_id=parts.hostname + (f"-{parts.port}" if parts.port else ""), name=parts.hostname + (
                f":{parts.port}" if parts.port else ""), base_url=url, area=area, openapi_url=openapi,
            auth=auth, connector=spec, schemas=catalog.schemas_for_area(area),
            is_public=public, allowed_hosts=allow_hosts, **described)
    except ValidationError:
        raise UsageError("assessment.cli.url_invalid", url=f"{parts.scheme}://{parts.hostname}") from None


def summary(run: AssessmentRun, language: str) -> list[Any]:
    """Renderables: scores per standard, the level, failed checks, errors and pending manual checks."""
    table = Table(title=msg("assessment.report.title", name=run.target.name), title_justify="left")
    table.add_column(msg("assessment.report.standard"), no_wrap=True)
    table.add_column(msg("assessment.report.score"), justify="right")
    shown: tuple[Status, ...] = (Status.PASS, Status.WARNING, Status.FAIL, Status.ERROR, Status.NOT_APPLICABLE)
    if run.inconclusive:  # a timing check the hub's own lag made unjudgeable: shown as such, never hidden
        shown = (*shown, Status.INCONCLUSIVE)
    for status in shown:
        table.add_column(status_label(status, language), justify="right", style=STATUS_STYLE[status])
    for s in run.scores:
        label = f"{PREFIX_OF[s.standard]} {s.name.get(language).split(' (')[0]}"
        table.add_row(label, "–" if s.score is None else f"{s.score:.0f}", *[str(s.counts.get(st.value, 0))
                                                                            for st in shown])
    out: list[Any] = [table]
    m = run.maturity
    shown = (f"{m.level} ({m.name.get(language)})" if m.measured else m.name.get(language)) + (
        f" — {msg('assessment.level.provisional_short')}" if m.provisional else "")
    out.append(f"[bold]{msg('assessment.report.level')}: {shown}[/] · "
               f"{msg('assessment.report.overall')}: {'–' if m.overall_score is None else m.overall_score}")
    out.append(m.explanation.get(language))
    for key, status in (("failed", Status.FAIL), ("errors", Status.ERROR), ("inconclusive", Status.INCONCLUSIVE)):
        items = [r for r in run.results if r.status is status]
        if items:
            out.append(f"\n[bold]{msg(f'assessment.report.{key}')}[/]")
            out += [f"  [{STATUS_STYLE[status]}]{r.check_id}[/] {r.title.get(language)}: {detail(r, language)}"
                    for r in items]
    if run.pending_manual:
        out.append(f"\n{msg('assessment.report.pending')}: {', '.join(run.pending_manual)}")
    return out


def register(app: typer.Typer) -> None:
    @app.command("conformance")
    def conformance(
        url: str = typer.Argument(..., help="Alamat dasar aplikasi / base URL of the application"),
        area: str = typer.Option(..., "--area", help="perencanaan | keuangan | kepegawaian | legislasi | "
                                 "pelayanan_publik: menentukan skema kanonis / decides the canonical schemas"),
        openapi: str | None = typer.Option(None, "--openapi", help="OpenAPI: URL, path di server, atau berkas lokal"),
        token: str | None = typer.Option(None, "--token", envvar="SIMPUL_CONFORMANCE_TOKEN",
                                         help="Bearer token (tidak pernah ditampilkan / never shown)"),
        header: list[str] = typer.Option([], "--header", help="Header 'Nama: nilai' (boleh berulang / repeatable)"),
        spec: Path | None = typer.Option(None, "--spec", help="Spesifikasi konektor YAML / connector spec YAML"),
        fmt: str = typer.Option("text", "--format", help="text | json | junit | html | xlsx"),
        output: Path | None = typer.Option(None, "--output", "-o", help="Berkas laporan / report file"),
        allow_host: list[str] = typer.Option([], "--allow-host",
                                             help="Host lain yang boleh dihubungi (dan diuji beban) / extra host"),
        partner_data: Path | None = typer.Option(None, "--partner-data",
                                                 help="JSON/YAML {skema: [rekaman]} aplikasi mitra (INT-005)"),
        public: bool = typer.Option(False, "--public", help="Alamat ini terbuka ke internet / address is public"),
        probes: int | None = typer.Option(None, "--probes", min=1, max=100,
                                          help="Jumlah percobaan ketersediaan / availability probes"),
        certificate: Path | None = typer.Option(
            None, "--certificate", help="Terbitkan sertifikat bertanda tangan bila tidak ada pemeriksaan gagal / "
                                        "issue a signed certificate when no check fails"),
        vendor: str | None = typer.Option(None, "--vendor", help="Vendor aplikasi / the application's vendor"),
    ) -> None:
        """Nilai aplikasi terhadap lima standar (tanpa registrasi) / assess an application against the five
        standards (no registration)."""
        language = lang()
        if fmt not in ("text", *FORMATS):
            raise fail(UsageError("assessment.cli.format_unknown", format=fmt, known=", ".join(("text", *FORMATS))))
        if fmt == "xlsx" and output is None:
            raise fail(UsageError("assessment.cli.output_required", format=fmt))
        try:
            from hub.services import network

            network.install(extra=allow_host)  # hosts named here are this user's choice, for every connection
            headers = parse_headers(header, token)
            spec_data = load_spec_file(spec) if spec else None
            partners = load_partner(partner_data) if partner_data else None
            target = build_target(url, area, openapi, headers, spec_data, allow_host, public)
        except (UsageError, BadRequest) as exc:
            raise fail(exc) from None
        limits = ProbeLimits(**({"availability_probes": probes} if probes else {}))
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                   TextColumn("{task.fields[check]}"), TimeElapsedColumn())
        with Progress(*columns, console=err_console, transient=True) as bar:
            task = bar.add_task(msg("assessment.cli.progress", name=target.name), total=None, check="")

            def progress(done: int, total: int, check_id: str) -> None:
                bar.update(task, completed=done, total=total, check=check_id)

            run = asyncio.run(assess(target, limits=limits, progress=progress, partner_records=partners))
        if run.refused is not None:
            err_console.print(f"[bold red]simpul:[/] {msg('assessment.cli.refused', reason=run.refused.get(language))}")
            raise typer.Exit(2)
        _emit(run, fmt, output, language)
        failed = len(run.failed)
        out = err_console if fmt != "text" and output is None else console  # keep stdout a clean report
        out.print(msg("assessment.cli.verdict_fail", count=failed) if failed else msg("assessment.cli.verdict_ok"))
        if certificate is not None:
            _certify(run, certificate, vendor, language)
        raise typer.Exit(1 if failed else 0)


def _certify(run: AssessmentRun, path: Path, vendor: str | None, language: str) -> None:
    """Issue the certificate (evidence: the JSON report); a run with failures or errors gets none, and is told."""
    from hub.services.certificates import for_conformance

    evidence = render(run, "json", language)
    data = evidence.encode("utf-8") if isinstance(evidence, str) else evidence
    try:
        cert_path, evidence_path = for_conformance(run, data, path, vendor=vendor)
    except SimpulError as err:
        err_console.print(f"[red]{err.message(language)}[/]", highlight=False)
        return
    err_console.print(msg("certificate.issued", path=str(cert_path), evidence=str(evidence_path)),
                      highlight=False)


def _emit(run: AssessmentRun, fmt: str, output: Path | None, language: str) -> None:
    if fmt == "text":
        for item in summary(run, language):
            console.print(item, highlight=False)
        if output is not None:
            output.parent.mkdir(parents=True, exist_ok=True)
            with output.open("w", encoding="utf-8") as handle:
                plain = Console(file=handle, width=120, no_color=True, highlight=False)
                for item in summary(run, language):
                    plain.print(item)
            console.print(msg("assessment.cli.written", path=str(output)))
        return
    report = render(run, fmt, language)
    if output is None:
        for item in summary(run, language):
            err_console.print(item, highlight=False)
        typer.echo(report if isinstance(report, str) else "")
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(report, bytes):
        output.write_bytes(report)
    else:
        output.write_text(report, "utf-8")
    for item in summary(run, language):
        console.print(item, highlight=False)
    console.print(msg("assessment.cli.written", path=str(output)))
