"""``simpul demo``: the main job, on the embedded SQLite default."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.progress import BarColumn, Progress, ProgressColumn, Task, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from hub.commands._common import console, err_console, label, lang, msg
from hub.inventory import fmt


def register(app: typer.Typer) -> None:
    @app.command("demo")
    def demo(
        output: Path = typer.Option(None, "--output", "-o",
                                    help="Folder laporan (bawaan ./simpul-output) / report folder"),
        latency: float = typer.Option(0.6, "--latency", help="Jeda aplikasi 'slow' (detik) / delay of the slow app"),
    ) -> None:
        """Jalankan seluruh alur pada contoh Kota Blitar / run the whole job on the Kota Blitar example."""
        from examples.launcher import sigterm_as_interrupt, start_examples
        from hub import demo as flow

        result = flow.DemoResult(output_dir=flow.output_dir(output))
        language = lang()
        try:
            with sigterm_as_interrupt(), Progress(
                TextColumn("{task.description}"), BarColumn(), _Count(),
                TimeElapsedColumn(), console=err_console, transient=True,
            ) as bar:
                task = bar.add_task(msg("demo.step.start"), total=None)
                try:
                    examples = start_examples(flow.DEMO_PROFILES, latency=latency)
                    urls = examples.__enter__()
                except OSError as exc:
                    err_console.print(msg("demo.ports_busy", detail=str(exc)), highlight=False)
                    raise typer.Exit(2) from exc
                previous = flow.set_tokens(dict(urls.tokens))
                try:
                    bar.update(task, description=msg("demo.step.registry"))
                    flow.import_registry(result, language)

                    def pulled(label: str, done: int, total: int) -> None:
                        bar.update(task, description=msg("demo.step.pull", what=label), completed=done, total=total)

                    flow.run_pulls(result, list(flow.DEMO_PROFILES), pulled, language)
                    flow.run_assessments(result, list(flow.DEMO_PROFILES), language, _progress(bar, task, "assess"))
                    bar.update(task, description=msg("demo.step.improve", app=flow.IMPROVEMENT["app"]), completed=0,
                               total=None)
                    before = flow.improve_and_reassess(result, urls, language, _progress(bar, task, "reassess"))
                    bar.update(task, description=msg("demo.step.inventory"), completed=0, total=None)
                    flow.build_reports(result, language, runs_before=before)
                    flow.web_account(result, language)  # the sign-in account of the web workspace
                finally:
                    flow.restore_env(previous)
                    examples.__exit__(None, None, None)
        except KeyboardInterrupt:
            err_console.print(msg("demo.interrupted"), highlight=False)
            raise typer.Exit(130) from None
        summary = result.output_dir / "summary.json"
        summary.write_text(json.dumps(result.as_dict(), ensure_ascii=False, indent=2, default=str), encoding="utf-8")
        _print_summary(result)


class _Count(ProgressColumn):
    """``done/total`` — nothing while the total is not known yet (Rich's own column would show '0/None')."""

    def render(self, task: Task) -> Text:
        return Text("" if task.total is None else f"{int(task.completed)}/{int(task.total)}")


def _progress(bar: Progress, task: object, kind: str):  # type: ignore[no-untyped-def]
    def update(label: str, done: int, total: int) -> None:
        bar.update(task, description=msg(f"demo.step.{kind}", what=label), completed=done, total=total)

    return update


def _print_summary(result) -> None:  # type: ignore[no-untyped-def]
    pulls = Table(title=msg("demo.table.pulls"), title_justify="left")
    for column in ("app", "resource", "read", "valid", "invalid", "unmapped"):
        pulls.add_column(msg(f"demo.col.{column}"), justify="right" if column not in ("app", "resource") else "left")
    for row in result.pulls:
        pulls.add_row(row["app"], row["resource"], str(row["read"]), str(row["valid"]), str(row["invalid"]),
                      str(row["unmapped"]) + (" ⚠" if row.get("error") else ""))
    console.print(pulls)
    if result.assessments:
        scores = Table(title=msg("demo.table.assessments"), title_justify="left")
        for column in ("app", "profile", "level", "REL", "INT", "SCA", "USR", "ITG", "failed"):
            scores.add_column(msg(f"demo.col.{column}") if column.islower() else column)
        for row in result.assessments:
            scores.add_row(row["app"], label("examples.profile_name", row["profile"]), row["level"],
                           *[row["scores"].get(k, "-") for k in ("REL", "INT", "SCA", "USR", "ITG")],
                           str(row["failed"]))
        console.print(scores)
    if result.inventory:
        console.print(msg("demo.inventory", **{**result.inventory, "indicative_cost": fmt.money(
            result.inventory.get("indicative_cost", 0), lang())}), highlight=False)
    if result.monev:
        m = result.monev
        console.print(msg("demo.monev.done", app=m["improved"]["app"], profile=m["improved"]["profile"],
                          works=m["works"], doesnt=m["doesnt_work"], improve=m["improve"],
                          fixed=", ".join(m["checks_fixed"]) or "-"), highlight=False)
    console.print(msg("demo.done", folder=str(result.output_dir)), highlight=False)
    for note in result.notes:
        console.print(f"• {note}", highlight=False)
