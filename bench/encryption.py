"""Evidence encryption throughput against raw AES-256-GCM on the same machine (DESIGN §8).

Candidate: `casework.crypto.StreamEncryptor` (the evidence blob format, with the SHA-256 chain of
custody it computes on the way) fed 64 KiB writes, the size Werkzeug hands an upload stream,
into a sink that discards. Baseline: `AESGCM.encrypt_into` over the same bytes, in the blob's
chunk size, into one reused buffer. Budget: candidate >= 50 % of baseline.

For the lead's reading, two more figures: SHA-256 alone over the same writes, and the floor of
what the format must do (AES-GCM + SHA-256 of every byte), with the candidate's ratio to it.

    .venv/bin/python bench/encryption.py [--mib 256] [--write-kib 64] [--repeats 5]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import sys
import time
from collections.abc import Callable

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from machine_facts import print_machine_facts

from casework.config import build_config
from casework.crypto import StreamEncryptor
from casework.crypto.stream import TAG_BYTES

BUDGET = 0.5
MIB = 1024 * 1024
SOURCE_BYTES = 16 * MIB  # cycled through: more than a CPU cache, little memory
# The chunk size the app encrypts evidence with (EVIDENCE_CHUNK_SIZE).
APP_CHUNK_SIZE = int(
    build_config("/nonexistent-instance", {"SECRET_KEY": "x"})["EVIDENCE_CHUNK_SIZE"]
)


class DiscardingSink:
    def write(self, data: bytes | bytearray | memoryview) -> int:
        return len(data)


def _slices(source: memoryview, total: int, size: int) -> list[memoryview]:
    """`total` bytes as `size`-byte views cycling over `source` (made up front, not timed)."""
    return [source[(o % len(source)) : (o % len(source)) + size] for o in range(0, total, size)]


def candidate(key: bytes, writes: list[memoryview], chunk_size: int) -> Callable[[], None]:
    def run() -> None:
        encryptor = StreamEncryptor(key, os.urandom(16), DiscardingSink(), chunk_size)  # type: ignore[arg-type]
        for piece in writes:
            encryptor.write(piece)
        encryptor.finish()

    return run


def raw_aes_gcm(key: bytes, chunks: list[memoryview], with_sha256: bool) -> Callable[[], None]:
    def run() -> None:
        aead = AESGCM(key)
        out = bytearray(len(chunks[0]) + TAG_BYTES)
        nonce = bytes(12)  # one nonce for every chunk: fine here, the output is thrown away
        digest = hashlib.sha256()
        for chunk in chunks:
            if with_sha256:
                digest.update(chunk)
            aead.encrypt_into(nonce, chunk, None, memoryview(out)[: len(chunk) + TAG_BYTES])

    return run


def sha256_only(writes: list[memoryview]) -> Callable[[], None]:
    def run() -> None:
        digest = hashlib.sha256()
        for piece in writes:
            digest.update(piece)
        digest.hexdigest()

    return run


def best_rates(
    variants: dict[str, Callable[[], None]], total: int, repeats: int
) -> dict[str, float]:
    """MB/s (10^6 bytes per second) of each variant, best of `repeats`, interleaved."""
    best = dict.fromkeys(variants, float("inf"))
    for _ in range(repeats):
        for name, run in variants.items():
            started = time.perf_counter()
            run()
            best[name] = min(best[name], time.perf_counter() - started)
    return {name: total / seconds / 1e6 for name, seconds in best.items()}


def run(mib: int = 256, write_kib: int = 64, repeats: int = 5) -> dict[str, object]:
    total = mib * MIB
    write_size = write_kib * 1024
    chunk_size = APP_CHUNK_SIZE
    source = memoryview(random.Random(20260401).randbytes(SOURCE_BYTES))
    key = AESGCM.generate_key(bit_length=256)
    writes = _slices(source, total, write_size)
    chunks = _slices(source, total, chunk_size)
    print(
        f"encryption: {mib} MiB in {write_kib} KiB writes, blob chunk {chunk_size // 1024} KiB, "
        f"best of {repeats}"
    )
    rates = best_rates(
        {
            "StreamEncryptor": candidate(key, writes, chunk_size),
            "raw AES-GCM": raw_aes_gcm(key, chunks, with_sha256=False),
            "raw AES-GCM + SHA-256": raw_aes_gcm(key, chunks, with_sha256=True),
            "SHA-256 alone": sha256_only(writes),
        },
        total,
        repeats,
    )
    ratio = rates["StreamEncryptor"] / rates["raw AES-GCM"]
    floor_ratio = rates["StreamEncryptor"] / rates["raw AES-GCM + SHA-256"]
    for name, rate in rates.items():
        print(f"  {name:<24} {rate:>9.0f} MB/s")
    verdict = "within budget" if ratio >= BUDGET else "MISSES BUDGET"
    print(
        f"  ratio StreamEncryptor / raw AES-GCM          {ratio:.2f}  (budget >= {BUDGET}: {verdict})"
    )
    print(f"  ratio StreamEncryptor / AES-GCM + SHA-256    {floor_ratio:.2f}  (informational)")
    return {
        "rates_mb_s": rates,
        "ratio": ratio,
        "ratio_vs_aes_sha256": floor_ratio,
        "budget": BUDGET,
        "ok": ratio >= BUDGET,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mib", type=int, default=256, help="MiB encrypted per repeat (256)")
    parser.add_argument("--write-kib", type=int, default=64, help="size of each write (64)")
    parser.add_argument("--repeats", type=int, default=5, help="best of N (5)")
    args = parser.parse_args()
    print_machine_facts()
    run(args.mib, args.write_kib, args.repeats)
    return 0


if __name__ == "__main__":
    sys.exit(main())
