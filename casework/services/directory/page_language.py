"""A staff member's choice of language for their own pages."""

from __future__ import annotations

from casework.extensions import db
from casework.models import User
from casework.vocabulary.languages import STAFF_LANGUAGES


def set_page_language(user: User, code: str) -> bool:
    """Show this person's staff pages in `code` from now on; False (nothing changed) unless
    it is one of STAFF_LANGUAGES. Commits."""
    if code not in STAFF_LANGUAGES:
        return False
    user.page_language = code
    db.session.commit()
    return True
