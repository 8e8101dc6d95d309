"""casework: complaint case management for migrant workers abused during recruitment."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from casework.config import build_config, instance_path_from_env

PACKAGE_ROOT = Path(__file__).resolve().parent
MIGRATIONS_PATH = PACKAGE_ROOT.parent / "migrations"


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the app: configuration, extensions, model listeners, keys and storage, blueprints,
    errors, CLI."""
    overrides = dict(config or {})
    instance_path = str(Path(overrides.pop("INSTANCE_PATH", instance_path_from_env())).resolve())
    private_instance_folder(Path(instance_path))
    app = Flask(__name__, instance_path=instance_path, instance_relative_config=True)
    app.config.update(build_config(instance_path, overrides))
    app.config.from_pyfile("config.py", silent=True)
    app.config.update(overrides)
    register_delivery(app)  # first: its after_request (compression) must run last
    configure_logging(app)
    register_request_handling(app)
    register_extensions(app)
    register_model_listeners(app)
    register_security(app)
    register_audit_anchors(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_commands(app)
    start_inprocess_scheduler(app)
    return app


def private_instance_folder(folder: Path) -> None:
    """Everything this process creates is for its own user only (umask 077): the database and
    its -wal/-shm files, keys, evidence, and any folder on the way. The instance folder itself
    is made 0700, and tightened if a checkout or an older version left it open to others."""
    os.umask(0o077)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    status = folder.stat()
    if status.st_mode & 0o077 and status.st_uid == os.geteuid():
        folder.chmod(0o700)


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


def register_delivery(app: Flask) -> None:
    """Static files under content-hashed names with a year's immutable caching, and
    compression of pages, styles, scripts and JSON (see compression.py for what never is)."""
    from casework.compression import register_compression
    from casework.static_assets import register_static_assets

    register_static_assets(app)
    register_compression(app)


def configure_logging(app: Flask) -> None:
    level = getattr(logging, str(app.config["LOG_LEVEL"]).upper(), logging.INFO)
    logging.getLogger("casework").setLevel(level)
    from casework.json_logging import register_request_logging

    register_request_logging(app)  # request ids; JSON lines with CASEWORK_LOG_FORMAT=json
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
    from casework.limiter_storage import configure_limiter_storage
    from casework.sqlite import configure_sqlite

    db.init_app(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS_PATH))
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    configure_limiter_storage(app)
    limiter.init_app(app)
    with app.app_context():
        configure_sqlite(db.engine)


def register_model_listeners(app: Flask) -> None:
    """SQLAlchemy session listeners that keep derived tables current in the same transaction:
    the report facts, rewritten after every flush that changes what a report shows. Listeners
    are global to the process (every app's sessions), so each is installed once, however
    many apps are created (tests create one per test)."""
    from casework.services.reports.fact_listeners import install as keep_report_facts

    keep_report_facts()


def register_security(app: Flask) -> None:
    """Key ring, pepper and evidence store; none of them lives in the database."""
    from casework.extensions import db
    from casework.headers import add_security_headers
    from casework.services.audit.key import load_audit_key
    from casework.services.keys.loading import open_key_ring, open_pepper
    from casework.storage import open_store

    # Checked against the database: a missing or wrong ring (or pepper) stops the app here,
    # naming the missing key ids, instead of a new one being created over existing data.
    with app.app_context():
        app.extensions["casework.keyring"] = open_key_ring(app.config, db.engine)
        app.extensions["casework.pepper"] = open_pepper(app.config, db.engine)
    # The audit chain's HMAC key: not in the key ring, so master-key rotation never touches it.
    app.extensions["casework.audit_key"] = load_audit_key(app)
    app.extensions["casework.evidence_store"] = open_store(
        app.config["EVIDENCE_STORE"], app.instance_path
    )
    app.after_request(add_security_headers)


def register_audit_anchors(app: Flask) -> None:
    """Publish the audit chain's head (position and MAC) outside the database after every
    commit that adds audit events: to the anchor file and the `casework.audit.anchor` log.
    A session listener, global to the process and installed once."""
    from casework.services.audit.anchors import install as publish_audit_heads

    publish_audit_heads()


def register_blueprints(app: Flask) -> None:
    from casework.blueprints.admin import bp as admin_bp
    from casework.blueprints.agencies import bp as agencies_bp
    from casework.blueprints.api import bp as api_bp
    from casework.blueprints.approvals import bp as approvals_bp
    from casework.blueprints.auth import bp as auth_bp
    from casework.blueprints.cases import bp as cases_bp
    from casework.blueprints.groups import bp as groups_bp
    from casework.blueprints.health import bp as health_bp
    from casework.blueprints.intake import bp as intake_bp
    from casework.blueprints.notifications import bp as notifications_bp
    from casework.blueprints.nudges import bp as nudges_bp
    from casework.blueprints.nudges import staff_bp as nudge_failures_bp
    from casework.blueprints.reports import bp as reports_bp
    from casework.extensions import csrf
    from casework.staff_session import init_staff_sessions

    init_staff_sessions(app)
    for blueprint in (
        intake_bp,
        api_bp,
        auth_bp,
        cases_bp,
        groups_bp,
        admin_bp,
        agencies_bp,
        approvals_bp,
        notifications_bp,
        reports_bp,
        health_bp,
        nudges_bp,
        nudge_failures_bp,
    ):
        app.register_blueprint(blueprint)
    csrf.exempt(api_bp)  # JSON clients authenticate each call; no cookies are involved
    csrf.exempt("casework.blueprints.nudges.views.sms_inbound")  # the gateway's shared token
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
