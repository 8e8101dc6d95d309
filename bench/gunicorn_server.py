"""Real gunicorn servers for the benchmarks, on 127.0.0.1 only, always cleaned up.

Each server gets a listening socket bound to a free 127.0.0.1 port by this process and handed to
gunicorn as `fd://N`, so there is no window in which another program could take the port. The
server runs in its own session; stopping it sends SIGTERM to the master we started, then SIGKILL
to that session's process group if it does not stop in time.
"""

from __future__ import annotations

import http.client
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

BENCH_DIR = Path(__file__).resolve().parent
REPO_DIR = BENCH_DIR.parent
if str(REPO_DIR) not in sys.path:
    sys.path.insert(0, str(REPO_DIR))  # the benchmarks import tests.conftest and tests.pg_cluster
HOST = "127.0.0.1"
# The production entry point (`gunicorn wsgi:app`, DESIGN §1), or the factory if it is missing.
CASEWORK_APP = "wsgi:app" if (REPO_DIR / "wsgi.py").exists() else "casework:create_app()"
CASEWORK_ARGS = ("--pythonpath", str(REPO_DIR))
# Variables that would change what the server does behind the benchmark's back.
_DROPPED_ENV_PREFIXES = ("CASEWORK_", "GUNICORN_", "FLASK_")
_DROPPED_ENV = {"DATABASE_URL", "PORT", "WEB_CONCURRENCY", "PYTHONSTARTUP"}


def exit_cleanly_on_sigterm() -> None:
    """Turn SIGTERM into SystemExit so every `finally` stops servers and removes folders."""

    def _exit(_signum: int, _frame: Any) -> NoReturn:
        raise SystemExit(143)

    signal.signal(signal.SIGTERM, _exit)


def stop_after(seconds: int) -> None:
    """A watchdog: after `seconds`, raise SystemExit in the main thread, so cleanup still runs."""

    def _expire(_signum: int, _frame: Any) -> NoReturn:
        print(f"benchmark stopped: it ran longer than {seconds} s", file=sys.stderr)
        raise SystemExit(124)

    signal.signal(signal.SIGALRM, _expire)
    signal.alarm(seconds)


@contextmanager
def scratch_folder(prefix: str) -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix=f"casework-bench-{prefix}-"))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def server_env(**extra: str) -> dict[str, str]:
    """The current environment without anything that configures casework, gunicorn or Flask."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in _DROPPED_ENV and not key.startswith(_DROPPED_ENV_PREFIXES)
    }
    env.update(extra)
    return env


def prepare_casework_instance(instance: Path, env: dict[str, str], config_py: str = "") -> None:
    """Create the schema and load the countries, as an operator would (`db upgrade`, `demo reference`).

    `config_py`, if given, becomes `instance/config.py` (applied over the defaults by the factory).
    """
    instance.mkdir(parents=True, exist_ok=True, mode=0o700)
    if config_py:
        (instance / "config.py").write_text(config_py, encoding="utf-8")
    for command in (["db", "upgrade"], ["demo", "reference"]):
        done = subprocess.run(
            [sys.executable, "-m", "flask", "--app", "casework", *command],
            env=env,
            cwd=instance,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(
                f"flask {' '.join(command)} failed ({done.returncode}):\n{done.stdout}{done.stderr}"
            )


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    port: int
    log_path: Path

    @property
    def master_pid(self) -> int:
        return self.process.pid

    def worker_pids(self) -> list[int]:
        return child_pids(self.master_pid)

    def log_tail(self, lines: int = 40) -> str:
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])


def child_pids(pid: int) -> list[int]:
    """Direct children of `pid` (from /proc; falls back to scanning every process's parent)."""
    children = Path(f"/proc/{pid}/task/{pid}/children")
    try:
        return sorted(int(part) for part in children.read_text().split())
    except OSError:
        pass
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # Fields after the command name, which is in parentheses and may contain spaces.
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == pid:
            found.append(int(entry.name))
    return sorted(found)


def proc_status_kib(pid: int, field: str) -> int:
    """A memory figure (e.g. VmHWM, VmRSS) of a process, in KiB, from /proc/<pid>/status."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise KeyError(f"{field} not in /proc/{pid}/status")


def cpu_seconds(pids: Sequence[int]) -> float:
    """User + system CPU time consumed so far by the given processes."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


@contextmanager
def gunicorn(
    app: str,
    env: dict[str, str],
    workdir: Path,
    workers: int,
    ready_path: str,
    extra_args: Sequence[str] = (),
    start_timeout: float = 60.0,
    worker_class: str = "sync",
    threads: int = 1,
) -> Iterator[Server]:
    """Run `gunicorn app` (sync workers unless told otherwise) on a fresh 127.0.0.1 port until
    the block ends."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((HOST, 0))
    listener.listen(1024)
    port = listener.getsockname()[1]
    fd = listener.fileno()
    log_path = workdir / f"gunicorn-{port}.log"
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "--bind",
        f"fd://{fd}",
        "--workers",
        str(workers),
        "--worker-class",
        worker_class,
        "--threads",
        str(threads),
        "--timeout",
        "300",
        "--graceful-timeout",
        "5",
        "--no-control-socket",
        "--worker-tmp-dir",
        str(workdir),
        "--log-level",
        "info",
        *extra_args,
        app,
    ]
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command,
            env=env,
            cwd=workdir,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            pass_fds=(fd,),
            start_new_session=True,
        )
    listener.close()  # gunicorn holds its own copy
    server = Server(process, port, log_path)
    try:
        _wait_until_ready(server, workers, ready_path, start_timeout)
        yield server
    finally:
        stop(process)


def stop(process: subprocess.Popen[bytes], timeout: float = 15.0) -> None:
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(process.pid, signal.SIGKILL)  # the session this process was started in
        except ProcessLookupError:
            pass
        process.wait(timeout=timeout)


def _wait_until_ready(server: Server, workers: int, path: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"gunicorn exited early:\n{server.log_tail()}")
        if len(server.worker_pids()) >= workers:
            try:
                # One probe per worker, so every worker has imported the app (no preload).
                for _ in range(workers):
                    status, _body = request(server.port, "GET", path, timeout=10)
                    if status >= 500:
                        raise RuntimeError(f"GET {path} answered {status}:\n{server.log_tail()}")
                return
            except OSError:
                pass
        time.sleep(0.1)
    raise RuntimeError(f"gunicorn did not become ready in {timeout:.0f} s:\n{server.log_tail()}")


def request(
    port: int,
    method: str,
    path: str,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = 60,
) -> tuple[int, bytes]:
    """One request on a fresh connection to 127.0.0.1: (status, body)."""
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def create_casework_schema(instance: Path, database_url: str, config_py: str = "") -> None:
    """Like `prepare_casework_instance`, but from the models (`db.create_all`) in this process:
    for benchmarks of a working tree whose models are ahead of its migrations. Also creates
    the instance folder's key ring, pepper and secret key, which every server then shares."""
    from casework import create_app
    from casework.extensions import db
    from casework.services.demo_data import load_reference_data

    instance.mkdir(parents=True, exist_ok=True, mode=0o700)
    if config_py:
        (instance / "config.py").write_text(config_py, encoding="utf-8")
    app = create_app({"INSTANCE_PATH": str(instance), "SQLALCHEMY_DATABASE_URI": database_url})
    with app.app_context():
        db.create_all()
        load_reference_data()
        db.session.remove()
        db.engine.dispose()
