"""Evidence upload throughput to S3-compatible storage against raw boto3 (DESIGN §8).

Candidate: `S3EvidenceStore.stage` + `publish` (as the app does around the database commit)
of an encrypted evidence blob already spooled to a local temporary file, as an upload leaves
it: one PUT up to 8 MiB, above that a multipart upload left incomplete, then completed.
Baseline: boto3's own `upload_fileobj` of the same bytes from the same kind of file to the same
server (one PUT through its transfer manager below its 8 MiB threshold, a threaded multipart
upload above). Both talk to moto's S3 server on 127.0.0.1 (tests/s3_server.py), interleaved,
each upload's object deleted afterwards.
Budget: candidate >= 0.7 x baseline (MB/s, median of the repeats), for every size.

What bounds the ratio: above 8 MiB, the promise that an object exists only once its row has
committed costs two more requests (create, complete) than boto3's multipart upload. Below it,
our one plain PUT skips the transfer manager's thread hand-offs, so small uploads can come out
faster than the baseline.

    .venv/bin/python bench/object_store.py [--repeats 15] [--sizes-kib 200,4096,20480]
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from machine_facts import print_machine_facts  # noqa: E402

from casework.crypto import StreamEncryptor, new_data_key  # noqa: E402
from casework.storage.s3 import S3EvidenceStore  # noqa: E402
from tests.s3_server import running_s3_server  # noqa: E402

BUDGET = 0.7
KIB = 1024


def encrypted_blob(size: int) -> bytes:
    """`size` bytes of evidence in the blob format, as the spool writes them."""
    out = io.BytesIO()
    encryptor = StreamEncryptor(new_data_key(), os.urandom(16), out, 256 * KIB)
    encryptor.write(os.urandom(size))
    encryptor.finish()
    return out.getvalue()


def timed(run: Callable[[], None]) -> float:
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def measure(
    store: S3EvidenceStore, client: Any, blob: bytes, repeats: int, scratch: Path
) -> tuple[float, float]:
    """Median seconds per upload: (candidate, baseline)."""
    ours: list[float] = []
    raw: list[float] = []
    for turn in range(repeats + 1):  # the first round warms connections up, not counted
        temp, handle = store.temp_file()
        with handle:
            handle.write(blob)
        blob_ids: list[str] = []
        took = timed(lambda: blob_ids.append(store.commit(temp)))  # noqa: B023
        store.delete(blob_ids[0])
        key = f"raw/{turn}"
        scratch.write_bytes(blob)
        with scratch.open("rb") as source:
            base = timed(lambda: client.upload_fileobj(source, store.bucket, key))  # noqa: B023
        client.delete_object(Bucket=store.bucket, Key=key)
        if turn:
            ours.append(took)
            raw.append(base)
    return statistics.median(ours), statistics.median(raw)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--sizes-kib", default="200,4096,20480")
    args = parser.parse_args()
    print_machine_facts()
    sizes = [int(size) * KIB for size in args.sizes_kib.split(",")]
    folder = Path(tempfile.mkdtemp(prefix="bench-object-store-"))
    worst = None
    try:
        with running_s3_server() as server:
            os.environ.update(server.environment)
            bucket = server.new_bucket()
            store = S3EvidenceStore(bucket, "evidence", folder / "tmp")
            client = server.client()
            print(f"\nS3 server: moto on {server.endpoint}; {args.repeats} uploads per size")
            print(f"{'size':>10} {'store MB/s':>11} {'raw MB/s':>9} {'ratio':>6}  budget {BUDGET}")
            for size in sizes:
                blob = encrypted_blob(size)
                ours, raw = measure(store, client, blob, args.repeats, folder / "input")
                ratio = raw / ours
                worst = ratio if worst is None else min(worst, ratio)
                mb = len(blob) / 1e6
                verdict = "ok" if ratio >= BUDGET else "OVER BUDGET"
                print(
                    f"{size // KIB:>7} KiB {mb / ours:>11.1f} {mb / raw:>9.1f} {ratio:>6.2f}  {verdict}"
                )
            leftovers = server.uploads(bucket)
            if leftovers:
                print(f"FAILURE: {len(leftovers)} incomplete upload(s) left behind")
                return 1
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print(f"\nworst ratio {worst:.2f} (budget >= {BUDGET})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
