"""HIFU Coverage Atlas: `python app.py` serves it on http://127.0.0.1:8050; `gunicorn app:server` for production."""

from __future__ import annotations

import os
import sys

from dash import Dash
from flask_compress import Compress

from dashboard.api import register_routes
from dashboard.callbacks import register
from dashboard.data import load_atlas
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


def create_app() -> Dash:
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
    app.layout = build_layout(atlas)
    register(app, atlas)
    register_routes(app.server, atlas)
    app.server.config["COMPRESS_MIMETYPES"] = [
        "text/html",
        "text/css",
        "text/csv",
        "application/javascript",
        "application/json",
        "application/geo+json",
    ]
    Compress(app.server)
    return app


app = create_app()
server = app.server

if __name__ == "__main__":
    app.run(
        host=os.environ.get("HOST", "127.0.0.1"),
        port=int(os.environ.get("PORT", "8050")),
        debug=os.environ.get("DASH_DEBUG", "").lower() in ("1", "true", "yes"),
    )
