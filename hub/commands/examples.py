"""``simpul examples``: the simulated OPD applications of ``examples/`` (list them, serve them locally)."""

from __future__ import annotations

import typer
from rich.table import Table

from hub.commands._common import console, fail, msg
from hub.errors import UsageError


def register(app: typer.Typer) -> None:
    group = typer.Typer(help="Aplikasi OPD simulasi / simulated OPD applications (e-planning, e-budgeting, SIMPEG, "
                             "JDIH, pelayanan).", no_args_is_help=True)
    app.add_typer(group, name="examples")

    @group.command("list")
    def list_() -> None:
        """Daftar aplikasi dan profil mutu / list applications and quality profiles."""
        from examples.apps import APPS
        from examples.apps.config import profiles
        from examples.launcher import DEFAULT_PORT_BASE

        apps = Table(title=msg("examples.list.apps"))
        for key in ("app", "port", "opd", "resources", "description"):
            apps.add_column(msg(f"examples.col.{key}"), overflow="fold")
        for info in APPS.values():
            apps.add_row(info.key, str(DEFAULT_PORT_BASE + info.port_offset), info.opd, ", ".join(info.resources),
                         msg(f"examples.app.{info.key}"))
        console.print(apps)
        table = Table(title=msg("examples.list.profiles"))
        table.add_column(msg("examples.col.profile"))
        table.add_column(msg("examples.col.description"), overflow="fold")
        for name in profiles():
            table.add_row(name, msg(f"examples.profile.{name}"))
        console.print(table)

    @group.command("serve")
    def serve(
        profile: list[str] = typer.Option([], "--profile", metavar="APP=PROFILE",
                                          help="Profil satu aplikasi, boleh berulang / one app's profile, repeatable"),
        all_profile: str = typer.Option("good", "--all-profile", help="Profil aplikasi lain / everyone else's"),
        only: list[str] = typer.Option([], "--app", help="Hanya aplikasi ini / only these applications"),
        port_base: int = typer.Option(8100, "--port-base", help="Port = basis + 1..5; 0 = port bebas / free ports"),
        records: str = typer.Option(None, "--records", envvar="SIMPUL_EXAMPLES_RECORDS",
                                    help="N untuk data utama, atau resource=N / N for the main resource"),
        seed: int = typer.Option(None, "--seed", envvar="SIMPUL_EXAMPLES_SEED", help="Benih data / data seed"),
        latency: float = typer.Option(None, "--latency", help="Detik, profil slow / seconds, slow profile"),
        failure_rate: float = typer.Option(None, "--failure-rate", help="0..1, profil flaky / flaky profile"),
    ) -> None:
        """Jalankan aplikasi contoh sampai Ctrl-C / run the example applications until Ctrl-C."""
        from examples.launcher import resolve_profiles, run_until_stopped, sigterm_as_interrupt, start_examples

        try:
            chosen = resolve_profiles(profile, all_profile, only or None)
        except ValueError as err:
            raise fail(UsageError("examples.error.invalid", detail=str(err))) from err
        console.print(msg("examples.serve.starting", count=len(chosen)))
        try:
            with sigterm_as_interrupt(), start_examples(chosen, port_base, records=records, seed=seed,
                                                        latency=latency, failure_rate=failure_rate) as urls:
                table = Table(title=msg("examples.serve.running"))
                for key in ("app", "profile", "url", "token"):
                    table.add_column(msg(f"examples.col.{key}"), overflow="fold")
                for app_key, url in urls.items():
                    table.add_row(app_key, urls.profiles[app_key], url, urls.tokens[app_key])
                console.print(table)
                console.print(msg("examples.serve.auth"))
                run_until_stopped(urls)
        except KeyboardInterrupt:  # Ctrl-C or SIGTERM outside the wait (e.g. during start-up): a normal stop
            pass
        except (RuntimeError, ValueError) as err:
            raise fail(UsageError("examples.error.start_failed", detail=str(err))) from err
        console.print(msg("examples.serve.stopped"))
