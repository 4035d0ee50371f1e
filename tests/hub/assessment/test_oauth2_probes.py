"""An application protected by OAuth2 client credentials gets measured, not ``error``: the probes fetch a token,
renew it when the application refuses it, and never show the secret or a token in the evidence."""

from __future__ import annotations

import json

import pytest

from examples.apps.config import AppConfig
from examples.apps.server import build_app
from hub.assessment import Status, TargetAuth
from hub.assessment.models import OAuth2Grant
from hub.services.assessment_targets import auth_from_config

from .conftest import run_app, target

SECRET = "s3cret-eplanning-client-9912"
BASE = "http://127.0.0.1:9"  # the in-process transport answers for it


def oauth_app(token: str = SECRET):  # type: ignore[no-untyped-def]
    app = build_app(AppConfig.create("e-planning", "oauth2", token=token, records={"*": 20}))
    return app, app.state.example.issuer


def oauth_target(secret: str = SECRET):  # type: ignore[no-untyped-def]
    grant = OAuth2Grant(token_url=f"{BASE}/oauth/token", client_id="e-planning", client_secret=secret,
                        scope="read")
    return target(app_id="e-planning", name="E-Planning", area="perencanaan", base_url=BASE,
                  openapi_url=f"{BASE}/openapi.json", auth=TargetAuth(oauth2=grant))


def auth_errors(run) -> list[str]:  # type: ignore[no-untyped-def]
    return [r.check_id for r in run.results if r.status is Status.ERROR and r.reason
            and any(w in r.reason.en.lower() for w in ("auth", "token", "401", "credential"))]


async def test_an_oauth2_application_is_measured_with_a_token():
    app, issuer = oauth_app()
    run = await run_app(app, target=oauth_target())
    assert issuer.issued >= 1
    assert run.result("ITG-002").status is Status.PASS  # the OAuth2 security scheme is documented
    measured = [r for r in run.results if r.automated and r.status in (Status.PASS, Status.WARNING, Status.FAIL)]
    assert len(measured) >= 10
    assert auth_errors(run) == []
    assert run.result("REL-001").status is Status.PASS
    dump = json.dumps(run.model_dump(mode="json"))
    assert SECRET not in dump and not any(t in dump for t in issuer.tokens)


async def test_a_refused_token_is_renewed_and_the_run_stays_measured(monkeypatch):
    app, issuer = oauth_app()
    checked = [0]
    real_valid = issuer.valid

    def forgetful(token: str, scope: str = "read") -> bool:
        checked[0] += 1
        if checked[0] % 15 == 0:
            issuer.revoke_all()  # every 15th call the authorisation server has forgotten its tokens
        return real_valid(token, scope)

    monkeypatch.setattr(issuer, "valid", forgetful)
    run = await run_app(app, target=oauth_target())
    assert issuer.issued >= 2
    assert run.result("REL-001").status is Status.PASS
    assert auth_errors(run) == []


async def test_a_wrong_client_secret_never_appears_and_nothing_crashes():
    app, issuer = oauth_app()
    run = await run_app(app, target=oauth_target("wrong-secret-value-3321"))
    assert issuer.issued == 0
    assert "wrong-secret-value-3321" not in json.dumps(run.model_dump(mode="json"))


def test_the_registry_oauth2_config_becomes_probe_credentials():
    config = {"auth": {"type": "oauth2_client_credentials", "token_url": "https://sso.kotablitar.go.id/token",
                       "client_id": "simpul", "client_secret": {"env": "SSO_SECRET"}, "scopes": ["read", "audit"]}}
    auth, problem = auth_from_config(config, {"SSO_SECRET": "sso-value-1234"}, "simpeg")
    assert problem is None and auth.oauth2 is not None
    assert auth.oauth2.client_secret.get_secret_value() == "sso-value-1234"
    assert auth.oauth2.scope == "read audit" and auth.oauth2.token_url.endswith("/token")
    assert "sso-value-1234" in auth.secret_values()
    _, missing = auth_from_config(config, {}, "simpeg")
    assert missing is not None and "SSO_SECRET" in missing.en


@pytest.mark.parametrize(("token_url", "host", "why"), [
    ("http://169.254.169.254/oauth/token", "169.254.169.254", "metadata"),
    ("https://sso.kotablitar.example/t", "sso.kotablitar.example", "SIMPUL_PROBE_ALLOW"),
])
async def test_a_token_endpoint_outside_the_policy_is_an_error_naming_it(token_url, host, why):
    app, issuer = oauth_app()
    grant = OAuth2Grant(token_url=token_url, client_id="e-planning", client_secret=SECRET)
    tgt = oauth_target().model_copy(update={"auth": TargetAuth(oauth2=grant)})
    run = await run_app(app, target=tgt)
    refused = [r for r in run.results if r.status is Status.ERROR and r.reason and host in r.reason.en]
    assert refused and all(why in r.reason.en for r in refused)
    assert issuer.issued == 0
