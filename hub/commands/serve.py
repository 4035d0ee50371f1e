"""``simpul serve``: run the API."""

from __future__ import annotations

import typer

from hub.settings import get_settings


def register(app: typer.Typer) -> None:
    @app.command("serve")
    def serve(
        host: str = typer.Option(None, help="Alamat / bind address (SIMPUL_HOST, bawaan 127.0.0.1)"),
        port: int = typer.Option(None, help="Port (SIMPUL_PORT, bawaan 8000)"),
        reload: bool = typer.Option(False, help="Muat ulang saat kode berubah (pengembangan) / reload on change"),
    ) -> None:
        """Jalankan API Simpul (OpenAPI di /docs) / run the Simpul API (OpenAPI at /docs)."""
        import uvicorn

        settings = get_settings()
        uvicorn.run(
            "hub.api.app:create_app",
            factory=True,
            host=host or settings.host,
            port=port or settings.port,
            reload=reload,
            log_level=settings.log_level.lower(),
        )
