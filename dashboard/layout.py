"""The page: header, filters, map with legend and KPI cards, country detail, sources tab."""

from __future__ import annotations

from dash import dcc, html

from dashboard import ids
from dashboard.data import Atlas
from dashboard.figures import build_figure, legend_items, legend_title
from dashboard.filters import (
    BRI_CHOICES,
    OVERLAYS,
    PERMIT_STATUSES,
    PROJECTIONS,
    VIEWS,
    FilterState,
    apply_filters,
    to_query,
)
from dashboard.sources import sources_tab

TOPOJSON_URL = "/topojson/"


def geometry_url(atlas: Atlas) -> str:
    return f"/geo/countries.{atlas.geometry_etag}.geojson"


def build_layout(atlas: Atlas, geometry: dict | None = None) -> html.Div:
    """The page. Geometry goes by URL unless given inline (the benchmarks' naive baseline)."""
    state = FilterState()
    view = apply_filters(atlas, state)
    lo, hi = atlas.years
    return html.Div(
        className="page",
        children=[
            dcc.Location(id=ids.URL, refresh="callback-nav"),
            dcc.Download(id=ids.DOWNLOAD),
            # The query string of the state the map shows, so updates send only what changed.
            dcc.Store(id=ids.SHOWN, data=to_query(state) + "|"),
            # A user's uploaded deployments: kept in this browser tab only (session storage).
            dcc.Store(id=ids.USER_DATA, storage_type="session"),
            dcc.Interval(id=ids.TICKER, interval=1200, disabled=True),
            html.Header(
                className="masthead",
                children=[
                    html.H1("HIFU Coverage Atlas"),
                    html.P(
                        "Where high-intensity focused ultrasound (HIFU) tumour-treatment systems are known to be in use, "
                        "where they hold permits, and how that lines up with the Belt and Road Initiative. "
                        "Counts are lower bounds from named public sources.",
                        className="lede",
                    ),
                ],
            ),
            dcc.Tabs(
                id=ids.TABS,
                value="map",
                className="tabs",
                mobile_breakpoint=0,
                children=[
                    dcc.Tab(
                        label="Map",
                        value="map",
                        children=_map_tab(atlas, state, view, lo, hi, geometry or geometry_url(atlas)),
                    ),
                    dcc.Tab(label="Sources & notes", value="sources", children=sources_tab(atlas)),
                ],
            ),
            html.Footer(
                className="footer",
                children=[
                    f"Data built {atlas.metadata['built_at']} · Boundaries: Natural Earth (public domain) · "
                    "City coordinates: GeoNames (CC BY 4.0) · Corridors are schematic · See Sources & notes."
                ],
            ),
        ],
    )


def _map_tab(atlas: Atlas, state: FilterState, view, lo: int, hi: int, geometry) -> html.Div:
    return html.Div(
        className="map-tab",
        children=[
            html.Aside(className="controls", children=_controls(atlas, state, lo, hi)),
            html.Main(
                className="map-area",
                children=[
                    html.Div(id=ids.FILTER_ERROR, className="filter-error", role="alert"),
                    html.Div(id=ids.KPIS, className="kpis", children=kpi_cards(view.kpis)),
                    dcc.Loading(
                        type="default",
                        delay_show=250,
                        children=dcc.Graph(
                            id=ids.MAP,
                            className="map",
                            figure=build_figure(atlas, state, geometry),
                            config={
                                "topojsonURL": TOPOJSON_URL,
                                "displaylogo": False,
                                "scrollZoom": True,
                                "modeBarButtonsToRemove": ["select2d", "lasso2d"],
                                "toImageButtonOptions": {"filename": "hifu-coverage-atlas"},
                            },
                        ),
                    ),
                    html.Div(
                        id=ids.LEGEND, className="legend", children=legend(state, bool(atlas.point_countries))
                    ),
                    _upload_section(),
                    html.Div(
                        className="downloads",
                        children=[
                            html.Span("Download what the map shows:", className="downloads-label"),
                            html.Button("GeoJSON", id=ids.DOWNLOAD_GEOJSON, className="button"),
                            html.Button("CSV", id=ids.DOWNLOAD_CSV, className="button"),
                            html.A(
                                "API link",
                                id=ids.SHARE_LINK,
                                href="/api/coverage.geojson",
                                className="api-link",
                            ),
                        ],
                    ),
                ],
            ),
            html.Section(
                id=ids.DETAIL,
                className="detail",
                hidden=True,
                children=[
                    html.Button(
                        "×", id=ids.DETAIL_CLOSE, className="close", title="Close", **{"aria-label": "Close"}
                    ),
                    html.Div(id=ids.DETAIL_BODY),
                ],
            ),
        ],
    )


def _controls(atlas: Atlas, state: FilterState, lo: int, hi: int) -> list:
    def group(label, control, hint=None):
        children = [html.Label(label, className="control-label"), control]
        if hint:
            children.append(html.Small(hint, className="hint"))
        return html.Div(className="control", children=children)

    return [
        group(
            "Map shows",
            dcc.RadioItems(
                id=ids.VIEW,
                options=[{"label": v, "value": k} for k, v in VIEWS.items()],
                value=state.view,
                className="radio",
            ),
        ),
        group(
            "Overlays",
            dcc.Checklist(
                id=ids.OVERLAYS,
                options=[{"label": v, "value": k} for k, v in OVERLAYS.items()],
                value=list(state.overlays),
                className="checklist",
            ),
        ),
        group(
            "Continent",
            dcc.Dropdown(
                id=ids.CONTINENTS, options=atlas.continents, multi=True, placeholder="All continents"
            ),
            "Choosing a region zooms the map to it.",
        ),
        group(
            "UN subregion",
            dcc.Dropdown(
                id=ids.SUBREGIONS, options=atlas.subregions, multi=True, placeholder="All subregions"
            ),
        ),
        group(
            "Belt and Road",
            dcc.RadioItems(
                id=ids.BRI,
                options=[{"label": v, "value": k} for k, v in BRI_CHOICES.items()],
                value=state.bri,
                className="radio",
            ),
        ),
        group(
            "Permit status",
            dcc.Dropdown(
                id=ids.PERMITS,
                options=[{"label": s.capitalize(), "value": s} for s in PERMIT_STATUSES],
                multi=True,
                placeholder="Any status",
            ),
        ),
        group(
            "Vendor / system",
            dcc.Dropdown(id=ids.VENDORS, options=atlas.vendors, multi=True, placeholder="All vendors"),
        ),
        group(
            "Centres open by year",
            html.Div(
                className="year",
                children=[
                    dcc.Checklist(
                        id=ids.YEAR_ALL,
                        options=[
                            {"label": "All years (includes centres with no stated year)", "value": "all"}
                        ],
                        value=["all"],
                        className="checklist",
                    ),
                    html.Div(
                        className="year-row",
                        children=[
                            html.Button(
                                "▶ Play", id=ids.PLAY, className="button play", title="Step through the years"
                            ),
                            html.Div(
                                className="slider",
                                children=dcc.Slider(
                                    id=ids.YEAR,
                                    min=lo,
                                    max=hi,
                                    step=1,
                                    value=hi,
                                    marks=year_marks(lo, hi),
                                    tooltip={"placement": "bottom", "always_visible": False},
                                ),
                            ),
                        ],
                    ),
                ],
            ),
        ),
        group(
            "Projection",
            dcc.Dropdown(
                id=ids.PROJECTION,
                options=[{"label": v, "value": k} for k, v in PROJECTIONS.items()],
                value=state.projection,
                clearable=False,
            ),
        ),
        html.Button("Reset all filters", id=ids.RESET, className="button reset"),
    ]


def _upload_section() -> html.Div:
    return html.Div(
        className="upload-box",
        children=[
            html.Div(
                className="upload-row",
                children=[
                    html.Span("Your own data:", className="downloads-label"),
                    dcc.Upload(
                        id=ids.UPLOAD,
                        children=html.Button("Upload CSV or XLSX", className="button"),
                        multiple=False,
                    ),
                    html.A(
                        "Template CSV", href="/api/template.csv", download="hifu-deployments-template.csv"
                    ),
                    html.Button("Back to shipped data", id=ids.USER_RESET, className="button"),
                ],
            ),
            html.Small(
                "Columns: country, centres, and optionally permit_status, as_of, source. Your file replaces the "
                "shipped counts in this browser session only (downloads and the API link follow); nothing is stored on the server.",
                className="hint",
            ),
            html.Div(id=ids.UPLOAD_STATUS, className="upload-status", role="status"),
        ],
    )


def upload_status(data: dict | None, error: str | None = None, api_follows: bool = True) -> list:
    """What the page says about the data it shows: an error, the shipped data, or an upload."""
    if error:
        return [html.P(error, className="upload-error")]
    if not data or "summary" not in data:
        return []
    s = data["summary"]
    rows = [
        html.Tr([html.Td(str(r["line"])), html.Td(r["reason"]), html.Td(r["value"])]) for r in s["rejected"]
    ]
    children = [
        html.P(
            f"Showing your data from {s['file']}: {s['rows_used']} of {s['rows_read']} rows used for "
            f"{s['countries']} countries; {s['rows_rejected']} rejected. Centres read {s['centres_read']} = "
            f"on the map {s['centres_on_map']} + rejected {s['centres_rejected']}."
            + (
                " The API link follows it in this browser session."
                if api_follows
                else " It is too large to carry in the session, so the API link shows the shipped data."
            ),
            className="upload-summary",
        )
    ]
    if rows:
        more = s["rows_rejected"] - len(rows)
        children.append(
            html.Table(
                className="table rejected",
                children=[
                    html.Thead(html.Tr([html.Th("Line"), html.Th("Why it was rejected"), html.Th("Row")])),
                    html.Tbody(rows),
                ],
            )
        )
        if more > 0:
            children.append(html.P(f"…and {more} more rejected rows."))
    return children


def year_marks(lo: int, hi: int) -> dict[int, str]:
    marks = {y: str(y) for y in range(lo, hi + 1, 5) if hi - y > 3}
    marks[hi] = str(hi)
    return marks


def legend(state: FilterState, has_points: bool = False, origin: str = "shipped") -> list:
    rows = [
        html.Li(
            item["label"], className=f"legend-item swatch-{item['kind']}", style={"--swatch": item["colour"]}
        )
        for item in legend_items(state, has_points)
    ]
    return [
        html.H2(legend_title(state, origin), className="legend-title"),
        html.Ul(rows, className="legend-list"),
    ]


def kpi_cards(kpis: dict) -> list:
    share = kpis["bri_share"]
    patients = kpis["patients_headline"]
    patients_text = "—"
    patients_note = "no per-country figures published"
    if patients:
        patients_text = (
            f"{patients['qualifier'].replace('more than', '>')} {int(patients['value']):,}".strip()
        )
        patients_note = f"worldwide, {patients['as_of'][:4]} ({patients['source']}); not available by country"
    cards = [
        (
            "Countries with centres",
            f"{kpis['countries_with_centres']}",
            f"of {kpis['countries_shown']} countries shown",
        ),
        (
            "Centres (at least)",
            f"{kpis['centres_at_least']}",
            "from your uploaded file" if kpis.get("origin") == "upload" else "named in public sources",
        ),
        (
            "Share in BRI countries",
            "—" if share is None else f"{share:.0%}",
            f"{kpis['bri_centres']} of {kpis['centres_at_least']} centres",
        ),
        ("Patients treated", patients_text, patients_note),
    ]
    return [
        html.Div(
            className="kpi",
            children=[
                html.Div(label, className="kpi-label"),
                html.Div(value, className="kpi-value"),
                html.Div(note, className="kpi-note"),
            ],
        )
        for label, value, note in cards
    ]
