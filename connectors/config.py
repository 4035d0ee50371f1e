"""Configuration helpers shared by every connector.

* :data:`Secret` — a field whose value in a spec is ``{"env": "VAR"}``; it is read from the environment when the
  configuration is validated (before every verb) and becomes a pydantic ``SecretStr``. A literal value is refused,
  so secrets never sit in registry data; an unset variable is named in the error.
* :func:`validate_model` — validate raw data against a model and report *every* problem at once
  (:class:`~connectors.errors.ConfigError` listing all field errors, in Bahasa Indonesia and English).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Annotated, Any, TypeVar

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    WithJsonSchema,
    model_validator,
)
from pydantic_core import PydanticCustomError

from connectors.errors import ConfigError, FieldError
from connectors.masking import remember_secret

M = TypeVar("M", bound=BaseModel)


def _resolve_secret(value: Any) -> Any:
    if isinstance(value, SecretStr):
        return value
    if isinstance(value, Mapping) and set(value) == {"env"} and isinstance(value["env"], str):
        var = value["env"]
        resolved = os.environ.get(var)
        if resolved is None or resolved == "":
            raise PydanticCustomError("secret_env_unset", "environment variable {var} is not set", {"var": var})
        remember_secret(resolved)
        return SecretStr(resolved)
    raise PydanticCustomError(
        "secret_literal", "a secret must be given as env: VARIABLE, not as a literal value", {}
    )


SECRET_JSON_SCHEMA = {
    "type": "object",
    "properties": {"env": {"type": "string", "description": "Name of the environment variable"}},
    "required": ["env"],
    "additionalProperties": False,
    "x-secret": True,
    "description": "Secret: {env: VARIABLE}, read from the environment at run time",
}

Secret = Annotated[SecretStr, BeforeValidator(_resolve_secret), WithJsonSchema(SECRET_JSON_SCHEMA)]


def literal_secret(value: str) -> SecretStr:
    """For code that builds configurations itself (tests, bench): a resolved secret, remembered for masking."""
    remember_secret(value)
    return SecretStr(value)


class StrictModel(BaseModel):
    """Unknown keys are errors: a typo in a spec must not be silently ignored."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, frozen=False)


class ResourceConfig(StrictModel):
    """What every resource of every connector may say. Connectors extend it with their own fields."""

    schema_key: str | None = Field(
        None, alias="schema", description="Canonical schema the resource maps to, e.g. kepegawaian/pegawai"
    )
    description: str | None = None
    mapping: dict[str, Any] | None = Field(None, description="Inline declarative mapping (used by the hub)")
    mapping_file: str | None = Field(None, description="Path of a mapping YAML file (used by the hub)")

    @model_validator(mode="after")
    def _schema_from_mapping(self) -> ResourceConfig:
        """A resource with an inline mapping maps to the mapping's schema unless it says otherwise."""
        if self.schema_key is None and isinstance(self.mapping, dict) and isinstance(self.mapping.get("schema"), str):
            self.schema_key = self.mapping["schema"]
        return self


# pydantic error type → message key of messages.yaml
_ERROR_KEYS = {
    "missing": "config.missing",
    "extra_forbidden": "config.unknown",
    "secret_env_unset": "config.secret_env_unset",
    "secret_literal": "config.secret_literal",
    "literal_error": "config.choice",
    "union_tag_invalid": "config.tag_invalid",
    "union_tag_not_found": "config.tag_missing",
    "enum": "config.choice",
}


_TYPE_TAGS = {"str", "int", "float", "bool", "none", "dict", "list"}


def _is_branch_tag(part: str) -> bool:
    """Union branches appear in pydantic locations as type names (``str``, ``list[str]``, ``DateSpec``)."""
    return part.startswith("function-") or "[" in part or part in _TYPE_TAGS or part[:1].isupper()


def _field_error(err: Mapping[str, Any], prefix: str) -> FieldError:
    loc = [str(p) for p in err.get("loc", ()) if not _is_branch_tag(str(p))]
    path = ".".join([prefix, *loc] if prefix else loc) or prefix or "(root)"
    ctx = dict(err.get("ctx") or {})
    key = _ERROR_KEYS.get(err["type"], "config.invalid")
    detail = str(err.get("msg", "")).removeprefix("Value error, ")
    params: dict[str, Any] = {"detail": detail, **{k: str(v) for k, v in ctx.items()}}
    if err["type"] == "extra_forbidden":
        params["name"] = loc[-1] if loc else ""
    return FieldError(path, key, params)


def field_errors(exc: ValidationError, prefix: str = "") -> list[FieldError]:
    """One error per field: the branches of a union failing at the same place are reported once."""
    seen: dict[str, FieldError] = {}
    for e in exc.errors(include_url=False, include_input=False):
        error = _field_error(e, prefix)
        seen.setdefault(error.field, error)
    return list(seen.values())


def validate_model(model: type[M], data: Any, *, prefix: str = "", what: str = "config") -> M:
    """``model.model_validate(data)``, turning every pydantic error into one :class:`ConfigError`."""
    try:
        return model.model_validate(data if data is not None else {})
    except ValidationError as exc:
        raise ConfigError(field_errors(exc, prefix), what=what) from None


def collect(model: type[M], data: Any, prefix: str, errors: list[FieldError]) -> M | None:
    """Validate and append the problems to ``errors`` instead of raising (to report all at once)."""
    try:
        return model.model_validate(data if data is not None else {})
    except ValidationError as exc:
        errors.extend(field_errors(exc, prefix))
        return None


def secret_value(secret: SecretStr | None) -> str | None:
    return secret.get_secret_value() if secret is not None else None
