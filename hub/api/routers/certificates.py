"""Conformance certificates: the hub's public key at a well-known address, and verification (ADR 0009).

Thin: :mod:`hub.services.certificates` signs and verifies; this module reads the request and shapes the answer.
Both routes are public: a certificate is meant to be checked by anyone, without an account.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import PlainTextResponse

from hub.api.problems import problem_responses
from hub.errors import PayloadTooLarge
from hub.services import certificates
from hub.services.certificates import Verification

router = APIRouter(tags=["certificates"])
MAX_CERTIFICATE_BYTES = 256 * 1024


@router.get("/.well-known/simpul-certificate-key", response_class=PlainTextResponse,
            summary="The public key (PEM) that verifies this hub's certificates",
            responses={200: {"content": {"application/x-pem-file": {}}}})
def well_known_key() -> PlainTextResponse:
    """Ed25519 public key, SubjectPublicKeyInfo PEM; save it and pass it to ``simpul certificate verify --key``.
    The ``Key-Id`` header is the ``key_id`` certificates name."""
    info = certificates.public_key_info()
    return PlainTextResponse(info["pem"], media_type="application/x-pem-file",
                             headers={"Key-Id": info["key_id"], "Cache-Control": "public, max-age=3600"})


@router.get("/v1/certificates/key", summary="The certificate public key and its id (JSON)")
def key_json() -> dict[str, str]:
    """``{algorithm, key_id, pem, raw}``: ``raw`` is the 32-byte key in base64."""
    return certificates.public_key_info()


@router.post("/v1/certificates/verify", response_model=Verification, response_model_by_alias=True,
             summary="Verify a certificate (send the file's bytes as they are)",
             responses=problem_responses(413),
             openapi_extra={"requestBody": {"required": True, "content": {
                 "application/json": {"schema": {"type": "object"}}}}})
async def verify(request: Request) -> Verification:
    """Always 200 with the verdict: ``valid`` (authentic, unaltered, not expired), ``status`` valid | expired |
    invalid, ``reason``, and ``notices`` for deprecated or superseded schema versions. The body must be the
    certificate file byte for byte (``curl --data-binary @cert.json``): the file's form is part of what is
    checked, so a re-formatted certificate is reported ``altered``."""
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_CERTIFICATE_BYTES:
            raise PayloadTooLarge(limit=MAX_CERTIFICATE_BYTES, extra={"limit": MAX_CERTIFICATE_BYTES})
        chunks.append(chunk)
    return await run_in_threadpool(certificates.verify, b"".join(chunks),
                                   certificates.private_key().public_key())
