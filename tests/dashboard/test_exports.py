"""Downloads: filtered exactly like the screen, valid GeoJSON, safe CSV."""

import csv
import io
import json

import geopandas as gpd
import pytest

from dashboard.exports import coverage_csv, coverage_geojson, dumps
from dashboard.filters import apply_filters, parse_query


def test_geojson_download_matches_the_view(atlas):
    state = parse_query("region=Europe&bri=member", atlas)
    view = apply_filters(atlas, state)
    doc = json.loads(dumps(coverage_geojson(atlas, state, view)))
    assert doc["type"] == "FeatureCollection" and "crs" not in doc
    assert [f["id"] for f in doc["features"]] == [c["iso3"] for c in view.countries]
    assert all(
        f["properties"]["continent"] == "Europe" and f["properties"]["bri_member"] for f in doc["features"]
    )
    assert doc["metadata"]["filters"]["region"] == ["Europe"]
    assert doc["metadata"]["query"] == "?region=Europe&bri=member"
    assert doc["metadata"]["sources"] and doc["metadata"]["licence"]
    gdf = gpd.GeoDataFrame.from_features(doc["features"])
    assert gdf.is_valid.all()


def test_geojson_counts_follow_the_year_filter(atlas):
    state = parse_query("year=2010", atlas)
    doc = coverage_geojson(atlas, state, apply_filters(atlas, state))
    by = {f["id"]: f["properties"] for f in doc["features"]}
    assert by["ITA"]["centres"] == 2 and by["VNM"]["centres"] is None


def test_csv_rows_match_the_view(atlas):
    state = parse_query("region=Africa", atlas)
    view = apply_filters(atlas, state)
    rows = list(csv.DictReader(io.StringIO(coverage_csv(view))))
    assert [r["iso3"] for r in rows] == [c["iso3"] for c in view.countries]
    zaf = next(r for r in rows if r["iso3"] == "ZAF")
    assert zaf["centres_shown"] == "1" and zaf["bri_member"] == "true"
    assert next(r for r in rows if r["iso3"] == "TCD")["centres_shown"] == ""


@pytest.mark.parametrize("bad", ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)"])
def test_csv_neutralises_formulas(atlas, bad):
    from dashboard.filters import View

    country = dict(apply_filters(atlas, parse_query("", atlas)).countries[0], name=bad)
    out = coverage_csv(View(countries=[country], centres=[]))
    row = next(csv.DictReader(io.StringIO(out)))
    assert row["name"] == "'" + bad
