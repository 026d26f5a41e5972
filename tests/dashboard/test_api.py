"""The HTTP API and static routes, through the real Flask app (no browser)."""

import json

import pytest

import app as app_module


@pytest.fixture(scope="module")
def client():
    return app_module.server.test_client()


def test_coverage_geojson_with_filters(client):
    r = client.get("/api/coverage.geojson?view=permits&region=Asia&bri=member&year=2020")
    assert r.status_code == 200
    assert r.mimetype == "application/geo+json"
    doc = json.loads(r.data)
    assert doc["features"] and all(f["properties"]["continent"] == "Asia" for f in doc["features"])
    assert doc["metadata"]["filters"]["year"] == 2020


def test_same_filters_same_bytes_as_the_page_download(client):
    a = client.get("/api/coverage.geojson?region=Asia,Europe").data
    b = client.get("/api/coverage.geojson?region=Asia&region=Europe").data
    assert a == b


def test_csv_and_centres(client):
    r = client.get("/api/coverage.csv?region=Oceania")
    assert r.status_code == 200 and r.mimetype == "text/csv"
    assert r.data.decode().splitlines()[0].startswith("iso3,name,")
    r = client.get("/api/centres.geojson?region=Africa")
    doc = json.loads(r.data)
    assert {f["properties"]["iso3"] for f in doc["features"]} == {"ZAF", "NGA", "KEN"}


@pytest.mark.parametrize(
    "query", ["region=Atlantis", "view=3d", "year=abc", "bri=sometimes", "permit=%3Cscript%3E"]
)
def test_unknown_filter_value_is_400_with_accepted_values(client, query):
    r = client.get(f"/api/coverage.geojson?{query}")
    assert r.status_code == 400
    body = r.get_json()
    assert "accepted" in body["error"] or "use a year" in body["error"]
    assert "Traceback" not in r.get_data(as_text=True)


def test_geometry_url_is_cacheable_and_compressed(client):
    atlas_etag = app_module.app.layout  # the layout references the fingerprinted URL
    html = json.dumps(atlas_etag.to_plotly_json(), default=str)
    start = html.index("/geo/countries.")
    url = html[start : html.index(".geojson", start) + len(".geojson")]
    r = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert r.status_code == 200
    assert "immutable" in r.headers["Cache-Control"]
    assert r.headers["Content-Encoding"] == "gzip"
    assert r.headers["ETag"]
    assert client.get("/geo/countries.0000.geojson").status_code == 404


def test_basemap_topojson_is_served_locally(client):
    r = client.get("/topojson/world_110m.json")
    assert r.status_code == 200
    assert json.loads(r.data)["type"] == "Topology"


def test_healthz(client):
    assert client.get("/healthz").get_json()["status"] == "ok"


def test_page_loads_the_geo_bundle_matching_plotly_py(client):
    from plotly.offline import get_plotlyjs_version

    from etl import paths

    bundle = (paths.ROOT / "dashboard" / "assets" / "vendor" / "plotly-geo.min.js").read_text()[:300]
    assert f"v{get_plotlyjs_version()}" in bundle
    page = client.get("/").get_data(as_text=True)
    assert "plotly-geo.min.js" in page
    assert "package_data/plotly.min.js" not in page
