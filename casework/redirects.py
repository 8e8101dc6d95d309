"""Where a `next=` parameter may send the browser: a path on this site, nothing else.

Browsers forgive a lot in a `Location` header: they drop tabs and newlines (`/\\t/evil` becomes
`//evil`, another host), read `\\` as `/`, and some proxies decode `%2F` before routing. So a
target is accepted only if it is a plain printable-ASCII path with no scheme, no host, no
backslash, no whitespace or control character and no `//` at its start — before and after one
round of percent-decoding.
"""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

MAX_LENGTH = 2000


def _plain_path(target: str) -> bool:
    if not target.startswith("/") or target.startswith("//"):
        return False
    if any(not (0x21 <= ord(char) <= 0x7E) or char == "\\" for char in target):
        return False  # control characters, whitespace, backslashes and anything not ASCII
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def is_safe_next(target: str | None) -> bool:
    """True if `target` is a same-site path that cannot be read as another host."""
    if not target or len(target) > MAX_LENGTH:
        return False
    return _plain_path(target) and _plain_path(unquote(target))


def safe_next(target: str | None, fallback: str) -> str:
    """`target` if it is a safe same-site path (see `is_safe_next`), else `fallback`."""
    return target if target is not None and is_safe_next(target) else fallback
