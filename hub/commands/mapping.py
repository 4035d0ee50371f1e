"""``simpul mapping suggest`` (draft a mapping from sample records) and ``simpul mapping check`` (load one).

Exit codes: 0 fine; 1 the draft still has todo fields (suggest) ; 2 usage error (unknown schema, resource or
file, a mapping that cannot be loaded).
"""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.table import Table

from hub.commands._common import console, fail, lang, msg, run_connector
from hub.errors import SimpulError
from hub.services import mappings

APP_HELP = "Id aplikasi di registri atau berkas spesifikasi YAML / application id or spec YAML file"


def register(app: typer.Typer) -> None:
    group = typer.Typer(help="Pemetaan ke skema kanonis / mappings to canonical schemas", no_args_is_help=True)
    app.add_typer(group, name="mapping")

    @group.command("suggest")
    def suggest(
        target: str = typer.Argument(..., metavar="APP", help=APP_HELP),
        resource: str = typer.Argument(..., metavar="RESOURCE", help="Nama sumber data / resource name"),
        schema: str = typer.Option(..., "--schema", "-s", help="Skema kanonis, mis. kepegawaian/pegawai / schema"),
        out: Path | None = typer.Option(None, "--out", "-o", help="Tulis draf YAML ke berkas / write the draft"),
        sample: Path | None = typer.Option(None, "--sample",
                                           help="Rekaman contoh JSON/NDJSON, tanpa menghubungi aplikasi / "
                                                "sample records instead of reading the application"),
        limit: int = typer.Option(mappings.DEFAULT_SAMPLE, "--limit", min=1, help="Rekaman contoh / sample size"),
        force: bool = typer.Option(False, "--force", help="Timpa --out yang sudah ada / overwrite --out"),
        as_json: bool = typer.Option(False, "--json", help="Keluaran JSON / JSON output"),
    ) -> None:
        """Draf pemetaan YAML dari rekaman contoh / draft a YAML mapping from sample records."""
        try:
            records = mappings.read_sample(sample) if sample is not None else None
            draft, text = run_connector(mappings.suggest(target, resource, schema, records=records, limit=limit,
                                                lang=lang()))
            if out is not None:
                mappings.write_draft(out, text, force=force)
        except SimpulError as err:  # reading the sample or writing the draft
            raise fail(err) from None
        todo = sum(line.todo for line in draft.lines)
        matched = len(draft.lines) - todo
        if as_json:
            typer.echo(json.dumps(draft.to_dict(lang()), indent=2, ensure_ascii=False))
        elif out is None:
            typer.echo(text, nl=False)
        else:
            table = Table(show_lines=False)
            for key in ("field", "spec", "why"):
                table.add_column(msg(f"mapping.col.{key}"), overflow="fold")
            for line in draft.lines:
                style = "yellow" if line.todo else ""
                table.add_row(line.target, json.dumps(line.spec, ensure_ascii=False),
                              line.to_dict(lang())["reason"], style=style)
            console.print(table)
            console.print(msg("mapping.suggest.written", path=str(out), matched=matched, todo=todo),
                          highlight=False, soft_wrap=True)
        raise typer.Exit(1 if todo else 0)

    @group.command("check")
    def check(path: Path = typer.Argument(..., metavar="FILE", help="Berkas pemetaan YAML / mapping file")) -> None:
        """Muat pemetaan seperti konektor memuatnya / load a mapping as the connectors do."""
        try:
            mapper = mappings.check_file(path)
        except SimpulError as err:
            raise fail(err) from None
        console.print(msg("mapping.check.ok", path=str(path), schema=mapper.schema_key,
                          count=len(mapper.spec.fields)), highlight=False, soft_wrap=True)

