"""HTML forms ↔ the registry's input: the application form uses the dotted field names of the registry's
spreadsheet columns (``contact.email``, ``hosting.base_urls``) and reads its cells with the same rules as an import
(``registry.io.flat.parse_cell``: ``;``-separated lists, ya/tidak, dd/mm/yyyy), so a value means the same on a
form, in an XLSX and through the API."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from hub.errors import SimpulError
from hub.services.registry_errors import error_items, to_hub
from registry.convert import flatten, input_of, unflatten
from registry.errors import FieldError, InvalidData, field_errors_from_pydantic
from registry.io.flat import CellError, format_cell, parse_cell
from registry.models import Application, ApplicationIn
from registry.vocab import vocab

# (field, widget, vocabulary) in the order of the form; widget: text | textarea | select | checks | lines | bool
APP_FORM: tuple[tuple[str, str, str | None], ...] = (
    ("name", "text", None),
    ("description", "textarea", None),
    ("version", "text", None),
    ("status", "select", "status"),
    ("kode_pemda", "pemda", None),
    ("kode_opd", "opd", None),
    ("area", "select", "area"),
    ("other_areas", "checks", "area"),
    ("kind", "select", "kind"),
    ("national_app", "select", "national_app"),
    ("software_category", "select", "software_category"),
    ("contact.name", "text", None),
    ("contact.position", "text", None),
    ("contact.email", "text", None),
    ("contact.phone", "text", None),
    ("supplier.vendor", "text", None),
    ("supplier.developer", "select", "developer"),
    ("supplier.contract_number", "text", None),
    ("supplier.source_code_held", "bool", None),
    ("hosting.type", "select", "hosting"),
    ("hosting.environment", "select", "environment"),
    ("hosting.base_urls", "lines", None),
    ("integration.provides", "text", None),
    ("sla.availability_pct", "text", None),
    ("users_count", "text", None),
    ("tags", "text", None),
)
FORM_FIELDS = tuple(f for f, _w, _v in APP_FORM)
GROUPS = ("contact", "supplier", "hosting", "integration", "sla")


def options(name: str, lang: str) -> list[tuple[str, str]]:
    return [(t.code, t.label(lang)) for t in vocab(name).terms]


def values_of(app: Application | None) -> dict[str, Any]:
    """What the form shows for ``app`` (text for every field)."""
    if app is None:
        return {"status": "production", "kind": "khusus", "hosting.environment": "production"}
    flat = flatten(input_of(app).model_dump(mode="json"))
    out: dict[str, Any] = {}
    for field, widget, _vocab in APP_FORM:
        value = flat.get(field)
        if widget == "checks":
            out[field] = list(value or [])
        elif widget == "lines":
            out[field] = "\n".join(value or [])
        elif widget == "bool":
            out[field] = "" if value is None else ("ya" if value else "tidak")
        else:
            out[field] = "" if value is None else str(format_cell(field, value))
    return out


def submitted(form: Any) -> dict[str, Any]:
    """The raw form values (to show again on an error)."""
    out: dict[str, Any] = {}
    for field, widget, _vocab in APP_FORM:
        if widget == "checks":
            out[field] = [str(v) for v in form.getlist(field)]
        else:
            out[field] = str(form.get(field) or "")
    out["id"] = str(form.get("id") or "")
    return out


def parse(raw: dict[str, Any], lang: str, *, with_id: bool) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Form values → (nested application data, field errors with bilingual messages)."""
    flat: dict[str, Any] = {}
    problems: list[FieldError] = []
    fields = (("id",) if with_id else ()) + FORM_FIELDS
    widgets = {f: w for f, w, _v in APP_FORM}
    for field in fields:
        value: Any = raw.get(field)
        if widgets.get(field) == "checks":
            value = ";".join(value or [])
        elif widgets.get(field) == "lines":
            value = ";".join(line.strip() for line in str(value or "").splitlines() if line.strip())
        try:
            flat[field] = parse_cell(field, value)
        except CellError as exc:
            problems.append(FieldError(field=field, code=exc.code, message=str(exc), params=exc.params))
    data = unflatten(flat)
    # a contact left empty is no contact (and, as a merge patch, removes the stored one); the other groups hold
    # fields this form does not show (contract dates, connector), so only their shown fields are replaced
    data.setdefault("contact", None)
    return data, error_items(problems, lang)


def _present(value: Any) -> Any:
    """Empty entries left out (so that a new application takes the model's defaults)."""
    if isinstance(value, dict):
        kept = {k: _present(v) for k, v in value.items() if v is not None}
        return {k: v for k, v in kept.items() if v != {}}
    return value


def validate_new(data: dict[str, Any], lang: str) -> ApplicationIn:
    try:
        return ApplicationIn.model_validate(_present(data))
    except ValidationError as exc:
        raise to_hub(InvalidData(field_errors_from_pydantic(exc)), lang) from exc


def errors_of(err: SimpulError) -> list[dict[str, Any]]:
    items = list((err.extra or {}).get("errors") or [])
    for item in items:  # "contact" (a missing group) shows at its first field
        if item.get("field") in GROUPS:
            item["field"] = next(f for f in FORM_FIELDS if f.startswith(item["field"] + "."))
    return items
