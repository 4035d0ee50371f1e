"""Pydantic models at the boundary of the assessment: the target, the limits, the results and the run.

Everything here is JSON-serialisable (``run.model_dump(mode="json")``); secrets are ``SecretStr`` and are
written as ``**********``.
"""

from __future__ import annotations

import re
from datetime import datetime
from enum import StrEnum
from typing import Any, Literal
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationInfo,
    field_serializer,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

STANDARDS: tuple[str, ...] = ("reliable", "interoperable", "scalable", "user_friendly", "integrateable")
PREFIX_OF: dict[str, str] = {
    "reliable": "REL", "interoperable": "INT", "scalable": "SCA", "user_friendly": "USR", "integrateable": "ITG",
}


class Status(StrEnum):
    """How a check ended. Only pass, warning and fail count in a score (warning counts half)."""

    PASS = "pass"  # noqa: S105 - a state, not a password
    WARNING = "warning"
    FAIL = "fail"
    NOT_APPLICABLE = "not_applicable"
    ERROR = "error"  # Simpul could not measure: never the application's failure
    NOT_ANSWERED = "not_answered"  # a manual check nobody has answered yet
    INCONCLUSIVE = "inconclusive"  # a timing check Simpul's own busy event loop made unjudgeable: re-run it


_SECRET_PARAM = re.compile(r"(token|secret|key|pass|auth|signature|session)", re.IGNORECASE)
SCORED: dict[Status, float] = {Status.PASS: 1.0, Status.WARNING: 0.5, Status.FAIL: 0.0}


class Text(BaseModel):
    """A text in Bahasa Indonesia (``id``) and English (``en``)."""

    model_config = ConfigDict(frozen=True)
    id: str
    en: str

    def get(self, lang: str = "id") -> str:
        return self.en if lang == "en" else self.id


class OAuth2Grant(BaseModel):
    """OAuth2 client credentials (RFC 6749 §4.4): the probes get a token from ``token_url`` before they call."""

    token_url: str
    client_id: str
    client_secret: SecretStr
    scope: str | None = None
    audience: str | None = None
    client_auth: Literal["basic", "body"] = "basic"


class TargetAuth(BaseModel):
    """Credentials resolved by the caller. Values never appear in evidence or in a serialised run."""

    headers: dict[str, SecretStr] = Field(default_factory=dict)
    query: dict[str, SecretStr] = Field(default_factory=dict)
    oauth2: OAuth2Grant | None = None

    def secret_values(self) -> list[str]:
        values = [v.get_secret_value() for v in (*self.headers.values(), *self.query.values())]
        if self.oauth2 is not None:
            values.append(self.oauth2.client_secret.get_secret_value())
        out: list[str] = []
        for value in values:
            out.append(value)
            if " " in value:  # "Bearer abc" -> also mask "abc" alone
                out.append(value.split(" ", 1)[1])
        return [v for v in out if len(v) >= 3]


class AssessmentTarget(BaseModel):
    """One application to assess, as plain data (the registry or the CLI builds it)."""

    app_id: str
    name: str
    base_url: str
    area: str | None = None
    openapi_url: str | None = None
    auth: TargetAuth = Field(default_factory=TargetAuth)
    connector: dict[str, Any] | None = Field(default=None, description="connector spec with resources and mappings")
    schemas: list[str] = Field(default_factory=list, description="canonical schema keys the application provides")
    is_public: bool = Field(default=False, description="the address is reachable from the internet")
    allowed_hosts: list[str] = Field(default_factory=list, description="extra hosts probes (and load) may reach")
    openapi_file: str | None = Field(default=None, description="local OpenAPI description (read, never fetched)")
    openapi_document: dict[str, Any] | None = Field(default=None, exclude=True,
                                                    description="the parsed openapi_file (not stored with the run)")
    openapi_error: str | None = Field(default=None, description="why openapi_file could not be read")
    files_only: bool = Field(default=False, description="a file-drop application (spreadsheet folder, SQL view): "
                                                         "data checks only, no network address to probe")
    auth_env: list[str] = Field(default_factory=list, description="environment variables holding the credentials")

    @field_validator("base_url", "openapi_url")
    @classmethod
    def _http_url(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None:
            return value
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"not an http(s) URL: {value!r}")
        if parts.username or parts.password:
            raise ValueError("credentials do not belong in the URL: give them in auth (headers or query)")
        if info.field_name == "base_url" and (parts.query or parts.fragment):
            raise ValueError("the base URL takes no query or fragment: give query credentials in auth.query")
        return value.rstrip("/") if parts.path not in ("", "/") else f"{parts.scheme}://{parts.netloc}"

    @field_serializer("base_url", "openapi_url")
    def _no_secret_params(self, value: str | None) -> str | None:
        """A serialised target never carries secret-looking query values (``?token=...``)."""
        if not value or "?" not in value:
            return value
        parts = urlsplit(value)
        query = [(k, "***" if _SECRET_PARAM.search(k) or k in self.auth.query else v)
                 for k, v in parse_qsl(parts.query, keep_blank_values=True)]
        return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query, safe="*"), ""))

    @property
    def host(self) -> str:
        return (urlsplit(self.base_url).hostname or "").lower()


class ProbeLimits(BaseModel):
    """Bounds of one assessment run. The lead may expose these as ``SIMPUL_ASSESS_*`` settings."""

    max_requests: int = Field(default=300, ge=10, description="request budget per target")
    total_timeout_s: float = Field(default=300.0, gt=0, description="whole run, all probes")
    connect_timeout_s: float = Field(default=5.0, gt=0)
    read_timeout_s: float = Field(default=10.0, gt=0)
    max_response_bytes: int = Field(default=2_000_000, ge=1024, description="bytes read from one response")
    availability_probes: int = Field(default=10, ge=1, le=100)
    availability_interval_s: float = Field(default=0.5, ge=0)
    sample_pages: int = Field(default=3, ge=1, le=20, description="pages read per resource")
    sample_page_size: int = Field(default=50, ge=1, le=500)
    max_resources: int = Field(default=4, ge=1, le=20)
    max_discovery_requests: int = Field(default=24, ge=0)
    load_levels: list[int] = Field(default_factory=lambda: [1, 4, 8], description="concurrent clients per step")
    load_requests_per_client: int = Field(default=3, ge=1, le=20)
    lag_tick_ms: float = Field(default=10.0, ge=1.0, le=100.0,
                               description="period of the event-loop lag ticker run around timing probes")
    evidence_body_bytes: int = Field(default=2048, ge=128)
    max_evidence_per_check: int = Field(default=5, ge=1)
    allowed_hosts: list[str] = Field(default_factory=list, description="operator allowlist (probes and load)")

    @field_validator("load_levels")
    @classmethod
    def _levels(cls, value: list[int]) -> list[int]:
        if not value or any(n < 1 or n > 64 for n in value):
            raise ValueError("load_levels: 1..64 clients per step")
        return sorted(set(value))


class HttpExchange(BaseModel):
    """One request and its answer, replayable with ``curl``; secrets and personal data removed."""

    label: str = ""
    method: str
    url: str
    curl: str
    request_headers: dict[str, str] = Field(default_factory=dict)
    status: int | None = None
    response_headers: dict[str, str] = Field(default_factory=dict)
    body: str = ""
    body_bytes: int = 0
    truncated: bool = False
    elapsed_ms: float | None = None
    error: str | None = None


class Evidence(BaseModel):
    kind: Literal["http", "note", "document", "data"]
    title: str
    http: HttpExchange | None = None
    note: str | None = None
    url: str | None = None
    file_name: str | None = None
    data: Any = None


class ManualEvidence(BaseModel):
    title: str
    url: str | None = None
    file_name: str | None = None
    note: str | None = None


class ManualAnswer(BaseModel):
    """An auditor's answer to a manual check (``automated: false`` in the catalog)."""

    check_id: str
    answer: Literal["pass", "fail", "not_applicable"]
    evidence: list[ManualEvidence] = Field(default_factory=list)
    answered_by: str
    answered_at: datetime

    @model_validator(mode="after")
    def _evidence_required(self) -> ManualAnswer:
        if self.answer in ("pass", "fail") and not any(e.url or e.file_name for e in self.evidence):
            raise PydanticCustomError("evidence_link",
                                      "a pass or fail answer needs evidence with a url or a file name")
        if self.answer == "not_applicable" and not any(e.note for e in self.evidence):
            raise PydanticCustomError("evidence_note",
                                      "a not_applicable answer needs evidence with a note explaining why")
        return self


class CheckResult(BaseModel):
    check_id: str
    standard: str
    title: Text
    status: Status
    message: Text | None = Field(default=None, description="why it failed or warned, with the measured values")
    reason: Text | None = Field(default=None, description="why it is not applicable, errored or unanswered")
    weight: int
    automated: bool
    measured: dict[str, Any] = Field(default_factory=dict)
    evidence: list[Evidence] = Field(default_factory=list)
    duration_ms: float = 0.0
    answered_by: str | None = None
    answered_at: datetime | None = None


class StandardScore(BaseModel):
    standard: str
    name: Text
    score: float | None = Field(description="0-100 over checks that passed, warned or failed; None if none did")
    scored_weight: int = 0
    counts: dict[str, int] = Field(default_factory=dict)
    measured: bool = Field(default=True, description="a check of this standard ended pass, warning or fail")


class LevelGap(BaseModel):
    requirement: str
    needed: float
    actual: float | None


class MaturityLevel(BaseModel):
    level: int = Field(description="0 = not measured ('belum diukur'): no automated check ended pass/warning/fail")
    name: Text
    overall_score: float | None
    measured: bool = True
    not_measured_reason: Text | None = Field(default=None, description="why nothing could be measured")
    provisional: bool = Field(default=False, description="'sementara': a required check of a level is unanswered")
    missing: list[str] = Field(default_factory=list, description="unanswered checks the next level requires")
    score_level: int | None = Field(default=None, description="the level the scores alone would give")
    next_level: int | None = None
    gaps: list[LevelGap] = Field(default_factory=list, description="what the next level still needs")
    drivers: list[str] = Field(default_factory=list, description="failed/warned checks that cost the most")
    explanation: Text


class AssessmentRun(BaseModel):
    run_id: str
    started_at: datetime
    finished_at: datetime
    target: AssessmentTarget
    catalog_version: str
    limits: ProbeLimits
    results: list[CheckResult]
    scores: list[StandardScore]
    maturity: MaturityLevel
    requests_made: int = 0
    refused: Text | None = Field(default=None, description="set when the whole target was refused by safety rules")

    def result(self, check_id: str) -> CheckResult:
        for item in self.results:
            if item.check_id == check_id:
                return item
        raise KeyError(check_id)

    def score(self, standard: str) -> float | None:
        return next((s.score for s in self.scores if s.standard == standard), None)

    @property
    def measured(self) -> bool:
        return self.maturity.measured

    @property
    def failed(self) -> list[CheckResult]:
        return [r for r in self.results if r.status is Status.FAIL]

    @property
    def pending_manual(self) -> list[str]:
        return [r.check_id for r in self.results if r.status is Status.NOT_ANSWERED]

    @property
    def errors(self) -> list[str]:
        return [r.check_id for r in self.results if r.status is Status.ERROR]

    @property
    def inconclusive(self) -> list[str]:
        return [r.check_id for r in self.results if r.status is Status.INCONCLUSIVE]


class StatusChange(BaseModel):
    check_id: str
    before: Status | None
    after: Status | None


class RunComparison(BaseModel):
    run_a: str
    run_b: str
    changed: list[StatusChange]
    score_deltas: dict[str, float | None]
    overall_delta: float | None
    level_before: int
    level_after: int
