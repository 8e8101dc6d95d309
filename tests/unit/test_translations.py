"""Every worker can use the service in their own language.

The catalogues must cover every string the code and templates mark for translation, with the
same placeholders, and a worker who chose a language must get the whole complaint form in it
(text direction and country names included). When a test here fails after you added or changed
a string: run `make messages`, translate the new entries in each catalogue, `make translations`.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path
from typing import Any

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask
from flask.testing import FlaskClient
from flask_babel import get_domain
from markupsafe import escape

import casework
from casework.i18n import LANGUAGE_COOKIE
from casework.vocabulary.languages import DEFAULT_LANGUAGE, LANGUAGES

PROJECT = Path(casework.__file__).resolve().parent.parent
TRANSLATIONS = PROJECT / "casework" / "translations"
TEMPLATE = TRANSLATIONS / "messages.pot"

# Worker language code -> catalogue folder (the Babel locale: Tagalog's is `fil`).
CATALOGUES = {
    code: lang.babel_locale for code, lang in LANGUAGES.items() if code != DEFAULT_LANGUAGE
}
NAMES = {
    "ne": "nepali",
    "tl": "tagalog",
    "id": "indonesian",
    "ur": "urdu",
    "bn": "bengali",
    "si": "sinhala",
    "am": "amharic",
    "ar": "arabic",
}
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")
# Names of apps and services stay as they are in every language; a few words are borrowed as is.
SAME_EVERYWHERE = {"WhatsApp", "IMO", "Viber", "Signal", "SMS", "Email"}
BORROWED = {"tl": {"Password", "File", "Caseworker", "NGO"}}
DEVANAGARI = re.compile(r"[\u0900-\u097f]")
ARABIC_SCRIPT = re.compile(r"[\u0600-\u06ff]")
# Arabic letters that Urdu writes differently (ي ك ه ى -> ی ک ہ ی).
NOT_URDU = re.compile(r"[\u064a\u0643\u0647\u0649]")


def _read_catalogue(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as f:
        return read_po(f, locale=locale)


def _po_path(locale: str) -> Path:
    return TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po"


def _template_ids() -> set[str]:
    """Every msgid of the template; a plural entry by its singular form."""
    return {m.id if isinstance(m.id, str) else m.id[0] for m in _read_catalogue(TEMPLATE) if m.id}


def _filled(string: object) -> bool:
    forms = string if isinstance(string, tuple | list) else (string,)
    return bool(forms) and all(form and str(form).strip() for form in forms)


def _catalogue(code: str) -> Catalog:
    return _read_catalogue(_po_path(CATALOGUES[code]), CATALOGUES[code])


def _translate(code: str, msgid: str) -> str:
    message = _catalogue(code).get(msgid)
    assert message is not None and message.string, f"{msgid!r} has no {code} translation"
    return str(message.string)


by_language = pytest.mark.parametrize("code", sorted(CATALOGUES), ids=lambda c: NAMES.get(c, c))


# --- The catalogues are complete -------------------------------------------------------------


def test_every_string_in_the_code_is_in_the_message_template() -> None:
    with (PROJECT / "babel.cfg").open() as f:
        method_map, options_map = parse_mapping_cfg(f, "babel.cfg")
    keywords = {**DEFAULT_KEYWORDS, "_l": None}
    in_code = {
        message if isinstance(message, str) else message[0]
        for _file, _line, message, _comments, _context in extract_from_dir(
            str(PROJECT), method_map, options_map, keywords=keywords
        )
    }
    in_template = _template_ids()
    new, gone = sorted(in_code - in_template), sorted(in_template - in_code)
    assert not new, f"run `make messages` and translate the new strings: {new}"
    assert not gone, f"run `make messages` to drop strings no longer used: {gone}"


def test_every_worker_language_has_a_catalogue() -> None:
    folders = {p.parent.parent.name for p in TRANSLATIONS.glob("*/LC_MESSAGES/messages.po")}
    assert folders == set(CATALOGUES.values())


@by_language
def test_every_message_is_translated(code: str) -> None:
    catalogue = _catalogue(code)
    assert not catalogue.fuzzy, "the catalogue header is marked fuzzy: pybabel would skip it"
    problems = []
    for msgid in sorted(_template_ids()):
        message = catalogue.get(msgid)
        if message is None:
            problems.append(f"missing: {msgid!r}")
        elif not _filled(message.string):
            problems.append(f"empty: {msgid!r}")
        elif message.fuzzy:
            problems.append(f"fuzzy: {msgid!r}")
    assert not problems, "\n".join(problems)


def _lost_any(message: Any) -> bool:
    """A singular message must keep exactly its placeholders. A plural one has as many forms
    as the language has (six in Arabic, one in Indonesian): each form may use only the
    English plural's placeholders, and together they must use them all (the form for "one"
    may say "one" instead of the number, as the English singular does)."""
    if isinstance(message.id, str):
        return sorted(PLACEHOLDER.findall(message.id)) != sorted(
            PLACEHOLDER.findall(str(message.string))
        )
    english = set(PLACEHOLDER.findall(message.id[-1]))
    forms = [set(PLACEHOLDER.findall(form)) for form in message.string]
    return any(not form <= english for form in forms) or set().union(*forms) != english


@by_language
def test_translations_keep_every_placeholder(code: str) -> None:
    catalogue = _catalogue(code)
    problems = [
        f"{m.id!r} -> {m.string!r}" for m in catalogue if m.id and m.string and _lost_any(m)
    ]
    problems += [f"{m.id!r}: {errors}" for m, errors in catalogue.check()]
    assert not problems, "\n".join(problems)


@by_language
def test_no_message_is_left_in_english(code: str) -> None:
    catalogue = _catalogue(code)
    allowed = SAME_EVERYWHERE | BORROWED.get(code, set())
    left = [m.id for m in catalogue if m.id and m.string == m.id and m.id not in allowed]
    assert not left, left


def test_nepali_is_written_in_devanagari() -> None:
    catalogue = _catalogue("ne")
    latin_only = [
        m.id for m in catalogue if m.id and m.string and not DEVANAGARI.search(str(m.string))
    ]
    assert set(latin_only) <= SAME_EVERYWHERE, latin_only


def test_urdu_is_written_in_urdu_script() -> None:
    catalogue = _catalogue("ur")
    for message in catalogue:
        if not message.id or message.id in SAME_EVERYWHERE:
            continue
        text = str(message.string)
        assert ARABIC_SCRIPT.search(text), message.id
        assert not DEVANAGARI.search(text), f"Hindi script in {message.id!r}"
        assert not NOT_URDU.search(text), f"Arabic rather than Urdu letters in {message.id!r}"


# Each language in its own script: every message carries at least one letter of it.
SCRIPTS = {
    "bn": re.compile(r"[\u0980-\u09ff]"),
    "si": re.compile(r"[\u0d80-\u0dff]"),
    "am": re.compile(r"[\u1200-\u137f]"),
    "ar": ARABIC_SCRIPT,
}
# Letters of Urdu and Persian that Arabic does not use (ی ک ہ ۃ ں ے).
NOT_ARABIC = re.compile(r"[\u06cc\u06a9\u06c1\u06c3\u06ba\u06d2]")


@pytest.mark.parametrize("code", sorted(SCRIPTS), ids=lambda c: NAMES[c])
def test_each_new_language_is_written_in_its_script(code: str) -> None:
    if code not in CATALOGUES:
        pytest.skip(f"{code} is not offered yet")
    script = SCRIPTS[code]
    outside = [
        m.id
        for m in _catalogue(code)
        if m.id and m.id not in SAME_EVERYWHERE and not script.search(str(m.string))
    ]
    assert not outside, outside


def test_arabic_is_written_with_arabic_letters() -> None:
    if "ar" not in CATALOGUES:
        pytest.skip("Arabic is not offered yet")
    urdu = [m.id for m in _catalogue("ar") if m.id and NOT_ARABIC.search(str(m.string))]
    assert not urdu, urdu


# --- The worker sees the form in their language -----------------------------------------------


@pytest.fixture
def compiled(app: Flask) -> None:
    """The .mo files the app reads, rebuilt when older than their .po (as `make translations`)."""
    rebuilt = False
    for locale in CATALOGUES.values():
        po, mo = _po_path(locale), _po_path(locale).with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        catalogue = _read_catalogue(po, locale)
        fd, tmp = tempfile.mkstemp(dir=mo.parent, suffix=".mo.tmp")
        with os.fdopen(fd, "wb") as f:
            write_mo(f, catalogue)
        os.replace(tmp, mo)
        rebuilt = True
    if rebuilt:
        get_domain().cache.clear()  # a catalogue read before the rebuild must not linger


def _complaint_form(client: FlaskClient, code: str) -> str:
    client.set_cookie(LANGUAGE_COOKIE, code)
    response = client.get("/complaint")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _assert_form_in(code: str, html: str, countries: dict[str, str]) -> None:
    direction = "rtl" if LANGUAGES[code].rtl else "ltr"
    assert f'<html lang="{code}" dir="{direction}">' in html
    for english in (
        "Make a complaint",
        "Which country are you from?",
        "Has someone taken your passport or ID and not given it back?",
        "Agent, broker or agency fee (for the job or the visa)",
        "Send my complaint",
    ):
        assert str(escape(_translate(code, english))) in html, english
        assert str(escape(english)) not in html, f"{english!r} is still in English"
    assert f"<h1>{escape(_translate(code, 'Make a complaint'))}</h1>" in html
    for english, translated in countries.items():
        assert f">{translated}</option>" in html, translated
        if english != translated:
            assert f">{english}</option>" not in html, english


def test_worker_sees_complaint_form_in_nepali(client: FlaskClient, compiled: None) -> None:
    html = _complaint_form(client, "ne")
    _assert_form_in("ne", html, {"Nepal": "नेपाल", "Qatar": "कतार", "Saudi Arabia": "साउदी अरब"})


def test_worker_sees_complaint_form_in_tagalog(client: FlaskClient, compiled: None) -> None:
    html = _complaint_form(client, "tl")
    _assert_form_in("tl", html, {"Philippines": "Pilipinas", "Nepal": "Nepal"})


def test_worker_sees_complaint_form_in_indonesian(client: FlaskClient, compiled: None) -> None:
    html = _complaint_form(client, "id")
    _assert_form_in(
        "id", html, {"Philippines": "Filipina", "Saudi Arabia": "Arab Saudi", "Jordan": "Yordania"}
    )


def test_worker_sees_complaint_form_in_urdu_right_to_left(
    client: FlaskClient, compiled: None
) -> None:
    html = _complaint_form(client, "ur")
    _assert_form_in(
        "ur", html, {"Nepal": "نیپال", "Pakistan": "پاکستان", "Saudi Arabia": "سعودی عرب"}
    )


@by_language
def test_worker_is_told_what_to_fix_in_their_language(
    client: FlaskClient, compiled: None, code: str
) -> None:
    client.set_cookie(LANGUAGE_COOKIE, code)
    response = client.post("/complaint", data={"language": code})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    for english in (
        "Please choose a country.",
        "Please check the answers marked below. Everything you wrote is still here.",
    ):
        assert str(escape(_translate(code, english))) in html, english
        assert english not in html
