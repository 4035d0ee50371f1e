"""Connectors: reach the OPD applications (REST/JSON, OpenAPI, CSV/XLSX exports, database views).

This package never imports ``hub``. The public API::

    from connectors import build_connector, Mapper

    connector = build_connector({"connector": {"type": "rest_json", "config": {...}}, "resources": {...}})
    result = await connector.check()                 # CheckResult: ok/failed, latency_ms, message {id, en}
    resources = await connector.discover()           # [ResourceInfo(name, schema, fields...)]
    mapper = Mapper.from_file("pegawai.yaml")
    async for record in connector.read("pegawai", since="2024-05-01"):
        mapped = mapper.map(record)                  # MappingResult(document | None, errors)
"""

from connectors import masking as _masking  # noqa: F401  (the secret filter exists before anything logs)
from connectors.base import Connector, parse_since
from connectors.config import ResourceConfig, Secret, StrictModel
from connectors.connector_types import (
    BUILTIN,
    ENTRY_POINT_GROUP,
    available,
    build_connector,
    connector_class,
    plugin_problems,
)
from connectors.errors import (
    AuthError,
    BadPayload,
    BudgetExhausted,
    CircuitOpenError,
    ConfigError,
    ConnectorError,
    FatalError,
    FieldError,
    NotFoundError,
    ResponseTooLarge,
    RetriableError,
    Unsupported,
)
from connectors.http import HttpClient, HttpSettings, close_all, http_client_for
from connectors.mapping import Mapper, MappingError, MappingResult, MappingSpec
from connectors.masking import get_logger, install_secret_filter, mask_text, redact_url
from connectors.models import CheckResult, FieldInfo, ReadStats, ResourceInfo, WriteResult

__all__ = [
    "BUILTIN",
    "ENTRY_POINT_GROUP",
    "AuthError",
    "BadPayload",
    "BudgetExhausted",
    "CheckResult",
    "CircuitOpenError",
    "ConfigError",
    "Connector",
    "ConnectorError",
    "FatalError",
    "FieldError",
    "FieldInfo",
    "HttpClient",
    "HttpSettings",
    "Mapper",
    "MappingError",
    "MappingResult",
    "MappingSpec",
    "NotFoundError",
    "ReadStats",
    "ResourceConfig",
    "ResourceInfo",
    "ResponseTooLarge",
    "RetriableError",
    "Secret",
    "StrictModel",
    "Unsupported",
    "WriteResult",
    "available",
    "build_connector",
    "close_all",
    "connector_class",
    "get_logger",
    "http_client_for",
    "install_secret_filter",
    "mask_text",
    "parse_since",
    "plugin_problems",
    "redact_url",
]
