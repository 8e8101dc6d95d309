"""Real headless Chromium against the real app served over HTTP on 127.0.0.1.

The app is built as in the rest of the suite (tests.conftest.make_app) but with CSRF on, on its
own database (a fresh SQLite file, or DATABASE_URL's PostgreSQL), and served by Werkzeug in a
daemon thread. One browser per session; every test gets fresh contexts (no shared cookies or
cache). Strings the worker sees are read from the compiled catalogues at test time, so the tests
follow the translators' work instead of hard-coding it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from babel.support import NullTranslations, Translations
from flask import Flask

from casework.extensions import db
from casework.vocabulary.languages import LANGUAGES
from tests.conftest import make_app, reset_schema

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_MISSING = (
    f"browser tests need Debian's Chromium at {CHROMIUM} (apt-get install chromium); "
    "Playwright's own browser downloads are not used"
)
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 800}
TRANSLATIONS = Path(__file__).resolve().parents[2] / "casework" / "translations"
NAVIGATION_TIMEOUT_MS = 15_000


class _LateApp:
    """A WSGI app bound before the Flask app exists: the server's port goes into the config."""

    app: Flask | None = None

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        assert self.app is not None
        return self.app(environ, start_response)


@dataclass(frozen=True)
class LiveServer:
    app: Flask
    base: str
    quick_exit_url: str

    def url(self, path: str) -> str:
        return self.base + path


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip(CHROMIUM_MISSING)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def live_server_config() -> dict[str, Any]:
    """Config overrides for the live server's app; override this fixture in a test module."""
    return {}


@contextmanager
def serving(folder: Path, config: dict[str, Any]) -> Iterator[LiveServer]:
    """The app on a fresh database in `folder`, with `config` over the test defaults, served on
    127.0.0.1 until the block ends."""
    from werkzeug.serving import make_server

    late = _LateApp()
    server = make_server("127.0.0.1", 0, late, threaded=True)
    base = f"http://127.0.0.1:{server.server_port}"
    # Quick exit must leave the page, but the test must not leave 127.0.0.1.
    quick_exit_url = f"{base}/static/casework.css"
    app = make_app(folder, **{"QUICK_EXIT_URL": quick_exit_url, **config})
    reset_schema(app)
    late.app = app
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="live-server", daemon=True
    )
    thread.start()
    try:
        yield LiveServer(app=app, base=base, quick_exit_url=quick_exit_url)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def live_server(tmp_path: Path, live_server_config: dict[str, Any]) -> Iterator[LiveServer]:
    with serving(tmp_path, live_server_config) as server:
        yield server


@pytest.fixture(scope="module")
def module_live_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    """One server for all the tests of a module, which share its database (so each test uses
    data of its own), configured by the module's LIVE_SERVER_CONFIG dict."""
    config = getattr(request.module, "LIVE_SERVER_CONFIG", {})
    with serving(tmp_path_factory.mktemp("live"), config) as server:
        yield server


@pytest.fixture(autouse=True)
def _empty_postgres_database() -> None:
    """Replaces tests/conftest.py's: every server above starts from its own fresh database
    (reset_schema), and emptying PostgreSQL before each test would pull it from under a
    module's shared server."""


@pytest.fixture
def new_context(browser: Any) -> Iterator[Callable[..., Any]]:
    """`new_context(java_script_enabled=False, ...)`: a fresh phone-sized context, closed after."""
    contexts: list[Any] = []

    def _new(**options: Any) -> Any:
        context = browser.new_context(**{"viewport": PHONE, "locale": "en-US", **options})
        context.set_default_timeout(NAVIGATION_TIMEOUT_MS)
        contexts.append(context)
        return context

    yield _new
    for context in contexts:
        context.close()


@pytest.fixture
def phone(new_context: Callable[..., Any]) -> Any:
    """A page in a fresh phone-sized context with JavaScript on."""
    return new_context().new_page()


@pytest.fixture
def desktop(new_context: Callable[..., Any]) -> Any:
    """A page in a fresh desktop-sized context with JavaScript on (how staff work)."""
    return new_context(viewport=DESKTOP).new_page()


def catalogue(code: str) -> NullTranslations:
    """The compiled catalogue the app uses for language `code` (English: no catalogue)."""
    return Translations.load(str(TRANSLATIONS), [LANGUAGES[code].babel_locale], "messages")


def translator(code: str) -> Callable[..., str]:
    """`t(msgid, **variables)` in language `code`, formatted like flask_babel.gettext."""
    translations = catalogue(code)

    def t(msgid: str, **variables: Any) -> str:
        text = translations.gettext(msgid)
        return text % variables if variables else text

    return t
