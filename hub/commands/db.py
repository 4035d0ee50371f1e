"""``simpul db upgrade|current``: the database schema (Alembic migrations)."""

from __future__ import annotations

import typer

from hub.commands._common import console, fail, msg
from hub.services.registry_errors import to_hub
from hub.settings import get_settings
from registry import db as regdb
from registry.errors import DatabaseUnavailable, RegistryError


def register(app: typer.Typer) -> None:
    group = typer.Typer(help="Basis data / database: skema dan migrasi (schema and migrations).",
                        no_args_is_help=True)
    app.add_typer(group, name="db")

    url_option = typer.Option(None, "--url", help="URL basis data (bawaan SIMPUL_DATABASE_URL) / database URL")

    @group.command("upgrade")
    def upgrade(url: str = url_option) -> None:
        """Jalankan migrasi sampai skema terbaru / run the migrations up to the newest schema."""
        target = url or get_settings().database_url
        try:
            revision = regdb.upgrade(target)
        except Exception as exc:  # connection refused, bad URL, locked file ...
            err = exc if isinstance(exc, RegistryError) else DatabaseUnavailable(
                _safe(target), str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
            raise fail(to_hub(err)) from exc
        console.print(msg("registry.db.upgraded", url=_safe(target), revision=revision))

    @group.command("current")
    def current(url: str = url_option) -> None:
        """Revisi skema saat ini / the current schema revision."""
        target = url or get_settings().database_url
        engine = regdb.make_engine(target)
        try:
            rev = regdb.current_revision(engine)
        except Exception as exc:
            raise fail(to_hub(DatabaseUnavailable(_safe(target), type(exc).__name__))) from exc
        finally:
            engine.dispose()
        console.print(msg("registry.db.current", url=_safe(target), current=rev or "-", head=regdb.head_revision()))


def _safe(url: str) -> str:
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "<invalid url>"
