"""The processed data the dashboard serves, loaded once per process and held read-only."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from etl import paths


@dataclass(frozen=True, eq=False)
class Atlas:
    """Everything the ETL wrote, plus lookups derived from it (no re-derivation of data)."""

    countries: tuple[dict, ...]  # coverage feature properties, one per country
    geometries: dict  # iso3 -> GeoJSON geometry (or None)
    centres: tuple[dict, ...]  # centre properties with lon/lat
    corridors: tuple[dict, ...]  # corridor features
    headlines: tuple[dict, ...]
    metadata: dict
    report: dict
    geometry_json: bytes = field(repr=False)  # polygon geometry for the browser, sent once
    origin: str = "shipped"  # "upload" for a session's own data

    @cached_property
    def by_iso3(self) -> dict[str, dict]:
        return {c["iso3"]: c for c in self.countries}

    @cached_property
    def geometry_etag(self) -> str:
        return hashlib.sha256(self.geometry_json).hexdigest()[:16]

    @cached_property
    def continents(self) -> list[str]:
        return sorted({c["continent"] for c in self.countries if c["continent"]})

    @cached_property
    def subregions(self) -> list[str]:
        return sorted({c["subregion"] for c in self.countries if c["subregion"]})

    @cached_property
    def vendors(self) -> list[str]:
        return sorted({c["vendor"] for c in self.centres if c.get("vendor")})

    @cached_property
    def years(self) -> tuple[int, int]:
        known = [c["first_year"] for c in self.centres if c.get("first_year")]
        known += [c["permit_as_of"] for c in self.countries if c.get("permit_as_of")]
        return (min(known), max(known)) if known else (2000, 2025)

    @cached_property
    def point_countries(self) -> list[dict]:
        return [c for c in self.countries if c["shape"] == "point"]

    @cached_property
    def part_bounds(self) -> dict[str, list[tuple[float, float, float, float]]]:
        """ISO3 -> (min lon, min lat, max lon, max lat) of each polygon or point, for zooming."""
        out: dict[str, list[tuple[float, float, float, float]]] = {}
        for iso3, g in self.geometries.items():
            if not g:
                continue
            if g["type"] == "Point":
                x, y = g["coordinates"]
                out[iso3] = [(x, y, x, y)]
                continue
            polys = [g["coordinates"]] if g["type"] == "Polygon" else g["coordinates"]
            boxes = []
            for poly in polys:
                xs = [p[0] for p in poly[0]]
                ys = [p[1] for p in poly[0]]
                boxes.append((min(xs), min(ys), max(xs), max(ys)))
            out[iso3] = boxes
        return out

    @cached_property
    def label_points(self) -> dict[str, tuple[float, float]]:
        out = {}
        for iso3, g in self.geometries.items():
            if g and g["type"] == "Point":
                out[iso3] = tuple(g["coordinates"])
        return out


def load_atlas(directory: Path = paths.PROCESSED) -> Atlas:
    """Read the ETL outputs from `directory`."""
    directory = Path(directory)
    coverage = _read(directory / "coverage.geojson")
    centres = _read(directory / "centres.geojson")
    corridors = _read(directory / "corridors.geojson")
    headlines = _read(directory / "headlines.json")
    report = _read(directory / "build_report.json")
    countries, geometries, polygons = [], {}, []
    for f in coverage["features"]:
        countries.append(f["properties"])
        geometries[f["properties"]["iso3"]] = f["geometry"]
        if f["geometry"] and f["geometry"]["type"] != "Point":
            polygons.append(
                {"type": "Feature", "id": f["properties"]["iso3"], "geometry": _clockwise(f["geometry"])}
            )
    centre_rows = []
    for f in centres["features"]:
        lon, lat = f["geometry"]["coordinates"]
        centre_rows.append({**f["properties"], "lon": lon, "lat": lat})
    geometry_json = json.dumps(
        {"type": "FeatureCollection", "features": polygons}, separators=(",", ":")
    ).encode()
    return Atlas(
        countries=tuple(countries),
        geometries=geometries,
        centres=tuple(centre_rows),
        corridors=tuple(corridors["features"]),
        headlines=tuple(headlines["figures"]),
        metadata=coverage["metadata"],
        report=report,
        geometry_json=geometry_json,
    )


def _clockwise(geometry: dict) -> dict:
    """Reverse RFC 7946 rings for plotly.js: d3-geo reads a counter-clockwise exterior as
    'the whole sphere except this shape' and floods the map. Downloads keep RFC 7946 order."""
    polys = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    flipped = [[ring[::-1] for ring in poly] for poly in polys]
    return {"type": geometry["type"], "coordinates": flipped[0] if geometry["type"] == "Polygon" else flipped}


def _read(path: Path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)
