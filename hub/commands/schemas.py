"""``simpul schemas list|show|docs``: the canonical schemas, for people."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.table import Table
from rich.text import Text

from hub.commands._common import console, fail, lang, markdown_text, msg
from hub.errors import SimpulError
from hub.i18n import t
from hub.services import schema_versions
from hub.settings import PROJECT_ROOT
from hub.validation.docs import fields, write_docs
from hub.validation.service import describe_schema, list_schemas
from hub.validation.store import get_store

schemas_app = typer.Typer(help="Skema kanonik: daftar, rincian, dokumentasi / canonical schemas: list, show, docs",
                          no_args_is_help=True)


@schemas_app.command("list")
def list_command(
    as_json: bool = typer.Option(False, "--json", help="Keluaran JSON / JSON output"),
) -> None:
    """Daftar skema (versi terbaru) / list the schemas (latest versions)."""
    language = lang()
    items = list_schemas()
    if as_json:
        typer.echo(json.dumps([i.model_dump(mode="json") for i in items], ensure_ascii=False, indent=2))
        return
    if not items:
        console.print(msg("validation.schemas.none", path=str(get_store().root)))
        return
    table = Table(show_lines=False)
    table.add_column(t("validation.cli.col.key", language), style="bold", no_wrap=True)
    table.add_column(t("validation.doc.version", language))
    table.add_column(t("validation.cli.col.title", language))
    table.add_column(t("validation.doc.examples", language) + " (✓/✗)", justify="right")
    for item in items:
        table.add_row(item.key, item.version, item.title.text(language),
                      f"{item.examples.valid}/{item.examples.invalid}")
    console.print(table)


@schemas_app.command("show")
def show_command(
    key: str = typer.Argument(..., help="Kunci skema, mis. kepegawaian/pegawai / schema key"),
    as_json: bool = typer.Option(False, "--json", help="Cetak skema JSON apa adanya / print the raw JSON Schema"),
) -> None:
    """Rincian satu skema: isian, tipe, wajib, batasan / one schema: fields, types, required, constraints."""
    language = lang()
    try:
        detail = describe_schema(key)
    except SimpulError as err:
        raise fail(err) from None
    if as_json:
        typer.echo(json.dumps(detail.schema_, ensure_ascii=False, indent=2))
        return
    store = get_store()
    entry = store.get(key)
    console.print(Text(detail.title.text(language), style="bold"))
    console.print(Text(f"{detail.key} v{detail.version} — {detail.id} — {detail.hash}", style="dim"))
    if detail.description.text(language):
        console.print(markdown_text(detail.description.text(language)))
    table = Table(show_lines=False)
    table.add_column(t("validation.doc.col.field", language), no_wrap=True)
    table.add_column(t("validation.doc.col.type", language))
    table.add_column(t("validation.doc.col.required", language), no_wrap=True)
    table.add_column(t("validation.cli.col.title", language))
    table.add_column(t("validation.doc.col.constraints", language), overflow="fold")
    yes, no = t("validation.doc.yes", language), t("validation.doc.no", language)
    for f in fields(store.resolved(entry)):
        table.add_row("  " * f.depth + f.path.rsplit(".", 1)[-1] if f.depth else f.path, f.type,
                      yes if f.required else no, f.text("title", language) or f.text("title", "id"),
                      markdown_text("; ".join(f.constraints[language])))
    console.print(table)


@schemas_app.command("docs")
def docs_command(
    out: Path = typer.Option(PROJECT_ROOT / "docs" / "schemas", "--out", "-o",
                             help="Folder keluaran / output folder"),
) -> None:
    """Tulis dokumentasi Markdown (id dan en) tiap skema / write Markdown docs (id and en) per schema."""
    store = get_store()
    if not store.entries():
        raise fail(SimpulError("validation.schemas.none", path=str(store.root)))
    written = write_docs(store, out)
    console.print(msg("validation.schemas.docs_written", count=len(written), path=str(out)))


@schemas_app.command("versions")
def versions_command(
    key: str = typer.Argument(..., help="Kunci skema, mis. kepegawaian/pegawai / schema key"),
    as_json: bool = typer.Option(False, "--json", help="Keluaran JSON / JSON output"),
) -> None:
    """Semua versi satu skema: semver, terbaru, usang / every version of a schema: semver, latest, deprecated."""
    language = lang()
    try:
        items = schema_versions.list_versions(key)
    except SimpulError as err:
        raise fail(err) from None
    if as_json:
        typer.echo(json.dumps([i.model_dump(mode="json") for i in items], ensure_ascii=False, indent=2))
        return
    table = Table(show_lines=False)
    for col in ("version", "semver", "status", "hash"):
        table.add_column(t(f"schemaver.col.{col}", language), no_wrap=col != "status")
    for item in items:
        status = [t("schemaver.status.latest", language)] if item.latest else [
            t("schemaver.status.superseded", language, latest=item.superseded_by)]
        if item.deprecation is not None:
            status.append(item.deprecation.message.text(language))
        table.add_row(item.version, item.semver, "; ".join(status), item.hash[:19] + "…")
    console.print(table)


@schemas_app.command("diff")
def diff_command(
    key: str = typer.Argument(..., help="Kunci skema / schema key"),
    from_version: str = typer.Argument(..., help="Versi lama, mis. 1 / old version"),
    to_version: str = typer.Argument(..., help="Versi baru, mis. 1.1 / new version"),
    as_json: bool = typer.Option(False, "--json", help="Keluaran JSON / JSON output"),
) -> None:
    """Perubahan antarversi, memutus atau tidak, dan pemetaan/langganan terdampak / changes between versions,
    breaking or not, and the mappings and subscriptions they affect.

    Keluar 0 bila tidak ada perubahan memutus, 1 bila ada / exit 0 without breaking changes, 1 with."""
    language = lang()
    try:
        result = schema_versions.schema_diff(key, from_version, to_version)
    except SimpulError as err:
        raise fail(err) from None
    if as_json:
        typer.echo(result.model_dump_json(by_alias=True, indent=2))
        raise typer.Exit(1 if result.breaking else 0)
    step = t(f"schemaver.step.{result.step}", language)
    console.print(Text(f"{result.key} {result.from_version} → {result.to_version}", style="bold"))
    console.print(msg("schemaver.changelog.counts", breaking=result.breaking, non_breaking=result.non_breaking,
                      step=step), highlight=False)
    if not result.semver_ok:
        console.print(f"[yellow]⚠ {msg('schemaver.semver_warning', step=step)}[/]", highlight=False)
    if result.changes:
        table = Table(show_lines=False)
        for col in ("n", "class", "field", "change"):
            table.add_column(t(f"schemaver.col.{col}", language), overflow="fold", no_wrap=col == "n")
        for i, c in enumerate(result.changes):
            label = t("schemaver.class.breaking" if c.breaking else "schemaver.class.non_breaking", language)
            where = f" ({c.where})" if c.where else ""
            table.add_row(str(i), Text(label, style="red" if c.breaking else "green"), (c.path or "/") + where,
                          c.message.text(language))
        console.print(table)
    _print_affected(result.affected, language)
    raise typer.Exit(1 if result.breaking else 0)


def _print_affected(found: dict | None, language: str) -> None:
    if found is None:
        return
    if not found.get("checked"):
        console.print(msg("schemaver.affected.unchecked"), highlight=False)
        return
    if not found["mappings"] and not found["subscriptions"]:
        console.print(msg("schemaver.affected.none"), highlight=False)
        return
    for m in found["mappings"]:
        console.print(msg("schemaver.affected.mapping", app=m["app"], resource=m["resource"],
                          changes=", ".join(str(i) for i in m["changes"])), highlight=False)
    for s in found["subscriptions"]:
        console.print(msg("schemaver.affected.subscription", id=s["id"], name=s["name"],
                          consumer=s["consumer_app"] or "-"), highlight=False)


@schemas_app.command("changelog")
def changelog_command(
    write: bool = typer.Option(False, "--write", help="Tulis docs/schemas/CHANGELOG.md (dan .en.md) / write it"),
    out: Path = typer.Option(PROJECT_ROOT / "docs" / "schemas", "--out", "-o",
                             help="Folder keluaran untuk --write / output folder for --write"),
) -> None:
    """Catatan perubahan dari diff versi berurutan / changelog from the diffs of consecutive versions."""
    try:
        if not write:
            typer.echo(schema_versions.changelog(lang()), nl=False)
            return
        written = schema_versions.write_changelog(out)
    except SimpulError as err:
        raise fail(err) from None
    except OSError as exc:
        raise fail(SimpulError("validation.output_unwritable", path=str(out), detail=exc.strerror or str(exc))) \
            from None
    console.print(msg("validation.schemas.docs_written", count=len(written), path=str(out)))


@schemas_app.command("deprecate")
def deprecate_command(
    key: str = typer.Argument(..., help="Kunci skema / schema key"),
    version: str = typer.Argument(..., help="Versi yang diusangkan / version to deprecate"),
    sunset: str = typer.Option(..., "--sunset", help="Tanggal akhir dukungan YYYY-MM-DD / sunset date"),
    successor: str | None = typer.Option(None, "--successor",
                                         help="Versi pengganti (bawaan: terbaru) / successor (default: latest)"),
    note: str | None = typer.Option(None, "--note", help="Catatan / note"),
) -> None:
    """Tandai satu versi skema usang, dengan tanggal akhir / mark a schema version deprecated, with a sunset."""
    language = lang()
    try:
        found = schema_versions.deprecate_version(key, version, sunset, successor=successor, note=note)
    except SimpulError as err:
        raise fail(err) from None
    console.print(found.message.text(language), highlight=False)


def register(app: typer.Typer) -> None:
    app.add_typer(schemas_app, name="schemas")
