"""Helpers of the slow exchange tests: a connector spec for the e-planning example and a recording consumer."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import yaml


def eplanning_spec(folder: Path, base_url: str) -> Path:
    spec = {
        "app": "e-planning",
        "connector": {"type": "rest_json", "config": {
            "base_url": base_url + "/api/v1",
            "auth": {"type": "bearer", "token": {"env": "EPLAN_TOKEN"}},
            "pagination": {"type": "page", "page_param": "page", "size_param": "size", "page_size": 100},
            "record_path": "data", "since_param": "updated_since"}},
        "resources": {"sub-kegiatan": {"path": "/sub-kegiatan", "schema": "perencanaan/sub_kegiatan"}},
    }
    path = folder / "e-planning.yaml"
    path.write_text(yaml.safe_dump(spec), encoding="utf-8")
    return path


class RecordingConsumer:
    """A webhook consumer on 127.0.0.1: records (record_key, version, delivery id); answers 503 while ``down``."""

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        self.refused = 0
        self.down = False
        self.lock = threading.Lock()
        consumer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with consumer.lock:
                    if consumer.down:
                        consumer.refused += 1
                        self.send_response(503)
                        self.send_header("Content-Length", "0")
                        self.end_headers()
                        return
                    data = json.loads(body)
                    consumer.received.append({"key": data["record_key"], "version": data["version"],
                                              "delivery": self.headers["X-Simpul-Delivery"]})
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> RecordingConsumer:
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.shutdown()
        self.server.server_close()

    def count(self) -> int:
        with self.lock:
            return len(self.received)

    def versions(self) -> set[tuple[str, int]]:
        with self.lock:
            return {(r["key"], r["version"]) for r in self.received}
