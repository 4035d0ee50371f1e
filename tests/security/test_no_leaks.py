"""Personal data and secrets never leak: full NIK/NIP, e-mail addresses, API keys and webhook secrets pushed
through validation (API, CLI, web), the registry, failing requests and the reports, then looked for in the captured
structlog output, the problem bodies, the reports, the audit log and the web pages."""

from __future__ import annotations

import json
import re

from typer.testing import CliRunner

from hub.cli import app as cli

NIK = "3572035503850002"
NIP = "198503152010011002"
EMAIL = "budi.santoso.rahasia@kotablitar.go.id"
VALIDATE = "/v1/schemas/kepegawaian/pegawai/validate"
# wrong on purpose (birth date, sex), so every report names these documents and their fields
DOCS = [{"nip": NIP, "nik": NIK, "nama": "Budi Santoso", "email": EMAIL, "telepon": "081234567890",
         "tanggal_lahir": "15-03-1985", "jenis_kelamin": "X", "jenis_asn": "PNS"},
        {"nip": NIK, "nik": NIP, "nama": f"Budi {NIK}", "jenis_asn": "PNS"}]


def _leaks(where: str, content: str, secrets: list[str]) -> list[str]:
    """Where a secret appears, with a little context around it (the secret itself shown as ``<…>``)."""
    out = []
    for secret in secrets:
        at = content.find(secret)
        if at >= 0:
            around = content[max(0, at - 60):at + len(secret) + 30].replace(secret, "<" + secret[:4] + "…>")
            out.append(f"{where}: {around!r}")
    return out


def test_personal_data_and_secrets_never_leak(registry_api, registry_loaded, registry_key, web, sign_in, capsys,
                                              tmp_path):
    admin = registry_key("admin", "Diskominfo")
    found: list[str] = []
    seen: dict[str, str] = {}

    # secrets the hub makes: an API key (shown once) and a webhook secret (shown once)
    made = registry_api.post("/v1/keys", headers=admin, json={"name": "vendor uji", "role": "vendor"})
    assert made.status_code == 201, made.text
    token = made.json()["token"]
    sub = registry_api.post("/v1/subscriptions", headers=admin, json={
        "name": "e-budgeting", "schema": "kepegawaian/pegawai", "mode": "webhook",
        "url": "http://127.0.0.1:9/hook"})
    webhook_secret = (sub.json().get("secret") or "") if sub.status_code == 201 else ""
    secrets = [NIK, NIP, EMAIL, token] + ([webhook_secret] if webhook_secret else [])

    # validation reports, every format, API and CLI
    for lang in ("id", "en"):
        r = registry_api.post(VALIDATE, json=DOCS, headers={"Accept-Language": lang})
        assert r.status_code == 200 and r.json()["valid"] is False
        seen[f"API validation report ({lang})"] = r.text
    data = tmp_path / "pegawai.json"
    data.write_text(json.dumps(DOCS), encoding="utf-8")
    runner = CliRunner()
    for fmt in ("text", "json", "junit", "sarif"):
        out = runner.invoke(cli, ["validate", "kepegawaian/pegawai", str(data), "--format", fmt],
                            env={"COLUMNS": "200"})
        assert out.exit_code == 1, out.output[-400:]
        seen[f"CLI validate --format {fmt}"] = out.output
    # problem bodies: personal data and tokens typed where they do not belong
    for method, url, kw in (
        ("GET", f"/v1/applications/{NIK}", {"headers": admin}),
        ("GET", "/v1/applications", {"headers": {"Authorization": f"Bearer {token}x"}}),
        ("GET", f"/v1/applications?q={NIP}&pemda={NIK}", {"headers": admin}),
        ("POST", "/v1/applications", {"headers": admin, "json": {"id": NIK, "name": EMAIL, "kode_opd": NIP}}),
        ("GET", f"/v1/data/kepegawaian/pegawai/records/{NIP}", {"headers": admin}),
        ("POST", VALIDATE, {"content": f'{{"nik": "{NIK}", "nip": {NIP}'.encode(),
                            "headers": {"Content-Type": "application/json"}}),
    ):
        for lang in ("id", "en"):
            r = registry_api.request(method, url, **{**kw, "headers": {**kw.get("headers", {}),
                                                                      "Accept-Language": lang}})
            assert r.status_code >= 400
            seen[f"problem {method} {url[:40]} ({lang})"] = r.text
    # the web workspace: the validator page, and pages an admin sees
    csrf = sign_in(web, "admin")
    page = web.post("/validator", data={"csrf_token": csrf, "schema": "kepegawaian/pegawai",
                                        "payload": json.dumps(DOCS)})
    # the form keeps what the user pasted in its own text box (their own input, answered to them, no-store);
    # everything else on the page is Simpul's and must be masked
    assert page.headers["cache-control"] == "no-store"
    seen["web validator page"] = re.sub(r"<textarea[^>]*>.*?</textarea>", "", page.text, flags=re.S)
    for path in ("/", "/aplikasi", "/penilaian", "/kesenjangan", f"/aplikasi/{NIK}"):
        # the language switch carries the page's own address back (``next``): the user's URL, not Simpul's text
        seen[f"web page {path}"] = re.sub(r'name="next" value="[^"]*"', "", web.get(path).text)
    # reports of the gap inventory (the sample registry) and the registry export to a non-admin
    auditor = registry_key("auditor")
    for fmt in ("md", "html", "json", "xlsx", "docx"):
        r = registry_api.get(f"/v1/inventory?pemda=35.72&format={fmt}", headers=admin)
        assert r.status_code == 200, r.text[:300]
        seen[f"inventory {fmt}"] = _text_of(r.content)
    seen["registry export (auditor)"] = registry_api.get("/v1/registry/export?format=csv", headers=auditor).text
    # the audit logs, every row: the exchange's hash-chained audit and the registry's change history
    from registry.tables import Base

    with registry_loaded.session() as s:
        for table in (t for t in Base.metadata.sorted_tables if "audit" in t.name or t.name == "registry_change"):
            rows = [list(map(str, row)) for row in s.execute(table.select()).all()]
            seen[f"audit table {table.name}"] = json.dumps(rows, ensure_ascii=False)
    assert any(k.startswith("audit table") and len(v) > 10 for k, v in seen.items()), "no audit rows to scan"
    # everything logged while all this happened
    captured = capsys.readouterr()
    seen["structlog output"] = captured.err + captured.out

    for where, content in seen.items():
        found += _leaks(where, content, secrets)
    assert not found, "\n".join(found)
    assert any(NIK[:6] in c for c in seen.values()), "the scan saw the masked values at all"


def _text_of(content: bytes) -> str:
    """A report as text: the parts of an XLSX/DOCX zip, else the bytes decoded."""
    import io
    import zipfile

    if content[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(content)) as z:
            return "\n".join(z.read(n).decode("utf-8", "replace") for n in z.namelist())
    return content.decode("utf-8", "replace")
