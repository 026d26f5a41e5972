"""All geometry cleaning: CRS, validity, antimeridian split, coverage simplification, RFC 7946."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely
from shapely.geometry import MultiPolygon, Polygon, box
from shapely.geometry.base import BaseGeometry

CRS = "EPSG:4326"
# Coverage simplification tolerance, in degrees (Visvalingam-Whyatt on shared edges).
SIMPLIFY_TOLERANCE_DEG = 0.05
# Output grid: 1e-3 degrees is about 110 m, finer than a pixel of a full-screen world map.
OUTPUT_GRID_DEG = 1e-3
# Width of the cut through a polar cap (Antarctica) so that no ring spans more than 180°.
POLAR_CUT_GAP_DEG = 0.01

_WORLD = box(-180, -90, 180, 90)


def clean_geometries(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return boundaries ready to publish.

    Sets EPSG:4326 explicitly, splits rings that cross the antimeridian, repairs invalid
    geometries keeping only polygonal parts, simplifies the polygons as one coverage (shared
    borders stay shared), snaps to the output grid, and orients rings per RFC 7946.
    Point geometries (countries without a polygon) pass through unchanged.
    """
    gdf = gdf.set_crs(CRS, allow_override=True)
    geoms = gdf.geometry.values
    polygonal = np.array([g is not None and g.geom_type in ("Polygon", "MultiPolygon") for g in geoms])
    cleaned = np.array(geoms, dtype=object)
    poly = [polygonal_part(shapely.make_valid(split_antimeridian(g))) for g in geoms[polygonal]]
    poly = shapely.coverage_simplify(np.array(poly, dtype=object), SIMPLIFY_TOLERANCE_DEG)
    poly = [
        cut_polar_caps(polygonal_part(shapely.make_valid(shapely.set_precision(g, OUTPUT_GRID_DEG))))
        for g in poly
    ]
    cleaned[polygonal] = shapely.orient_polygons(np.array(poly, dtype=object), exterior_cw=False)
    out = gdf.copy()
    out["geometry"] = gpd.GeoSeries(cleaned, crs=CRS, index=gdf.index)
    return out


def polygonal_part(geom: BaseGeometry) -> MultiPolygon | Polygon:
    """Keep only the polygons of a geometry (make_valid can return GeometryCollections)."""
    if geom is None or geom.is_empty:
        return MultiPolygon()
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    parts = [p for p in shapely.get_parts(geom) if p.geom_type in ("Polygon", "MultiPolygon")]
    polys = [q for p in parts for q in (p.geoms if p.geom_type == "MultiPolygon" else [p])]
    if len(polys) == 1:
        return polys[0]
    return MultiPolygon(polys)


def split_antimeridian(geom: BaseGeometry) -> BaseGeometry:
    """Split polygons whose rings jump across ±180° longitude into parts on each side.

    Rings are first unwrapped (consecutive points never more than 180° apart); a ring that
    goes once round a pole (Antarctica) is closed along that pole. The unwrapped shape is
    cut at ±180° and the outer pieces are shifted back by 360°, so no output ring spans more
    than 180° of longitude.
    """
    if geom is None or geom.is_empty or geom.geom_type not in ("Polygon", "MultiPolygon"):
        return geom
    parts = geom.geoms if geom.geom_type == "MultiPolygon" else [geom]
    if not any(_crosses(p) for p in parts):
        return geom
    pieces: list[Polygon] = []
    for p in parts:
        if not _crosses(p):
            pieces.append(p)
            continue
        shell = _unwrap_ring(np.asarray(p.exterior.coords))
        holes = [_align(_unwrap_ring(np.asarray(r.coords)), shell) for r in p.interiors]
        unwrapped = shapely.make_valid(Polygon(shell, holes))
        for shift in (-360.0, 0.0, 360.0):
            window = box(-180 + shift, -90, 180 + shift, 90)
            clipped = polygonal_part(unwrapped.intersection(window))
            if not clipped.is_empty:
                moved = shapely.transform(clipped, lambda xy, s=shift: xy - np.array([s, 0.0]))
                pieces.extend(moved.geoms if moved.geom_type == "MultiPolygon" else [moved])
    return MultiPolygon([q for q in pieces if not q.is_empty and q.area > 0])


def ring_lon_span(geom: BaseGeometry) -> float:
    """The largest longitude span of any ring in a polygonal geometry, in degrees."""
    if geom is None or geom.is_empty or geom.geom_type not in ("Polygon", "MultiPolygon"):
        return 0.0
    spans = [0.0]
    for p in geom.geoms if geom.geom_type == "MultiPolygon" else [geom]:
        for ring in (p.exterior, *p.interiors):
            x = np.asarray(ring.coords)[:, 0]
            spans.append(float(x.max() - x.min()))
    return max(spans)


def cut_polar_caps(geom: BaseGeometry) -> BaseGeometry:
    """Cut any part still wider than 180° (a polar cap: Antarctica) at the prime meridian.

    The halves are kept POLAR_CUT_GAP_DEG apart: parts of a valid MultiPolygon may not share
    an edge.
    """
    if geom is None or geom.is_empty or geom.geom_type not in ("Polygon", "MultiPolygon"):
        return geom
    parts = list(geom.geoms) if geom.geom_type == "MultiPolygon" else [geom]
    if all(p.bounds[2] - p.bounds[0] <= 180 for p in parts):
        return geom
    out: list[Polygon] = []
    half = POLAR_CUT_GAP_DEG / 2
    for p in parts:
        if p.bounds[2] - p.bounds[0] <= 180:
            out.append(p)
            continue
        for x0, x1 in ((-180.0, -half), (half, 180.0)):
            h = polygonal_part(p.intersection(box(x0, -90, x1, 90)))
            out.extend(h.geoms if h.geom_type == "MultiPolygon" else [h])
    return MultiPolygon([q for q in out if not q.is_empty])


def _crosses(p: Polygon) -> bool:
    x = np.asarray(p.exterior.coords)[:, 0]
    return len(x) > 1 and float(np.abs(np.diff(x)).max()) > 180


def _unwrap_ring(xy: np.ndarray) -> np.ndarray:
    xy = xy[:, :2].astype(float).copy()
    jumps = np.round(np.diff(xy[:, 0]) / 360.0)
    xy[1:, 0] -= 360.0 * np.cumsum(jumps)
    gap = xy[-1, 0] - xy[0, 0]
    if abs(gap) > 180:  # the ring goes round a pole: close it along the pole
        pole = -90.0 if xy[:, 1].mean() < 0 else 90.0
        xy = np.vstack([xy[:-1], [[xy[-2, 0], pole], [xy[0, 0], pole], xy[0]]])
    return xy


def _align(hole: np.ndarray, shell: np.ndarray) -> np.ndarray:
    shift = 360.0 * np.round((shell[:, 0].mean() - hole[:, 0].mean()) / 360.0)
    return hole + np.array([shift, 0.0])
