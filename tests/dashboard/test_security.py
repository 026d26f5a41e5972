"""Security headers and malformed requests, through the real Flask app."""

import json

import pytest

import app as app_module
from dashboard.sources import source_link


@pytest.fixture(scope="module")
def client():
    return app_module.server.test_client()


def test_security_headers_on_page_and_api(client):
    for path in ("/", "/api/coverage.geojson", "/healthz"):
        r = client.get(path)
        csp = r.headers["Content-Security-Policy"]
        assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert (
            "script-src 'self' 'sha256-" in csp
            and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
        )
        assert r.headers["X-Content-Type-Options"] == "nosniff"
        assert r.headers["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"not json", "application/json"),
        (b"[1, 2, 3]", "application/json"),
        (json.dumps({"output": "nope.children"}).encode(), "application/json"),
        (
            json.dumps(
                {
                    "output": "..map.figure...legend.children...kpis.children...share-link.href...shown-state.data..",
                    "inputs": [],
                }
            ).encode(),
            "application/json",
        ),
        (
            json.dumps(
                {
                    "output": "..map.figure...legend.children...kpis.children...share-link.href...shown-state.data..",
                    "inputs": [{"id": "x", "property": "y"}, {}],
                    "state": [{}],
                }
            ).encode(),
            "application/json",
        ),
        (b"\xff\xfe\x00garbage", "application/octet-stream"),
    ],
)
def test_malformed_callback_requests_get_400_without_a_trace(client, body, content_type):
    r = client.post("/_dash-update-component", data=body, content_type=content_type)
    assert r.status_code == 400
    text = r.get_data(as_text=True)
    assert "malformed callback request" in text
    assert "Traceback" not in text and 'File "' not in text


def test_oversized_request_is_413(client):
    r = client.post(
        "/_dash-update-component", data=b"x" * (17 * 1024 * 1024), content_type="application/json"
    )
    assert r.status_code == 413
    assert "Traceback" not in r.get_data(as_text=True)


def test_a_real_callback_request_still_works(client):
    body = {
        "output": "..map.figure...legend.children...kpis.children...share-link.href...shown-state.data..",
        "outputs": [
            {"id": i, "property": p}
            for i, p in [
                ("map", "figure"),
                ("legend", "children"),
                ("kpis", "children"),
                ("share-link", "href"),
                ("shown-state", "data"),
            ]
        ],
        "inputs": [
            {"id": "url", "property": "search", "value": "?view=bri"},
            {"id": "user-data", "property": "data", "value": {"records": "junk"}},
        ],
        "changedPropIds": ["url.search"],
        "state": [{"id": "shown-state", "property": "data", "value": "|"}],
    }
    r = client.post("/_dash-update-component", json=body)
    assert r.status_code == 200
    assert "Belt and Road Initiative membership" in r.get_data(as_text=True)


@pytest.mark.parametrize(
    ("text", "is_link"),
    [
        ("isminim.org/index.php?c=article&id=187", True),
        ("javascript:alert(1)", False),
        ("ANSA", False),
        ("data:text/html,<script>alert(1)</script>", False),
    ],
)
def test_source_links_are_https_only(text, is_link):
    out = source_link(text)
    href = getattr(out, "href", None)
    assert (href is not None) == is_link
    if href:
        assert href.startswith("https://")
    assert getattr(out, "children", out) == text  # the text itself is shown as text
