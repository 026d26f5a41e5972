"""Downloads: exactly what the screen shows, as GeoJSON or CSV. Pure functions."""

from __future__ import annotations

import csv
import io
import json

from dashboard.data import Atlas
from dashboard.filters import FilterState, View, to_query

CSV_COLUMNS = (
    "iso3",
    "name",
    "continent",
    "subregion",
    "bri_member",
    "bri_signed_year",
    "centres_shown",
    "centres_basis",
    "named_sites",
    "permit_status",
    "permit_as_of",
    "permit_note",
    "shape",
    "sources",
)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def export_metadata(atlas: Atlas, state: FilterState, what: str) -> dict:
    meta = atlas.metadata
    return {
        "title": f"HIFU Coverage Atlas: {what}",
        "built_at": meta["built_at"],
        "counts_note": meta["counts_note"],
        "licence": meta["licence"],
        "sources": [
            {
                k: s.get(k)
                for k in ("file", "title", "producer", "version", "date_obtained", "licence", "citation")
            }
            for s in meta["sources"]
        ],
        "filters": state.as_dict(),
        "query": to_query(state),
    }


def coverage_geojson(atlas: Atlas, state: FilterState, view: View) -> dict:
    """The filtered countries as an RFC 7946 FeatureCollection with a `metadata` foreign member.

    `centres` is the count the map shows for the current filters (null when unknown).
    """
    features = []
    for c in view.countries:
        props = {k: v for k, v in c.items() if k != "centres_shown"}
        props["centres"] = c["centres_shown"]
        features.append(
            {"type": "Feature", "id": c["iso3"], "properties": props, "geometry": atlas.geometries[c["iso3"]]}
        )
    return {
        "type": "FeatureCollection",
        "metadata": export_metadata(atlas, state, "HIFU coverage by country"),
        "features": features,
    }


def centres_geojson(atlas: Atlas, state: FilterState, view: View) -> dict:
    features = [
        {
            "type": "Feature",
            "properties": {k: v for k, v in c.items() if k not in ("lon", "lat")},
            "geometry": {"type": "Point", "coordinates": [c["lon"], c["lat"]]},
        }
        for c in view.centres
    ]
    return {
        "type": "FeatureCollection",
        "metadata": export_metadata(atlas, state, "named HIFU treatment centres"),
        "features": features,
    }


def coverage_csv(view: View) -> str:
    """The filtered countries as CSV; cells a spreadsheet would run as formulas are neutralised."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for c in view.countries:
        writer.writerow([_cell(c.get(k)) for k in CSV_COLUMNS])
    return buf.getvalue()


def dumps(doc: dict) -> str:
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        value = "; ".join(str(v) for v in value)
    text = str(value)
    if text.startswith(_FORMULA_START) and not _is_number(text):
        return "'" + text
    return text


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
