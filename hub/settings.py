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
    costs_file: Path | None = Field(
        default=None,
        description="YAML cost table merged over hub/inventory/costs.yaml (the roadmap's indicative unit costs)",
    )
    public_url: str | None = Field(
        default=None,
        description="Address users reach Simpul at (e.g. https://simpul.kotaku.go.id): links in reports",
    )
    lang: Lang = Field(default="id", description="Default language of messages: id (Bahasa Indonesia) or en")
    max_body_bytes: int = Field(default=20 * 1024 * 1024, description="Largest request body the API accepts")
    max_batch_documents: int = Field(default=100_000, description="Most documents in one validation batch")
    cors_origins: str = Field(
        default="", description="Origins (scheme://host[:port], comma-separated) of browser applications allowed "
                                "to call the API; empty: CORS closed")
    hsts: Literal["auto", "always", "never"] = Field(
        default="auto", description="Strict-Transport-Security: auto = only on requests that came over TLS")
    hsts_max_age_s: int = Field(default=31_536_000, ge=0, description="HSTS max-age in seconds")
    trusted_proxies: str = Field(
        default="127.0.0.1,::1", description="Proxies (IPs/CIDRs) whose X-Forwarded-Proto/-For are believed")
    csp_html: str = Field(default="", description="Content-Security-Policy of HTML pages (empty: the strict "
                                                  "default, no inline scripts; see docs/security.md)")
    host: str = "127.0.0.1"
    port: int = 8000
    log_level: str = "INFO"
    log_format: Literal["auto", "json", "console"] = "auto"
    output_dir: Path = Field(default=Path("./simpul-output"), description="Where reports are written")
    assess_max_requests: int = Field(default=300, ge=10, description="Assessment: request budget per application")
    assess_total_timeout_s: float = Field(default=300.0, gt=0, description="Assessment: seconds per application")
    assess_availability_probes: int = Field(default=10, ge=1, le=100,
                                            description="Assessment: availability probes per application")
    assess_allowed_hosts: list[str] = Field(
        default_factory=list,
        description="Assessment: extra hosts probes (and load tests) may reach, e.g. an API gateway host")
    probe_allow: str = Field(
        default="",
        description="Hosts, *.domains and networks (CIDR) Simpul may connect to besides loopback, comma-separated, "
                    "e.g. '*.kotablitar.go.id, 10.20.0.0/16' (added to probe_allow of the registry header)")
    assess_concurrency: int = Field(default=4, ge=1, le=64, description="Assessment: applications assessed at once")
    assess_partner_records: int = Field(
        default=1000, ge=1, le=10_000,
        description="Assessment: records read from a partner application for the cross-reference check (INT-005)")
    assess_max_jobs: int = Field(default=2, ge=1, le=16,
                                 description="Unused since the job queue (see SIMPUL_QUEUE_CONCURRENCY)")
    assess_max_pending_jobs: int = Field(default=20, ge=1, le=1000,
                                         description="Assessment: queued or running API jobs before new ones wait")
    exchange_secret_key: str | None = Field(
        default=None,
        description="Master key that encrypts webhook subscription secrets at rest (else a key file is created)",
    )
    exchange_key_file: Path = Field(default=Path("./simpul-exchange.key"),
                                    description="Key file used when SIMPUL_EXCHANGE_SECRET_KEY is not set")
    exchange_max_attempts: int = Field(default=10, description="Delivery attempts before a delivery is dead")
    exchange_retry_base_s: float = Field(default=2.0, description="First retry delay (doubles, with jitter)")
    exchange_retry_max_s: float = Field(default=900.0, description="Longest delay between two delivery attempts")
    exchange_lease_s: float = Field(default=30.0, description="How long a worker owns claimed deliveries")
    exchange_delivery_timeout_s: float = Field(default=10.0, description="HTTP timeout of one webhook delivery")
    exchange_delivery_batch: int = Field(default=50, description="Deliveries claimed per worker round")
    exchange_delivery_concurrency: int = Field(default=8, description="Webhooks sent at the same time")
    exchange_poll_s: float = Field(default=1.0, description="Idle delivery worker polls the outbox this often")
    exchange_sync_interval_s: float = Field(default=0.0,
                                            description="Background sync of all applications every N s (0 = off)")
    exchange_sync_batch: int = Field(default=200, description="Records stored per transaction during a sync")
    exchange_audit_buffer: int = Field(default=200, description="Read audit entries buffered (0: write each)")
    exchange_audit_flush_s: float = Field(default=1.0, description="Longest wait of a buffered read entry")
    exchange_rate_per_minute: int = Field(default=600, description="Default canonical API requests per key/min")
    exchange_workers: bool = Field(default=True, description="Run the exchange workers inside 'simpul serve'")
    web_secret_key: str | None = Field(
        default=None, description="Key that signs the web workspace's session cookies (else a key file is created)")
    web_key_file: Path = Field(default=Path("./simpul-web.key"),
                               description="Key file used when SIMPUL_WEB_SECRET_KEY is not set")
    web_session_idle_minutes: int = Field(default=60, ge=5, description="Web: sign out after this idle time")
    web_session_max_hours: int = Field(default=12, ge=1, description="Web: a session ends after this long")
    web_max_failed_logins: int = Field(default=5, ge=1, description="Web: failed sign-ins before the lock-out")
    web_lockout_minutes: int = Field(default=15, ge=1, description="Web: how long a locked account waits")
    web_cookie_secure: bool | None = Field(
        default=None, description="Web: Secure cookies (None = when the request came over https)")
    certificate_key_file: Path = Field(
        default=Path("./simpul-certificate.key"),
        description="Ed25519 key that signs conformance certificates (created with mode 0600 on first use)")
    certificate_valid_days: int = Field(default=365, ge=1, le=3660,
                                        description="How long a conformance certificate is valid")
    # -- job queue (hub/queue): procrastinate on PostgreSQL, in the process on SQLite --------------------------
    serve_workers: Literal["auto", "on", "off"] = Field(
        default="auto", description="Queue workers inside 'simpul serve': auto = on with SQLite, off with "
                                    "PostgreSQL (run 'simpul worker' there); on/off force it")
    queue_concurrency: int = Field(default=4, ge=1, le=64, description="Queued jobs one worker process runs at once")
    worker_processes: int = Field(default=1, ge=1, le=64,
                                  description="Processes 'simpul worker' starts (--concurrency)")
    queue_poll_s: float = Field(default=5.0, gt=0, description="A worker looks for new jobs at least this often")
    queue_heartbeat_s: float = Field(default=5.0, gt=0, description="Worker heartbeat interval")
    queue_stalled_s: float = Field(default=20.0, gt=0,
                                   description="A worker silent this long is dead; its running jobs are retried")
    queue_maintenance_s: float = Field(default=5.0, gt=0,
                                       description="How often a worker retries stalled jobs and checks the outbox")
    queue_delivery_partitions: int = Field(default=4, ge=1, le=64,
                                           description="Delivery jobs that may drain the outbox at the same time")
    queue_delivery_slice_s: float = Field(default=20.0, gt=0, description="Longest run of one delivery job")
    queue_job_attempts: int = Field(default=3, ge=1, le=20, description="Attempts of a queued job before it fails")
    schedule_timezone: str = Field(default="Asia/Jakarta", description="Time zone of new schedules (WIB)")
    rate_limit_backend: Literal["auto", "memory", "database"] = Field(
        default="auto", description="Rate-limit buckets: auto = database with PostgreSQL (shared by every API "
                                    "process), memory with SQLite")


@lru_cache
def get_settings() -> Settings:
    return Settings()
