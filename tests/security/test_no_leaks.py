"""Personal data and secrets never leak: full NIK/NIP, e-mail addresses, API keys and webhook secrets pushed
through validation (API, CLI, web), the registry, failing requests and the reports, then looked for in the captured
structlog output, the problem bodies, the reports, the audit log and the web pages; and a real sync from a loopback
source, its webhook deliveries and the canonical pull API, scanned the same way (what a subscriber or key with the
personal-data right receives in full is proven, not flagged)."""

from __future__ import annotations

import json
import re

import httpx
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
    from hub.logging import configure_logging

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
    configure_logging("INFO", "json")  # the CLI bound its logger at WARNING to its own stream: the API's again
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
    assert '"path": "/v1/registry/export"' in seen["structlog output"], "the request log after the CLI was captured"

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


# -- sync and exchange delivery ---------------------------------------------------------------------------------
class _Consumer:
    """Webhook consumers on 127.0.0.1: ``/ok`` answers 200 and keeps every body; ``/echo`` answers 422 quoting the
    body it got (a consumer's error page that repeats the record, as real ones do)."""

    def __init__(self) -> None:
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        self.bodies: dict[str, list[str]] = {"/ok": [], "/echo": []}
        consumer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode("utf-8")
                consumer.bodies.setdefault(self.path, []).append(body)
                echo = self.path == "/echo"
                answer = (b'{"error": "tidak diterima", "got": ' + body.encode() + b"}") if echo else b""
                self.send_response(422 if self.path == "/echo" else 200)
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> _Consumer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def _simpeg_spec(folder, base_url: str):
    import yaml

    spec = {"app": "simpeg", "connector": {"type": "rest_json", "config": {
        "base_url": base_url + "/api/v1", "auth": {"type": "bearer", "token": {"env": "SIMPEG_TOKEN"}},
        "pagination": {"type": "page", "page_param": "page", "size_param": "size", "page_size": 10},
        "record_path": "data", "since_param": "updated_since"}},
        "resources": {"pegawai": {"path": "/pegawai", "schema": "kepegawaian/pegawai"},
                      # a resource the source does not have: the sync fails, and its error is shown and stored
                      "pegawai-arsip": {"path": f"/pegawai-arsip/{NIK}", "schema": "kepegawaian/pegawai"}}}
    path = folder / "simpeg.yaml"
    path.write_text(yaml.safe_dump(spec), encoding="utf-8")
    return path


def test_sync_and_delivery_never_leak_personal_data_or_the_connector_secret(
        registry_api, registry_loaded, registry_key, web, sign_in, capsys, tmp_path, monkeypatch):
    """A real sync from the simulated SIMPEG (loopback) carrying full NIK/NIP, e-mail and phone, behind a bearer
    token; delivery to loopback webhook consumers; reads through the canonical API by a key without the
    personal-data scope; then every place a person or a log can see is scanned."""
    from urllib.parse import quote

    from examples.launcher import start_examples
    from hub.exchange import scopes
    from hub.logging import configure_logging
    from hub.settings import get_settings
    from registry.keys import list_keys
    from registry.tables_exchange import AuditRow, OutboxRow, QuarantineRow, SyncCursorRow

    monkeypatch.setenv("SIMPUL_EXCHANGE_SECRET_KEY", "uji-kunci-induk")
    monkeypatch.setenv("SIMPUL_EXCHANGE_RETRY_BASE_S", "0")
    monkeypatch.setenv("SIMPUL_EXCHANGE_RETRY_MAX_S", "0")
    monkeypatch.setenv("SIMPUL_EXCHANGE_MAX_ATTEMPTS", "1")
    monkeypatch.setenv("SIMPUL_LOG_LEVEL", "DEBUG")  # every line the sync and the delivery log, to be scanned
    get_settings.cache_clear()
    runner = CliRunner()
    seen: dict[str, str] = {}
    admin = registry_key("admin", "Diskominfo")

    def run(*args: str) -> str:
        """One ``simpul`` command; its stdout and stderr (its own structlog lines, DEBUG and up) are scanned."""
        out = runner.invoke(cli, list(args), env={"COLUMNS": "250"})
        assert out.exit_code in (0, 1), (args, out.output[-600:])
        seen["CLI simpul " + " ".join(args)] = out.output
        configure_logging("INFO", "json")  # the CLI bound its logger to its own stream: back to the API's
        return out.stdout

    with _Consumer() as consumer, start_examples({"simpeg": "wrong-codes"}, ports=0, records=12) as urls:
        token = urls.tokens["simpeg"]
        monkeypatch.setenv("SIMPEG_TOKEN", token)
        spec = str(_simpeg_spec(tmp_path, urls["simpeg"]))
        # subscribers before the sync: masked (the default), with personal data (legitimate), and one that fails
        made = {}
        for name, path, personal in (("e-kinerja", "/ok", False), ("e-budgeting", "/ok", True),
                                     ("e-gaji", "/echo", True), ("e-absen", "/echo", False)):
            r = registry_api.post("/v1/subscriptions", headers=admin, json={
                "name": name, "schema": "kepegawaian/pegawai", "url": consumer.base + path,
                "personal_data": personal})
            assert r.status_code == 201, r.text
            made[name] = r.json()
        hook_secrets = [m["secret"] for m in made.values() if m.get("secret")]
        assert hook_secrets, "the subscriptions show their secret once"

        run("sync", spec, "--resource", "pegawai")
        run("sync", spec, "--json", "--full")
        run("sync-status")
        run("deliveries", "run", "--timeout", "120")
        source = httpx.get(urls["simpeg"] + "/api/v1/pegawai", params={"size": 100},
                           headers={"Authorization": f"Bearer {token}"}).json()["data"]
    people = [p for p in source if p.get("nik")]
    assert len(people) == 12
    values = sorted({v for p in people for v in (p["nik"], p["nip"], p["email"], p["telepon"]) if v})
    secrets = [*values, NIK, token, *hook_secrets]  # NIK: in the path of the resource that fails

    # what the consumers received: masked for e-kinerja; e-budgeting was made with personal_data and legitimately
    # gets the full values (not flagged, but proven, so the scan is not looking at nothing)
    masked_sub, personal_sub = made["e-kinerja"]["id"], made["e-budgeting"]["id"]
    by_sub: dict[str, list[str]] = {}
    for body in consumer.bodies["/ok"]:
        by_sub.setdefault(json.loads(body)["subscription"], []).append(body)
    with registry_loaded.session() as s:
        held = s.query(QuarantineRow).count()
    assert held >= 1, "wrong codes of the source are held back in quarantine, with their report"
    stored = 12 - held
    assert len(by_sub[masked_sub]) == len(by_sub[personal_sub]) == stored
    seen["webhook bodies (masked subscription)"] = "\n".join(by_sub[masked_sub])
    seen["webhook bodies (masked subscription, failing consumer)"] = "\n".join(
        b for b in consumer.bodies["/echo"] if json.loads(b)["subscription"] == made["e-absen"]["id"])
    legit = "\n".join(by_sub[personal_sub])
    assert sum(p["nik"] in legit and p["nip"] in legit for p in people) == stored

    # the CLI around deliveries, the subscriptions and the audit log
    dead = [d for d in json.loads(run("deliveries", "list", "--json", "--limit", "200")) if d["status"] == "dead"]
    assert len(dead) == 2 * stored, "both /echo subscriptions failed every record"
    run("deliveries", "list", "--limit", "200")
    run("deliveries", "show", dead[0]["delivery_id"])
    run("deliveries", "list", "--status", "dead")
    run("subscriptions", "list")
    run("audit", "log", "--limit", "200")
    run("audit", "log", "--limit", "200", "--json")

    # the canonical API, by a key that may read the schema but not its personal data
    reader = registry_key("vendor", name="e-kinerja BKPSDM")
    with registry_loaded.session() as s:
        reader_id = max(k.id for k in list_keys(s))
    scopes.grant(str(reader_id), "data:read:kepegawaian/pegawai", "test", db=registry_loaded)
    listed = registry_api.get("/v1/data/kepegawaian/pegawai/records?limit=100", headers=reader)
    assert listed.status_code == 200, listed.text
    assert len(listed.json()["items"]) == stored
    seen["pull API list (no personal scope)"] = listed.text
    for p in people[:3]:
        one = registry_api.get(f"/v1/data/kepegawaian/pegawai/records/{quote(p['nip'])}", headers=reader)
        seen[f"pull API record by NIP (no personal scope) {p['nip'][:4]}"] = one.text + str(one.status_code)
    seen["pull API findings"] = registry_api.get("/v1/data/kepegawaian/pegawai/findings", headers=reader).text
    # the manager's views: deliveries, quarantine, sync cursors
    for path in ("/v1/deliveries?limit=200", f"/v1/deliveries/{dead[0]['delivery_id']}", "/v1/data/quarantine",
                 "/v1/data/sync", "/v1/subscriptions", f"/v1/data/kepegawaian/pegawai/records/{NIK}"):
        for lang in ("id", "en"):
            seen[f"API {path} ({lang})"] = registry_api.get(path, headers={**admin, "Accept-Language": lang}).text
    # a consumer *with* the personal scope reads them in full: legitimate, proven, not scanned
    personal_reader = registry_key("vendor", name="e-budgeting BPKAD")
    with registry_loaded.session() as s:
        personal_id = max(k.id for k in list_keys(s))
    scopes.grant(str(personal_id), "data:read:kepegawaian/pegawai", "test", db=registry_loaded)
    scopes.grant(str(personal_id), "data:read_personal:kepegawaian/pegawai", "test", db=registry_loaded)
    full = registry_api.get("/v1/data/kepegawaian/pegawai/records?limit=100", headers=personal_reader).text
    assert sum(p["nik"] in full for p in people) == stored

    # the web workspace: data exchange (deliveries by state, dead letters) and the audit log
    sign_in(web, "admin")
    for path in ("/pertukaran", "/pertukaran?status=dead", "/pertukaran?status=delivered", "/audit",
                 "/audit?verify=1"):
        page = web.get(path)
        assert page.status_code == 200, (path, page.text[:300])
        seen[f"web page {path}"] = re.sub(r'name="next" value="[^"]*"', "", page.text)

    # what the database keeps about deliveries, syncs and quarantine besides the records themselves (the store
    # holds the full records on purpose: a personal-data subscriber is served from it)
    with registry_loaded.session() as s:
        for row in s.query(OutboxRow).all():
            seen[f"outbox {row.delivery_id} errors"] = f"{row.last_error} | {row.dead_reason}"
        for row in s.query(SyncCursorRow).all():
            seen[f"sync cursor {row.app}/{row.resource}"] = f"{row.since} {row.last_counts} {row.last_error}"
        for row in s.query(QuarantineRow).all():
            seen[f"quarantine {row.id} report"] = json.dumps(row.report, ensure_ascii=False)
        seen["exchange audit"] = json.dumps([[a.actor, a.action, a.entity, a.entity_id, a.details]
                                             for a in s.query(AuditRow).all()], ensure_ascii=False, default=str)
    assert "dead" in seen["exchange audit"] or "delivery.dead" in seen["exchange audit"]
    captured = capsys.readouterr()
    seen["structlog output"] = captured.err + captured.out
    logged = seen["structlog output"] + "".join(v for k, v in seen.items() if k.startswith("CLI"))
    assert '"path": "/v1/data/kepegawaian/pegawai/records"' in logged, "the API's request log was captured"
    assert '"event": "sync"' in logged, "the sync's own log lines too"

    found = [leak for where, content in seen.items() for leak in _leaks(where, content, secrets)]
    assert not found, "\n".join(found)
    from hub.validation.privacy import mask_personal

    assert sum(mask_personal(p["nik"]) in seen["pull API list (no personal scope)"] for p in people) == stored
