"""``simpul audit verify|log``: the hash-chained audit log of the exchange (non-repudiation)."""

from __future__ import annotations

import json

import typer
from rich.table import Table

from hub.commands._common import console, err_console, fail, msg
from hub.errors import SimpulError, UsageError


def register(app: typer.Typer) -> None:
    group = typer.Typer(help="Log audit berantai hash / hash-chained audit log", no_args_is_help=True)
    app.add_typer(group, name="audit")

    @group.command("verify")
    def verify(
        expect_head: str = typer.Option(None, help="<id>:<hash> dari verifikasi sebelumnya / from an earlier run"),
        as_json: bool = typer.Option(False, "--json"),
    ) -> None:
        """Periksa seluruh rantai; kode keluar 1 bila ada entri diubah/dihapus / verify the chain (exit 1 if broken)."""
        from hub.exchange import audit

        anchor = None
        if expect_head:
            try:
                eid, ehash = expect_head.split(":", 1)
                anchor = (int(eid), ehash.strip())
            except ValueError:
                raise fail(UsageError("exchange.cli.bad_head")) from None
        try:
            result = audit.verify(expect_head=anchor)
        except SimpulError as err:
            raise fail(err) from None
        if as_json:
            typer.echo(json.dumps(result.as_dict()))
        elif result.ok:
            console.print(msg("exchange.cli.audit_ok", entries=result.entries, head_id=result.head_id,
                              head_hash=result.head_hash), highlight=False)
        else:
            err_console.print(msg("exchange.cli.audit_broken", id=result.broken_id, problem=result.problem,
                                  detail=result.detail), style="bold red", highlight=False)
        if not result.ok:
            raise typer.Exit(1)

    @group.command("log")
    def log(limit: int = typer.Option(30), action: str = typer.Option(None, help="Awalan aksi / action prefix"),
            as_json: bool = typer.Option(False, "--json")) -> None:
        """Entri terbaru / newest entries."""
        from hub.exchange import audit

        rows = audit.entries(limit=limit, action=action)
        if as_json:
            typer.echo(json.dumps([{"id": r.id, "at": r.at, "actor": r.actor, "action": r.action, "entity": r.entity,
                                    "entity_id": r.entity_id, "details": r.details, "hash": r.hash} for r in rows],
                                  ensure_ascii=False, indent=2))
            return
        table = Table("#", *(msg(f"exchange.cli.col.{c}") for c in ("at", "actor", "action", "entity", "hash")))
        for r in rows:
            table.add_row(str(r.id), r.at, r.actor, r.action, f"{r.entity}:{r.entity_id or ''}", r.hash[:16])
        console.print(table)
