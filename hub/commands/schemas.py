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


def register(app: typer.Typer) -> None:
    app.add_typer(schemas_app, name="schemas")
