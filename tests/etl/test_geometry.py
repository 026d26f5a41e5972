"""Geometry cleaning on tiny hand-built shapes."""

import geopandas as gpd
import shapely
from shapely.geometry import LineString, MultiPolygon, Point, Polygon, box

from etl.boundaries import add_missing_as_points
from etl.geometry import (
    SIMPLIFY_TOLERANCE_DEG,
    clean_geometries,
    cut_polar_caps,
    polygonal_part,
    ring_lon_span,
    split_antimeridian,
)


def test_ring_crossing_the_antimeridian_is_split_into_two_sides():
    # An island from 170°E to 170°W, written the way Natural Earth / TopoJSON writes it.
    crossing = Polygon([(170, -10), (-170, -10), (-170, 10), (170, 10), (170, -10)])
    assert ring_lon_span(crossing) == 340

    out = split_antimeridian(crossing)

    assert out.geom_type == "MultiPolygon" and len(out.geoms) == 2
    assert ring_lon_span(out) <= 180
    assert out.is_valid
    west, east = sorted(out.geoms, key=lambda p: p.bounds[0])
    assert west.bounds == (-180, -10, -170, 10)
    assert east.bounds == (170, -10, 180, 10)
    assert abs(out.area - 400) < 1e-9  # nothing lost: 20° x 20°


def test_polygon_that_does_not_cross_is_unchanged():
    square = box(10, 10, 20, 20)
    assert split_antimeridian(square).equals(square)


def test_polar_ring_is_closed_along_the_pole_and_cut_below_180_degrees():
    # A ring round the south pole, like Antarctica: it never closes in longitude.
    polar = Polygon([(-179.0, -70), (-90, -72), (0, -70), (90, -72), (179.0, -70), (-179.0, -70)])
    out = cut_polar_caps(polygonal_part(shapely.make_valid(split_antimeridian(polar))))
    assert out.is_valid
    assert ring_lon_span(out) <= 180


def test_make_valid_collections_keep_only_polygons():
    collection = shapely.GeometryCollection([box(0, 0, 1, 1), LineString([(5, 5), (6, 6)]), Point(9, 9)])
    out = polygonal_part(collection)
    assert out.geom_type == "Polygon" and out.area == 1


def _zigzag_neighbours():
    # Two countries sharing a wiggly border: simplification must move it for both or neither.
    border = [(0, y) for y in range(0, 11)]
    border = [(0.03 * ((i % 2) * 2 - 1), y) for i, (x, y) in enumerate(border)]
    left = Polygon([(-5, 0), *border, (-5, 10)])
    right = Polygon([(5, 10), *reversed(border), (5, 0)])
    return gpd.GeoDataFrame({"iso3": ["AAA", "BBB"]}, geometry=[left, right])


def test_coverage_simplification_keeps_shared_borders():
    gdf = _zigzag_neighbours()
    before = shapely.union_all(gdf.geometry.values).area

    out = clean_geometries(gdf)

    a, b = out.geometry.values
    assert out.crs.to_epsg() == 4326
    assert shapely.coverage_is_valid(out.geometry.values)
    assert a.intersection(b).area < 1e-9  # no overlap (sliver)
    assert abs(shapely.union_all([a, b]).area - (a.area + b.area)) < 1e-9  # no gap
    assert a.intersection(b).length > 9  # they still share the whole border
    assert abs(shapely.union_all([a, b]).area - before) < 1.0
    assert SIMPLIFY_TOLERANCE_DEG > 0


def test_clean_geometries_orients_rings_per_rfc7946():
    clockwise = Polygon([(0, 0), (0, 1), (1, 1), (1, 0), (0, 0)])
    assert not shapely.is_ccw(clockwise.exterior)
    out = clean_geometries(gpd.GeoDataFrame({"iso3": ["AAA"]}, geometry=[clockwise]))
    geom = out.geometry.iloc[0]
    for p in getattr(geom, "geoms", [geom]):
        assert shapely.is_ccw(p.exterior)


def test_country_without_polygon_becomes_a_point_and_keeps_its_row():
    gdf = gpd.GeoDataFrame(
        {"iso3": ["FRA"], "name": ["France"], "continent": ["Europe"], "subregion": ["Western Europe"]},
        geometry=[box(0, 40, 8, 50)],
        crs="EPSG:4326",
    )
    points = {"FRA": Point(4, 45), "SGP": Point(103.85, 1.29)}
    out, as_points, no_location = add_missing_as_points(gdf, {"SGP": "Singapore", "XYZ": "Nowhere"}, points)

    assert as_points == ["SGP"]
    assert no_location == ["XYZ"]
    sgp = out[out.iso3 == "SGP"].iloc[0]
    assert sgp.geometry.geom_type == "Point" and sgp["name"] == "Singapore"
    assert sgp["continent"] == "Asia"
    assert out[out.iso3 == "XYZ"].geometry.iloc[0] is None
    assert len(out) == 3


def test_points_pass_through_cleaning():
    gdf = gpd.GeoDataFrame({"iso3": ["AAA", "SGP"]}, geometry=[box(0, 0, 1, 1), Point(103.85, 1.29)])
    out = clean_geometries(gdf)
    assert out.geometry.iloc[1].equals(Point(103.85, 1.29))
    assert isinstance(out.geometry.iloc[0], (Polygon, MultiPolygon))
