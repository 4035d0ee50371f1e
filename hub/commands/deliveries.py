"""``simpul deliveries list|show|replay|run``: the outbox of the data exchange."""

from __future__ import annotations

import asyncio
import json

import typer
from rich.table import Table

from hub.commands._common import console, fail, msg
from hub.errors import NotFound, SimpulError, UsageError
from hub.services.registry_access import Principal


def register(app: typer.Typer) -> None:
    group = typer.Typer(help="Pengiriman data (outbox) / deliveries of the data exchange", no_args_is_help=True)
    app.add_typer(group, name="deliveries")

    @group.command("list")
    def list_(
        status: str = typer.Option(None, help="pending | retrying | delivered | dead"),
        subscription: str = typer.Option(None, help="Id langganan / subscription id"),
        limit: int = typer.Option(50, help="Jumlah baris / rows"),
        as_json: bool = typer.Option(False, "--json"),
    ) -> None:
        """Daftar pengiriman terbaru / newest deliveries."""
        from hub.exchange import delivery

        try:
            rows = [delivery.as_dict(r) for r in delivery.list_deliveries(status=status, subscription=subscription,
                                                                          limit=limit)]
        except SimpulError as err:
            raise fail(err) from None
        if as_json:
            typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        table = Table(*(msg(f"exchange.cli.col.{c}") for c in ("delivery", "subscription", "record", "event",
                                                                 "status", "attempts", "last_error")))
        for r in rows:
            table.add_row(r["delivery_id"], r["subscription"], r["record_key"], r["event"], r["status"],
                          str(r["attempts"]), (r["dead_reason"] or r["last_error"] or "")[:60])
        console.print(table)

    @group.command("show")
    def show(delivery_id: str) -> None:
        """Satu pengiriman / one delivery."""
        from hub.exchange import delivery

        row = delivery.get_delivery(delivery_id)
        if row is None:
            raise fail(NotFound("exchange.delivery_not_found", id=delivery_id))
        typer.echo(json.dumps(delivery.as_dict(row), ensure_ascii=False, indent=2))

    @group.command("replay")
    def replay(
        delivery_ids: list[str] = typer.Argument(None, help="Id pengiriman / delivery ids"),
        all_dead: bool = typer.Option(False, "--all-dead", help="Semua yang dead / every dead delivery"),
        subscription: str = typer.Option(None, help="Hanya langganan ini / only this subscription"),
    ) -> None:
        """Antrekan ulang pengiriman (id sama) / queue deliveries again (same delivery id)."""
        from hub.exchange import delivery

        if not delivery_ids and not all_dead:
            raise fail(UsageError("exchange.replay_status", status="-"))
        try:
            done = delivery.replay(Principal.cli().actor, delivery_ids=delivery_ids or None,
                                   subscription=subscription)
        except SimpulError as err:
            raise fail(err) from None
        console.print(msg("exchange.cli.replayed", count=len(done)), highlight=False)

    @group.command("run")
    def run(timeout: float = typer.Option(60.0, help="Paling lama (detik) / at most seconds")) -> None:
        """Kirim semua yang jatuh tempo lalu berhenti / deliver everything due now, then stop."""
        from hub.exchange import delivery

        n = asyncio.run(delivery.drain(timeout_s=timeout))
        console.print(f"{n}", highlight=False)
