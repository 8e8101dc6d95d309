"""Sending e-mail over SMTP (smtplib): implicit TLS or STARTTLS, a login, timeouts.

Mail texts never carry case content, but addresses are still personal data: nothing here logs a
recipient's address or a message body, and errors are reduced to a short description without
them (SMTP servers like to echo the address back in their replies).
"""

from __future__ import annotations

import re
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from types import TracebackType
from typing import Any

from flask import current_app


class MailNotConfigured(Exception):
    """No SMTP server is set (CASEWORK_MAIL_SERVER): mails wait in the outbox."""


class MailFailed(Exception):
    """Sending failed; `str()` is a short description fit for the outbox (no addresses)."""


@dataclass(frozen=True)
class MailSettings:
    server: str
    port: int
    username: str
    password: str
    use_tls: bool
    starttls: bool
    sender: str
    timeout: float

    @classmethod
    def from_config(cls, config: Any = None) -> MailSettings:
        config = config if config is not None else current_app.config
        return cls(
            server=config["MAIL_SERVER"],
            port=int(config["MAIL_PORT"]),
            username=config["MAIL_USERNAME"],
            password=config["MAIL_PASSWORD"],
            use_tls=bool(config["MAIL_USE_TLS"]),
            starttls=bool(config["MAIL_STARTTLS"]),
            sender=config["MAIL_SENDER"],
            timeout=float(config["MAIL_TIMEOUT_SECONDS"]),
        )

    @property
    def configured(self) -> bool:
        return bool(self.server)


_ADDRESS = re.compile(r"<?[^\s<>@]+@[^\s<>@]+>?")


def describe_error(error: BaseException) -> str:
    """A short, address-free description of a sending error, for `OutboxMessage.last_error`."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = sorted({code for code, _ in error.recipients.values()})
        text = f"recipient refused ({', '.join(str(c) for c in codes)})"
    elif isinstance(error, smtplib.SMTPResponseException):
        reply = error.smtp_error
        reply_text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
        text = f"{type(error).__name__} {error.smtp_code}: {reply_text}"
    else:
        text = f"{type(error).__name__}: {error}"
    return _ADDRESS.sub("<address>", " ".join(text.split()))[:300]


class SmtpConnection:
    """One SMTP session for a batch of messages: `with SmtpConnection(settings) as smtp: ...`."""

    def __init__(self, settings: MailSettings):
        if not settings.configured:
            raise MailNotConfigured
        self.settings = settings
        self._smtp: smtplib.SMTP | None = None

    def __enter__(self) -> SmtpConnection:
        settings = self.settings
        context = ssl.create_default_context()
        try:
            if settings.use_tls:
                smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                    settings.server, settings.port, timeout=settings.timeout, context=context
                )
            else:
                smtp = smtplib.SMTP(settings.server, settings.port, timeout=settings.timeout)
            try:
                if settings.starttls and not settings.use_tls:
                    # Refuses (SMTPNotSupportedError) rather than sending in the clear.
                    smtp.starttls(context=context)
                if settings.username:
                    smtp.login(settings.username, settings.password)
            except BaseException:
                smtp.close()
                raise
        except (smtplib.SMTPException, OSError) as exc:
            raise MailFailed(describe_error(exc)) from exc
        self._smtp = smtp
        return self

    def send(self, to: str, subject: str, body: str) -> None:
        """Send one plain-text message; raises `MailFailed` with an address-free reason."""
        assert self._smtp is not None, "use SmtpConnection as a context manager"  # noqa: S101
        message = EmailMessage()
        message["From"] = self.settings.sender
        message["To"] = to
        message["Subject"] = subject
        message["Date"] = formatdate(localtime=False)
        message["Message-ID"] = make_msgid(domain=self.settings.sender.rpartition("@")[2] or None)
        message["Auto-Submitted"] = "auto-generated"
        message.set_content(body)
        try:
            self._smtp.send_message(message)
        except (smtplib.SMTPException, OSError) as exc:
            raise MailFailed(describe_error(exc)) from exc

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._smtp is None:
            return
        try:
            self._smtp.quit()
        except (smtplib.SMTPException, OSError):
            self._smtp.close()
        finally:
            self._smtp = None
