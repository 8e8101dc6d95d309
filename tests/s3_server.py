"""A real S3-compatible server for tests: moto's standalone server on 127.0.0.1, in its own
process, spoken to over HTTP by boto3 exactly as production speaks to MinIO or AWS."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from tests.smtp_server import free_port

# boto3's standard variables: the app reads nothing else to find its object store.
CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "casework-test",
    "AWS_SECRET_ACCESS_KEY": "casework-test-secret",
    "AWS_DEFAULT_REGION": "us-east-1",
}


@dataclass
class S3Server:
    endpoint: str
    _client: Any = None

    @property
    def environment(self) -> dict[str, str]:
        return {**CREDENTIALS, "AWS_ENDPOINT_URL": self.endpoint}

    def client(self) -> Any:
        """The tests' own client (made once: creating one costs a few tenths of a second)."""
        if self._client is None:
            import boto3

            self._client = boto3.session.Session().client(
                "s3",
                endpoint_url=self.endpoint,
                region_name=CREDENTIALS["AWS_DEFAULT_REGION"],
                aws_access_key_id=CREDENTIALS["AWS_ACCESS_KEY_ID"],
                aws_secret_access_key=CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
            )
        return self._client

    def new_bucket(self) -> str:
        name = f"evidence-{secrets.token_hex(6)}"
        self.client().create_bucket(Bucket=name)
        return name

    def objects(self, bucket: str) -> dict[str, bytes]:
        """Every object in the bucket, read back whole."""
        client = self.client()
        found = {}
        for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket):
            for item in page.get("Contents", []):
                body = client.get_object(Bucket=bucket, Key=item["Key"])["Body"]
                found[item["Key"]] = body.read()
                body.close()
        return found

    def uploads(self, bucket: str) -> list[str]:
        """Keys of the incomplete multipart uploads in the bucket."""
        answer = self.client().list_multipart_uploads(Bucket=bucket)
        return sorted(upload["Key"] for upload in answer.get("Uploads", []))


@contextmanager
def running_s3_server(host: str = "127.0.0.1") -> Iterator[S3Server]:
    """Start moto's server on a free port, wait until it answers, stop it afterwards."""
    port = free_port(host)
    endpoint = f"http://{host}:{port}"
    process = subprocess.Popen(  # noqa: S603 - our own interpreter, fixed arguments
        [sys.executable, "-m", "moto.server", "-H", host, "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, **CREDENTIALS},
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=1):  # noqa: S310
                    break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("moto's S3 server did not start") from None
                time.sleep(0.1)
        yield S3Server(endpoint)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
