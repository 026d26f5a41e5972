"""Country-name harmonisation, table-driven."""

import pytest

from etl import paths
from etl.boundaries import read_boundary_ids
from etl.names import NameResolver


@pytest.fixture(scope="module")
def resolver():
    ids = {r["iso3"] for r in read_boundary_ids(paths.BOUNDARY_IDS).values()}
    return NameResolver.from_csv(paths.ALIASES, ids)


@pytest.mark.parametrize(
    ("name", "iso3"),
    [
        ("Türkiye", "TUR"),
        ("Turkiye", "TUR"),
        ("Korea, Rep.", "KOR"),
        ("Republic of Korea", "KOR"),
        ("South Korea", "KOR"),
        ("Viet Nam", "VNM"),
        ("Hong Kong SAR, China", "HKG"),
        ("China, Hong Kong SAR", "HKG"),
        ("Côte d'Ivoire", "CIV"),
        ("Côte d\u2019Ivoire", "CIV"),
        ("Ivory Coast", "CIV"),
        ("Czechia", "CZE"),
        ("Czech Republic", "CZE"),
        ("Russian Federation", "RUS"),
        ("Lao PDR", "LAO"),
        ("Lao People's Democratic Republic", "LAO"),
        ("UK", "GBR"),
        ("United Kingdom of Great Britain and Northern Ireland", "GBR"),
        ("United States of America", "USA"),
        ("Congo, Dem. Rep.", "COD"),
        ("Democratic Republic of the Congo", "COD"),
        ("Congo, Rep.", "COG"),
        ("Iran, Islamic Rep.", "IRN"),
        ("Iran (Islamic Republic of)", "IRN"),
        ("Egypt, Arab Rep.", "EGY"),
        ("Venezuela, RB", "VEN"),
        ("Bolivia (Plurinational State of)", "BOL"),
        ("United Republic of Tanzania", "TZA"),
        ("Syrian Arab Republic", "SYR"),
        ("Micronesia, Fed. Sts.", "FSM"),
        ("Kyrgyz Republic", "KGZ"),
        ("West Bank and Gaza", "PSE"),
        ("State of Palestine", "PSE"),
        ("Netherlands (Kingdom of the)", "NLD"),
        ("Cabo Verde", "CPV"),
        ("Eswatini", "SWZ"),
        ("Timor-Leste", "TLS"),
        ("Kosovo", "XKX"),
        ("N. Cyprus", "XNC"),
        ("Chinese Taipei", "TWN"),
        ("  viet   nam ", "VNM"),
        ("DE", "DEU"),
        ("deu", "DEU"),
        ("SGP", "SGP"),
    ],
)
def test_common_names_and_codes_resolve(resolver, name, iso3):
    assert resolver.resolve(name) == iso3


@pytest.mark.parametrize("name", ["Narnia", "", "   ", "Virgin Islands", "XXX", "12"])
def test_unknown_names_resolve_to_none_and_are_reported(resolver, name):
    assert resolver.resolve(name) is None
    if name.strip():
        assert name.strip() in resolver.unmatched


def test_used_and_unused_aliases_are_tracked():
    r = NameResolver({"Mainland China": "CHN", "Somaliland": "XSL"}, {"XSL"})
    assert r.resolve("mainland china") == "CHN"
    assert r.unused_aliases() == ["Somaliland"]
