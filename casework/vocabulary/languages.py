"""The languages a worker can use, and how each is written."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Language:
    code: str  # what we store and what the API takes
    native_name: str  # shown in the language chooser, always in its own script
    babel_locale: str  # CLDR locale for country and currency names
    rtl: bool = False


LANGUAGES = {
    lang.code: lang
    for lang in (
        Language("en", "English", "en"),
        Language("ne", "नेपाली", "ne"),
        Language("tl", "Tagalog", "fil"),
        Language("id", "Bahasa Indonesia", "id"),
        Language("ur", "اردو", "ur", rtl=True),
        Language("bn", "বাংলা", "bn"),
        Language("si", "සිංහල", "si"),
        Language("am", "አማርኛ", "am"),
        Language("ar", "العربية", "ar", rtl=True),
    )
}
DEFAULT_LANGUAGE = "en"
# Staff pages are offered in these (each staff member chooses; see i18n.current_language).
STAFF_LANGUAGES = tuple(code for code in ("en", "ne", "id", "tl", "ar", "bn") if code in LANGUAGES)
