"""What the connector verbs return (pydantic models, JSON-ready)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class CheckResult(BaseModel):
    """``check()``: reachable? authenticated? how fast?"""

    status: Literal["ok", "failed"]
    latency_ms: float | None = None
    message: dict[str, str]
    details: dict[str, Any] = Field(default_factory=dict)
    connector: str = ""
    app: str = ""
    checked_at: datetime = Field(default_factory=lambda: datetime.now(UTC))

    @property
    def ok(self) -> bool:
        return self.status == "ok"


class FieldInfo(BaseModel):
    name: str
    type: str | None = None
    required: bool = False
    description: str | None = None


class ResourceInfo(BaseModel):
    """One resource an application offers, its fields and the canonical schema it maps to."""

    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)

    name: str
    schema_key: str | None = Field(None, alias="schema")
    fields: list[FieldInfo] = Field(default_factory=list)
    supports_since: bool = False
    supports_write: bool = False
    pagination: str | None = None
    location: str | None = Field(None, description="Path, URL, file pattern or query source")
    description: str | None = None


class WriteResult(BaseModel):
    resource: str
    written: int = 0
    failed: int = 0
    errors: list[dict[str, Any]] = Field(default_factory=list)


class ReadStats(BaseModel):
    resource: str
    pages: int = 0
    records: int = 0
    since: str | None = None
    since_applied: bool = False
