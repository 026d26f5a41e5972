"""Filter state: URL parsing and printing, and applying filters to the atlas."""

import pytest

from dashboard.filters import FilterError, FilterState, apply_filters, from_controls, parse_query, to_query


def test_default_query_is_empty_and_round_trips(atlas):
    assert to_query(FilterState()) == ""
    assert parse_query("", atlas) == FilterState()


@pytest.mark.parametrize(
    "query",
    [
        "?view=permits&region=Asia&bri=member&year=2020",
        "?view=bri&projection=robinson&region=Europe&region=Africa&permit=approved&permit=pilot",
        "?subregion=Western+Europe&vendor=Chongqing+Haifu&overlays=centres",
        "?overlays=none",
    ],
)
def test_queries_round_trip(atlas, query):
    state = parse_query(query, atlas)
    assert to_query(state) == query
    assert parse_query(to_query(state), atlas) == state


def test_comma_separated_values_are_accepted(atlas):
    assert parse_query("region=Asia,Europe", atlas).continents == ("Asia", "Europe")


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("view=heatmap", "view 'heatmap' is not accepted; accepted values: centres, permits, bri"),
        ("region=Atlantis", "region 'Atlantis' is not accepted"),
        ("bri=maybe", "bri 'maybe'"),
        ("permit=granted", "accepted values: approved, pilot, pending, none, unknown"),
        ("year=soon", "year 'soon' is not accepted"),
        ("year=1800", "year '1800'"),
        ("projection=flat", "projection 'flat'"),
        ("overlays=stars", "overlays 'stars'"),
        ("vendor=Acme", "vendor 'Acme'"),
    ],
)
def test_unknown_values_raise_with_accepted_values(atlas, query, message):
    with pytest.raises(FilterError) as err:
        parse_query(query, atlas)
    assert message in str(err.value)


def test_region_filter_keeps_only_that_continent(atlas):
    view = apply_filters(atlas, parse_query("region=Africa", atlas))
    assert view.countries and {c["continent"] for c in view.countries} == {"Africa"}
    assert {c["iso3"] for c in view.centres} == {"ZAF", "NGA", "KEN"}
    assert view.kpis["centres_at_least"] == 3


def test_bri_member_filter(atlas):
    members = apply_filters(atlas, parse_query("bri=member", atlas))
    others = apply_filters(atlas, parse_query("bri=non-member", atlas))
    assert len(members.countries) == 152
    assert len(members.countries) + len(others.countries) == len(atlas.countries)


def test_year_filter_counts_centres_open_by_then_and_zero_named_is_unknown(atlas):
    view = apply_filters(atlas, parse_query("year=2010", atlas))
    by = {c["iso3"]: c for c in view.countries}
    assert by["ITA"]["centres_shown"] == 2  # Pisa and Milan, both 2008
    assert by["GBR"]["centres_shown"] == 1  # Oxford, 2002
    assert by["VNM"]["centres_shown"] is None  # 2024: not open yet, and 0 named is unknown
    assert by["DEU"]["centres_shown"] is None  # year not stated: only in the all-years view
    assert view.kpis["centres_at_least"] == 3


def test_kpis_share_in_bri(atlas):
    view = apply_filters(atlas, FilterState())
    k = view.kpis
    assert k["centres_at_least"] == len(atlas.centres)
    assert k["countries_with_centres"] == len({c["iso3"] for c in atlas.centres})
    assert k["bri_share"] == pytest.approx(k["bri_centres"] / len(atlas.centres))
    assert k["patients_headline"]["value"] == "320000"


def test_permit_filter(atlas):
    view = apply_filters(atlas, parse_query("permit=pilot", atlas))
    assert [c["iso3"] for c in view.countries] == ["VNM"]


def test_from_controls_maps_empty_to_defaults():
    assert from_controls(view=None, overlays=["bri", "corridors", "centres"]) == FilterState()
