"""Probes only reach the assessed application; metadata and link-local addresses are never reached."""

from __future__ import annotations

import httpx
import pytest
from fastapi.responses import RedirectResponse

from connectors import netpolicy
from hub.assessment import HostPolicy, RefusedHost, Status
from hub.assessment.models import ProbeLimits

from .apps import build_app
from .conftest import FAST, run_app, target


def resolver_for(table: dict[str, list[str]]):
    async def resolve(host: str) -> list[str]:
        if host not in table:
            raise OSError("no such host")
        return table[host]
    return resolve


@pytest.mark.parametrize(("url", "reason"), [
    ("http://169.254.169.254/latest/meta-data/", "metadata"),
    ("http://[fe80::1]/", "link_local"),
    ("http://169.254.10.20/", "link_local"),
    ("http://metadata.google.internal/computeMetadata/v1/", "metadata"),
    ("http://[::ffff:169.254.169.254]/", "metadata"),
    ("http://[fd00:ec2::254]/", "metadata"),
])
async def test_dangerous_addresses_are_refused_even_when_allowed(url, reason):
    policy = HostPolicy(url, allowed=["169.254.169.254", "fe80::1", "metadata.google.internal"])
    with pytest.raises(RefusedHost) as err:
        await policy.check(url)
    assert err.value.reason == reason


async def test_a_name_resolving_to_the_metadata_address_is_refused():
    netpolicy.configure(["innocent.example"])  # even when the operator allowed the name
    policy = HostPolicy("http://innocent.example", resolver=resolver_for({"innocent.example": ["169.254.169.254"]}))
    with pytest.raises(RefusedHost) as err:
        await policy.check("http://innocent.example/api")
    assert err.value.reason == "metadata" and err.value.ip == "169.254.169.254"


async def test_the_application_host_needs_the_operator_unless_it_is_loopback():
    resolve = resolver_for({"app.example": ["10.0.0.5"]})
    await HostPolicy("http://127.0.0.1:8101", resolver=resolve).check("http://127.0.0.1:8101/api")
    with pytest.raises(RefusedHost) as err:
        await HostPolicy("http://app.example", resolver=resolve).check("http://app.example/x")
    assert err.value.reason == "not_allowed"
    netpolicy.configure(["app.example"])  # what SIMPUL_PROBE_ALLOW=app.example does
    assert [str(ip) for ip in await HostPolicy("http://app.example", resolver=resolve).check(
        "http://app.example/x")] == ["10.0.0.5"]


async def test_other_hosts_are_refused_unless_allowed():
    netpolicy.configure(["*.example"])
    resolve = resolver_for({"app.example": ["10.0.0.5"], "other.example": ["10.0.0.6"]})
    policy = HostPolicy("http://app.example", resolver=resolve)
    await policy.check("http://app.example/x")
    with pytest.raises(RefusedHost, match="not the host of the application"):
        await policy.check("http://other.example/x")
    allowed = HostPolicy("http://app.example", allowed=["other.example"], resolver=resolve)
    await allowed.check("http://other.example/x")


async def test_a_host_named_for_the_run_is_allowed_on_the_network_too():
    resolve = resolver_for({"gateway.example": ["10.0.0.7"]})
    policy = HostPolicy("http://gateway.example", allowed=["gateway.example"], resolver=resolve)
    assert [str(ip) for ip in await policy.check("http://gateway.example/api")] == ["10.0.0.7"]


async def test_load_only_against_loopback_or_explicitly_allowed_hosts():
    netpolicy.configure(["app.example"])
    resolve = resolver_for({"app.example": ["10.0.0.5"]})
    assert await HostPolicy("http://localhost:8000", resolver=resolve).load_allowed("http://localhost:8000")
    assert not await HostPolicy("http://app.example", resolver=resolve).load_allowed("http://app.example")
    assert await HostPolicy("http://app.example", allowed=["app.example"], resolver=resolve).load_allowed(
        "http://app.example")


async def test_a_refused_target_is_never_contacted_and_every_automated_check_is_an_error():
    calls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(str(request.url))
        return httpx.Response(200)

    from hub.assessment import assess

    run = await assess(target(base_url="http://169.254.169.254"), limits=FAST, transport=httpx.MockTransport(handler))
    assert calls == []
    assert run.refused is not None and "169.254.169.254" in run.refused.en
    automated = [r for r in run.results if r.automated]
    assert automated and all(r.status is Status.ERROR for r in automated)
    assert all(s.score is None for s in run.scores)
    assert run.maturity.level == 0 and not run.measured  # "belum diukur", never level 1


async def test_redirects_to_other_hosts_are_not_followed():
    app = build_app()

    @app.get("/jebakan", include_in_schema=False)
    async def trap() -> RedirectResponse:
        return RedirectResponse("http://169.254.169.254/latest/meta-data/")

    @app.get("/pindah", include_in_schema=False)
    async def move() -> RedirectResponse:
        return RedirectResponse("http://evil.example/")

    from hub.assessment.client import ProbeClient

    policy = HostPolicy("http://127.0.0.1:9")
    client = ProbeClient(target(), ProbeLimits(), policy, transport=httpx.ASGITransport(app=app))
    try:
        with pytest.raises(RefusedHost, match="metadata"):
            await client.request("GET", "/jebakan")
        with pytest.raises(RefusedHost) as err:
            await client.request("GET", "/pindah")
        assert err.value.reason == "host_not_allowed"
    finally:
        await client.aclose()


async def test_openapi_on_a_foreign_host_is_refused_not_fetched():
    run = await run_app(build_app(), target=target(openapi_url="http://elsewhere.example/openapi.json"))
    # the foreign address is refused; Simpul's own guesses on the application's host still find the document
    assert run.result("ITG-001").status is Status.PASS


async def test_a_target_the_operator_did_not_allow_is_an_error_naming_the_setting():
    calls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(str(request.url))
        return httpx.Response(200)

    from hub.assessment import assess

    run = await assess(target(base_url="http://simpeg.kotablitar.example"), limits=FAST,
                       transport=httpx.MockTransport(handler), resolver=resolver_for({}))
    assert calls == []
    automated = [r for r in run.results if r.automated]
    assert automated and all(r.status is Status.ERROR for r in automated)
    assert "SIMPUL_PROBE_ALLOW" in run.refused.en and "SIMPUL_PROBE_ALLOW" in run.refused.id
    assert "simpeg.kotablitar.example" in run.refused.en


async def test_load_is_skipped_for_hosts_not_allowed():
    netpolicy.configure(["simpeg.example"])  # the operator allows probing it, not loading it
    resolve = resolver_for({"simpeg.example": ["10.1.2.3"]})
    run = await run_app(build_app(), target=target(base_url="http://simpeg.example"), resolver=resolve)
    load = run.result("SCA-003")
    assert load.status is Status.NOT_APPLICABLE
    assert "--allow-host" in load.reason.en
    allowed = await run_app(build_app(), target=target(base_url="http://simpeg.example",
                                                       allowed_hosts=["simpeg.example"]), resolver=resolve)
    assert allowed.result("SCA-003").status is Status.PASS


async def test_request_budget_is_respected_and_reported_as_simpul_error():
    limits = FAST.model_copy(update={"max_requests": 12})
    run = await run_app(build_app(), limits=limits)
    assert run.requests_made <= 12
    errors = [r for r in run.results if r.status is Status.ERROR]
    assert errors and any("budget" in r.reason.en for r in errors)
    assert all(r.status is not Status.FAIL for r in errors)
