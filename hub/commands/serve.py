"""``simpul serve``: run the API. With PostgreSQL it runs no queue workers unless told to (``--workers`` or
``SIMPUL_SERVE_WORKERS=on``): start ``simpul worker`` processes beside it. With SQLite it runs them in-process."""

from __future__ import annotations

import os

import typer

from hub.settings import get_settings


def register(app: typer.Typer) -> None:
    @app.command("serve")
    def serve(
        host: str = typer.Option(None, help="Alamat / bind address (SIMPUL_HOST, bawaan 127.0.0.1)"),
        port: int = typer.Option(None, help="Port (SIMPUL_PORT, bawaan 8000)"),
        reload: bool = typer.Option(False, help="Muat ulang saat kode berubah (pengembangan) / reload on change"),
        workers: bool | None = typer.Option(None, "--workers/--no-workers",
                                            help="Jalankan pekerja antrean di proses ini / run queue workers in "
                                                 "this process (SIMPUL_SERVE_WORKERS; bawaan: ya untuk SQLite, "
                                                 "tidak untuk PostgreSQL)"),
        processes: int = typer.Option(1, "--processes", min=1, max=64,
                                      help="Proses API pada satu port / API processes on one port (PostgreSQL)"),
    ) -> None:
        """Jalankan API Simpul (OpenAPI di /docs) / run the Simpul API (OpenAPI at /docs)."""
        import uvicorn

        from hub.commands._common import fail
        from hub.errors import UsageError
        from hub.services.registry_db import get_database

        if workers is not None:
            os.environ["SIMPUL_SERVE_WORKERS"] = "on" if workers else "off"
            get_settings.cache_clear()
        settings = get_settings()
        if processes > 1 and get_database().backend != "postgresql":
            raise fail(UsageError("queue.cli.needs_postgres", what="simpul serve --processes N>1"))
        uvicorn.run(
            "hub.api.app:create_app",
            factory=True,
            host=host or settings.host,
            port=port or settings.port,
            reload=reload,
            workers=processes if processes > 1 else None,
            log_level=settings.log_level.lower(),
            forwarded_allow_ips=[p for p in settings.trusted_proxies.replace(";", ",").split(",") if p.strip()],
        )
