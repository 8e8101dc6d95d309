"""The language of a staff member's own pages (never what a worker sees)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response

from casework.blueprints.auth import bp
from casework.services.directory.page_language import set_page_language
from casework.staff_session import staff, staff_gate
from casework.vocabulary.languages import LANGUAGES, STAFF_LANGUAGES


@bp.route("/account/language", methods=["GET", "POST"])
def page_language() -> str | Response | tuple[str, int]:
    denied = staff_gate(("caseworker", "supervisor", "admin"))()
    if denied is not None:
        return denied
    choices = [LANGUAGES[code] for code in STAFF_LANGUAGES]
    if request.method == "POST":
        if not set_page_language(staff(), request.form.get("language", "")):
            flash(_l("Please choose a language from the list."))
            return render_template("auth/language.html", choices=choices), 422
        return redirect(url_for("auth.page_language"))
    return render_template("auth/language.html", choices=choices)
