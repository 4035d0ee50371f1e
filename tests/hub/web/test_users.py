"""Web accounts: argon2 hashes, lock-out, disabling and resetting end sessions, every change audited,
and ``simpul users``."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from hub.errors import BadRequest, Conflict, Forbidden, RequestInvalid
from hub.exchange import audit
from hub.services.registry_access import Principal
from hub.services.users import SignInRefused, UserService, parse_user, principal_of, session_of, sign_in, sign_out
from registry.db import Database
from registry.tables_web import UserRow
from tests.hub.web.conftest import BAPPEDA, PASSWORD


def test_password_is_stored_as_argon2_only(web_db: Database):
    with web_db.session() as s:
        row = s.query(UserRow).filter_by(username="auditor").one()
        assert row.password_hash.startswith("$argon2id$") and PASSWORD not in row.password_hash


def test_sign_in_opens_a_session_and_sign_out_ends_it(web_db: Database):
    signed = sign_in(web_db, "Auditor ", PASSWORD, user_agent="pytest")
    current = session_of(web_db, signed.token)
    assert current is not None and current.user.username == "auditor" and current.csrf_token == signed.csrf_token
    assert current.principal.role == "auditor" and current.principal.actor == f"user:auditor#{signed.user.id}"
    sign_out(web_db, signed.token)
    assert session_of(web_db, signed.token) is None
    actions = [e.action for e in audit.entries(web_db, limit=5)]
    assert actions[:2] == ["web.sign_out", "web.sign_in"]


def test_wrong_password_and_unknown_user_get_the_same_message(web_db: Database):
    with pytest.raises(SignInRefused) as wrong:
        sign_in(web_db, "auditor", "salah-salah-salah")
    with pytest.raises(SignInRefused) as unknown:
        sign_in(web_db, "siapa-ini", "salah-salah-salah")
    assert wrong.value.message("id") == unknown.value.message("id") == "Nama pengguna atau kata sandi salah."
    assert [e.details["reason"] for e in audit.entries(web_db, action="web.sign_in.failed")] == ["unknown", "password"]


def test_repeated_failures_lock_the_account_even_for_the_right_password(web_db: Database,
                                                                         monkeypatch: pytest.MonkeyPatch):
    from hub.settings import get_settings

    monkeypatch.setenv("SIMPUL_WEB_MAX_FAILED_LOGINS", "3")
    get_settings.cache_clear()
    for _ in range(2):
        with pytest.raises(SignInRefused):
            sign_in(web_db, "viewer", "bukan-sandinya-1")
    with pytest.raises(SignInRefused) as third:
        sign_in(web_db, "viewer", "bukan-sandinya-1")
    assert "dikunci" in third.value.message("id") and "locked" in third.value.message("en")
    with pytest.raises(SignInRefused) as locked:
        sign_in(web_db, "viewer", PASSWORD)
    assert "locked" in locked.value.message("en")
    UserService(web_db, Principal.cli()).set_active("viewer", True)  # an admin lifts the lock-out
    assert sign_in(web_db, "viewer", PASSWORD).user.username == "viewer"


def test_disabling_and_resetting_end_every_session(web_db: Database):
    service = UserService(web_db, Principal.cli())
    first = sign_in(web_db, "operator", PASSWORD)
    service.set_active("operator", False)
    assert session_of(web_db, first.token) is None
    with pytest.raises(SignInRefused) as disabled:
        sign_in(web_db, "operator", PASSWORD)
    assert "dinonaktifkan" in disabled.value.message("id")
    service.set_active("operator", True)
    second = sign_in(web_db, "operator", PASSWORD)
    _user, new_password = service.reset_password("operator")
    assert session_of(web_db, second.token) is None
    with pytest.raises(SignInRefused):
        sign_in(web_db, "operator", PASSWORD)
    assert sign_in(web_db, "operator", new_password).user.role == "operator"
    assert {"web.user.disable", "web.user.enable", "web.user.reset_password"} <= {
        e.action for e in audit.entries(web_db, limit=50)}


def test_bad_accounts_are_refused_with_field_messages(web_db: Database):
    with pytest.raises(RequestInvalid) as bad:
        parse_user({"username": "A b", "display_name": "", "role": "boss"}, "en")
    fields = {e["field"] for e in bad.value.extra["errors"]}
    assert {"username", "display_name", "role"} <= fields
    with pytest.raises(RequestInvalid):
        parse_user({"username": "budi", "display_name": "Budi", "role": "viewer", "kode_pemda": "35.72",
                    "kode_opd": BAPPEDA[1]})  # only an operator is bound to an OPD
    service = UserService(web_db, Principal.cli())
    with pytest.raises(BadRequest):
        service.create(parse_user({"username": "budi", "display_name": "Budi", "role": "viewer"}), "pendek")
    with pytest.raises(RequestInvalid):  # an OPD that is not registered
        service.create(parse_user({"username": "budi", "display_name": "Budi", "role": "operator",
                                   "kode_pemda": "35.72", "kode_opd": "9.99.0.00.0.00.01.0000"}))
    with pytest.raises(Conflict):
        service.create(parse_user({"username": "auditor", "display_name": "Lagi", "role": "auditor"}))
    assert [u.username for u in service.list()] == ["admin", "auditor", "operator", "vendor", "viewer"]


def test_only_admins_manage_accounts_and_nobody_disables_themselves(web_db: Database):
    auditor = principal_of(sign_in(web_db, "auditor", PASSWORD).user)
    with pytest.raises(Forbidden):
        UserService(web_db, auditor).list()
    admin = principal_of(sign_in(web_db, "admin", PASSWORD).user)
    with pytest.raises(Conflict):
        UserService(web_db, admin).set_active("admin", False)


def test_operator_bound_to_an_opd_changes_only_its_own_applications(web_db: Database):
    operator = principal_of(sign_in(web_db, "operator", PASSWORD).user)
    assert operator.opd_scope == BAPPEDA
    assert operator.owns(*BAPPEDA) and not operator.owns("35.72", "5.02.0.00.0.00.01.0000")
    assert operator.can("assessment:write") and not operator.can("registry:admin")


def test_cli_creates_lists_disables_and_resets(registry_loaded: Database):
    from hub.cli import app

    runner = CliRunner()
    created = runner.invoke(app, ["users", "create", "--username", "rina", "--role", "auditor", "--name",
                                  "Rina Inspektorat"])
    assert created.exit_code == 0, created.output
    password = created.output.strip().splitlines()[-1]
    assert len(password) >= 12 and sign_in(registry_loaded, "rina", password).user.display_name == "Rina Inspektorat"
    listed = runner.invoke(app, ["users", "list"])
    assert "rina" in listed.output and "auditor" in listed.output
    assert runner.invoke(app, ["users", "disable", "rina"]).exit_code == 0
    reset = runner.invoke(app, ["users", "reset-password", "rina"], input="")
    assert reset.exit_code == 0
    chosen = runner.invoke(app, ["users", "reset-password", "rina", "--password-stdin"],
                           input="sandi-baru-yang-panjang\n")
    assert chosen.exit_code == 0 and "sandi-baru" not in chosen.output
    bad = runner.invoke(app, ["--lang", "en", "users", "create", "--username", "x", "--role", "boss"])
    assert bad.exit_code == 2 and "Traceback" not in bad.output
