"""Every knob of Simpul, each with an environment variable ``SIMPUL_<NAME>``."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent

Lang = Literal["id", "en"]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SIMPUL_", env_file=".env", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    database_url: str = Field(
        default="sqlite:///./simpul.db",
        description="SQLAlchemy URL; SQLite file by default, PostgreSQL e.g. postgresql+psycopg://user@host/db",
    )
    schemas_dir: Path = Field(default=PROJECT_ROOT / "schemas", description="Folder of canonical schemas")
    codelists_dir: Path | None = Field(
        default=None,
        description="Folder whose code lists (same file names as schemas/codelists) replace the shipped ones",
    )
    lang: Lang = Field(default="id", description="Default language of messages: id (Bahasa Indonesia) or en")
    max_body_bytes: int = Field(default=20 * 1024 * 1024, description="Largest request body the API accepts")
    max_batch_documents: int = Field(default=100_000, description="Most documents in one validation batch")
    host: str = "127.0.0.1"
    port: int = 8000
    log_level: str = "INFO"
    log_format: Literal["auto", "json", "console"] = "auto"
    output_dir: Path = Field(default=Path("./simpul-output"), description="Where reports are written")


@lru_cache
def get_settings() -> Settings:
    return Settings()
