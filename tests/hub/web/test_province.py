"""Provinsi page: the members of a provincial Simpul with the freshness of their copies and the comparison across
Pemdas, against two real kota Simpuls on loopback; an admin pulls them from the page, a viewer only reads."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from hub.services.federation import FederationService, KeyRef, MemberIn
from hub.services.registry_access import Principal
from tests.hub.federation.kit import KOTA, Kota, kota_sites


@pytest.fixture(scope="module")
def two_kota(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[Kota]]:
    with kota_sites(tmp_path_factory.mktemp("kota-web"), KOTA[:2]) as sites:
        yield sites


def test_the_province_page_lists_members_freshness_and_the_comparison(web, sign_in, web_db, two_kota,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    service = FederationService(web_db, Principal.cli())
    for kota in two_kota:
        env = f"SIMPUL_FED_{kota.spec.kode.replace('.', '')}_KEY"
        monkeypatch.setenv(env, kota.token)
        service.add(MemberIn(name=kota.spec.name, kode_pemda=kota.spec.kode, base_url=kota.url,
                             key=KeyRef(env=env)))

    csrf = sign_in(web, "viewer")
    page = web.get("/provinsi")
    assert page.status_code == 200 and 'href="/provinsi"' in page.text
    assert page.text.count("belum pernah ditarik") == 4 and "Tarik semua sekarang" not in page.text  # both tables
    assert web.post("/provinsi/tarik", data={"csrf_token": csrf}).status_code == 403
    web.cookies.clear()

    csrf = sign_in(web, "admin")
    pulled = web.post("/provinsi/tarik", data={"csrf_token": csrf}, follow_redirects=True)
    assert pulled.status_code == 200 and "Semua anggota sudah ditarik." in pulled.text
    assert pulled.text.count("data baru saja ditarik") == 4  # members table and comparison table
    assert "Perbandingan antar-Pemda" in pulled.text and "Provinsi (gabungan)" in pulled.text
    assert "1 dari 2" in pulled.text  # Kota Blitar: one of its two measured applications is interoperable
    download = web.get("/provinsi/unduh?format=md")
    assert download.status_code == 200 and "SIPD-MALANG (Kota Malang)" in download.text

    web.cookies.clear()
    sign_in(web, "vendor")
    assert web.get("/provinsi").status_code == 403
