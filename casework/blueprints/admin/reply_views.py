"""Admin pages for reply templates: ready-made messages to workers, one per language."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from casework.blueprints.admin import bp
from casework.models import ReplyTemplate
from casework.services.casefile.replies import (
    delete_template,
    find_template,
    list_templates,
    save_template,
)
from casework.services.errors import InvalidInput
from casework.staff_session import staff
from casework.vocabulary.languages import LANGUAGES


@bp.get("/replies")
def replies() -> str:
    language = request.args.get("language", "")
    return render_template(
        "admin/replies.html",
        templates=list_templates(language if language in LANGUAGES else ""),
        chosen_language=language,
        languages=LANGUAGES,
    )


def _form(
    template: ReplyTemplate | None, errors: dict[str, str], typed: dict[str, str], status: int
) -> tuple[str, int]:
    return render_template(
        "admin/reply_form.html",
        template=template,
        errors=errors,
        typed=typed,
        languages=LANGUAGES,
    ), status


@bp.route("/replies/new", methods=["GET", "POST"])
@bp.route("/replies/<int:template_id>", methods=["GET", "POST"])
def reply_edit(template_id: int | None = None) -> Response | tuple[str, int]:
    template = find_template(template_id) if template_id else None
    if request.method == "GET":
        return _form(template, {}, {}, 200)
    try:
        saved = save_template(staff(), request.form.to_dict(), template_id)
    except InvalidInput as invalid:
        errors = {key: str(value) for key, value in invalid.fields.items()}
        return _form(template, errors, request.form.to_dict(), 422)
    flash(_("Template saved."))
    return redirect(url_for("admin.replies", language=saved.language))


@bp.post("/replies/<int:template_id>/delete")
def reply_delete(template_id: int) -> Response:
    delete_template(staff(), template_id)
    flash(_("Template deleted."))
    return redirect(url_for("admin.replies"))
