"""Built front-end assets: content-hashed names from the build's manifest, served with long caching.

``make install`` runs ``npm ci`` and ``frontend/build.mjs``, which writes ``web/static/dist`` and its
``manifest.json`` (logical name -> hashed file). A changed file gets a new name, so browsers may
keep every file for a year without asking again. Only files the build wrote are served.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from pathlib import Path

from aiohttp import web

log = logging.getLogger(__name__)

DIST_DIR = Path(__file__).resolve().parents[1] / "static" / "dist"
_HASHED = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9]{8,}\.(js|css)$")
_TYPES = {"js": "text/javascript", "css": "text/css"}
IMMUTABLE = "public, max-age=31536000, immutable"


class AssetsMissing(RuntimeError):
    """The front-end build has not run: the pages cannot be served without their assets."""


@dataclass(frozen=True)
class Assets:
    directory: Path
    manifest: dict[str, str]

    @classmethod
    def load(cls, directory: Path = DIST_DIR) -> Assets:
        try:
            manifest = json.loads((directory / "manifest.json").read_text())
        except FileNotFoundError:
            raise AssetsMissing(f"{directory}/manifest.json is missing: run `make install` (it builds the "
                                "front-end with npm)") from None
        return cls(directory, {str(k): str(v) for k, v in manifest.items()})

    def url(self, name: str) -> str:
        """The hashed URL of a logical asset (``login.js``); unknown names fail loudly."""
        return f"/static/{self.manifest[name]}"


ASSETS = web.AppKey("page_assets", Assets)


async def serve(request: web.Request) -> web.StreamResponse:
    name = request.match_info["name"]
    match = _HASHED.match(name)
    path = request.app[ASSETS].directory / name
    if match is None or not path.is_file():
        raise web.HTTPNotFound(text="no such asset")
    # FileResponse picks the pre-compressed ``.gz`` sibling when the browser accepts gzip.
    response = web.FileResponse(path, headers={"Cache-Control": IMMUTABLE, "Content-Type": _TYPES[match[1]]})
    return response


def setup(app: web.Application) -> None:
    app[ASSETS] = Assets.load()
    app.router.add_get("/static/{name}", serve, name="static")
