"""Reply templates: admins keep ready-made messages per language; a caseworker writing to the
worker picks one in the worker's language, edits the copy and sends it as any message."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from casework.extensions import db
from casework.models import ReplyTemplate, User
from casework.services import audit
from casework.services.errors import NotFound
from casework.services.intake.complaint import MAX_MESSAGE
from casework.services.validation import FieldReader
from casework.vocabulary.languages import LANGUAGES

TITLE_LIMIT = 120


def list_templates(language: str = "") -> list[ReplyTemplate]:
    """Every template by language and title, or one language's."""
    query = select(ReplyTemplate).order_by(ReplyTemplate.language, ReplyTemplate.title)
    if language:
        query = query.where(ReplyTemplate.language == language)
    return list(db.session.scalars(query))


def find_template(template_id: int) -> ReplyTemplate:
    template = db.session.get(ReplyTemplate, template_id)
    if template is None:
        raise NotFound(f"reply template {template_id}")
    return template


def template_for(template_id: int | None, language: str) -> ReplyTemplate | None:
    """The chosen template if it is written in `language` (the worker's), else None."""
    if template_id is None:
        return None
    template = db.session.get(ReplyTemplate, template_id)
    return template if template is not None and template.language == language else None


def save_template(
    actor: User, data: Mapping[str, Any], template_id: int | None = None
) -> ReplyTemplate:
    """Create or change a template (admins); raises `InvalidInput` with per-field messages."""
    template = find_template(template_id) if template_id else ReplyTemplate()
    r = FieldReader()
    language = r.text(data, "language", "language", 8)
    if language not in LANGUAGES:
        r.fail("language", _l("Please choose a language."))
    title = r.text(data, "title", "title", TITLE_LIMIT)
    if not title:
        r.fail("title", _l("Required."))
    body = r.text(data, "body", "body", MAX_MESSAGE)
    if not body:
        r.fail("body", _l("Required."))
    r.raise_if_any()
    template.language, template.title, template.body = language, title, body
    template.updated_by = actor.id
    db.session.add(template)
    db.session.flush()
    audit.record_audit(actor, audit.ADMIN_CHANGE, "reply_template", str(template.id), "save")
    db.session.commit()
    return template


def delete_template(actor: User, template_id: int) -> None:
    template = find_template(template_id)
    db.session.delete(template)
    audit.record_audit(actor, audit.ADMIN_CHANGE, "reply_template", str(template_id), "delete")
    db.session.commit()
