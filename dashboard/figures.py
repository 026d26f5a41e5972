"""Figure building: data + filter state -> plotly figure, Patch, legend and KPI text. Pure functions."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

import plotly.graph_objects as go
from dash import Patch

from dashboard.data import Atlas
from dashboard.filters import FilterState, View, apply_filters

UNKNOWN_COLOUR = "#d6d6d6"
OUTSIDE_FILTER_COLOUR = "#f1f1ee"
OCEAN_COLOUR = "#f6f8fa"
BORDER_COLOUR = "#ffffff"
BRI_OUTLINE_COLOUR = "#1b1b1b"
CENTRE_MARKER_COLOUR = "#1b1b1b"
CORRIDOR_COLOUR = "#8e44ad"

# Trace order in the figure; Patch updates address traces by these positions.
CHOROPLETH, BRI_OUTLINES, COUNTRY_POINTS, CORRIDORS_LAND, CORRIDORS_SEA, CENTRE_MARKERS = range(6)


@dataclass(frozen=True)
class ColourClass:
    key: str
    colour: str
    label: str
    low: int | None = None
    high: int | None = None


# Centres per country: class breaks stated in the legend. Colours: ColorBrewer YlGnBu (colour-blind safe).
CENTRE_CLASSES = (
    ColourClass("unknown", UNKNOWN_COLOUR, "Unknown (no named centre found)"),
    ColourClass("zero", "#fff3c4", "0 (reported none)", 0, 0),
    ColourClass("1", "#c7e9b4", "1", 1, 1),
    ColourClass("2-4", "#7fcdbb", "2–4", 2, 4),
    ColourClass("5-9", "#1d91c0", "5–9", 5, 9),
    ColourClass("10-49", "#225ea8", "10–49", 10, 49),
    ColourClass("50+", "#0c2c84", "50 or more", 50, None),
)
# Permit status: Okabe-Ito palette (colour-blind safe); unknown is grey, unlike "none".
PERMIT_CLASSES = (
    ColourClass("approved", "#009e73", "Approved / market access"),
    ColourClass("pilot", "#56b4e9", "Pilot approval"),
    ColourClass("pending", "#e69f00", "Pending"),
    ColourClass("none", "#d55e00", "None (no permit)"),
    ColourClass("unknown", UNKNOWN_COLOUR, "Unknown (no source names the country)"),
)
BRI_CLASSES = (
    ColourClass("member", "#0072b2", "Belt and Road member (portal list, Oct 2023)"),
    ColourClass("non-member", "#e9e4d4", "Not on the member list"),
)
CLASSES = {"centres": CENTRE_CLASSES, "permits": PERMIT_CLASSES, "bri": BRI_CLASSES}
OUTSIDE = ColourClass("outside", OUTSIDE_FILTER_COLOUR, "Outside the current filter")


def country_class(country: dict, view: str) -> ColourClass:
    """The colour class of a country in a view."""
    if view == "permits":
        return next(c for c in PERMIT_CLASSES if c.key == country["permit_status"])
    if view == "bri":
        return BRI_CLASSES[0] if country["bri_member"] else BRI_CLASSES[1]
    n = country["centres_shown"]
    if n is None:
        return CENTRE_CLASSES[0]
    for c in CENTRE_CLASSES[1:]:
        if n >= c.low and (c.high is None or n <= c.high):
            return c
    raise ValueError(f"no class for {n}")


def centres_text(c: dict | None) -> str:
    """The centre count as the hover shows it; None (outside the filter) reads as unknown."""
    n = None if c is None else c["centres_shown"]
    if n is None:
        return "unknown"
    if c.get("centres_basis") == "reported count":
        return f"{n} (reported count)"
    return f"at least {n} (named sites)"


def static_hover(c: dict) -> list[str]:
    """Hover fields that do not change with the filters; every value from data is HTML-escaped."""
    if c["bri_member"]:
        year = c.get("bri_signed_year")
        note = c.get("bri_signed_note")
        bri = f"member (signed {year})" if year else "member" + (f" ({escape(note)})" if note else "")
    else:
        bri = "not on the member list"
    permit = escape(c["permit_status"]) + (f" (as of {c['permit_as_of']})" if c.get("permit_as_of") else "")
    shape = "<br><i>Too small to draw at this scale: shown as a point</i>" if c["shape"] == "point" else ""
    return [escape(c["name"]), permit, bri + shape]


HOVER_TEMPLATE = (
    "<b>%{customdata[0]}</b><br>HIFU centres: %{text}<br>Permit status: %{customdata[1]}"
    "<br>Belt and Road: %{customdata[2]}<br><i>Click for details and sources</i><extra></extra>"
)


def centre_hover(c: dict) -> str:
    year = c.get("first_year")
    if year and c.get("year_qualifier") == "by":
        when = f"in use by {year}"
    else:
        when = str(year) if year else "year not stated"
    parts = [f"<b>{escape(c['site'])}</b>", escape(c.get("city") or "")]
    parts.append(f"First year: {when}")
    parts.append(f"System: {escape(c.get('system') or 'not stated')} ({escape(c.get('vendor') or '')})")
    parts.append(f"Source: {escape(c.get('source') or 'none')} {escape(c.get('source_date') or '')}")
    return "<br>".join(p for p in parts if p)


def polygon_countries(atlas: Atlas) -> list[dict]:
    return [c for c in atlas.countries if c["shape"] == "polygon"]


def static_data(atlas: Atlas) -> dict[int, dict]:
    """Per-trace data sent once with the page: locations, hover fields, centre positions, corridors."""
    polys = polygon_countries(atlas)
    land = [f for f in atlas.corridors if f["properties"]["kind"] == "land"]
    sea = [f for f in atlas.corridors if f["properties"]["kind"] == "sea"]
    return {
        CHOROPLETH: {"locations": [c["iso3"] for c in polys], "customdata": [static_hover(c) for c in polys]},
        COUNTRY_POINTS: {
            "lon": [atlas.label_points[c["iso3"]][0] for c in atlas.point_countries],
            "customdata": [static_hover(c) for c in atlas.point_countries],
        },
        CORRIDORS_LAND: _lines(land),
        CORRIDORS_SEA: _lines(sea),
        CENTRE_MARKERS: {
            "lon": [c["lon"] for c in atlas.centres],
            "customdata": [centre_hover(c) for c in atlas.centres],
        },
    }


def trace_data(atlas: Atlas, state: FilterState, view: View | None = None) -> dict[int, dict]:
    """Per-trace data for a state: the only things that change between filter states.

    Every trace keeps all its locations (sent once); a filtered-out country gets the
    'outside the filter' class, and a filtered-out centre a null latitude.
    """
    view = view or apply_filters(atlas, state)
    classes = (*CLASSES[state.view], OUTSIDE)
    outside = len(classes) - 1
    index = {c.key: i for i, c in enumerate(classes)}
    shown = {c["iso3"]: c for c in view.countries}
    polys = polygon_countries(atlas)
    visible_centres = {id(c) for c in view.centres}

    def z(c):
        s = shown.get(c["iso3"])
        return outside if s is None else index[country_class(s, state.view).key]

    return {
        CHOROPLETH: {
            "z": [z(c) for c in polys],
            "text": [centres_text(shown.get(c["iso3"])) for c in polys],
            "zmax": len(classes) - 0.5,
            "colorscale": _discrete_scale(classes),
        },
        BRI_OUTLINES: {
            "locations": [c["iso3"] for c in polys if c["bri_member"] and c["iso3"] in shown],
            "z": [0] * sum(1 for c in polys if c["bri_member"] and c["iso3"] in shown),
            "visible": "bri" in state.overlays,
        },
        COUNTRY_POINTS: {
            "lat": [
                atlas.label_points[c["iso3"]][1] if c["iso3"] in shown else None
                for c in atlas.point_countries
            ],
            "text": [centres_text(shown.get(c["iso3"])) for c in atlas.point_countries],
            "marker.color": [
                country_class(shown[c["iso3"]], state.view).colour if c["iso3"] in shown else OUTSIDE.colour
                for c in atlas.point_countries
            ],
        },
        CORRIDORS_LAND: {"visible": "corridors" in state.overlays},
        CORRIDORS_SEA: {"visible": "corridors" in state.overlays},
        CENTRE_MARKERS: {
            "lat": [c["lat"] if id(c) in visible_centres else None for c in atlas.centres],
            "visible": "centres" in state.overlays,
        },
    }


WORLD_CENTRE = {"lon": 0.0, "lat": 0.0}
MAX_ZOOM = 12.0


# Hand-set views for one continent (as OWID does): a bounding box would let Russia's Pacific
# coast or far-flung islands pull the view away from where the countries are.
CONTINENT_VIEWS = {
    "Africa": (18.0, 2.0, 2.4),
    "Antarctica": (0.0, -75.0, 2.0),
    "Asia": (88.0, 28.0, 1.9),
    "Europe": (15.0, 53.0, 3.6),
    "North America": (-92.0, 35.0, 2.0),
    "Oceania": (155.0, -18.0, 2.4),
    "South America": (-60.0, -20.0, 2.6),
}


def layout_geo(atlas: Atlas, state: FilterState, view: View) -> dict:
    """Projection and zoom: a narrowed region zooms to the matching countries."""
    geo = {
        "projection": {"type": state.projection, "scale": 1.0, "rotation": {"lon": 0.0}},
        "center": dict(WORLD_CENTRE),
    }
    if not state.narrows_countries or not view.countries:
        return geo
    if len(state.continents) == 1 and not state.subregions and state.continents[0] in CONTINENT_VIEWS:
        lon, lat, scale = CONTINENT_VIEWS[state.continents[0]]
        geo["projection"].update(scale=scale, rotation={"lon": lon})
        geo["center"] = {"lon": lon, "lat": lat}
        return geo
    boxes = [b for c in view.countries for b in atlas.part_bounds.get(c["iso3"], [])]
    if not boxes:
        return geo
    lon_lo, lon_hi = lon_extent([(b[0], b[2]) for b in boxes])
    lat_lo, lat_hi = min(b[1] for b in boxes), max(b[3] for b in boxes)
    lon_c = (lon_lo + lon_hi) / 2
    lon_c = (lon_c + 180) % 360 - 180
    span_lon, span_lat = max(lon_hi - lon_lo, 1.0), max(lat_hi - lat_lo, 1.0)
    scale = min(360 / span_lon, 180 / span_lat) * 0.7
    geo["projection"]["scale"] = round(min(max(scale, 1.0), MAX_ZOOM), 3)
    geo["projection"]["rotation"] = {"lon": round(lon_c, 3)}
    geo["center"] = {"lon": round(lon_c, 3), "lat": round((lat_lo + lat_hi) / 2, 3)}
    return geo


def lon_extent(intervals: list[tuple[float, float]]) -> tuple[float, float]:
    """The shortest longitude range covering all intervals on the circle (it may run past 180)."""
    spans = sorted(intervals)
    merged: list[list[float]] = []
    for lo, hi in spans:
        if merged and lo <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], hi)
        else:
            merged.append([lo, hi])
    # The largest empty gap between merged intervals (including the wrap past 180°) is left out.
    gaps = [(merged[i + 1][0] - merged[i][1], i) for i in range(len(merged) - 1)]
    gaps.append((merged[0][0] + 360 - merged[-1][1], len(merged) - 1))
    _, i = max(gaps)
    if i == len(merged) - 1:
        return merged[0][0], merged[-1][1]
    return merged[i + 1][0], merged[i][1] + 360


def build_figure(atlas: Atlas, state: FilterState, geometry: str | dict) -> go.Figure:
    """The whole map figure. Geometry is a URL (the browser fetches it once) or inline GeoJSON."""
    view = apply_filters(atlas, state)
    fig = go.Figure()
    fig.add_trace(
        go.Choropleth(
            geojson=geometry,
            featureidkey="id",
            zmin=-0.5,
            showscale=False,
            marker={"line": {"color": BORDER_COLOUR, "width": 0.4}},
            hovertemplate=HOVER_TEMPLATE,
            name="countries",
        )
    )
    fig.add_trace(
        go.Choropleth(
            geojson=geometry,
            featureidkey="id",
            zmin=0,
            zmax=1,
            colorscale=[[0, "rgba(0,0,0,0)"], [1, "rgba(0,0,0,0)"]],
            showscale=False,
            marker={"line": {"color": BRI_OUTLINE_COLOUR, "width": 1.1}},
            hoverinfo="skip",
            name="Belt and Road member outlines",
        )
    )
    fig.add_trace(
        go.Scattergeo(
            mode="markers",
            marker={"symbol": "diamond", "size": 9, "line": {"width": 1, "color": "#555555"}},
            hovertemplate=HOVER_TEMPLATE,
            name="countries shown as points",
        )
    )
    for kind, dash in (("land", "solid"), ("sea", "dash")):
        fig.add_trace(
            go.Scattergeo(
                mode="lines",
                line={"color": CORRIDOR_COLOUR, "width": 1.6, "dash": dash},
                opacity=0.8,
                hovertemplate="%{text}<extra></extra>",
                name=f"corridors ({kind}, schematic)",
            )
        )
    fig.add_trace(
        go.Scattergeo(
            mode="markers",
            marker={"size": 7, "color": CENTRE_MARKER_COLOUR, "line": {"width": 1.2, "color": "#ffffff"}},
            hovertemplate="%{customdata}<extra></extra>",
            name="HIFU centres",
        )
    )
    for data in (static_data(atlas), trace_data(atlas, state, view)):
        for i, values in data.items():
            fig.update_traces(_nested(values), selector=i)
    fig.update_layout(
        margin={"l": 0, "r": 0, "t": 0, "b": 0},
        showlegend=False,
        paper_bgcolor="rgba(0,0,0,0)",
        dragmode="pan",
        uirevision="map",
        hoverlabel={"bgcolor": "#ffffff", "font": {"size": 13}},
        geo={
            **layout_geo(atlas, state, view),
            "resolution": 110,
            "showframe": False,
            "showcoastlines": False,
            "showcountries": False,
            "showland": True,
            "landcolor": OUTSIDE_FILTER_COLOUR,
            "showocean": True,
            "oceancolor": OCEAN_COLOUR,
            "showlakes": False,
            "bgcolor": "rgba(0,0,0,0)",
        },
    )
    return fig


def patch_figure(
    atlas: Atlas,
    state: FilterState,
    view: View | None = None,
    previous: FilterState | None = None,
    previous_view: View | None = None,
) -> Patch:
    """A partial update for a filter or view change: data arrays only, never the geometry.

    With `previous` (the state the browser shows now, and its view when the caller has it),
    only the values that differ are sent.
    """
    view = view or apply_filters(atlas, state)
    now = _flat(atlas, state, view)
    before = {}
    if previous is not None:
        before = _flat(atlas, previous, previous_view or apply_filters(atlas, previous))
    patch = Patch()
    for path, value in now.items():
        if path in before and before[path] == value:
            continue
        target = patch
        *parents, leaf = path
        for p in parents:
            target = target[p]
        target[leaf] = value
    return patch


def _flat(atlas: Atlas, state: FilterState, view: View) -> dict[tuple, object]:
    """Every value a Patch may set, keyed by its path in the figure."""
    out: dict[tuple, object] = {}
    for i, values in trace_data(atlas, state, view).items():
        for key, value in values.items():
            out[("data", i, *key.split("."))] = value
    geo = layout_geo(atlas, state, view)
    out[("layout", "geo", "projection")] = geo["projection"]
    out[("layout", "geo", "center")] = geo["center"]
    return out


def legend_items(state: FilterState, has_points: bool = False) -> list[dict]:
    """Legend rows for the view and overlays: swatch kind, colour and label."""
    items = [{"kind": "fill", "colour": c.colour, "label": c.label} for c in CLASSES[state.view]]
    if has_points:
        items.append(
            {"kind": "point", "colour": "#888888", "label": "Too small to draw at this scale: shown as ◆"}
        )
    if state.narrows_countries:
        items.append({"kind": "fill", "colour": OUTSIDE_FILTER_COLOUR, "label": "Outside the current filter"})
    if "bri" in state.overlays:
        items.append(
            {"kind": "outline", "colour": BRI_OUTLINE_COLOUR, "label": "Belt and Road member (outline)"}
        )
    if "corridors" in state.overlays:
        items.append({"kind": "line", "colour": CORRIDOR_COLOUR, "label": "BRI land corridor (schematic)"})
        items.append({"kind": "dash", "colour": CORRIDOR_COLOUR, "label": "Maritime Silk Road (schematic)"})
    if "centres" in state.overlays:
        items.append(
            {"kind": "dot", "colour": CENTRE_MARKER_COLOUR, "label": "Named HIFU centre (city location)"}
        )
    return items


def legend_title(state: FilterState, origin: str = "shipped") -> str:
    if state.view == "centres":
        suffix = f" open by {state.year}" if state.year else ""
        if origin == "upload":
            return f"HIFU centres per country{suffix} (from your uploaded file)"
        return f"HIFU centres per country{suffix} (at least: counted from named public sources)"
    if state.view == "permits":
        if origin == "upload":
            return "HIFU permit / market-access status (from your uploaded file)"
        return "HIFU permit / market-access status (where a public source names the country)"
    return "Belt and Road Initiative membership"


def _discrete_scale(classes) -> list[list]:
    n = len(classes)
    scale = []
    for i, c in enumerate(classes):
        scale.append([i / n, c.colour])
        scale.append([(i + 1) / n, c.colour])
    return scale


def _lines(features: list[dict]) -> dict:
    lon, lat, text = [], [], []
    for f in features:
        for x, y in f["geometry"]["coordinates"]:
            lon.append(x)
            lat.append(y)
            text.append(escape(f"{f['properties']['corridor']} (schematic)"))
        lon.append(None)
        lat.append(None)
        text.append(None)
    return {"lon": lon, "lat": lat, "text": text}


def _nested(values: dict) -> dict:
    out: dict = {}
    for key, value in values.items():
        target = out
        *parents, leaf = key.split(".")
        for p in parents:
            target = target.setdefault(p, {})
        target[leaf] = value
    return out
