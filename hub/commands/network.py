"""``simpul network policy [--check URL]``: where Simpul may connect, and why (the network policy)."""

from __future__ import annotations

import asyncio

import typer
from rich.table import Table

from connectors.netpolicy import REGISTRY_FIELD, SETTING, NetworkRefused, default_policy
from hub.commands._common import console, fail, lang, msg
from hub.errors import SimpulError
from hub.services import network


def register(app: typer.Typer) -> None:
    group = typer.Typer(help="Kebijakan jaringan / network policy: where Simpul may connect.", no_args_is_help=True)
    app.add_typer(group, name="network")

    @group.command("policy")
    def policy(
        check: list[str] = typer.Option([], "--check", help="Uji URL terhadap kebijakan / test a URL (repeatable)"),
        fmt: str = typer.Option("text", "--format", help="text | json"),
    ) -> None:
        """Tampilkan yang diizinkan, dan uji URL / show what is allowed, and test URLs."""
        language = lang()
        try:
            network.refresh()
            described = network.describe()
        except SimpulError as exc:
            raise fail(exc) from None
        results = [_check(url, language) for url in check]
        if fmt == "json":
            import json

            typer.echo(json.dumps({**described, "checks": results}, ensure_ascii=False, indent=2))
        else:
            console.print(f"[bold]{msg('network.cli.title')}[/]")
            console.print(msg("network.cli.loopback"))
            if described["entries"]:
                table = Table(msg("network.cli.entry"), msg("network.cli.source"))
                for item in described["entries"]:
                    table.add_row(item["entry"], item["source"])
                console.print(table)
            else:
                console.print(msg("network.cli.none", setting=SETTING, field=REGISTRY_FIELD))
            for item in results:
                key = "network.cli.allowed" if item["allowed"] else "network.cli.refused"
                console.print(msg(key, url=item["url"], addresses=", ".join(item.get("addresses", [])),
                                  reason=item.get("reason", "")), highlight=False, soft_wrap=True)
        if any(not r["allowed"] for r in results):
            raise typer.Exit(1)


def _check(url: str, language: str) -> dict[str, object]:
    """Resolve (only when the policy needs it) and decide; nothing is connected."""
    try:
        addresses = asyncio.run(default_policy().check(url))
    except NetworkRefused as exc:
        return {"url": url, "allowed": False, "refused": exc.reason, "reason": exc.messages()[language]}
    return {"url": url, "allowed": True, "addresses": [str(a) for a in addresses]}
