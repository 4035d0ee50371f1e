"""Fixtures of the web workspace tests: a signed-cookie key per test, accounts of every role on the sample
registry, and ``sign_in(client, username)`` for TestClient-based tests (the browser tests live in browser/)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from registry.db import Database

PASSWORD = "kata-sandi-uji-123"
BAPPEDA = ("35.72", "5.01.5.05.0.00.01.0000")
USERS = {
    "admin": {"role": "admin"},
    "operator": {"role": "operator", "kode_pemda": BAPPEDA[0], "kode_opd": BAPPEDA[1]},
    "auditor": {"role": "auditor"},
    "viewer": {"role": "viewer"},
    "vendor": {"role": "vendor"},
}


@pytest.fixture(autouse=True)
def _web_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SIMPUL_WEB_KEY_FILE", str(tmp_path / "simpul-web.key"))
    monkeypatch.setenv("SIMPUL_EXCHANGE_WORKERS", "false")


def make_users(db: Database) -> None:
    from hub.services.registry_access import Principal
    from hub.services.users import UserService, parse_user

    service = UserService(db, Principal.cli())
    for name, extra in USERS.items():
        service.create(parse_user({"username": name, "display_name": f"Uji {name.title()}", **extra}), PASSWORD)


@pytest.fixture
def web_db(registry_loaded: Database) -> Database:
    make_users(registry_loaded)
    return registry_loaded


@pytest.fixture
def web(web_db: Database) -> Iterator:  # type: ignore[type-arg]
    from fastapi.testclient import TestClient

    from hub.api.app import create_app
    from hub.services.registry_db import get_database

    app = create_app()
    app.dependency_overrides[get_database] = lambda: web_db
    with TestClient(app, base_url="http://127.0.0.1:8000") as client:
        yield client


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "the page has no CSRF field"
    return match.group(1)


@pytest.fixture
def sign_in() -> Callable[..., str]:
    def go(client, username: str, password: str = PASSWORD, next_url: str = "/") -> str:  # type: ignore[no-untyped-def]
        page = client.get("/masuk")
        r = client.post("/masuk", data={"username": username, "password": password, "next": next_url,
                                        "csrf_token": csrf_of(page.text)}, follow_redirects=False)
        assert r.status_code == 303, r.text[:500]
        return csrf_of(client.get("/").text)

    return go
