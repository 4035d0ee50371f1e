"""``simpul certificate key|verify``: the hub's public key, and offline verification of a certificate (ADR 0009).

``verify`` exits 0 when the certificate is authentic, unaltered and not expired, 1 when it is not, 2 on a usage
error (missing file, unreadable key).
"""

from __future__ import annotations

import json
from pathlib import Path

import typer

from hub.commands._common import console, err_console, fail, lang, msg
from hub.errors import BadRequest, SimpulError
from hub.services import certificates

certificate_app = typer.Typer(help="Sertifikat kesesuaian: kunci publik, verifikasi / conformance certificates: "
                                   "public key, verification", no_args_is_help=True)


def _read(path: Path) -> bytes:
    if not path.is_file():
        raise BadRequest("error.file_not_found", path=str(path))
    try:
        return path.read_bytes()
    except OSError as exc:
        raise BadRequest("error.file_unreadable", path=str(path), detail=exc.strerror or str(exc)) from None


@certificate_app.command("key")
def key_command(
    out: Path | None = typer.Option(None, "--out", "-o", help="Tulis kunci publik PEM ke berkas / write the PEM"),
    as_json: bool = typer.Option(False, "--json", help="Keluaran JSON / JSON output"),
) -> None:
    """Kunci publik penanda tangan sertifikat (dibuat bila belum ada) / the certificate signing public key."""
    try:
        info = certificates.public_key_info()
        if out is not None:
            try:
                out.write_text(info["pem"], encoding="utf-8")
            except OSError as exc:
                raise BadRequest("validation.output_unwritable", path=str(out),
                                 detail=exc.strerror or str(exc)) from None
    except SimpulError as err:
        raise fail(err) from None
    if as_json:
        typer.echo(json.dumps(info, indent=2))
        return
    console.print(msg("certificate.key.id", key_id=info["key_id"]), highlight=False)
    typer.echo(info["pem"], nl=False)
    if out is not None:
        err_console.print(msg("validation.text.written", path=str(out)), highlight=False)


@certificate_app.command("verify")
def verify_command(
    file: Path = typer.Argument(..., help="Berkas sertifikat / certificate file"),
    key: Path | None = typer.Option(None, "--key", help="Kunci publik PEM penerbit (bawaan: kunci hub ini) / "
                                                        "issuer's public key (default: this hub's key)"),
    evidence: Path | None = typer.Option(None, "--evidence", help="Laporan bukti (bawaan: berkas di sebelahnya) / "
                                                                  "evidence report (default: the file beside it)"),
    as_json: bool = typer.Option(False, "--json", help="Keluaran JSON / JSON output"),
) -> None:
    """Periksa sertifikat tanpa jaringan / verify a certificate offline."""
    language = lang()
    try:
        data = _read(file)
        public = certificates.load_public_key(_read(key)) if key is not None else None
        proof = _read(evidence) if evidence is not None else _beside(file, data)
        result = certificates.verify(data, public, evidence=proof)
    except SimpulError as err:
        raise fail(err) from None
    if as_json:
        typer.echo(result.model_dump_json(by_alias=True, indent=2))
        raise typer.Exit(0 if result.valid else 1)
    style = "green" if result.valid else "yellow" if result.status == "expired" else "red"
    console.print(f"[bold {style}]{result.message.text(language)}[/]", highlight=False)
    cert = result.certificate or {}
    if result.valid or result.status == "expired":
        subject = ", ".join(f"{k}: {v}" for k, v in (cert.get("subject") or {}).items())
        schemas = ", ".join(f"{s.get('key')}:{s.get('version')}" for s in cert.get("schemas") or [])
        console.print(msg("certificate.show", kind=cert.get("kind"), subject=subject or "-", schemas=schemas or "-",
                          issued=cert.get("issued_at"), expires=cert.get("expires_at"),
                          checks=len((cert.get("checks") or {}).get("passed") or [])), highlight=False)
        console.print(msg(f"certificate.evidence.{result.evidence}"), highlight=False)
    for notice in result.notices:
        console.print(f"[yellow]⚠ {notice.message.text(language)}[/]", highlight=False)
    raise typer.Exit(0 if result.valid else 1)


def _beside(file: Path, data: bytes) -> bytes | None:
    """The evidence file named in the certificate, when it lies beside it."""
    try:
        name = json.loads(data)["certificate"]["evidence"]["file"]
    except (ValueError, KeyError, TypeError):
        return None
    if not isinstance(name, str) or Path(name).name != name:
        return None
    path = file.parent / name
    return path.read_bytes() if path.is_file() else None


def register(app: typer.Typer) -> None:
    app.add_typer(certificate_app, name="certificate")
