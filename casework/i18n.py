"""Language: chosen by the worker, remembered in a cookie, right-to-left aware."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from typing import Any

from babel import Locale
from flask import g, has_request_context, request, session
from flask_babel import format_datetime

from casework.vocabulary.languages import DEFAULT_LANGUAGE, LANGUAGES, STAFF_LANGUAGES, Language

LANGUAGE_COOKIE = "cw_lang"


# Pages a worker (or a partner's chatbot) sees: always in the worker's own choice of language.
WORKER_FACING = frozenset({"intake", "api", "health", None})


def current_language() -> Language:
    """On staff pages, the signed-in staff member's chosen page language; everywhere else the
    worker's language: explicit choice (cookie), else the browser's best match."""
    cached: Language | None = g.get("casework_language")
    if cached is not None:
        return cached
    if not has_request_context():  # CLI, jobs: the default language
        return LANGUAGES[DEFAULT_LANGUAGE]
    staff_choice = _staff_page_language()
    if staff_choice is not None:
        g.casework_language = staff_choice
        return staff_choice
    code = request.cookies.get(LANGUAGE_COOKIE, "")
    if code not in LANGUAGES:
        code = request.accept_languages.best_match(list(LANGUAGES)) or DEFAULT_LANGUAGE
    g.casework_language = LANGUAGES[code]
    return g.casework_language


def _staff_page_language() -> Language | None:
    if request.blueprint in WORKER_FACING or "_user_id" not in session:
        return None  # a worker page, or nobody signed in: no user to load
    from flask_login import current_user

    try:
        signed_in = bool(current_user.is_authenticated)
    except Exception:  # noqa: BLE001 - the session store is down: the error page says so
        return None
    code = getattr(current_user, "page_language", "") if signed_in else ""
    return LANGUAGES[code] if code in STAFF_LANGUAGES else None


def use_language(code: str) -> None:
    """Switch the language for the rest of this request (e.g. the API's `language` field)."""
    from flask_babel import refresh

    if code in LANGUAGES:
        g.casework_language = LANGUAGES[code]
        refresh()


def select_locale() -> str:
    return current_language().babel_locale


def babel_locale() -> Locale:
    return _parsed(current_language().babel_locale)


@lru_cache(maxsize=64)
def _parsed(identifier: str) -> Locale:
    """Locale.parse reads CLDR data on every call: a queue page names 70 countries."""
    return Locale.parse(identifier)


def format_datetime_local(value: datetime) -> str:
    return format_datetime(value, "medium")


def template_context() -> dict[str, Any]:
    language = current_language()
    return {
        "language": language,
        "languages": LANGUAGES.values(),
        "text_direction": "rtl" if language.rtl else "ltr",
    }


def country_name(code: str) -> str:
    return str(babel_locale().territories.get(code, code))
