"""World boundaries: Natural Earth admin-0 from world-atlas TopoJSON, keyed by ISO3."""

from __future__ import annotations

import csv
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import shapely
from shapely.geometry import Point

from etl.geometry import CRS
from etl.names import country_table


def read_boundary_ids(path: Path) -> dict[str, dict[str, str]]:
    """Natural Earth name -> stable id, name, continent, subregion for areas with no ISO code."""
    with open(path, newline="", encoding="utf-8-sig") as f:
        return {r["ne_name"]: r for r in csv.DictReader(f)}


def load_boundaries(
    path: Path, boundary_ids: dict[str, dict[str, str]]
) -> tuple[gpd.GeoDataFrame, list[str]]:
    """Read world-atlas countries and key them by ISO3.

    Returns one row per ISO3 (parts with the same code, such as Australia and the Ashmore and
    Cartier Islands, are merged) and the list of Natural Earth names that were merged away.
    Raises ValueError for a feature with neither an ISO numeric id nor an entry in the
    boundary-id table.
    """
    raw = pyogrio.read_dataframe(path, layer="countries")
    isonum = {int(v["isonumeric"]): k for k, v in country_table().items() if pd.notna(v["isonumeric"])}
    codes, names, continents, subregions = [], [], [], []
    for ne_id, ne_name in zip(raw["id"], raw["name"]):
        if pd.notna(ne_id):
            iso3 = isonum.get(int(ne_id))
            if iso3 is None:
                raise ValueError(f"{path}: feature {ne_name!r}: ISO numeric id {ne_id} is not known")
            info = country_table()[iso3]
            codes.append(iso3)
            names.append(info["name"])
            continents.append(info["continent"])
            subregions.append(info["subregion"])
        elif ne_name in boundary_ids:
            rec = boundary_ids[ne_name]
            codes.append(rec["iso3"])
            names.append(rec["name"])
            continents.append(rec["continent"])
            subregions.append(rec["subregion"])
        else:
            raise ValueError(f"{path}: feature {ne_name!r} has no ISO id and no row in boundary_ids.csv")
    gdf = gpd.GeoDataFrame(
        {"iso3": codes, "name": names, "continent": continents, "subregion": subregions},
        geometry=raw.geometry.values,
        crs=CRS,
    )
    merged = sorted(set(raw["name"][gdf["iso3"].duplicated(keep=False)]))
    if merged:
        gdf = _merge_parts(gdf)
    return gdf.sort_values("iso3").reset_index(drop=True), merged


def _merge_parts(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """One row per ISO3, its parts collected (not unioned: raw parts may still be invalid)."""
    first = gdf.drop_duplicates("iso3").set_index("iso3")
    geoms = {
        iso3: shapely.multipolygons([q for g in group.geometry for q in shapely.get_parts(g)])
        for iso3, group in gdf.groupby("iso3")
    }
    first["geometry"] = [geoms[i] for i in first.index]
    return gpd.GeoDataFrame(first.reset_index(), geometry="geometry", crs=gdf.crs)


def label_points(boundaries: gpd.GeoDataFrame, extra: Path) -> dict[str, Point]:
    """ISO3 -> a label point inside each polygon, plus the points in `extra` (a CSV)."""
    points = dict(zip(boundaries["iso3"], shapely.point_on_surface(boundaries.geometry.values)))
    with open(extra, newline="", encoding="utf-8-sig") as f:
        for r in csv.DictReader(f):
            points.setdefault(r["iso3"], Point(float(r["lon"]), float(r["lat"])))
    return points


def add_missing_as_points(
    boundaries: gpd.GeoDataFrame, wanted: dict[str, str], points: dict[str, Point]
) -> tuple[gpd.GeoDataFrame, list[str], list[str]]:
    """Give every wanted country without a polygon a feature: a Point at its label location.

    `wanted` maps ISO3 to a display name. Returns the boundaries with the new rows, the codes
    drawn as points, and the codes that have no known location (kept with a null geometry so
    they still appear in the download).
    """
    have = set(boundaries["iso3"])
    rows, as_points, no_location = [], [], []
    table = country_table()
    for iso3 in sorted(set(wanted) - have):
        info = table.get(iso3, {})
        geom = points.get(iso3)
        (as_points if geom is not None else no_location).append(iso3)
        rows.append(
            {
                "iso3": iso3,
                "name": info.get("name") or wanted[iso3],
                "continent": info.get("continent"),
                "subregion": info.get("subregion"),
                "geometry": geom,
            }
        )
    if rows:
        extra = gpd.GeoDataFrame(rows, geometry="geometry", crs=CRS)
        boundaries = pd.concat([boundaries, extra], ignore_index=True)
    return boundaries, as_points, no_location
