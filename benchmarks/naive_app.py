"""The naive baseline, for benchmarks only: every filter change rebuilds the whole figure with the
GeoJSON embedded, the page embeds the geometry too, and API results are not cached.

    gunicorn -w 2 benchmarks.naive_app:server
"""

from __future__ import annotations

import json

from app import create_app
from dashboard.figures import build_figure


def naive_update(atlas, state, view, previous=None, previous_view=None):
    return build_figure(atlas, state, json.loads(atlas.geometry_json))


app = create_app(map_update=naive_update, cache_size=0, inline_geometry=True)
server = app.server
