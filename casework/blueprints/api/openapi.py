"""The OpenAPI 3.1 description of API v1, built from the vocabulary so it cannot drift."""

from __future__ import annotations

from typing import Any

from casework.blueprints.api.parsing import MAX_JSON_DEPTH
from casework.blueprints.api.schemas import (
    REFERENCE,
    REFERENCE_PATTERN,
    SECRET,
    complaint_schema,
    enum_of,
    error_response,
    error_schema,
    files_schema,
    message_schema,
    status_schema,
)
from casework.services.evidence.operations import MAX_FILES_PER_SUBMISSION
from casework.vocabulary.languages import LANGUAGES
from casework.vocabulary.status import STATUSES


def openapi_document() -> dict[str, Any]:
    files = files_schema()
    common_errors = {
        "400": error_response(
            f"Malformed JSON or request, or JSON nested deeper than {MAX_JSON_DEPTH} levels"
        ),
        "413": error_response(
            f"A file or the whole request is too large, or more than "
            f"{MAX_FILES_PER_SUBMISSION} files"
        ),
        "415": error_response("A request or file type that is not accepted"),
        "422": error_response("Field errors, in `error.fields`"),
        "429": error_response("Too many requests"),
    }
    followup_errors = {
        "404": error_response("Unknown reference or wrong secret (the same answer)"),
        **common_errors,
    }
    message = message_schema()
    status_response = {
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Status"}}}
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "casework complaints API",
            "version": "1.0.0",
            "description": "Lodge and follow recruitment-abuse complaints for migrant workers.",
        },
        "paths": {
            "/api/v1/complaints": {
                "post": {
                    "summary": "Lodge a complaint with optional evidence files",
                    "parameters": [
                        {
                            "name": "Idempotency-Key",
                            "in": "header",
                            "required": False,
                            "description": "A random value of at least 128 bits per complaint "
                            "(22+ base64url characters, 32+ hex digits or a UUID; at most 128 "
                            "characters; a key too short, too long, too uniform or with other "
                            "characters is refused with 400). Sending the same complaint again "
                            "with the same key within 15 minutes returns the first receipt "
                            "(same reference and secret) instead of a second case; a different "
                            "complaint under a used key is refused with 422; the same complaint "
                            "later (up to 24 hours) gets 409 with the reference in "
                            "`error.fields.reference`, never the secret again.",
                            "schema": {
                                "type": "string",
                                "minLength": 22,
                                "maxLength": 128,
                                "pattern": "^[A-Za-z0-9_-]+$",
                            },
                        }
                    ],
                    "requestBody": {
                        "required": True,
                        "content": {
                            "multipart/form-data": {
                                "schema": {
                                    "type": "object",
                                    "required": ["complaint"],
                                    "properties": {
                                        "complaint": {"$ref": "#/components/schemas/Complaint"},
                                        "evidence": files,
                                    },
                                },
                                "encoding": {"complaint": {"contentType": "application/json"}},
                            },
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/Complaint"}
                            },
                        },
                    },
                    "responses": {
                        "201": {
                            "description": "Lodged. Show `secret` to the worker once; it is not stored.",
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "object",
                                        "required": ["reference", "secret", "status", "language"],
                                        "properties": {
                                            "reference": {
                                                "type": "string",
                                                "pattern": REFERENCE_PATTERN,
                                            },
                                            "secret": {"type": "string", "pattern": "^[0-9]{16}$"},
                                            "status": enum_of(STATUSES),
                                            "language": enum_of(LANGUAGES),
                                        },
                                    }
                                }
                            },
                        },
                        **common_errors,
                        "400": error_response(
                            "Malformed JSON or request, or an Idempotency-Key weaker than "
                            "128 bits or longer than 128 characters"
                        ),
                        "409": error_response(
                            "This complaint was lodged with this Idempotency-Key more than "
                            "15 minutes ago: `error.fields.reference` names it; the secret is "
                            "not shown again"
                        ),
                        "422": error_response(
                            "Field errors in `error.fields`, or an Idempotency-Key already used "
                            "for a different complaint"
                        ),
                    },
                }
            },
            "/api/v1/complaints/{reference}": {
                "get": {
                    "summary": "Status and messages for the worker",
                    "parameters": [REFERENCE, SECRET],
                    "responses": {
                        "200": {"description": "The case as the worker sees it", **status_response},
                        **followup_errors,
                    },
                }
            },
            "/api/v1/complaints/{reference}/messages": {
                "post": {
                    "summary": "Add a message from the worker",
                    "parameters": [REFERENCE, SECRET],
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {"schema": message},
                            "application/x-www-form-urlencoded": {"schema": message},
                            "multipart/form-data": {"schema": message},
                        },
                    },
                    "responses": {
                        "201": {"description": "Added", **status_response},
                        **followup_errors,
                    },
                }
            },
            "/api/v1/complaints/{reference}/evidence": {
                "post": {
                    "summary": "Add evidence files",
                    "parameters": [REFERENCE, SECRET],
                    "requestBody": {
                        "required": True,
                        "content": {
                            "multipart/form-data": {
                                "schema": {
                                    "type": "object",
                                    "required": ["evidence"],
                                    "properties": {"evidence": {**files, "minItems": 1}},
                                }
                            }
                        },
                    },
                    "responses": {
                        "201": {"description": "Added", **status_response},
                        **followup_errors,
                    },
                }
            },
            "/api/v1/openapi.json": {
                "get": {
                    "summary": "This document",
                    "responses": {
                        "200": {
                            "description": "OpenAPI 3.1",
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "object",
                                        "required": ["openapi", "info", "paths"],
                                    }
                                }
                            },
                        }
                    },
                }
            },
        },
        "components": {
            "schemas": {
                "Complaint": complaint_schema(),
                "Status": status_schema(),
                "Error": error_schema(),
            }
        },
    }
