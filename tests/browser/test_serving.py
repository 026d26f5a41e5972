"""The production server as clients see it (gunicorn with gunicorn.conf.py, no browser)."""

import json
import urllib.error
import urllib.request


def test_no_version_banner_and_security_headers(server_url):
    with urllib.request.urlopen(server_url + "/") as r:
        assert r.headers["Server"] == "hifu-atlas"
        assert "frame-ancestors 'none'" in r.headers["Content-Security-Policy"]
        assert r.headers["X-Content-Type-Options"] == "nosniff"


def test_healthz(server_url):
    with urllib.request.urlopen(server_url + "/healthz") as r:
        body = json.loads(r.read())
    assert body["status"] == "ok" and body["countries"] == 240


def test_bad_api_request_is_a_short_400(server_url):
    try:
        urllib.request.urlopen(server_url + "/api/coverage.csv?permit=sometimes")
    except urllib.error.HTTPError as exc:
        assert exc.code == 400
        body = exc.read().decode()
        assert "accepted values" in body and "Traceback" not in body
    else:
        raise AssertionError("expected HTTP 400")
