"""Server errors found by the deep Schemathesis run (.ci/schemathesis-deep), kept from coming back."""

from __future__ import annotations


def test_a_huge_before_cursor_of_deliveries_is_refused_not_a_server_error(registry_api, registry_key):
    response = registry_api.get("/v1/deliveries", params={"before": "602585891198262502492209152"},
                                headers=registry_key("admin"))
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")


def test_every_integer_parameter_has_a_bound_a_database_can_hold(registry_api):
    """SQLite and PostgreSQL hold 64-bit integers; Python's are unbounded and overflow at the driver (500)."""
    document = registry_api.get("/openapi.json").json()
    unbounded = []
    for path, item in document["paths"].items():
        for method, operation in item.items():
            for param in operation.get("parameters", []) if isinstance(operation, dict) else []:
                schema = param.get("schema", {})
                types = [schema.get("type")] + [s.get("type") for s in schema.get("anyOf", [])]
                bounds = [schema.get("maximum")] + [s.get("maximum") for s in schema.get("anyOf", [])]
                if "integer" in types and not any(b is not None for b in bounds):
                    unbounded.append(f"{method.upper()} {path} {param['name']}")
    assert not unbounded, unbounded
