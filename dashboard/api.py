"""HTTP routes beside the page: filtered downloads, the geometry and base map, health."""

from __future__ import annotations

import json
from functools import lru_cache

from flask import Flask, Response, jsonify, request, session

from dashboard.data import Atlas
from dashboard.exports import centres_geojson, coverage_csv, coverage_geojson, dumps
from dashboard.filters import FilterError, apply_filters, parse_query, to_query
from dashboard.userdata import SESSION_KEY, TEMPLATE_CSV, from_session, user_atlas
from etl import paths

GEOJSON = "application/geo+json"
IMMUTABLE = "public, max-age=31536000, immutable"


def register_routes(server: Flask, atlas: Atlas, cache_size: int = 512) -> None:
    """Add the API routes. Benchmarks pass cache_size=0 for the uncached baseline."""
    basemap = paths.BASEMAP_TOPOJSON.read_bytes()

    @lru_cache(maxsize=cache_size)
    def render(kind: str, query: str, upload_json: str = "") -> tuple[str, str]:
        # A pure function of the filters, the build and the session's upload: cached by all three.
        data = user_atlas(atlas, json.loads(upload_json)) if upload_json else atlas
        state = parse_query(query, atlas)
        view = apply_filters(data, state)
        if kind == "coverage.geojson":
            return dumps(coverage_geojson(data, state, view)), GEOJSON
        if kind == "centres.geojson":
            return dumps(centres_geojson(data, state, view)), GEOJSON
        return coverage_csv(view), "text/csv; charset=utf-8"

    def filtered(kind: str, filename: str):
        upload = from_session(session.get(SESSION_KEY))
        try:
            canonical = to_query(parse_query(request.args.to_dict(flat=False), atlas))
            body, mimetype = render(kind, canonical, json.dumps(upload, sort_keys=True) if upload else "")
        except FilterError as exc:
            return jsonify(error=str(exc)), 400
        response = Response(body, mimetype=mimetype)
        response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
        # With an upload the answer belongs to this browser session only.
        response.headers["Cache-Control"] = "private, no-store" if upload else "public, max-age=300"
        response.headers["Vary"] = "Cookie"
        return response

    @server.get("/api/coverage.geojson")
    def api_coverage_geojson():
        return filtered("coverage.geojson", "hifu-coverage.geojson")

    @server.get("/api/coverage.csv")
    def api_coverage_csv():
        return filtered("coverage.csv", "hifu-coverage.csv")

    @server.get("/api/centres.geojson")
    def api_centres_geojson():
        return filtered("centres.geojson", "hifu-centres.geojson")

    @server.get("/geo/countries.<etag>.geojson")
    def geometry(etag: str):
        if etag != atlas.geometry_etag:
            return jsonify(error="this geometry version is gone; reload the page"), 404
        response = Response(atlas.geometry_json, mimetype=GEOJSON)
        response.headers["Cache-Control"] = IMMUTABLE
        response.headers["ETag"] = f'"{atlas.geometry_etag}"'
        return response

    @server.get("/topojson/world_110m.json")
    def topojson():
        response = Response(basemap, mimetype="application/json")
        response.headers["Cache-Control"] = "public, max-age=86400"
        return response

    @server.get("/api/template.csv")
    def template_csv():
        response = Response(TEMPLATE_CSV, mimetype="text/csv")
        response.headers["Content-Disposition"] = 'attachment; filename="hifu-deployments-template.csv"'
        return response

    @server.get("/healthz")
    def healthz():
        return jsonify(status="ok", built_at=atlas.metadata["built_at"], countries=len(atlas.countries))
