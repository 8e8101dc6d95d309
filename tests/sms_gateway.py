"""A real HTTP SMS gateway for tests, on 127.0.0.1: it keeps the texts it accepts.

It speaks the generic shape casework sends (`POST /send`, JSON `{"to", "text"}`, a bearer
token). `fail_with` makes it answer that status instead (a gateway having a bad day);
stopping it makes the gateway unreachable.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

TOKEN = "test-gateway-token"  # noqa: S105 - a test value


@dataclass
class SentText:
    to: str
    text: str


@dataclass
class GatewaySink:
    host: str = "127.0.0.1"
    port: int = 0
    texts: list[SentText] = field(default_factory=list)
    refused_tokens: int = 0
    fail_with: int | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/send"


def _handler(sink: GatewaySink) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's hook name
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                sink.refused_tokens += 1
                self._answer(401, {"error": "bad token"})
                return
            if sink.fail_with is not None:
                self._answer(sink.fail_with, {"error": "try later"})
                return
            data = json.loads(body)
            sink.texts.append(SentText(to=data["to"], text=data["text"]))
            self._answer(202, {"id": str(len(sink.texts))})

        def _answer(self, status: int, data: dict[str, Any]) -> None:
            payload = json.dumps(data).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            pass  # quiet: pytest shows what matters

    return Handler


@contextmanager
def running_sms_gateway(host: str = "127.0.0.1") -> Iterator[GatewaySink]:
    """Start a gateway on a free port, yield its sink, stop it afterwards."""
    sink = GatewaySink(host=host)
    server = ThreadingHTTPServer((host, 0), _handler(sink))
    sink.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield sink
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
