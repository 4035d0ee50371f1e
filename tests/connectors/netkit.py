"""Test kit of the network policy: loopback HTTP(S) servers, scripted resolvers, connect recorders.

Nothing here sends a packet to anything but 127.0.0.1: the servers listen on loopback, the resolvers are scripted
lists, and :class:`ConnectRecorder` refuses (and records) any socket connect to a non-loopback address.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import socket
import ssl
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpcore
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


class ScriptedResolver:
    """Answers each name from a script: one list per call, the last list repeated. Records every question."""

    def __init__(self, script: dict[str, list[list[str]]]) -> None:
        self.script = script
        self.asked: list[str] = []

    async def __call__(self, host: str) -> list[str]:
        self.asked.append(host)
        answers = self.script.get(host)
        if not answers:
            raise OSError(f"no such host {host}")
        n = self.asked.count(host) - 1
        return answers[min(n, len(answers) - 1)]


class RecordingBackend(httpcore.AsyncNetworkBackend):
    """httpcore's backend that records (host, port) of every TCP connect it is asked for."""

    def __init__(self) -> None:
        self.inner = httpcore.AnyIOBackend()
        self.connects: list[tuple[str, int]] = []

    async def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                          socket_options: Any = None) -> httpcore.AsyncNetworkStream:
        self.connects.append((host, port))
        return await self.inner.connect_tcp(host, port, timeout=timeout, local_address=local_address,
                                            socket_options=socket_options)

    async def connect_unix_socket(self, path: str, timeout: float | None = None,
                                  socket_options: Any = None) -> httpcore.AsyncNetworkStream:  # pragma: no cover
        raise AssertionError("no unix sockets in these tests")

    async def sleep(self, seconds: float) -> None:  # pragma: no cover
        await self.inner.sleep(seconds)


class ConnectRecorder:
    """Patches ``socket.socket.connect``/``connect_ex`` and ``socket.getaddrinfo``: records every TCP/UDP connect
    and every name lookup; a connect to a non-loopback address is refused (never sent) and recorded."""

    def __init__(self) -> None:
        self.connects: list[str] = []
        self.lookups: list[str] = []

    @staticmethod
    def _loopback(address: Any) -> bool:
        if not isinstance(address, tuple):  # AF_UNIX path
            return True
        try:
            return ipaddress.ip_address(str(address[0]).split("%", 1)[0]).is_loopback
        except ValueError:
            return False

    @property
    def outside(self) -> list[str]:
        return [c for c in self.connects if not c.startswith(("127.", "::1", "unix:"))]

    @property
    def outside_lookups(self) -> list[str]:
        """Names that would need a DNS query (an IP literal or localhost needs none)."""
        names = []
        for name in self.lookups:
            try:
                ipaddress.ip_address(name.strip("[]").split("%", 1)[0])
                continue
            except ValueError:
                if name in ("localhost", "") or name.endswith(".localhost"):
                    continue
            names.append(name)
        return names

    @contextmanager
    def active(self, monkeypatch: Any) -> Iterator[ConnectRecorder]:
        real_connect, real_connect_ex = socket.socket.connect, socket.socket.connect_ex
        real_getaddrinfo = socket.getaddrinfo
        recorder = self

        def note(address: Any) -> None:
            recorder.connects.append(f"{address[0]}:{address[1]}" if isinstance(address, tuple) else f"unix:{address}")
            if not recorder._loopback(address):
                raise ConnectionRefusedError(f"test: refused a connect to a non-loopback address {address!r}")

        def connect(sock: socket.socket, address: Any) -> None:
            note(address)
            return real_connect(sock, address)

        def connect_ex(sock: socket.socket, address: Any) -> int:
            note(address)
            return real_connect_ex(sock, address)

        def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
            name = host.decode() if isinstance(host, bytes) else str(host or "")
            recorder.lookups.append(name)
            if name not in recorder.outside_lookups:
                return real_getaddrinfo(host, *args, **kwargs)
            raise socket.gaierror(socket.EAI_NONAME, "test: no DNS for names outside loopback")

        monkeypatch.setattr(socket.socket, "connect", connect)
        monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
        monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
        yield self


# -- loopback servers --------------------------------------------------------------------------------------------
class Seen:
    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.sni: list[str | None] = []


def _handler(seen: Seen, routes: dict[str, Callable[[BaseHTTPRequestHandler], None]]) -> type:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            seen.requests.append({"path": parts.path, "host": self.headers.get("Host"),
                                  "authorization": self.headers.get("Authorization")})
            route = routes.get(parts.path)
            if route is not None:
                route(self)
                return
            if parts.path == "/redirect":
                target = parse_qs(parts.query).get("to", ["/"])[0]
                self.send_response(302)
                self.send_header("Location", target)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            body = json.dumps({"ok": True, "path": parts.path}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_POST = do_GET

    return Handler


class LoopbackHTTP:
    """A threaded HTTP (or HTTPS) server on 127.0.0.1 and a free port."""

    def __init__(self, tls: ssl.SSLContext | None = None,
                 routes: dict[str, Callable[[BaseHTTPRequestHandler], None]] | None = None) -> None:
        self.seen = Seen()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self.seen, routes or {}))
        self.server.daemon_threads = True
        if tls is not None:
            tls.sni_callback = lambda sock, name, ctx: self.seen.sni.append(name)  # type: ignore[assignment]
            self.server.socket = tls.wrap_socket(self.server.socket, server_side=True)
        self.port = self.server.server_address[1]
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> LoopbackHTTP:
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.shutdown()
        self.server.server_close()

    def url(self, path: str = "/", host: str = "127.0.0.1", scheme: str = "http") -> str:
        return f"{scheme}://{host}:{self.port}{path}"


# -- a throw-away certificate authority --------------------------------------------------------------------------
class TestCA:
    """A CA and one server certificate for ``names``; ``client_context()`` trusts only this CA."""

    __test__ = False

    def __init__(self, folder: Path, names: list[str]) -> None:
        now = dt.datetime.now(dt.UTC)
        ca_key = ec.generate_private_key(ec.SECP256R1())
        ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Simpul test CA")])
        ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
              .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
              .not_valid_after(now + dt.timedelta(days=1))
              .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
              .sign(ca_key, hashes.SHA256()))
        key = ec.generate_private_key(ec.SECP256R1())
        leaf = (x509.CertificateBuilder().subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0])]))
                .issuer_name(ca_name).public_key(key.public_key()).serial_number(x509.random_serial_number())
                .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=1))
                .add_extension(x509.SubjectAlternativeName([x509.DNSName(n) for n in names]), critical=False)
                .sign(ca_key, hashes.SHA256()))
        self.ca_file = folder / "ca.pem"
        self.cert_file = folder / "server.pem"
        self.key_file = folder / "server.key"
        self.ca_file.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
        self.cert_file.write_bytes(leaf.public_bytes(serialization.Encoding.PEM))
        self.key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                    serialization.NoEncryption()))

    def server_context(self) -> ssl.SSLContext:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(self.cert_file, self.key_file)
        return ctx

    def client_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.ca_file))
