"""HIFU Coverage Atlas: `python app.py` serves it on http://127.0.0.1:8050; `gunicorn app:server` for production."""

from __future__ import annotations

import json
import os
import secrets
import sys
from collections import OrderedDict

from dash import Dash, dcc
from flask_compress import Compress
from werkzeug.serving import WSGIRequestHandler

from dashboard import security
from dashboard.api import register_routes
from dashboard.callbacks import register
from dashboard.data import load_atlas
from dashboard.figures import patch_figure
from dashboard.layout import build_layout
from etl import build, outputs_are_current, paths
from etl.tables import InputError


def ensure_data() -> None:
    """Build geodata/processed/ when it is missing, unreadable or older than its inputs or code."""
    if outputs_are_current(paths.PROCESSED):
        return
    print("geodata/processed/ is missing or out of date: building it now", file=sys.stderr)
    try:
        build(out=paths.PROCESSED)
    except (InputError, OSError, ValueError) as exc:
        sys.exit(f"error: cannot build geodata/processed/: {exc}")


NO_CACHE = "no-cache"


def compression_cache_key(request) -> str:
    """GET responses are pure functions of the URL and the build, unless a session cookie (an
    upload) is sent; those and all other requests are never cached."""
    if request.method != "GET" or request.cookies:
        return NO_CACHE
    return request.full_path


class CompressedCache:
    """A bounded in-process cache of compressed GET responses (per worker; nothing shared)."""

    MAX_ENTRIES = 256

    def __init__(self):
        self._items: OrderedDict[str, bytes] = OrderedDict()

    def get(self, key: str) -> bytes | None:
        if key.endswith(NO_CACHE) or key not in self._items:
            return None
        self._items.move_to_end(key)
        return self._items[key]

    def set(self, key: str, value: bytes) -> None:
        if key.endswith(NO_CACHE):
            return
        self._items[key] = value
        self._items.move_to_end(key)
        while len(self._items) > self.MAX_ENTRIES:
            self._items.popitem(last=False)


def use_geo_bundle() -> None:
    """Serve plotly.js's geo partial bundle (assets/vendor, 1.4 MB) instead of the full 4.8 MB one.

    The page needs only scatter, scattergeo and choropleth traces; parsing the full bundle cost
    about a second of page load here. dcc.Graph uses whatever `window.Plotly` the page loads.
    """
    dcc._js_dist[:] = [d for d in dcc._js_dist if d.get("namespace") != "plotly"]


def create_app(map_update=patch_figure, cache_size: int = 512, inline_geometry: bool = False) -> Dash:
    """Build the app. The keyword arguments exist for the benchmarks' naive baseline only."""
    ensure_data()
    atlas = load_atlas(paths.PROCESSED)
    app = Dash(
        __name__,
        assets_folder=str(paths.ROOT / "dashboard" / "assets"),
        title="HIFU Coverage Atlas",
        update_title=None,
        serve_locally=True,
        meta_tags=[{"name": "viewport", "content": "width=device-width, initial-scale=1"}],
    )
    use_geo_bundle()
    # Signs the session cookie that carries a user's upload. Set SECRET_KEY to share it across
    # hosts; by default each start makes one (gunicorn's preload shares it with its workers).
    app.server.secret_key = os.environ.get("SECRET_KEY") or secrets.token_hex(32)
    app.server.config.update(SESSION_COOKIE_SAMESITE="Lax", SESSION_COOKIE_HTTPONLY=True)
    app.layout = build_layout(atlas, json.loads(atlas.geometry_json) if inline_geometry else None)
    register(app, atlas, map_update)
    register_routes(app.server, atlas, cache_size)
    security.install(app)
    app.server.config["COMPRESS_MIMETYPES"] = [
        "text/html",
        "text/css",
        "text/csv",
        "application/javascript",
        "application/json",
        "application/geo+json",
    ]
    app.server.config["COMPRESS_CACHE_KEY"] = compression_cache_key
    app.server.config["COMPRESS_CACHE_BACKEND"] = CompressedCache
    Compress(app.server)
    return app


app = create_app()
server = app.server


class _QuietHandler(WSGIRequestHandler):
    """The development server, without its version banner."""

    server_version = "hifu-atlas"
    sys_version = ""


if __name__ == "__main__":
    app.run(
        request_handler=_QuietHandler,
        host=os.environ.get("HOST", "127.0.0.1"),
        port=int(os.environ.get("PORT", "8050")),
        debug=os.environ.get("DASH_DEBUG", "").lower() in ("1", "true", "yes"),
    )
