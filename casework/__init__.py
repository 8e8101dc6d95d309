"""casework: complaint case management for migrant workers abused during recruitment."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from casework.config import _persistent_secret, build_config, instance_path_from_env

PACKAGE_ROOT = Path(__file__).resolve().parent
MIGRATIONS_PATH = PACKAGE_ROOT.parent / "migrations"


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the app: configuration, extensions, keys and storage, blueprints, errors, CLI."""
    overrides = dict(config or {})
    instance_path = str(Path(overrides.pop("INSTANCE_PATH", instance_path_from_env())).resolve())
    Path(instance_path).mkdir(parents=True, exist_ok=True, mode=0o700)
    app = Flask(__name__, instance_path=instance_path, instance_relative_config=True)
    app.config.update(build_config(instance_path, overrides))
    app.config.from_pyfile("config.py", silent=True)
    app.config.update(overrides)
    configure_logging(app)
    register_request_handling(app)
    register_extensions(app)
    register_security(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_commands(app)
    start_inprocess_scheduler(app)
    return app


def start_inprocess_scheduler(app: Flask) -> None:
    """`make run` runs the scheduler inside the web process; production runs
    `flask --app casework scheduler` once (a database lease keeps a single leader anyway)."""
    if app.config["SCHEDULER"] != "inprocess" or app.testing:
        return
    from apscheduler.schedulers.background import BackgroundScheduler

    from casework.jobs import register_jobs

    scheduler = BackgroundScheduler(timezone="UTC", daemon=True)
    register_jobs(scheduler, app)
    scheduler.start()
    app.extensions["casework.scheduler"] = scheduler


def configure_logging(app: Flask) -> None:
    level = getattr(logging, str(app.config["LOG_LEVEL"]).upper(), logging.INFO)
    logging.getLogger("casework").setLevel(level)
    if not logging.getLogger().handlers:
        logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s")


def register_request_handling(app: Flask) -> None:
    from casework.upload_request import EncryptingRequest, discard_uncommitted_spools

    app.request_class = EncryptingRequest
    app.teardown_request(discard_uncommitted_spools)
    if app.config["PROXY_COUNT"]:
        count = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count)  # type: ignore[method-assign]


def register_extensions(app: Flask) -> None:
    from casework.extensions import babel, csrf, db, limiter, migrate
    from casework.i18n import select_locale
    from casework.sqlite import configure_sqlite

    db.init_app(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS_PATH))
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    limiter.init_app(app)
    with app.app_context():
        configure_sqlite(db.engine)
    from casework.services.reports.facts import install as keep_report_facts

    keep_report_facts()


def register_security(app: Flask) -> None:
    """Key ring, pepper and evidence store; none of them lives in the database."""
    from casework.crypto import KeyRing
    from casework.headers import add_security_headers
    from casework.storage import open_store

    keys_path = Path(app.config["KEYS_PATH"])
    if app.config["MASTER_KEYS"]:
        ring = KeyRing.from_env_value(app.config["MASTER_KEYS"])
    else:
        ring = KeyRing.load_or_create(keys_path)
    pepper = app.config["FOLLOWUP_PEPPER"] or _persistent_secret(keys_path / "pepper", 32)
    app.extensions["casework.keyring"] = ring
    app.extensions["casework.pepper"] = pepper.encode("utf-8")
    app.extensions["casework.evidence_store"] = open_store(
        app.config["EVIDENCE_STORE"], app.instance_path
    )
    app.after_request(add_security_headers)


def register_blueprints(app: Flask) -> None:
    from casework.blueprints.admin import bp as admin_bp
    from casework.blueprints.api import bp as api_bp
    from casework.blueprints.auth import bp as auth_bp
    from casework.blueprints.cases import bp as cases_bp
    from casework.blueprints.intake import bp as intake_bp
    from casework.blueprints.notifications import bp as notifications_bp
    from casework.blueprints.reports import bp as reports_bp
    from casework.extensions import csrf
    from casework.staff_session import init_staff_sessions

    init_staff_sessions(app)
    for blueprint in (intake_bp, api_bp, auth_bp, cases_bp, admin_bp, notifications_bp, reports_bp):
        app.register_blueprint(blueprint)
    csrf.exempt(api_bp)  # JSON clients authenticate each call; no cookies are involved
    from casework.i18n import country_name, format_datetime_local, template_context

    app.context_processor(template_context)
    app.add_template_filter(format_datetime_local)
    app.add_template_filter(country_name)
    from casework.vocabulary.labels import label

    app.add_template_filter(label)


def register_errorhandlers(app: Flask) -> None:
    from casework.error_pages import register_error_pages

    register_error_pages(app)


def register_commands(app: Flask) -> None:
    from casework.cli import register_cli

    register_cli(app)


__all__ = ["create_app"]
