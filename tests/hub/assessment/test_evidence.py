"""Evidence is replayable (curl, status, headers, body, timing) and never carries secrets or personal data."""

from __future__ import annotations

import json
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from hub.assessment import Status, TargetAuth
from hub.assessment.evidence import build_exchange, redact_body, redact_text, redact_url
from hub.assessment.render import render

from .apps import build_app
from .conftest import run_app, target

TOKEN = "tok-SANGAT-rahasia-123"
KEY = "kunci-query-987"


def test_text_redaction_masks_personal_data_and_tokens():
    text = redact_text("NIK 3572035503850002 NIP 198503152010012014 dewi.r@blitarkota.go.id hp 081234567890 "
                       "Authorization: Bearer abc.def.ghi token=xyz eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig "
                       f"and {TOKEN}", [TOKEN])
    for secret in ("3572035503850002", "198503152010012014", "dewi.r@", "081234567890", "abc.def.ghi", "xyz",
                   "eyJzdWIiOiIxIn0", TOKEN):
        assert secret not in text


def test_json_bodies_are_redacted_by_key_and_truncated():
    body = json.dumps({"data": [{"nip": "198503152010012014", "nama": "Dewi", "email": "d@x.go.id",
                                 "telepon": "0342801234", "catatan": "x" * 5000}]}).encode()
    text, truncated = redact_body(body, "application/json", 2048, [])
    assert truncated and len(text.encode()) < 2100
    assert "198503152010012014" not in text and "d@x.go.id" not in text and "0342801234" not in text
    assert '"nama": "Dewi"' in text


def test_binary_bodies_are_described_not_dumped():
    text, _ = redact_body(b"PK\x03\x04" + b"\x00" * 100, "application/vnd.openxmlformats-officedocument."
                          "spreadsheetml.sheet", 2048, [])
    assert text.startswith("<104 bytes of application/vnd")


def test_urls_lose_credentials_and_secret_parameters():
    url = redact_url(f"https://user:pw@app.example/api?api_key={KEY}&page=2&token=abc", [KEY], ["api_key"])
    assert KEY not in url and "pw" not in url and "abc" not in url and "page=2" in url


def test_exchange_is_a_curl_command_without_secrets():
    ex = build_exchange(label="x", method="POST", url=f"http://127.0.0.1:9/api?api_key={KEY}",
                        request_headers={"Authorization": f"Bearer {TOKEN}", "X-Api-Key": "k",
                                         "Content-Type": "application/json"},
                        request_body=f'{{"token": "{TOKEN}"}}'.encode(), status=400,
                        response_headers={"content-type": "application/json", "set-cookie": "sid=abc"},
                        body=b'{"detail": "salah"}', elapsed_ms=12.34, error=None, limit=2048, secrets=[TOKEN, KEY],
                        secret_headers=["Authorization"], secret_params=["api_key"])
    dumped = ex.model_dump_json()
    assert TOKEN not in dumped and KEY not in dumped and "sid=abc" not in dumped
    assert ex.curl.startswith("curl ") and "-X POST" in ex.curl and "'Authorization: ***'" in ex.curl
    assert ex.status == 400 and ex.elapsed_ms == 12.3


def echo_app() -> FastAPI:
    """Echoes everything back, the worst case for leaking credentials into evidence."""
    app = build_app()

    @app.middleware("http")
    async def echo_errors(request: Request, call_next: Any):
        response = await call_next(request)
        if response.status_code >= 400:
            return JSONResponse({"detail": f"ditolak: {request.headers.get('authorization')} "
                                           f"{request.url} {request.headers.get('x-api-key')}"},
                                status_code=response.status_code)
        return response

    return app


async def test_secrets_never_appear_in_a_run_or_any_report():
    auth = TargetAuth(headers={"Authorization": f"Bearer {TOKEN}", "X-Api-Key": KEY}, query={"api_key": KEY})
    run = await run_app(echo_app(), target=target(auth=auth))
    outputs = [run.model_dump_json()] + [render(run, fmt, lang) for fmt in ("json", "html", "junit")
                                         for lang in ("id", "en")]
    import io
    import zipfile

    xlsx = render(run, "xlsx", "id")
    with zipfile.ZipFile(io.BytesIO(xlsx)) as z:
        outputs += [z.read(n).decode("utf-8", "replace") for n in z.namelist()]
    for text in outputs:
        assert TOKEN not in text and KEY not in text
        assert "3572035503850002" not in text  # a NIK in the sampled records
    assert run.result("REL-003").evidence, "bad-input answers are kept as evidence"


async def test_every_result_has_evidence():
    run = await run_app(build_app(fragile=True))
    for result in run.results:
        assert result.evidence, result.check_id
    failing = run.result("REL-004")
    assert failing.status is Status.FAIL
    first = failing.evidence[0].http
    assert first is not None and first.status == 500 and "Traceback" in first.body and first.curl.startswith("curl")
    assert first.elapsed_ms is not None
