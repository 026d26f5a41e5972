"""Security headers, request-size limits, and 4xx (never a stack trace) for malformed requests."""

from __future__ import annotations

from dash import Dash
from flask import jsonify, request
from werkzeug.exceptions import HTTPException

# Uploads arrive base64-encoded inside a callback request: 5 MB of file is about 6.7 MB here.
MAX_REQUEST_BYTES = 16 * 1024 * 1024
CALLBACK_PATH = "/_dash-update-component"


def content_security_policy(app: Dash) -> str:
    """A CSP Dash works under: scripts only from this host plus the hashes of Dash's inline ones."""
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self' " + " ".join(app.csp_hashes()),
            "style-src 'self' 'unsafe-inline'",  # Dash and plotly set inline styles
            "img-src 'self' data: blob:",
            "font-src 'self' data:",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


def install(app: Dash) -> None:
    """Add security headers to every response and turn malformed requests into short 4xx answers."""
    server = app.server
    server.config["MAX_CONTENT_LENGTH"] = MAX_REQUEST_BYTES
    csp = content_security_policy(app)

    @server.before_request
    def reject_malformed_callbacks():
        if request.method == "POST" and request.path == CALLBACK_PATH:
            problem = _callback_problem(app, request.get_json(silent=True))
            if problem:
                return jsonify(error=f"malformed callback request: {problem}"), 400
        return None

    @server.after_request
    def security_headers(response):
        response.headers["Content-Security-Policy"] = csp
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
        return response

    @server.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        return jsonify(error=exc.description or exc.name), exc.code

    @server.errorhandler(Exception)
    def server_error(exc: Exception):
        server.logger.exception("unhandled error on %s %s", request.method, request.path)
        return jsonify(error="internal error; the request was logged"), 500


def _callback_problem(app: Dash, body) -> str | None:
    """What is wrong with a callback request body, or None when it names a real callback."""
    if not isinstance(body, dict):
        return "body is not a JSON object"
    output = body.get("output")
    if not isinstance(output, str) or output not in app.callback_map:
        return "unknown output"
    spec = app.callback_map[output]
    for key, declared in (("inputs", spec.get("inputs", [])), ("state", spec.get("state", []))):
        items = body.get(key, [])
        if not isinstance(items, list) or len(items) != len(declared):
            return f"{key} do not match the callback"
        for item, want in zip(items, declared):
            if (
                not isinstance(item, dict)
                or item.get("id") != want["id"]
                or item.get("property") != want["property"]
            ):
                return f"{key} do not match the callback"
    if not isinstance(body.get("changedPropIds", []), list):
        return "changedPropIds is not a list"
    return None
