"""A real Redis server for tests (Debian's `redis-server`) on 127.0.0.1, with no persistence.

Started once per test session by the `redis_url` fixture (tests/conftest.py); a test that needs
to see Redis go away starts its own with `running_redis_server()` and stops it.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.smtp_server import free_port

REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"
HOST = "127.0.0.1"


def redis_available() -> bool:
    return Path(REDIS_SERVER).exists()


@dataclass
class RedisServer:
    port: int
    folder: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://{HOST}:{self.port}/0"

    def start(self) -> None:
        """Start (or restart, on the same port) and wait until it answers PING."""
        self.process = subprocess.Popen(
            [
                REDIS_SERVER,
                "--bind",
                HOST,
                "--port",
                str(self.port),
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.folder),
                "--protected-mode",
                "yes",
                "--loglevel",
                "warning",
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"redis-server exited with {self.process.returncode}")
            if self.ping():
                return
            time.sleep(0.02)
        self.stop()
        raise RuntimeError("redis-server did not answer within 20 s")

    def ping(self) -> bool:
        try:
            with socket.create_connection((HOST, self.port), timeout=1) as conn:
                conn.sendall(b"PING\r\n")
                return conn.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)


@contextmanager
def running_redis_server() -> Iterator[RedisServer]:
    """A fresh redis-server on a free 127.0.0.1 port, stopped (and its folder removed) after."""
    folder = Path(tempfile.mkdtemp(prefix="casework-redis-"))
    server = RedisServer(port=free_port(HOST), folder=folder)
    try:
        server.start()
        yield server
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)
