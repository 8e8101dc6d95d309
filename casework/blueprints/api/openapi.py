"""The OpenAPI 3.1 description of API v1, built from the vocabulary so it cannot drift."""

from __future__ import annotations

from typing import Any

from casework.vocabulary.abuse import ABUSE_CODES
from casework.vocabulary.fees import (
    CONTACT_CHANNELS,
    FEE_CATEGORIES,
    LENDER_KINDS,
    PAYEE_KINDS,
    RECRUITMENT_CHANNELS,
)
from casework.vocabulary.languages import LANGUAGES
from casework.vocabulary.media import ALLOWED_MEDIA_TYPES
from casework.vocabulary.status import STATUSES

DECIMAL = {"type": "string", "pattern": r"^\d+(\.\d{1,2})?$", "examples": ["150000"]}
DATE = {"type": "string", "format": "date"}
CURRENCY = {"type": "string", "pattern": "^[A-Z]{3}$", "description": "ISO 4217"}
COUNTRY = {"type": "string", "pattern": "^[A-Z]{2}$", "description": "ISO 3166-1 alpha-2"}


def _enum(values: Any) -> dict[str, Any]:
    return {"type": "string", "enum": sorted(values)}


def _money() -> dict[str, Any]:
    return {"type": "object", "properties": {"amount": DECIMAL, "currency": CURRENCY}}


def _error(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


SECRET = {
    "name": "X-Complaint-Secret",
    "in": "header",
    "required": True,
    "description": "The 16-digit secret given when the complaint was lodged.",
    "schema": {"type": "string"},
}
REFERENCE = {"name": "reference", "in": "path", "required": True, "schema": {"type": "string"}}


def openapi_document() -> dict[str, Any]:
    complaint = {
        "type": "object",
        "required": ["language", "origin_country", "destination_country"],
        "description": "At least one abuse category or a narrative is required. "
        "`contact` absent means anonymous.",
        "properties": {
            "language": _enum(LANGUAGES),
            "origin_country": COUNTRY,
            "destination_country": COUNTRY,
            "agency": {
                "type": "object",
                "properties": {"name": {"type": "string"}, "licence_number": {"type": "string"}},
            },
            "employer": {"type": "object", "properties": {"name": {"type": "string"}}},
            "occupation": {"type": "string"},
            "abuse_categories": {"type": "array", "items": _enum(ABUSE_CODES)},
            "fees": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["category", "amount", "currency"],
                    "properties": {
                        "category": _enum(FEE_CATEGORIES),
                        "amount": DECIMAL,
                        "receipt_amount": DECIMAL,
                        "currency": CURRENCY,
                        "paid_on": DATE,
                        "payee": _enum(PAYEE_KINDS),
                        "loan": {
                            "type": "object",
                            "properties": {
                                "lender": _enum(LENDER_KINDS),
                                "annual_interest_pct": DECIMAL,
                            },
                        },
                    },
                },
            },
            "recruitment_channel": _enum(RECRUITMENT_CHANNELS),
            "promised_monthly_wage": _money(),
            "actual_monthly_wage": _money(),
            "departure_date": DATE,
            "job_start_date": DATE,
            "incident_date": DATE,
            "contract_end_date": DATE,
            "narrative": {"type": "string", "maxLength": 20000},
            "contact": {
                "type": "object",
                "properties": {
                    "name": {"type": "string"},
                    "phone": {"type": "string"},
                    "email": {"type": "string"},
                    "channel": _enum(CONTACT_CHANNELS),
                    "safe_times": {"type": "string"},
                    "passport_number": {"type": "string"},
                    "date_of_birth": DATE,
                    "sex": _enum({"female", "male", "other"}),
                },
            },
            "consent": {
                "type": "object",
                "properties": {
                    "share_with_partners": {"type": "boolean"},
                    "share_across_borders": {"type": "boolean"},
                },
            },
        },
    }
    status = {
        "type": "object",
        "properties": {
            "reference": {"type": "string"},
            "status": _enum(STATUSES),
            "status_label": {"type": "string", "description": "Plain words in the case's language"},
            "updated_at": {"type": "string", "format": "date-time"},
            "evidence_count": {"type": "integer"},
            "pending_referrals": {
                "type": "array",
                "description": "Referrals awaiting the worker's consent (answer on the follow-up page)",
                "items": {
                    "type": "object",
                    "properties": {
                        "id": {"type": "integer"},
                        "authority": {"type": "string"},
                        "name": {"type": "string"},
                        "country": {"type": "string"},
                    },
                },
            },
            "messages": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "at": {"type": "string", "format": "date-time"},
                        "from": _enum({"worker", "caseworker"}),
                        "text": {"type": "string"},
                    },
                },
            },
        },
    }
    files = {
        "type": "array",
        "items": {"type": "string", "contentMediaType": "application/octet-stream"},
        "description": "Accepted by content: " + ", ".join(sorted(ALLOWED_MEDIA_TYPES)),
    }
    common_errors = {
        "400": _error("Malformed JSON or request"),
        "413": _error("A file or the whole request is too large"),
        "415": _error("A file type that is not accepted"),
        "422": _error("Field errors, in `error.fields`"),
        "429": _error("Too many requests"),
    }
    followup_errors = {
        "404": _error("Unknown reference or wrong secret (the same answer)"),
        **common_errors,
    }
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
                            "description": "A random string (16–200 characters) per complaint. "
                            "Sending the same key again within an hour returns the first "
                            "receipt (same reference and secret) instead of a second case.",
                            "schema": {"type": "string", "minLength": 16, "maxLength": 200},
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
                                        "properties": {
                                            "reference": {"type": "string"},
                                            "secret": {"type": "string", "pattern": r"^\d{16}$"},
                                            "status": {"type": "string"},
                                            "language": {"type": "string"},
                                        },
                                    }
                                }
                            },
                        },
                        **common_errors,
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
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["message"],
                                    "properties": {
                                        "message": {"type": "string", "maxLength": 5000}
                                    },
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
            "/api/v1/complaints/{reference}/evidence": {
                "post": {
                    "summary": "Add evidence files",
                    "parameters": [REFERENCE, SECRET],
                    "requestBody": {
                        "required": True,
                        "content": {
                            "multipart/form-data": {
                                "schema": {"type": "object", "properties": {"evidence": files}}
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
                    "responses": {"200": {"description": "OpenAPI 3.1"}},
                }
            },
        },
        "components": {
            "schemas": {
                "Complaint": complaint,
                "Status": status,
                "Error": {
                    "type": "object",
                    "properties": {
                        "error": {
                            "type": "object",
                            "required": ["code", "message", "fields"],
                            "properties": {
                                "code": {"type": "string"},
                                "message": {"type": "string"},
                                "fields": {
                                    "type": "object",
                                    "additionalProperties": {"type": "string"},
                                },
                            },
                        }
                    },
                },
            }
        },
    }
