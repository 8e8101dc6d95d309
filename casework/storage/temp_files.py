"""The local folder of uploads in progress, whose file names say which process writes them.

A temporary file is named `<random>.<node>.<pid>-<start>.part`: `node` is a short hash of this
machine's host name, boot id and PID namespace, `pid` and `start` identify the writing process
(its start time in clock ticks since boot, so a recycled PID is not mistaken for the writer).
A later process on the same node can then tell that a file's writer is gone — killed by the
OOM killer, a `kill -9`, a worker recycled mid-upload — and remove the file at once, however
young it is. Files written on another node (a shared volume) are judged by age only.

The contents are always encrypted (see spool.py); these names carry no personal data.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import socket
from collections.abc import Iterator
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import BinaryIO

SUFFIX = ".part"
_NAME = re.compile(r"^[0-9a-f]{32}\.(?P<node>[0-9a-f]{12})\.(?P<pid>\d+)-(?P<start>\d+)\.part$")


def _read(path: str) -> str:
    try:
        with open(path, encoding="ascii") as handle:
            return handle.read().strip()
    except OSError:
        return ""


@cache
def node_tag() -> str:
    """This machine, boot and PID namespace, as 12 hex digits: equal tags mean PIDs compare."""
    try:
        pid_namespace = os.readlink("/proc/self/ns/pid")
    except OSError:
        pid_namespace = ""
    boot_id = _read("/proc/sys/kernel/random/boot_id")
    seed = "\0".join([socket.gethostname(), boot_id, pid_namespace])
    return hashlib.sha256(seed.encode()).hexdigest()[:12]


def process_start(pid: int) -> int | None:
    """When process `pid` started (clock ticks since boot), or None if there is no such process."""
    stat = _read(f"/proc/{pid}/stat")
    if not stat:
        return None
    # The command name (field 2) is in parentheses and may itself contain spaces or ')'.
    fields = stat.rsplit(")", 1)[-1].split()
    try:
        return int(fields[19])  # field 22 of the whole line
    except (IndexError, ValueError):
        return None


@cache
def _own_start(pid: int) -> int:
    return process_start(pid) or 0


def writer_tag() -> str:
    """`<node>.<pid>-<start>` of the calling process (after a fork, of the child)."""
    pid = os.getpid()
    return f"{node_tag()}.{pid}-{_own_start(pid)}"


def writer_is_gone(name: str) -> bool:
    """True only when the file's writer ran on this node and is certainly no longer running.
    Names in another format, or from another node, are never judged gone."""
    match = _NAME.match(name)
    if match is None or match["node"] != node_tag():
        return False
    start = process_start(int(match["pid"]))
    return start is None or start != int(match["start"])


class TempFolder:
    """A private folder of temporary files (0700, files 0600), created if missing."""

    def __init__(self, path: Path):
        self.path = path
        path.mkdir(parents=True, exist_ok=True, mode=0o700)

    def new_file(self) -> tuple[Path, BinaryIO]:
        path = self.path / f"{secrets.token_hex(16)}.{writer_tag()}{SUFFIX}"
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
        return path, os.fdopen(fd, "w+b")

    def receive(self, name: str, source: BinaryIO) -> Path:
        """Write `source` into this folder as `name` (a temporary file's name from another
        node), whole or not at all."""
        if _NAME.match(name) is None:
            raise ValueError("not a temporary file's name")
        path, handle = self.new_file()
        try:
            with handle:
                while chunk := source.read(1 << 20):
                    handle.write(chunk)
            os.replace(path, self.path / name)
        except BaseException:
            self.discard(path)
            raise
        return self.path / name

    def discard(self, path: Path) -> None:
        try:
            path.unlink()
        except FileNotFoundError:
            pass

    def stale(self, older_than: datetime) -> Iterator[Path]:
        """Files not written to since `older_than`, and files whose writer is gone."""
        limit = older_than.timestamp()
        for path in self.path.iterdir():
            try:
                modified = path.stat().st_mtime
            except FileNotFoundError:
                continue  # committed or discarded meanwhile
            if modified < limit or writer_is_gone(path.name):
                yield path
