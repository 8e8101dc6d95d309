"""Evidence on S3-compatible object storage (AWS S3, MinIO, Ceph RGW, Garage) through boto3.

Configured by `CASEWORK_EVIDENCE_STORE=s3://bucket/prefix`; the endpoint, region and
credentials come from boto3's standard sources (`AWS_ENDPOINT_URL` / `AWS_ENDPOINT_URL_S3`,
`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_DEFAULT_REGION`, profiles, instance roles),
so nothing here is specific to one provider.

Layout: `<prefix>/blobs/<blob id>` for evidence, `<prefix>/check/<random>` for the readiness
probe's throw-away object. Bytes arrive already encrypted in the evidence blob format.

Two-phase writes, chosen by size:

- A blob of one part or less (SINGLE_PUT_LIMIT, 8 MiB: nearly every photo, receipt and voice
  note) is written by `stage` with one PUT to its final key; `publish` has nothing left to do
  and `abandon` deletes it. Until its row commits the object is an orphan in waiting, which is
  harmless: it is ciphertext under a file key that only the row would hold. A process killed
  between PUT and commit leaves it as an orphan the cleanup deletes after its grace period.
  One request instead of three (create, part, complete) is what makes small uploads cost about
  what a raw boto3 upload costs (bench/object_store.py).
- A larger blob maps onto a multipart upload: `stage` uploads every part but does not complete
  the upload, so no object exists yet; `publish` completes it after the database row
  committed; `abandon` aborts it. A process killed between the two leaves an incomplete
  multipart upload, which `staged_blobs` lists for the cleanup (it completes those a committed
  row names and aborts the rest).
"""

from __future__ import annotations

import io
import os
import secrets
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from casework.storage.store import BlobNotFound, StoreUnavailable
from casework.storage.temp_files import TempFolder

# S3's smallest part is 5 MiB (except the last); 8 MiB is boto3's own multipart chunk size.
PART_SIZE = 8 * 1024 * 1024
# Blobs up to this size go by one PUT (boto3's own threshold for multipart is the same 8 MiB).
SINGLE_PUT_LIMIT = PART_SIZE
PARALLEL_PARTS = 2  # 2 x 8 MiB in memory at most per upload (DESIGN §8 memory budget)
_BLOB_ID_CHARS = set("0123456789abcdef")
_MISSING = {"NoSuchKey", "404", "NotFound"}
_NO_UPLOAD = {"NoSuchUpload", "404"}


def _client_config() -> Config:
    # Short connection timeouts so a readiness probe or an upload fails in seconds when the
    # endpoint is down; the retry policy stays boto3's to configure (AWS_RETRY_MODE,
    # AWS_MAX_ATTEMPTS), defaulting to its "standard" mode.
    retries: dict[str, Any] = {"mode": os.environ.get("AWS_RETRY_MODE", "standard")}
    if "AWS_MAX_ATTEMPTS" not in os.environ:
        retries["max_attempts"] = 3
    return Config(connect_timeout=5, read_timeout=60, retries=retries)


_SESSION: dict[int, boto3.session.Session] = {}  # one per process: loading S3's model is slow
_SESSION_LOCK = threading.Lock()


def _new_client() -> Any:
    """A client configured from boto3's standard environment (sessions are not thread-safe,
    the clients they make are)."""
    with _SESSION_LOCK:
        session = _SESSION.get(os.getpid())
        if session is None:
            session = _SESSION[os.getpid()] = boto3.session.Session()
        return session.client("s3", config=_client_config())


def _code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


@contextmanager
def _unavailable_on_errors() -> Iterator[None]:
    """botocore's connection, credential and service errors as StoreUnavailable (the message
    names the error's kind and code only: keys and ids are not needed to diagnose it)."""
    try:
        yield
    except ClientError as exc:
        raise StoreUnavailable(f"object store: {_code(exc) or type(exc).__name__}") from exc
    except (BotoCoreError, OSError) as exc:
        raise StoreUnavailable(f"object store: {type(exc).__name__}") from exc


class _ObjectBody(io.RawIOBase):
    """A GET response body whose network errors surface as StoreUnavailable."""

    def __init__(self, body: Any):
        super().__init__()
        self._body = body

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        with _unavailable_on_errors():
            data = self._body.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        if not self.closed:
            self._body.close()
        super().close()


class S3EvidenceStore:
    """Evidence blobs as objects in `bucket` under `prefix`; uploads in progress spooled
    (encrypted) in the local folder `temp_root` first."""

    def __init__(
        self,
        bucket: str,
        prefix: str,
        temp_root: Path,
        client_factory: Callable[[], Any] | None = None,
    ):
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self.tmp = temp_root
        self._temp = TempFolder(temp_root)
        self._client_factory = client_factory or _new_client
        self._client: Any = None
        self._client_pid = 0
        self._lock = threading.Lock()
        # blob id -> (upload id, parts) for uploads this process staged and has not ended;
        # None for a blob written whole by one PUT (nothing left to publish).
        self._staged: dict[str, tuple[str, list[dict[str, Any]]] | None] = {}

    # --- names ---------------------------------------------------------------------------
    @property
    def client(self) -> Any:
        """One boto3 client per process (clients are thread-safe but must not cross a fork)."""
        if self._client is None or self._client_pid != os.getpid():
            with self._lock:
                if self._client is None or self._client_pid != os.getpid():
                    self._client = self._client_factory()
                    self._client_pid = os.getpid()
        return self._client

    def _folder(self, name: str) -> str:
        return f"{self.prefix}/{name}/" if self.prefix else f"{name}/"

    def key(self, blob_id: str) -> str:
        if len(blob_id) != 32 or not set(blob_id) <= _BLOB_ID_CHARS:
            raise BlobNotFound(blob_id)
        return self._folder("blobs") + blob_id

    def _blob_id(self, key: str) -> str | None:
        blob_id = key.removeprefix(self._folder("blobs"))
        if len(blob_id) == 32 and set(blob_id) <= _BLOB_ID_CHARS:
            return blob_id
        return None  # not ours to judge

    # --- writing -------------------------------------------------------------------------
    def temp_file(self) -> tuple[Path, BinaryIO]:
        return self._temp.new_file()

    def discard_temp(self, temp_path: Path) -> None:
        self._temp.discard(temp_path)

    def stage(self, temp_path: Path) -> str:
        """Upload the temporary file: one PUT when it fits in one part, otherwise the parts of
        a new multipart upload, left incomplete (see the module's docstring)."""
        blob_id = secrets.token_hex(16)
        key = self.key(blob_id)
        with temp_path.open("rb") as source, _unavailable_on_errors():
            if os.fstat(source.fileno()).st_size <= SINGLE_PUT_LIMIT:
                self.client.put_object(Bucket=self.bucket, Key=key, Body=source.read())
                self._staged[blob_id] = None
                self._temp.discard(temp_path)
                return blob_id
            upload_id = self.client.create_multipart_upload(Bucket=self.bucket, Key=key)["UploadId"]
            try:
                parts = self._upload_parts(key, upload_id, source)
            except BaseException:
                with suppress(Exception):  # the cleanup aborts it if this cannot
                    self._abort(key, upload_id)
                raise
        self._staged[blob_id] = (upload_id, parts)
        self._temp.discard(temp_path)
        return blob_id

    def _upload_parts(self, key: str, upload_id: str, source: BinaryIO) -> list[dict[str, Any]]:
        """Every part of the file; several at once when there are several (as boto3's own
        transfers do), never more than PARALLEL_PARTS parts in memory."""
        fd = source.fileno()
        count = max(1, -(-os.fstat(fd).st_size // PART_SIZE))

        def upload(number: int) -> dict[str, Any]:
            data = os.pread(fd, PART_SIZE, (number - 1) * PART_SIZE)
            answer = self.client.upload_part(
                Bucket=self.bucket, Key=key, UploadId=upload_id, PartNumber=number, Body=data
            )
            return {"PartNumber": number, "ETag": answer["ETag"]}

        if count == 1:
            return [upload(1)]
        with ThreadPoolExecutor(max_workers=min(PARALLEL_PARTS, count)) as pool:
            return list(pool.map(upload, range(1, count + 1)))

    def publish(self, blob_id: str) -> None:
        """Complete the multipart upload: the object appears, whole, at once. A blob staged by
        another (perhaps dead) process is found through the store's listing of uploads."""
        key = self.key(blob_id)
        if blob_id in self._staged and self._staged[blob_id] is None:
            del self._staged[blob_id]  # written whole by one PUT
            return
        staged = self._staged.pop(blob_id, None)
        with _unavailable_on_errors():
            uploads = [staged] if staged else self._uploads_of(key)
            if not uploads:
                self._head(key)  # published already (or never staged: BlobNotFound)
                return
            for upload_id, parts in uploads:
                try:
                    self.client.complete_multipart_upload(
                        Bucket=self.bucket,
                        Key=key,
                        UploadId=upload_id,
                        MultipartUpload={"Parts": parts},
                    )
                except ClientError as exc:
                    if _code(exc) not in _NO_UPLOAD:
                        raise
                    self._head(key)  # completed meanwhile by someone else

    def abandon(self, blob_id: str) -> None:
        key = self.key(blob_id)
        put_whole = blob_id in self._staged and self._staged[blob_id] is None
        staged = self._staged.pop(blob_id, None)
        with _unavailable_on_errors():
            if staged:
                self._abort(key, staged[0])
            elif put_whole:
                self.client.delete_object(Bucket=self.bucket, Key=key)
            else:
                for upload_id, _parts in self._uploads_of(key):
                    self._abort(key, upload_id)
                self.client.delete_object(Bucket=self.bucket, Key=key)

    def commit(self, temp_path: Path) -> str:
        blob_id = self.stage(temp_path)
        self.publish(blob_id)
        return blob_id

    def delete(self, blob_id: str) -> None:
        key = self.key(blob_id)
        with _unavailable_on_errors():
            self.client.delete_object(Bucket=self.bucket, Key=key)

    def _abort(self, key: str, upload_id: str) -> None:
        try:
            self.client.abort_multipart_upload(Bucket=self.bucket, Key=key, UploadId=upload_id)
        except ClientError as exc:
            if _code(exc) not in _NO_UPLOAD:
                raise

    def _uploads_of(self, key: str) -> list[tuple[str, list[dict[str, Any]]]]:
        found = []
        answer = self.client.list_multipart_uploads(Bucket=self.bucket, Prefix=key)
        for upload in answer.get("Uploads", []):
            if upload["Key"] != key:
                continue
            listing = self.client.get_paginator("list_parts").paginate(
                Bucket=self.bucket, Key=key, UploadId=upload["UploadId"]
            )
            parts = [
                {"PartNumber": part["PartNumber"], "ETag": part["ETag"]}
                for page in listing
                for part in page.get("Parts", [])
            ]
            found.append((upload["UploadId"], parts))
        return found

    def _head(self, key: str) -> None:
        try:
            self.client.head_object(Bucket=self.bucket, Key=key)
        except ClientError as exc:
            if _code(exc) in _MISSING:
                raise BlobNotFound(key.rsplit("/", 1)[-1]) from exc
            raise

    # --- reading -------------------------------------------------------------------------
    def open(self, blob_id: str) -> BinaryIO:
        key = self.key(blob_id)
        with _unavailable_on_errors():
            try:
                answer = self.client.get_object(Bucket=self.bucket, Key=key)
            except ClientError as exc:
                if _code(exc) in _MISSING:
                    raise BlobNotFound(blob_id) from exc
                raise
        return io.BufferedReader(_ObjectBody(answer["Body"]), buffer_size=256 * 1024)

    # --- what the cleanup looks at -------------------------------------------------------
    def blob_ids(self) -> Iterator[tuple[str, datetime]]:
        with _unavailable_on_errors():
            pages = self.client.get_paginator("list_objects_v2").paginate(
                Bucket=self.bucket, Prefix=self._folder("blobs")
            )
            for page in pages:
                for item in page.get("Contents", []):
                    blob_id = self._blob_id(item["Key"])
                    if blob_id is not None:
                        yield blob_id, item["LastModified"]

    def staged_blobs(self) -> Iterator[tuple[str, datetime]]:
        with _unavailable_on_errors():
            pages = self.client.get_paginator("list_multipart_uploads").paginate(
                Bucket=self.bucket, Prefix=self._folder("blobs")
            )
            for page in pages:
                for upload in page.get("Uploads", []):
                    blob_id = self._blob_id(upload["Key"])
                    if blob_id is not None:
                        yield blob_id, upload["Initiated"]

    def stale_temp_files(self, older_than: datetime) -> Iterator[Path]:
        return self._temp.stale(older_than)

    # --- temporary files held across requests (see EvidenceStore) ------------------------
    def _held_key(self, name: str) -> str:
        if "/" in name or not name.endswith(".part"):
            raise ValueError("not a temporary file's name")
        return self._folder("held") + name

    def share_temp(self, temp_path: Path) -> None:
        with temp_path.open("rb") as source, _unavailable_on_errors():
            self.client.put_object(
                Bucket=self.bucket, Key=self._held_key(temp_path.name), Body=source.read()
            )

    def fetch_temp(self, name: str) -> Path | None:
        with _unavailable_on_errors():
            try:
                answer = self.client.get_object(Bucket=self.bucket, Key=self._held_key(name))
            except ClientError as exc:
                if _code(exc) in _MISSING:
                    return None
                raise
            with _ObjectBody(answer["Body"]) as body:
                return self._temp.receive(name, io.BufferedReader(body))

    def unshare_temp(self, name: str) -> None:
        with _unavailable_on_errors():
            self.client.delete_object(Bucket=self.bucket, Key=self._held_key(name))

    def shared_temps(self) -> Iterator[tuple[str, datetime]]:
        with _unavailable_on_errors():
            pages = self.client.get_paginator("list_objects_v2").paginate(
                Bucket=self.bucket, Prefix=self._folder("held")
            )
            for page in pages:
                for item in page.get("Contents", []):
                    yield item["Key"].rsplit("/", 1)[-1], item["LastModified"]

    def check(self) -> None:
        """Write and delete an empty object under the prefix: reachable, credentials good,
        bucket present and writable. Two small requests, so cheap enough for readiness polls."""
        key = self._folder("check") + secrets.token_hex(8)
        with _unavailable_on_errors():
            self.client.put_object(Bucket=self.bucket, Key=key, Body=b"")
            self.client.delete_object(Bucket=self.bucket, Key=key)
