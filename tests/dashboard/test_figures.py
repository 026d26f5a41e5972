"""Figure builders: classes, hover text, the Patch sent on a filter change."""

import json

import plotly.io as pio

from dashboard.figures import (
    CENTRE_CLASSES,
    CHOROPLETH,
    PERMIT_CLASSES,
    build_figure,
    centres_text,
    country_class,
    legend_items,
    lon_extent,
    patch_figure,
    static_hover,
)
from dashboard.filters import FilterState, apply_filters, parse_query


def test_centre_classes_distinguish_unknown_zero_and_counts():
    def cls(n):
        return country_class({"centres_shown": n}, "centres").key

    assert [cls(n) for n in (None, 0, 1, 2, 4, 5, 9, 10, 49, 50, 400)] == [
        "unknown",
        "zero",
        "1",
        "2-4",
        "2-4",
        "5-9",
        "5-9",
        "10-49",
        "10-49",
        "50+",
        "50+",
    ]
    colours = [c.colour for c in CENTRE_CLASSES]
    assert len(set(colours)) == len(colours)


def test_permit_unknown_and_none_look_different():
    colours = {c.key: c.colour for c in PERMIT_CLASSES}
    assert colours["unknown"] != colours["none"]


def test_hover_text_escapes_data():
    country = {
        "name": "<script>alert(1)</script>",
        "centres_shown": 2,
        "centres_basis": "named sites",
        "bri_member": False,
        "permit_status": "unknown",
        "shape": "polygon",
    }
    name, permit, bri = static_hover(country)
    assert name == "&lt;script&gt;alert(1)&lt;/script&gt;"
    assert centres_text(country) == "at least 2 (named sites)"


def test_full_figure_references_geometry_by_url(atlas):
    fig = build_figure(atlas, FilterState(), "/geo/countries.abc.geojson")
    assert fig.data[CHOROPLETH].geojson == "/geo/countries.abc.geojson"
    assert len(fig.data[CHOROPLETH].locations) == sum(1 for c in atlas.countries if c["shape"] == "polygon")
    assert fig.layout.geo.projection.type == "equal earth"


def test_filter_change_patch_is_small_and_has_no_geometry(atlas):
    state = parse_query("view=permits&region=Asia&bri=member&year=2020", atlas)
    patch = patch_figure(atlas, state)
    payload = json.dumps(
        patch.to_plotly_json(),
        cls=pio.json.PlotlyJSONEncoder if hasattr(pio.json, "PlotlyJSONEncoder") else None,
    )
    assert "coordinates" not in payload and "geojson" not in payload
    assert len(payload.encode()) < 10_000
    assert "equal earth" in payload


def test_region_zoom_centres_on_the_region(atlas):
    from dashboard.figures import layout_geo

    state = parse_query("region=South America", atlas)
    geo = layout_geo(atlas, state, apply_filters(atlas, state))
    assert geo["projection"]["scale"] > 1.5
    assert -80 < geo["center"]["lon"] < -45 and -40 < geo["center"]["lat"] < 0
    world = layout_geo(atlas, FilterState(), apply_filters(atlas, FilterState()))
    assert world["projection"]["scale"] == 1.0


def test_lon_extent_crosses_the_antimeridian_when_shorter():
    assert lon_extent([(170, 180), (-180, -170)]) == (170, 190)
    assert lon_extent([(-10, 10), (20, 30)]) == (-10, 30)


def test_legend_states_class_breaks_and_schematic_corridors():
    labels = [i["label"] for i in legend_items(FilterState())]
    assert "2–4" in labels and "50 or more" in labels
    assert any("schematic" in label for label in labels)
    assert not any("shown as ◆" in label for label in labels)
    assert any("shown as ◆" in i["label"] for i in legend_items(FilterState(), has_points=True))


def _ops(patch):
    return {tuple(op["location"]) for op in patch.to_plotly_json()["operations"]}


def test_patch_sends_only_what_changed_since_the_shown_state(atlas):
    same = patch_figure(atlas, FilterState(), previous=FilterState())
    assert _ops(same) == set()
    view_change = _ops(patch_figure(atlas, parse_query("view=permits", atlas), previous=FilterState()))
    assert ("data", CHOROPLETH, "z") in view_change and ("data", CHOROPLETH, "colorscale") in view_change
    assert ("data", CHOROPLETH, "text") not in view_change  # counts did not change
    assert not any(loc[:2] == ("layout", "geo") for loc in view_change)
    zoom = _ops(patch_figure(atlas, parse_query("region=Africa", atlas), previous=FilterState()))
    assert ("layout", "geo", "projection") in zoom


def test_every_filter_change_patch_is_under_10_kb(atlas):
    import itertools

    queries = [
        "",
        "view=permits",
        "view=bri",
        "region=Asia",
        "bri=member&region=Europe",
        "year=2012",
        "overlays=none",
    ]
    for a, b in itertools.permutations(queries, 2):
        patch = patch_figure(atlas, parse_query(b, atlas), previous=parse_query(a, atlas))
        payload = json.dumps(
            patch.to_plotly_json(),
            cls=pio.json.PlotlyJSONEncoder if hasattr(pio.json, "PlotlyJSONEncoder") else None,
        )
        assert len(payload.encode()) < 10_000, (a, b)
        assert "coordinates" not in payload
