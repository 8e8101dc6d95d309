"""Schemathesis drives API v1 from its own OpenAPI document (/api/v1/openapi.json).

Every generated request, valid or not (Schemathesis' positive and negative modes), must answer
below 500, with a status code, content type, headers and body that the document describes; the
worker's own reference and secret reach the 200/201 answers too. Methods a path does not list
answer 405 with an `Allow` header naming the ones it does.

Bounded (20 examples per operation) and derandomized, so it takes seconds and runs the
same way in CI, on SQLite and on PostgreSQL.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis import checks as core_checks
from schemathesis.specs.openapi import checks as openapi_checks

from tests.conftest import complaint_payload

SCHEMA_SETTINGS = settings(
    derandomize=True,
    database=None,
    deadline=None,
    max_examples=20,
    suppress_health_check=list(HealthCheck),
)
CHECKS = [
    core_checks.not_a_server_error,
    openapi_checks.status_code_conformance,
    openapi_checks.content_type_conformance,
    openapi_checks.response_headers_conformance,
    openapi_checks.response_schema_conformance,
]
OPERATIONS = [
    ("POST", "/api/v1/complaints"),
    ("GET", "/api/v1/complaints/{reference}"),
    ("POST", "/api/v1/complaints/{reference}/messages"),
    ("POST", "/api/v1/complaints/{reference}/evidence"),
    ("GET", "/api/v1/openapi.json"),
]
HTTP_METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}


def _schema(app: Flask) -> Any:
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


def _run(operation: Any, **fixed: Any) -> None:
    """Valid and invalid requests (Schemathesis' positive and negative modes), each checked."""
    cases = st.one_of(
        operation.as_strategy(GenerationMode.POSITIVE, **fixed),
        operation.as_strategy(GenerationMode.NEGATIVE, **fixed),
    )

    @SCHEMA_SETTINGS
    @given(case=cases)
    def check(case: Any) -> None:
        # Schemathesis' WSGI transport does not undo Content-Encoding as an HTTP client would;
        # compression is tested in test_compression_and_caching.py.
        case.call_and_validate(checks=CHECKS, headers={"Accept-Encoding": "identity"})

    check()


@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_api_answers_only_what_its_document_describes(app: Flask, method: str, path: str) -> None:
    _run(_schema(app)[path][method])


@pytest.mark.parametrize(("method", "path"), [op for op in OPERATIONS if "{reference}" in op[1]])
def test_api_answers_the_worker_only_what_its_document_describes(
    app: Flask, method: str, path: str
) -> None:
    """Generated references and secrets all answer 404; the worker's own reach the case."""
    lodged = app.test_client().post("/api/v1/complaints", json=complaint_payload())
    assert lodged.status_code == 201
    worker = lodged.get_json()
    _run(
        _schema(app)[path][method],
        path_parameters={"reference": worker["reference"]},
        headers={"X-Complaint-Secret": worker["secret"]},
    )


def test_every_documented_path_answers_405_with_allow_for_other_methods(app: Flask) -> None:
    client = app.test_client()
    document = client.get("/api/v1/openapi.json").get_json()
    for path, item in document["paths"].items():
        declared = {method.upper() for method in item}
        url = path.replace("{reference}", "CW-2222-2222")
        for method in sorted(HTTP_METHODS - declared - {"HEAD", "OPTIONS"}):
            response = client.open(url, method=method)
            assert response.status_code == 405, (method, path)
            allowed = {m.strip() for m in response.headers["Allow"].split(",")}
            assert allowed - {"HEAD", "OPTIONS"} == declared, (method, path, allowed)
            assert response.get_json()["error"]["code"] == "method_not_allowed"
