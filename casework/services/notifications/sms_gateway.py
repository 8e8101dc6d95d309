"""Sending a text through an SMS gateway: the generic HTTP shape most aggregators accept.

`POST CASEWORK_SMS_GATEWAY_URL` with JSON `{"to": "+9779812345678", "text": "..."}` and
`Authorization: Bearer CASEWORK_SMS_GATEWAY_TOKEN`; any 2xx answer means accepted. Another
gateway plugs in as another `TextSender` returned by `text_sender()`.

Phone numbers are personal data: nothing here logs a number or a text, and errors are reduced
to a short description without them (gateways like to echo the number back).
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any, Protocol

from flask import current_app


class TextFailed(Exception):
    """Sending failed; `str()` is a short description fit for staff (no number, no text)."""


class TextSender(Protocol):
    @property
    def configured(self) -> bool: ...

    def send(self, to: str, text: str) -> None: ...


_DIGITS = re.compile(r"\+?\d[\d\s().-]{4,}\d")


def describe_error(error: BaseException) -> str:
    """A short description without anything that looks like a phone number."""
    if isinstance(error, urllib.error.HTTPError):
        text = f"gateway answered HTTP {error.code}"
    elif isinstance(error, urllib.error.URLError):
        text = f"gateway unreachable: {error.reason}"
    else:
        text = f"{type(error).__name__}: {error}"
    return _DIGITS.sub("<number>", " ".join(text.split()))[:300]


@dataclass(frozen=True)
class HttpGateway:
    """The generic JSON-over-HTTP gateway."""

    url: str
    token: str
    timeout: float

    @classmethod
    def from_config(cls, config: Any = None) -> HttpGateway:
        config = config if config is not None else current_app.config
        return cls(
            url=config["SMS_GATEWAY_URL"],
            token=config["SMS_GATEWAY_TOKEN"],
            timeout=float(config["SMS_GATEWAY_TIMEOUT_SECONDS"]),
        )

    @property
    def configured(self) -> bool:
        return bool(self.url)

    def send(self, to: str, text: str) -> None:
        """Hand one text to the gateway; raises `TextFailed` unless it answers 2xx."""
        if not self.url.startswith(("https://", "http://")):
            raise TextFailed("the gateway address must start with https://")
        body = json.dumps({"to": to, "text": text}, ensure_ascii=False).encode("utf-8")
        headers = {"Content-Type": "application/json; charset=utf-8"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        request = urllib.request.Request(self.url, data=body, headers=headers, method="POST")  # noqa: S310 - scheme checked above
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                response.read(4096)
        except (urllib.error.URLError, OSError, ValueError) as exc:
            raise TextFailed(describe_error(exc)) from exc


def text_sender() -> TextSender:
    """The configured SMS gateway."""
    return HttpGateway.from_config()
