"""The network policy: what may be contacted, and connections pinned to the address that was checked.

Everything is served on 127.0.0.1; names are answered by scripted resolvers; no packet leaves loopback.
"""

from __future__ import annotations

import httpx
import pytest

from connectors.netpolicy import AllowList, AllowListError, NetPolicy, NetworkRefused, forbidden_ip

from .netkit import LoopbackHTTP, RecordingBackend, ScriptedResolver, TestCA


# -- what is allowed ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("url", "allowed"), [
    ("http://127.0.0.1:8101/api", True),
    ("http://127.9.9.9/", True),
    ("http://[::1]:8000/", True),
    ("http://localhost:8000/", True),
    ("http://e-planning.localhost/", True),
    ("http://10.20.5.6/", True),           # in 10.20.0.0/16
    ("http://10.21.0.1/", False),          # outside it
    ("https://simpeg.kotablitar.go.id/", True),   # *.kotablitar.go.id
    ("https://a.b.kotablitar.go.id/", True),
    ("https://kotablitar.go.id/", False),  # a wildcard covers the names below the domain only
    ("https://evilkotablitar.go.id/", False),
    ("https://gateway.example/", True),    # an exact host
    ("https://www.gateway.example/", False),
    ("http://192.168.1.10/", False),
])
async def test_loopback_always_and_other_hosts_only_when_allowed(url, allowed):
    async def anywhere(host: str) -> list[str]:
        return ["192.0.2.50"]  # TEST-NET-1: outside every allowed network

    policy = NetPolicy(["*.kotablitar.go.id", "gateway.example", "10.20.0.0/16"], resolver=anywhere)
    if allowed:
        assert await policy.check(url)
    else:
        with pytest.raises(NetworkRefused) as err:
            await policy.check(url)
        assert err.value.reason == "not_allowed"
        assert "SIMPUL_PROBE_ALLOW" in err.value.messages()["en"]
        assert "SIMPUL_PROBE_ALLOW" in err.value.messages()["id"]


async def test_a_name_nobody_allowed_is_refused_without_asking_dns():
    resolver = ScriptedResolver({"sipd.kemendagri.example": [["10.0.0.9"]]})
    policy = NetPolicy(["*.kotablitar.go.id"], resolver=resolver)
    with pytest.raises(NetworkRefused) as err:
        await policy.check("https://sipd.kemendagri.example/api")
    assert err.value.reason == "not_allowed" and resolver.asked == []
    with pytest.raises(NetworkRefused):
        await NetPolicy(resolver=resolver).check("https://sipd.kemendagri.example/")
    assert resolver.asked == []


async def test_with_a_network_allowed_a_name_is_resolved_and_only_its_allowed_addresses_are_used():
    resolver = ScriptedResolver({"simona.example": [["10.20.0.7", "192.0.2.1"]], "far.example": [["192.0.2.9"]]})
    policy = NetPolicy(["10.20.0.0/16"], resolver=resolver)
    assert [str(ip) for ip in await policy.check("http://simona.example/")] == ["10.20.0.7"]
    with pytest.raises(NetworkRefused) as err:
        await policy.check("http://far.example/")
    assert err.value.reason == "not_allowed" and err.value.ip == "192.0.2.9"


@pytest.mark.parametrize(("url", "reason"), [
    ("http://169.254.169.254/latest/meta-data/", "metadata"),
    ("http://[fd00:ec2::254]/", "metadata"),
    ("http://100.100.100.200/", "metadata"),
    ("http://[::ffff:169.254.169.254]/", "metadata"),
    ("http://[64:ff9b::a9fe:a9fe]/", "metadata"),        # NAT64 form of 169.254.169.254
    ("http://[2002:a9fe:a9fe::1]/", "metadata"),          # 6to4 form
    ("http://169.254.10.20/", "link_local"),
    ("http://[fe80::1]/", "link_local"),
    ("http://metadata.google.internal/computeMetadata/v1/", "metadata"),
    ("http://0.0.0.0/", "reserved"),
    ("http://224.0.0.1/", "reserved"),
    ("ftp://127.0.0.1/", "scheme"),
    ("file:///etc/passwd", "scheme"),
    ("gopher://127.0.0.1:70/", "scheme"),
])
async def test_metadata_link_local_and_other_schemes_stay_refused_whatever_is_allowed(url, reason):
    policy = NetPolicy(["0.0.0.0/0", "::/0", "*.google.internal"])
    with pytest.raises(NetworkRefused) as err:
        await policy.check(url)
    assert err.value.reason == reason


async def test_an_answer_with_one_metadata_address_is_refused_as_a_whole():
    resolver = ScriptedResolver({"mixed.example": [["127.0.0.1", "169.254.169.254"]]})
    policy = NetPolicy(["mixed.example"], resolver=resolver)
    with pytest.raises(NetworkRefused) as err:
        await policy.check("http://mixed.example/")
    assert err.value.reason == "metadata" and err.value.ip == "169.254.169.254"


@pytest.mark.parametrize(("entry", "problem"), [
    ("https://simpeg.kotablitar.go.id", "net.allow.url"),
    ("simpeg.kotablitar.go.id:8080", "net.allow.port"),
    ("*.", "net.allow.wildcard"),
    ("*.-bad.go.id", "net.allow.wildcard"),
    ("simpeg*.go.id", "net.allow.name"),
    ("bad_name!.go.id", "net.allow.name"),
    ("10.20.0.0/33", "net.allow.network"),
    ("169.254.169.254", "net.allow.never"),
    ("169.254.0.0/16", "net.allow.never"),
    ("metadata.google.internal", "net.allow.never"),
])
def test_allow_list_entries_are_validated(entry, problem):
    with pytest.raises(AllowListError) as err:
        AllowList.parse(entry)
    assert err.value.problem == problem and err.value.entry == entry


def test_allow_list_reads_commas_spaces_and_new_lines():
    allow = AllowList.parse("simpeg.kotablitar.go.id, *.Kotablitar.go.id\n10.20.0.0/16  192.0.2.7")
    assert allow.entries == ("simpeg.kotablitar.go.id", "*.kotablitar.go.id", "10.20.0.0/16", "192.0.2.7")


def test_forbidden_ip_knows_loopback_is_fine():
    import ipaddress

    assert forbidden_ip(ipaddress.ip_address("127.0.0.1")) is None
    assert forbidden_ip(ipaddress.ip_address("::1")) is None


# -- pinning -----------------------------------------------------------------------------------------------------
async def test_dns_rebinding_the_connection_goes_to_the_checked_address_only():
    """The resolver answers loopback first and the metadata address afterwards (a rebinding attack)."""
    with LoopbackHTTP() as server:
        resolver = ScriptedResolver({"rebind.example": [["127.0.0.1"], ["169.254.169.254"]]})
        policy = NetPolicy(["rebind.example"], resolver=resolver)
        backend = RecordingBackend()
        url = server.url("/data", host="rebind.example")
        assert [str(ip) for ip in await policy.check(url)] == ["127.0.0.1"]  # the check a probe does first
        async with policy.async_client(backend=backend) as client:
            first = await client.get(url, headers={"Connection": "close"})
            second = await client.get(url, headers={"Connection": "close"})  # a new connection, same answer
        assert first.status_code == second.status_code == 200
        assert backend.connects == [("127.0.0.1", server.port)] * 2
        assert resolver.asked == ["rebind.example"]  # resolved once, then pinned
        assert {r["host"] for r in server.seen.requests} == {f"rebind.example:{server.port}"}  # original Host


async def test_dns_rebinding_after_the_answer_expires_is_refused_not_followed():
    with LoopbackHTTP() as server:
        resolver = ScriptedResolver({"rebind.example": [["127.0.0.1"], ["169.254.169.254"]]})
        policy = NetPolicy(["rebind.example"], resolver=resolver, cache_ttl_s=0)
        backend = RecordingBackend()
        url = server.url("/data", host="rebind.example")
        async with policy.async_client(backend=backend) as client:
            assert (await client.get(url, headers={"Connection": "close"})).status_code == 200
            with pytest.raises(NetworkRefused) as err:
                await client.get(url)
        assert err.value.reason == "metadata"
        assert backend.connects == [("127.0.0.1", server.port)]


async def test_a_redirect_chain_into_a_forbidden_address_is_refused():
    with LoopbackHTTP() as first, LoopbackHTTP() as second:
        resolver = ScriptedResolver({"hop.example": [["127.0.0.1"]]})
        policy = NetPolicy(["hop.example"], resolver=resolver)
        backend = RecordingBackend()
        final = "http://169.254.169.254/latest/meta-data/iam"
        chain = first.url("/redirect?to=" + second.url("/redirect?to=" + final, host="hop.example"))
        async with policy.async_client(backend=backend, follow_redirects=True) as client:
            with pytest.raises(NetworkRefused) as err:
                await client.get(chain)
        assert err.value.reason == "metadata"
        assert backend.connects == [("127.0.0.1", first.port), ("127.0.0.1", second.port)]
        assert [r["path"] for r in first.seen.requests + second.seen.requests] == ["/redirect", "/redirect"]


@pytest.mark.parametrize("target", ["http://intranet.example/admin", "file:///etc/passwd", "http://10.1.2.3/"])
async def test_a_redirect_to_a_host_not_allowed_or_another_scheme_is_refused(target):
    with LoopbackHTTP() as server:
        resolver = ScriptedResolver({})
        backend = RecordingBackend()
        async with NetPolicy(resolver=resolver).async_client(backend=backend, follow_redirects=True) as client:
            with pytest.raises((NetworkRefused, httpx.UnsupportedProtocol)):
                await client.get(server.url("/redirect?to=" + target))
        assert backend.connects == [("127.0.0.1", server.port)] and resolver.asked == []


async def test_tls_keeps_the_name_for_sni_and_certificate_verification(tmp_path):
    ca = TestCA(tmp_path, ["pinned.simpul.example"])
    with LoopbackHTTP(tls=ca.server_context()) as server:
        resolver = ScriptedResolver({"pinned.simpul.example": [["127.0.0.1"]], "other.simpul.example": [["127.0.0.1"]]})
        policy = NetPolicy(["*.simpul.example"], resolver=resolver)
        backend = RecordingBackend()
        async with policy.async_client(verify=ca.client_context(), backend=backend) as client:
            response = await client.get(server.url("/ok", host="pinned.simpul.example", scheme="https"))
            assert response.status_code == 200
            with pytest.raises(httpx.ConnectError, match=r"(?i)certificate|hostname"):
                # same address, another name: the certificate is checked for the name, not the IP
                await client.get(server.url("/ok", host="other.simpul.example", scheme="https"))
        assert server.seen.sni[0] == "pinned.simpul.example"
        assert server.seen.requests[0]["host"] == f"pinned.simpul.example:{server.port}"
        assert {h for h, _p in backend.connects} == {"127.0.0.1"}


async def test_a_refused_connection_is_an_httpx_connect_error_for_code_that_knows_only_httpx():
    async with NetPolicy().async_client() as client:
        with pytest.raises(httpx.ConnectError):
            await client.get("http://169.254.169.254/")


# -- the connectors' HTTP layer ----------------------------------------------------------------------------------
async def test_the_connector_http_layer_connects_only_where_the_policy_allows(make_http, sleeps):
    with LoopbackHTTP() as server:
        http = make_http()
        response = await http.get(server.url("/data"))
        assert response.json()["ok"] is True
        with pytest.raises(NetworkRefused) as err:
            await http.get("http://simpeg.kotablitar.example/api/pegawai")
        await http.aclose()
    assert err.value.reason == "not_allowed" and sleeps == []  # refused once, never retried
    assert http.timings[-1].error == "net.refused.not_allowed"
    assert http.breaker.state == "closed"  # Simpul's rule, not the application's failure


async def test_the_connector_http_layer_follows_redirects_only_through_the_policy(make_http):
    with LoopbackHTTP() as server:
        http = make_http()
        with pytest.raises(NetworkRefused) as err:
            await http.get(server.url("/redirect?to=http://169.254.169.254/latest/meta-data/"))
        await http.aclose()
    assert err.value.reason == "metadata"
