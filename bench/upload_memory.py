"""Peak memory of the server worker for one 100 MiB evidence upload, and where the plaintext went.

A real gunicorn (one sync worker, `casework:create_app()`) on 127.0.0.1 with a temporary instance
folder, prepared by `flask db upgrade` and `flask demo reference`, accepts one complaint with one
100 MiB evidence file (a PNG header, then seeded random bytes). The client streams the multipart
body with a Content-Length, so neither side needs the file in memory. The figure is the growth of
the worker's VmHWM (peak RSS) across that request, after warm-up requests. Budget: < 64 MiB.

A random 32-byte marker is placed at the start, across a 256 KiB chunk boundary in the middle, and
at the end of the file. Mid-upload, every regular file the worker holds open (deleted or not) is
searched for it; after the response, every file under the instance folder and the server's
TMPDIR. Any hit means plaintext evidence reached the disk.

    .venv/bin/python bench/upload_memory.py [--mib 100]
"""

from __future__ import annotations

import argparse
import http.client
import io
import json
import os
import random
import struct
import sys
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from gunicorn_server import (
    CASEWORK_APP,
    CASEWORK_ARGS,
    HOST,
    Server,
    exit_cleanly_on_sigterm,
    gunicorn,
    prepare_casework_instance,
    proc_status_kib,
    request,
    scratch_folder,
    server_env,
    stop_after,
)
from machine_facts import print_machine_facts

from casework.crypto.stream import HEADER_BYTES, TAG_BYTES
from tests.conftest import complaint_payload

BUDGET_MIB = 64
MIB = 1024 * 1024
PIECE = MIB  # what the client sends per write
SCAN_BLOCK = 4 * MIB
APP_CHUNK = 256 * 1024  # EVIDENCE_CHUNK_SIZE, for the expected blob size
API_PATH = "/api/v1/complaints"
BOUNDARY = "casework-bench-boundary-7d1f0b"


def png_header(width: int = 4000, height: int = 3000) -> bytes:
    """A real PNG signature and IHDR chunk (8-bit RGB), as a phone photo starts."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    return (
        b"\x89PNG\r\n\x1a\n"
        + struct.pack(">I", len(ihdr))
        + chunk
        + struct.pack(">I", zlib.crc32(chunk))
    )


def marker_offsets(size: int, marker: bytes) -> list[int]:
    middle = (size // 2) // APP_CHUNK * APP_CHUNK - len(marker) // 2  # across a chunk boundary
    return [len(png_header()), middle, size - len(marker)]


def file_pieces(size: int, marker: bytes, seed: int) -> Iterator[bytes]:
    """The evidence file, PIECE bytes at a time: PNG header, random bytes, markers spliced in."""
    rng = random.Random(seed)
    header = png_header()
    offsets = marker_offsets(size, marker)
    position = 0
    while position < size:
        length = min(PIECE, size - position)
        piece = bytearray(rng.randbytes(length))
        if position == 0:
            piece[: len(header)] = header
        for offset in offsets:
            low, high = max(offset, position), min(offset + len(marker), position + length)
            if low < high:
                piece[low - position : high - position] = marker[low - offset : high - offset]
        yield bytes(piece)
        position += length


def multipart_envelope(filename: str) -> tuple[bytes, bytes]:
    """The bytes before and after the file content in the multipart body."""
    before = (
        f"--{BOUNDARY}\r\n"
        'Content-Disposition: form-data; name="complaint"\r\n'
        "Content-Type: application/json\r\n\r\n"
        f"{json.dumps(complaint_payload())}\r\n"
        f"--{BOUNDARY}\r\n"
        f'Content-Disposition: form-data; name="evidence"; filename="{filename}"\r\n'
        "Content-Type: image/png\r\n\r\n"
    ).encode()
    after = f"\r\n--{BOUNDARY}--\r\n".encode()
    return before, after


def post_evidence(
    port: int,
    size: int,
    marker: bytes,
    seed: int,
    midway: Callable[[], None] | None = None,
) -> tuple[int, bytes]:
    """POST a complaint with one `size`-byte evidence file, streamed; `midway()` runs at ~60 %."""
    before, after = multipart_envelope("photo.png")
    connection = http.client.HTTPConnection(HOST, port, timeout=600)
    try:
        connection.putrequest("POST", API_PATH, skip_accept_encoding=True)
        connection.putheader("Content-Type", f"multipart/form-data; boundary={BOUNDARY}")
        connection.putheader("Content-Length", str(len(before) + size + len(after)))
        connection.endheaders()
        try:
            connection.send(before)
            sent = 0
            for piece in file_pieces(size, marker, seed):
                connection.send(piece)
                sent += len(piece)
                if midway is not None and sent >= size * 6 // 10:
                    midway()
                    midway = None
            connection.send(after)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered early (e.g. 413); read that answer below
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def contains(handle: BinaryIO, marker: bytes) -> bool:
    """Whether the stream holds `marker`, read in blocks that overlap by len(marker) - 1."""
    tail = b""
    while block := handle.read(SCAN_BLOCK):
        if marker in tail + block:
            return True
        tail = block[-(len(marker) - 1) :]
    return False


def files_with_marker(folders: list[Path], marker: bytes) -> tuple[int, list[str]]:
    scanned, hits = 0, []
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and not path.is_symlink():
                scanned += 1
                with path.open("rb") as handle:
                    if contains(handle, marker):
                        hits.append(str(path))
    return scanned, hits


def open_files_with_marker(pid: int, marker: bytes) -> tuple[int, list[str]]:
    """Search every regular file `pid` holds open, through /proc (so deleted files too)."""
    scanned, hits = 0, []
    fd_dir = Path(f"/proc/{pid}/fd")
    for entry in fd_dir.iterdir():
        try:
            target = os.readlink(entry)
            if not target.startswith("/") or target.startswith(("/dev/", "/proc/")):
                continue
            with open(entry, "rb") as handle:  # the /proc link opens even a deleted file
                scanned += 1
                if contains(handle, marker):
                    hits.append(target)
        except OSError:
            continue  # closed meanwhile, or not readable as a file
    return scanned, hits


def expected_blob_size(plain: int) -> int:
    return (
        HEADER_BYTES
        + (plain // APP_CHUNK) * (APP_CHUNK + TAG_BYTES)
        + plain % APP_CHUNK
        + TAG_BYTES
    )


def _warm_up(port: int, marker: bytes) -> None:
    body = json.dumps(complaint_payload()).encode()
    status, answer = request(
        port, "POST", API_PATH, body, {"Content-Type": "application/json"}, timeout=60
    )
    if status != 201:
        raise RuntimeError(f"warm-up JSON complaint answered {status}: {answer[:300]!r}")
    status, answer = post_evidence(port, 512 * 1024, marker, seed=1)
    if status != 201:
        raise RuntimeError(f"warm-up upload answered {status}: {answer[:300]!r}")


def _check_scanner(marker: bytes) -> None:
    """The search must find a marker that straddles two read blocks, or its silence means nothing."""
    straddling = io.BytesIO(bytes(SCAN_BLOCK - 7) + marker + bytes(100))
    if not contains(straddling, marker) or contains(io.BytesIO(bytes(SCAN_BLOCK * 2)), marker):
        raise RuntimeError("the plaintext search is broken")


@dataclass
class Observed:
    """What one upload did to the worker and the disk (memory figures in KiB)."""

    size: int
    status: int = 0
    answer: bytes = b""
    seconds: float = 0.0
    hwm_boot: int = 0
    hwm_before: int = 0
    rss_before: int = 0
    rss_midway: int = 0
    hwm_after: int = 0
    rss_after: int = 0
    open_scanned: int = 0
    scanned: int = 0
    plaintext_in: list[str] = field(default_factory=list)
    blob_sizes: list[int] = field(default_factory=list)
    leftovers: int = 0

    @property
    def growth_mib(self) -> float:
        return (self.hwm_after - self.hwm_before) / 1024

    @property
    def stored_whole(self) -> bool:
        return expected_blob_size(self.size) in self.blob_sizes


def _upload(server: Server, instance: Path, server_tmp: Path, size: int, marker: bytes) -> Observed:
    seen = Observed(size)
    [worker] = server.worker_pids()
    seen.hwm_boot = proc_status_kib(worker, "VmHWM")
    _warm_up(server.port, marker)
    seen.hwm_before = proc_status_kib(worker, "VmHWM")
    seen.rss_before = proc_status_kib(worker, "VmRSS")

    def look_midway() -> None:
        time.sleep(0.5)  # let the worker drain the socket buffers
        seen.rss_midway = proc_status_kib(worker, "VmRSS")
        seen.open_scanned, hits = open_files_with_marker(worker, marker)
        seen.plaintext_in.extend(hits)

    started = time.perf_counter()
    seen.status, seen.answer = post_evidence(server.port, size, marker, seed=2, midway=look_midway)
    seen.seconds = time.perf_counter() - started
    seen.hwm_after = proc_status_kib(worker, "VmHWM")
    seen.rss_after = proc_status_kib(worker, "VmRSS")
    if server.worker_pids() != [worker]:
        raise RuntimeError(f"the worker was replaced during the upload:\n{server.log_tail()}")
    seen.scanned, hits = files_with_marker([instance, server_tmp], marker)
    seen.plaintext_in.extend(hits)
    blobs = (instance / "evidence" / "blobs").rglob("*")
    seen.blob_sizes = sorted(path.stat().st_size for path in blobs if path.is_file())
    seen.leftovers = len(list((instance / "evidence" / "tmp").iterdir()))
    if seen.status != 201:
        print(server.log_tail())
    return seen


def run(mib: int = 100) -> dict[str, object]:
    size = mib * MIB
    marker = os.urandom(16).hex().encode()  # 32 bytes, never seen before this run
    _check_scanner(marker)
    print(f"upload memory: one {mib} MiB evidence file, gunicorn {CASEWORK_APP}, 1 sync worker")
    with scratch_folder("upload") as work:
        instance, server_tmp = work / "instance", work / "tmp"
        server_tmp.mkdir()
        env = server_env(
            CASEWORK_INSTANCE_PATH=str(instance),
            CASEWORK_MAX_FILE_MB="128",
            CASEWORK_MAX_COMPLAINT_MB="128",
            TMPDIR=str(server_tmp),
        )
        prepare_casework_instance(instance, env)
        server_context = gunicorn(
            CASEWORK_APP,
            env,
            work,
            workers=1,
            ready_path="/api/v1/openapi.json",
            extra_args=CASEWORK_ARGS,
        )
        with server_context as server:
            seen = _upload(server, instance, server_tmp, size, marker)
    return _report(seen)


def _report(seen: Observed) -> dict[str, object]:
    accepted = seen.status == 201
    try:
        reference = json.loads(seen.answer).get("reference", "?")
    except (ValueError, AttributeError):
        reference = "?"
    verdict = "within budget" if seen.growth_mib < BUDGET_MIB else "MISSES BUDGET"
    rate = seen.size / seen.seconds / 1e6
    print(
        f"  response                 {seen.status} {'Created' if accepted else seen.answer[:200]!r}"
    )
    print(f"  reference                {reference}")
    print(f"  upload time              {seen.seconds:.1f} s ({rate:.0f} MB/s, with a 0.5 s pause)")
    print(f"  worker VmHWM at boot     {seen.hwm_boot / 1024:8.1f} MiB   (before warm-up requests)")
    print(f"  worker VmHWM before      {seen.hwm_before / 1024:8.1f} MiB   (after warm-up)")
    print(f"  worker VmRSS mid-upload  {seen.rss_midway / 1024:8.1f} MiB")
    print(f"  worker VmHWM after       {seen.hwm_after / 1024:8.1f} MiB")
    print(
        f"  peak RSS growth          {seen.growth_mib:8.1f} MiB   (budget < {BUDGET_MIB}: {verdict})"
    )
    print(
        f"  stored blob              {'whole' if seen.stored_whole else 'MISSING OR WRONG SIZE'}: "
        f"expected {expected_blob_size(seen.size)} bytes, store holds {seen.blob_sizes} "
        f"(with the warm-up's); {seen.leftovers} temporary file(s) left"
    )
    clean = not seen.plaintext_in
    print(
        f"  plaintext marker         {'not found' if clean else 'FOUND'} in {seen.open_scanned} "
        f"file(s) open in the worker mid-upload and {seen.scanned} file(s) under the instance "
        "folder and the server's TMPDIR afterwards"
    )
    for hit in seen.plaintext_in:
        print(f"    PLAINTEXT IN {hit}")
    return {
        "status": seen.status,
        "growth_mib": seen.growth_mib,
        "hwm_before_mib": seen.hwm_before / 1024,
        "hwm_after_mib": seen.hwm_after / 1024,
        "budget_mib": BUDGET_MIB,
        "ok": seen.growth_mib < BUDGET_MIB,
        "plaintext_found": seen.plaintext_in,
        "functional_ok": accepted and seen.stored_whole and clean and not seen.leftovers,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mib", type=int, default=100, help="size of the evidence file (100)")
    args = parser.parse_args()
    exit_cleanly_on_sigterm()
    stop_after(10 * 60)
    print_machine_facts()
    result = run(args.mib)
    return 0 if result["functional_ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
