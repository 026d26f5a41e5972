"""The map page in a real headless Chromium served by gunicorn."""

import json

import geopandas as gpd
import pytest

pytestmark = pytest.mark.browser

OUTSIDE_FILL = "rgb(241, 241, 238)"

DRAWN = """() => {
  const traces = document.querySelectorAll('#map .choroplethlayer .trace');
  const paths = [...traces[0].querySelectorAll('path.choroplethlocation')];
  const drawn = paths.filter(p => (p.getAttribute('d') || '').length > 10);
  return {drawn: drawn.length, fills: paths.map(p => p.getAttribute('fill'))};
}"""

CENTRE_OF = """(iso3) => {
  const traces = document.querySelectorAll('#map .choroplethlayer .trace');
  const path = [...traces[0].querySelectorAll('path.choroplethlocation')].find(p => p.__data__ && p.__data__.loc === iso3);
  const b = path.getBoundingClientRect();
  return {x: b.x + b.width / 2, y: b.y + b.height / 2};
}"""


def drawn(page):
    return page.evaluate(DRAWN)


def test_page_loads_offline_and_draws_every_country(watched, atlas):
    watched.goto("/")
    page = watched.page
    polygons = sum(1 for c in atlas.countries if c["shape"] == "polygon")
    shapes = drawn(page)
    assert shapes["drawn"] == polygons
    assert OUTSIDE_FILL not in shapes["fills"]  # no filter: every country carries data
    assert page.inner_text(".legend-title").startswith("HIFU centres per country")
    assert "2–4" in page.inner_text(".legend")
    assert "schematic" in page.inner_text(".legend")
    kpis = page.inner_text("#kpis")
    assert str(len(atlas.centres)) in kpis and str(len({c["iso3"] for c in atlas.centres})) in kpis
    centre_points = page.evaluate(
        "() => document.querySelectorAll('#map .scatterlayer .trace:last-child path.point').length"
    )
    assert centre_points == len(atlas.centres)


def test_filters_from_the_url(watched, atlas):
    watched.goto("/?view=permits&region=Asia&bri=member")
    page = watched.page
    fills = drawn(page)["fills"]
    expected = sum(
        1 for c in atlas.countries if c["shape"] == "polygon" and c["continent"] == "Asia" and c["bri_member"]
    )
    assert sum(f != OUTSIDE_FILL for f in fills) == expected
    assert page.is_checked("#view input[value=permits]")
    assert "Asia" in page.inner_text("#continents")
    assert page.inner_text(".legend-title").startswith("HIFU permit")
    assert f"of {expected} countries shown" in page.inner_text("#kpis")


def test_controls_update_the_url_and_back_restores(watched):
    watched.goto("/")
    page = watched.page
    page.click("#view label:has-text('Belt and Road membership')")
    page.wait_for_function("() => location.search === '?view=bri'")
    watched.wait_idle()
    assert page.inner_text(".legend-title") == "Belt and Road Initiative membership"
    page.click("#bri label:has-text('Non-members')")
    page.wait_for_function("() => location.search === '?view=bri&bri=non-member'")
    watched.wait_idle()
    page.go_back()
    page.wait_for_function("() => location.search === '?view=bri'")
    watched.wait_idle()
    assert page.is_checked("#bri input[value=all]")
    assert OUTSIDE_FILL not in drawn(page)["fills"]


def test_click_a_country_opens_its_panel(watched):
    watched.goto("/")
    page = watched.page
    point = page.evaluate(CENTRE_OF, "NGA")
    page.mouse.move(point["x"], point["y"])
    page.mouse.click(point["x"], point["y"])
    page.wait_for_selector("#detail:not([hidden])", timeout=10_000)
    text = page.inner_text("#detail")
    assert "Nigeria" in text
    assert "At least 1 (named sites)" in text
    assert "Nordica Fibroid Care Centre" in text
    assert "leadership.ng" in text
    assert "Member" in text  # Belt and Road
    page.click("#detail-close")
    page.wait_for_selector("#detail[hidden]", state="attached")


def test_download_geojson_is_what_the_map_shows(watched, tmp_path):
    watched.goto("/?region=Africa&bri=member")
    page = watched.page
    with page.expect_download() as info:
        page.click("#download-geojson")
    path = tmp_path / "download.geojson"
    info.value.save_as(path)
    doc = json.loads(path.read_text())
    assert doc["type"] == "FeatureCollection"
    assert doc["metadata"]["filters"]["region"] == ["Africa"]
    props = [f["properties"] for f in doc["features"]]
    assert props and all(p["continent"] == "Africa" and p["bri_member"] for p in props)
    assert sum(f != OUTSIDE_FILL for f in drawn(page)["fills"]) == sum(
        1 for f in doc["features"] if f["geometry"]["type"] != "Point"
    )
    gdf = gpd.GeoDataFrame.from_features(doc["features"])
    assert gdf.is_valid.all()


def test_bad_link_shows_a_message_not_an_error(watched):
    watched.goto("/?region=Atlantis")
    text = watched.page.inner_text("#filter-error")
    assert "region 'Atlantis' is not accepted" in text


def test_year_from_the_url_and_the_play_button(watched):
    watched.goto("/?year=2010")
    page = watched.page
    assert "3" in page.inner_text("#kpis .kpi:nth-child(2) .kpi-value")  # Oxford 2002, Pisa and Milan 2008
    assert "open by 2010" in page.inner_text(".legend-title")
    watched.goto("/")
    page.click("#play")
    page.wait_for_function("() => /year=20(0[3-9]|1)/.test(location.search)", timeout=15_000)
    assert "Pause" in page.inner_text("#play")
    page.click("#play")
    page.wait_for_function("() => document.querySelector('#play').innerText.includes('Play')")
    watched.wait_idle()
    assert "open by 20" in page.inner_text(".legend-title")
