"""Configuration: working defaults, then environment variables, then `instance/config.py`.

Every environment variable the app reads is listed in `ENVIRONMENT` and in the README.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

ENVIRONMENT = {
    "CASEWORK_INSTANCE_PATH": "folder for all runtime state (default ./instance)",
    "DATABASE_URL": "SQLAlchemy URL (default SQLite in the instance folder, WAL mode)",
    "CASEWORK_SECRET_KEY": "session signing key (default: generated once into the instance folder)",
    "CASEWORK_MASTER_KEYS": "master key ring as id:base64,id:base64 (last is current); "
    "default: instance/keys/keyring.json",
    "CASEWORK_FOLLOWUP_PEPPER": "server pepper for follow-up secrets (default: instance/keys/pepper)",
    "CASEWORK_AUDIT_KEY": "HMAC key of the audit chain, 32+ characters (default: "
    "instance/keys/audit_key); never rotated with the master keys",
    "CASEWORK_AUDIT_ANCHORS": "append-only file the audit chain head is published to after "
    "every commit (default instance/audit-anchors.log)",
    "CASEWORK_EVIDENCE_STORE": "file:///path or a path relative to the instance folder (default "
    "evidence), or s3://bucket/prefix (endpoint, region and credentials from boto3's AWS_* "
    "variables)",
    "CASEWORK_EVIDENCE_CLEANUP_MINUTES": "age after which `evidence cleanup` removes abandoned "
    "uploads and orphan blobs (default 10; files of a dead writer go at once)",
    "CASEWORK_REQUIRE_2FA": "require TOTP for staff (default on, off in demo mode)",
    "CASEWORK_PUBLIC_AGENCY_CHECK": "1: the public licence check at /agency-check is on until "
    "an admin turns it off at /admin/agencies (default off: 404)",
    "CASEWORK_DEMO": "demo mode: demo data and relaxed cookie security for http://127.0.0.1",
    "CASEWORK_MAX_FILE_MB": "largest evidence file accepted (default 25)",
    "CASEWORK_MAX_COMPLAINT_MB": "largest complaint with all its files (default 100)",
    "CASEWORK_RATELIMIT_STORAGE": "Flask-Limiter storage URI (default memory://, counted per "
    "process; with several processes or nodes use redis://host:6379/0, shared; if it is "
    "unreachable, limited requests are refused with 503)",
    "CASEWORK_LOG_FORMAT": "'json': one JSON object per log line with a request id (make serve "
    "sets it); default plain text",
    "CASEWORK_INTAKE_CONCURRENCY": "complaints lodged at once per process; more wait for a "
    "free slot (default 3; raise it when the database or object store is far away)",
    "CASEWORK_INTAKE_QUEUE_SECONDS": "how long a complaint waits for a free slot before it is "
    "refused with 503, nothing kept (default 30)",
    "CASEWORK_PROXY_COUNT": "number of trusted reverse proxies setting X-Forwarded-For (default 0)",
    "CASEWORK_QUICK_EXIT_URL": "where the quick-exit button goes (default a weather search)",
    "CASEWORK_SECURE_COOKIES": "send cookies only over HTTPS (default on, off in demo mode)",
    "CASEWORK_LOG_LEVEL": "log level (default INFO)",
    "CASEWORK_STAFF_IDLE_MINUTES": "staff sessions end after this much inactivity (default 30)",
    "CASEWORK_STAFF_SESSION_MAX_HOURS": "staff sessions end this long after sign-in, however "
    "active (default 12)",
    "CASEWORK_DEADLINE_WARN_DAYS": "start warning this many days before a claim is time-barred (default 60)",
    "CASEWORK_SCHEDULER": "'inprocess' runs the job scheduler inside the web process (make run does)",
    "CASEWORK_MAIL_SERVER": "SMTP host for notification e-mails (default empty: mails wait in the outbox)",
    "CASEWORK_MAIL_PORT": "SMTP port (default 587, or 465 with CASEWORK_MAIL_USE_TLS)",
    "CASEWORK_MAIL_USERNAME": "SMTP login (default none)",
    "CASEWORK_MAIL_PASSWORD": "SMTP password (default none)",
    "CASEWORK_MAIL_USE_TLS": "connect with implicit TLS, SMTPS (default off)",
    "CASEWORK_MAIL_STARTTLS": "upgrade the connection with STARTTLS; refuses to send if the server "
    "cannot (default on unless CASEWORK_MAIL_USE_TLS)",
    "CASEWORK_MAIL_SENDER": "From address of notification e-mails (default casework@localhost)",
    "CASEWORK_MAIL_MAX_ATTEMPTS": "give up on an e-mail after this many failed attempts (default 12)",
    "CASEWORK_PUBLIC_URL": "the address staff use, for the sign-in link in e-mails "
    "(default http://127.0.0.1:5000)",
    "CASEWORK_FOLLOWUP_URL": "the follow-up address named in nudges to workers (default "
    "CASEWORK_PUBLIC_URL + /follow-up); keep it short: it goes into a text message",
    "CASEWORK_SMS_GATEWAY_URL": "HTTP SMS gateway for nudges: POST JSON {to, text} (default "
    "empty: texts wait)",
    "CASEWORK_SMS_GATEWAY_TOKEN": "bearer token sent to the SMS gateway (default none)",
    "CASEWORK_SMS_INBOUND_TOKEN": "bearer token the gateway sends with STOP replies to "
    "/sms/inbound (default empty: the webhook is off)",
    "CASEWORK_NUDGE_MAX_ATTEMPTS": "give up on a nudge after this many failed attempts (default 8)",
    "CASEWORK_RETENTION_DAYS": "purge closed and withdrawn cases this many days after closing "
    "(default 730)",
    "CASEWORK_KEY_ROTATION_DAYS": "start a new master-key epoch (re-wrap every case key) this "
    "many days after the last one, and after any purge (default 30)",
    "CASEWORK_BACKUP_RETENTION_DAYS": "how long database and key-ring backups are kept; master "
    "keys are destroyed this many days after their epoch ended (default 35)",
}


def _flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def instance_path_from_env() -> str:
    return str(Path(os.environ.get("CASEWORK_INSTANCE_PATH", "instance")).resolve())


def _persistent_secret(path: Path, nbytes: int) -> str:
    """Read a secret from `path`, creating it (mode 0600, in a 0700 folder) on first use, and
    tightening a file an older version or a copy left readable by others."""
    if path.exists():
        status = path.stat()
        if status.st_mode & 0o077 and status.st_uid == os.geteuid():
            path.chmod(0o600)
        return path.read_text(encoding="ascii").strip()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    value = secrets.token_urlsafe(nbytes)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(value)
    return value


def _engine_options(database_url: str) -> dict[str, Any]:
    options: dict[str, Any] = {"pool_pre_ping": True}
    if database_url.startswith("postgresql"):
        # Sessions in UTC: timestamps then come back in UTC already (psycopg gives them
        # datetime.UTC), not in the server's zone for each to be converted.
        options["connect_args"] = {"options": "-c TimeZone=UTC"}
    return options


def build_config(instance_path: str, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """The configuration for one app, before `instance/config.py` is applied."""
    overrides = overrides or {}
    folder = Path(instance_path)
    demo = bool(overrides.get("DEMO", _flag("CASEWORK_DEMO", False)))
    database_url = overrides.get("SQLALCHEMY_DATABASE_URI") or os.environ.get(
        "DATABASE_URL", f"sqlite:///{folder / 'casework.db'}"
    )
    secret_key = overrides.get("SECRET_KEY") or os.environ.get("CASEWORK_SECRET_KEY")
    if not secret_key:
        secret_key = _persistent_secret(folder / "secret_key", 48)
    max_file = int(os.environ.get("CASEWORK_MAX_FILE_MB", "25")) * 1024 * 1024
    max_complaint = int(os.environ.get("CASEWORK_MAX_COMPLAINT_MB", "100")) * 1024 * 1024
    secure_cookies = _flag("CASEWORK_SECURE_COOKIES", not demo)
    mail_tls = _flag("CASEWORK_MAIL_USE_TLS", False)
    config: dict[str, Any] = {
        "DEMO": demo,
        "SECRET_KEY": secret_key,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": _engine_options(database_url),
        "MASTER_KEYS": os.environ.get("CASEWORK_MASTER_KEYS", ""),
        "KEYS_PATH": str(folder / "keys"),
        "FOLLOWUP_PEPPER": os.environ.get("CASEWORK_FOLLOWUP_PEPPER", ""),
        "AUDIT_KEY": os.environ.get("CASEWORK_AUDIT_KEY", ""),
        "AUDIT_ANCHOR_PATH": os.environ.get(
            "CASEWORK_AUDIT_ANCHORS", str(folder / "audit-anchors.log")
        ),
        "EVIDENCE_STORE": os.environ.get("CASEWORK_EVIDENCE_STORE", "evidence"),
        "EVIDENCE_CLEANUP_MINUTES": int(os.environ.get("CASEWORK_EVIDENCE_CLEANUP_MINUTES", "10")),
        "EVIDENCE_CHUNK_SIZE": 256 * 1024,
        "MAX_FILE_BYTES": max_file,
        "MAX_COMPLAINT_BYTES": max_complaint,
        # Werkzeug refuses bodies above this before reading them; a little room for form fields.
        "MAX_CONTENT_LENGTH": max_complaint + 1024 * 1024,
        "REQUIRE_2FA": _flag("CASEWORK_REQUIRE_2FA", not demo),
        # The public licence check (registry facts only); off unless a deployment turns it on.
        "PUBLIC_AGENCY_CHECK": _flag("CASEWORK_PUBLIC_AGENCY_CHECK", False),
        # Storage options and the 503 when it is unreachable: casework/limiter_storage.py.
        "RATELIMIT_STORAGE_URI": os.environ.get("CASEWORK_RATELIMIT_STORAGE", "memory://"),
        "RATELIMIT_KEY_PREFIX": "casework",
        "RATELIMIT_HEADERS_ENABLED": True,
        # Lodging is CPU-bound: a few at a time per process (services/intake/admission.py).
        "INTAKE_CONCURRENCY": int(os.environ.get("CASEWORK_INTAKE_CONCURRENCY", "3")),
        "INTAKE_QUEUE_SECONDS": float(os.environ.get("CASEWORK_INTAKE_QUEUE_SECONDS", "30")),
        "PROXY_COUNT": int(os.environ.get("CASEWORK_PROXY_COUNT", "0")),
        "QUICK_EXIT_URL": os.environ.get(
            "CASEWORK_QUICK_EXIT_URL", "https://www.google.com/search?q=weather"
        ),
        "SESSION_COOKIE_SECURE": secure_cookies,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_NAME": "cw_session",
        "LANGUAGE_COOKIE_SECURE": secure_cookies,
        "WTF_CSRF_TIME_LIMIT": 4 * 3600,  # workers on slow phones take their time
        "BABEL_DEFAULT_LOCALE": "en",
        "BABEL_TRANSLATION_DIRECTORIES": "translations",
        # The follow-up page's session (a cookie token, ended by the quick exit): short, as
        # the phone may be shared.
        "FOLLOWUP_SESSION_IDLE_SECONDS": 15 * 60,
        "FOLLOWUP_SESSION_MAX_SECONDS": 60 * 60,
        # Legal deadlines: warn, escalate and propose a referral this many days before a claim
        # is time-barred.
        "DEADLINE_WARN_DAYS": int(os.environ.get("CASEWORK_DEADLINE_WARN_DAYS", "60")),
        "DEADLINE_ESCALATE_DAYS": 30,
        "DEADLINE_REFER_DAYS": 21,
        "SCHEDULER": os.environ.get("CASEWORK_SCHEDULER", ""),  # "inprocess" in make run
        "SCHEDULER_LEASE_SECONDS": 90,
        # Notification e-mails (services/mailer.py): content-free texts sent from the outbox.
        "MAIL_SERVER": os.environ.get("CASEWORK_MAIL_SERVER", ""),
        "MAIL_PORT": int(os.environ.get("CASEWORK_MAIL_PORT", "465" if mail_tls else "587")),
        "MAIL_USERNAME": os.environ.get("CASEWORK_MAIL_USERNAME", ""),
        "MAIL_PASSWORD": os.environ.get("CASEWORK_MAIL_PASSWORD", ""),
        "MAIL_USE_TLS": mail_tls,
        "MAIL_STARTTLS": _flag("CASEWORK_MAIL_STARTTLS", not mail_tls),
        "MAIL_SENDER": os.environ.get("CASEWORK_MAIL_SENDER", "casework@localhost"),
        "MAIL_TIMEOUT_SECONDS": 20,
        "MAIL_MAX_ATTEMPTS": int(os.environ.get("CASEWORK_MAIL_MAX_ATTEMPTS", "12")),
        "PUBLIC_URL": os.environ.get("CASEWORK_PUBLIC_URL", "http://127.0.0.1:5000").rstrip("/"),
        # Nudges to workers (services/notifications/nudges.py): content-free texts.
        "NUDGE_LINK": os.environ.get("CASEWORK_FOLLOWUP_URL")
        or os.environ.get("CASEWORK_PUBLIC_URL", "http://127.0.0.1:5000").rstrip("/")
        + "/follow-up",
        "SMS_GATEWAY_URL": os.environ.get("CASEWORK_SMS_GATEWAY_URL", ""),
        "SMS_GATEWAY_TOKEN": os.environ.get("CASEWORK_SMS_GATEWAY_TOKEN", ""),
        "SMS_GATEWAY_TIMEOUT_SECONDS": 15,
        "SMS_INBOUND_TOKEN": os.environ.get("CASEWORK_SMS_INBOUND_TOKEN", ""),
        "NUDGE_MAX_ATTEMPTS": int(os.environ.get("CASEWORK_NUDGE_MAX_ATTEMPTS", "8")),
        "RETENTION_DAYS": int(os.environ.get("CASEWORK_RETENTION_DAYS", "730")),
        "KEY_ROTATION_DAYS": int(os.environ.get("CASEWORK_KEY_ROTATION_DAYS", "30")),
        "BACKUP_RETENTION_DAYS": int(os.environ.get("CASEWORK_BACKUP_RETENTION_DAYS", "35")),
        "STAFF_IDLE_TIMEOUT_SECONDS": int(os.environ.get("CASEWORK_STAFF_IDLE_MINUTES", "30")) * 60,
        # Enforced on the server-side session record (services/directory/sessions.py); the
        # cookie lifetime only follows it.
        "STAFF_SESSION_MAX_SECONDS": int(os.environ.get("CASEWORK_STAFF_SESSION_MAX_HOURS", "12"))
        * 3600,
        "PERMANENT_SESSION_LIFETIME": int(os.environ.get("CASEWORK_STAFF_SESSION_MAX_HOURS", "12"))
        * 3600,
        "LOG_LEVEL": os.environ.get("CASEWORK_LOG_LEVEL", "INFO"),
        "LOG_FORMAT": os.environ.get("CASEWORK_LOG_FORMAT", "text"),
        # argon2id cost for follow-up secrets; see services/followup_secret.py for the reasoning.
        "SECRET_HASH_TIME_COST": 2,
        "SECRET_HASH_MEMORY_KIB": 19 * 1024,
        "SECRET_HASH_PARALLELISM": 1,
        # argon2id cost for staff passwords: None keeps the library's recommended parameters.
        "PASSWORD_HASH_TIME_COST": None,
        "PASSWORD_HASH_MEMORY_KIB": None,
    }
    config.update(overrides)
    return config
