"""Static files under content-hashed names, cached for a year without revalidation.

At start-up every file in `static/` is read once and hashed. `url_for('static',
filename='casework.css')` then builds `/static/casework.<hash>.css` (templates stay as they
are), and that URL is answered with `Cache-Control: public, max-age=31536000, immutable`: on a
slow link the next page costs no request at all for its styles and scripts. A new version of a
file has a new name, so nobody is ever served an old one. The plain name, or a hashed name whose
hash is not the current one (a page cached from before a deployment), still gets the current
file, with `no-cache` and an ETag instead of the long cache.

Files are answered from memory as ordinary (not streamed) bodies, so the compression step
(casework/compression.py) can compress them; there are a few kilobytes of them.
"""

from __future__ import annotations

import hashlib
import mimetypes
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Flask, Response, abort, request

IMMUTABLE = "public, max-age=31536000, immutable"
HASH_CHARS = 12
_HASHED_NAME = re.compile(
    rf"^(?P<stem>.+)\.(?P<hash>[0-9a-f]{{{HASH_CHARS}}})(?P<suffix>\.[^./]+)$"
)


@dataclass(frozen=True)
class StaticFile:
    content: bytes
    digest: str  # SHA-256 of the content, hex
    mimetype: str

    @property
    def short(self) -> str:
        return self.digest[:HASH_CHARS]


class StaticAssets:
    """The static folder as read at start-up: name → content, and name → hashed name."""

    def __init__(self, folder: Path):
        self.files: dict[str, StaticFile] = {}
        if folder.is_dir():
            for path in sorted(p for p in folder.rglob("*") if p.is_file()):
                content = path.read_bytes()
                mimetype = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                name = path.relative_to(folder).as_posix()
                self.files[name] = StaticFile(
                    content, hashlib.sha256(content).hexdigest(), mimetype
                )

    def hashed_name(self, filename: str) -> str:
        """`css/casework.css` → `css/casework.<hash>.css`; unknown names are left alone."""
        found = self.files.get(filename)
        if found is None:
            return filename
        folder, _, base = filename.rpartition("/")
        stem, dot, suffix = base.rpartition(".")
        if not (dot and stem):
            return filename  # no extension: served under its plain name, revalidated
        hashed = f"{stem}.{found.short}.{suffix}"
        return f"{folder}/{hashed}" if folder else hashed

    def resolve(self, requested: str) -> tuple[StaticFile, bool] | None:
        """The file a request names, and whether the name carried its current hash."""
        if requested in self.files:
            return self.files[requested], False
        folder, _, base = requested.rpartition("/")
        match = _HASHED_NAME.match(base)
        if match is None:
            return None
        plain = f"{match['stem']}{match['suffix']}"
        name = f"{folder}/{plain}" if folder else plain
        found = self.files.get(name)
        if found is None:
            return None
        return found, match["hash"] == found.short


def register_static_assets(app: Flask) -> None:
    """Hash the static folder now; build hashed URLs; answer them with the long cache."""
    assets = StaticAssets(Path(app.static_folder or ""))
    app.extensions["casework.static_assets"] = assets

    def hashed_static_url(endpoint: str, values: dict[str, Any]) -> None:
        if endpoint == "static" and isinstance(values.get("filename"), str):
            values["filename"] = assets.hashed_name(values["filename"])

    def serve_static(filename: str) -> Response:
        found = assets.resolve(filename)
        if found is None:
            abort(404)
        static_file, current = found
        response = Response(static_file.content, mimetype=static_file.mimetype)
        response.set_etag(static_file.digest[:32])
        if current:
            response.headers["Cache-Control"] = IMMUTABLE
        else:
            response.headers["Cache-Control"] = "no-cache"
        response.make_conditional(request)
        return response

    app.url_defaults(hashed_static_url)
    app.view_functions["static"] = serve_static
