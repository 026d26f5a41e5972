"""Callbacks of the map page: a few lines each, calling the pure functions."""

from __future__ import annotations

from collections.abc import Callable

import flask
from dash import Dash, Input, Output, State, ctx, dcc, no_update

from dashboard import ids
from dashboard.data import Atlas
from dashboard.exports import coverage_csv, coverage_geojson, dumps
from dashboard.figures import legend_items, legend_title, patch_figure
from dashboard.filters import FilterError, FilterState, apply_filters, from_controls, parse_query, to_query
from dashboard.layout import kpi_cards, legend, upload_status
from dashboard.sources import detail_panel
from dashboard.userdata import SESSION_KEY, data_key, parse_upload, to_session, user_atlas

SHOWN_SEPARATOR = "|"

CONTROLS = (
    (ids.VIEW, "view"),
    (ids.PROJECTION, "projection"),
    (ids.OVERLAYS, "overlays"),
    (ids.CONTINENTS, "continents"),
    (ids.SUBREGIONS, "subregions"),
    (ids.BRI, "bri"),
    (ids.PERMITS, "permits"),
    (ids.VENDORS, "vendors"),
    (ids.YEAR, "year"),
    (ids.YEAR_ALL, "year_all"),
)


def control_values(state: FilterState, year_max: int) -> list:
    """Control values that show a state (the inverse of `from_controls`)."""
    return [
        state.view,
        state.projection,
        list(state.overlays),
        list(state.continents),
        list(state.subregions),
        state.bri,
        list(state.permits),
        list(state.vendors),
        state.year if state.year is not None else year_max,
        [] if state.year is not None else ["all"],
    ]


def state_from_search(atlas: Atlas, search: str | None) -> tuple[FilterState, str | None]:
    try:
        return parse_query(search or "", atlas), None
    except FilterError as exc:
        return (
            FilterState(),
            f"This link has a filter the atlas does not know, so the default view is shown: {exc}",
        )


def session_view(atlas: Atlas, search: str | None, user_data: dict | None):
    """The data, filter state and view this browser tab shows."""
    data = user_atlas(atlas, user_data)
    state, _ = state_from_search(atlas, search)
    return data, state, apply_filters(data, state)


def register(app: Dash, atlas: Atlas, map_update: Callable = patch_figure) -> None:
    """Register the page's callbacks.

    `map_update(atlas, state, view, previous, previous_view=...)` makes the figure update: a
    Patch in the app; benchmarks pass a full-figure rebuild as the naive baseline.
    """
    year_max = atlas.years[1]

    @app.callback(
        Output(ids.URL, "search"),
        *[Output(cid, "value") for cid, _ in CONTROLS],
        Output(ids.FILTER_ERROR, "children"),
        Input(ids.URL, "search"),
        *[Input(cid, "value") for cid, _ in CONTROLS],
        Input(ids.RESET, "n_clicks"),
    )
    def sync_url_and_controls(search, *values):
        """The URL is the filter state: the URL sets the controls, and the controls set the URL."""
        if ctx.triggered_id == ids.RESET:
            return ["", *control_values(FilterState(), year_max), None]
        if ctx.triggered_id in (None, ids.URL):
            state, error = state_from_search(atlas, search)
            return [no_update, *control_values(state, year_max), error]
        named = dict(zip([key for _, key in CONTROLS], values[: len(CONTROLS)]))
        year_all = "all" in (named.pop("year_all") or [])
        year = named.pop("year")
        state = from_controls(**named, year=None if year_all else year)
        return [to_query(state), *[no_update] * len(CONTROLS), None]

    @app.callback(
        Output(ids.MAP, "figure"),
        Output(ids.LEGEND, "children"),
        Output(ids.KPIS, "children"),
        Output(ids.SHARE_LINK, "href"),
        Output(ids.SHOWN, "data"),
        Input(ids.URL, "search"),
        Input(ids.USER_DATA, "data"),
        State(ids.SHOWN, "data"),
    )
    def update_map(search, user_data, shown):
        """Update the map from the URL, sending only what differs from the state shown now."""
        data = user_atlas(atlas, user_data)
        key = data_key(user_data)
        state, _ = state_from_search(atlas, search)
        shown_query, _, shown_key = (shown or "").partition(SHOWN_SEPARATOR)
        previous, _ = state_from_search(atlas, shown_query)
        same_data = shown_key == key
        view = apply_filters(data, state)
        before = apply_filters(data, previous) if same_data else None
        now_legend = (state, any(c["shape"] == "point" for c in view.countries), data.origin)
        old_legend = (
            (previous, any(c["shape"] == "point" for c in before.countries), data.origin) if before else None
        )
        same_legend = (
            old_legend is not None
            and legend_items(*now_legend[:2]) == legend_items(*old_legend[:2])
            and (legend_title(state, data.origin) == legend_title(previous, data.origin))
        )
        return (
            map_update(data, state, view, previous if same_data else None, previous_view=before),
            no_update if same_legend else legend(*now_legend),
            no_update if before is not None and view.kpis == before.kpis else kpi_cards(view.kpis),
            f"/api/coverage.geojson{to_query(state)}",
            f"{to_query(state)}{SHOWN_SEPARATOR}{key}",
        )

    @app.callback(
        Output(ids.USER_DATA, "data"),
        Output(ids.UPLOAD_STATUS, "children"),
        Input(ids.UPLOAD, "contents"),
        Input(ids.USER_RESET, "n_clicks"),
        State(ids.UPLOAD, "filename"),
        State(ids.USER_DATA, "data"),
    )
    def use_uploaded_data(contents, _reset, filename, current):
        """Validate an upload with the ETL's rules; keep what passes in this browser tab only."""
        if ctx.triggered_id == ids.USER_RESET:
            flask.session.pop(SESSION_KEY, None)
            return None, []
        if ctx.triggered_id is None:  # page load: the tab may still hold an earlier upload
            packed = to_session(current) if data_key(current) else None
            if packed:  # the session cookie (and so the API) follows what this tab shows
                flask.session[SESSION_KEY] = packed
            else:
                flask.session.pop(SESSION_KEY, None)
            return no_update, upload_status(current, api_follows=packed is not None)
        if not contents:
            return no_update, no_update
        result = parse_upload(contents, filename, known=set(atlas.by_iso3))
        if "error" in result:
            return no_update, upload_status(current, result["error"])
        packed = to_session(result)  # lets this browser's API requests follow the upload too
        if packed:
            flask.session[SESSION_KEY] = packed
        else:
            flask.session.pop(SESSION_KEY, None)
        return result, upload_status(result, api_follows=packed is not None)

    @app.callback(
        Output(ids.DETAIL_BODY, "children"),
        Output(ids.DETAIL, "hidden"),
        Input(ids.MAP, "clickData"),
        Input(ids.URL, "search"),
        State(ids.DETAIL, "hidden"),
        State(ids.USER_DATA, "data"),
        prevent_initial_call=True,
    )
    def show_detail(click, search, hidden, user_data):
        if ctx.triggered_id == ids.URL:
            return no_update, hidden
        data, _, view = session_view(atlas, search, user_data)
        point = (click or {}).get("points", [{}])[0]
        iso3 = point.get("location") or _iso3_near(data, point)
        if not iso3:
            return no_update, hidden
        country = next((c for c in view.countries if c["iso3"] == iso3), None)
        return detail_panel(data, iso3, country, view.centres), False

    @app.callback(
        Output(ids.DETAIL, "hidden", allow_duplicate=True),
        Input(ids.DETAIL_CLOSE, "n_clicks"),
        prevent_initial_call=True,
    )
    def close_detail(n):
        return True if n else no_update

    @app.callback(
        Output(ids.DOWNLOAD, "data"),
        Input(ids.DOWNLOAD_GEOJSON, "n_clicks"),
        Input(ids.DOWNLOAD_CSV, "n_clicks"),
        State(ids.URL, "search"),
        State(ids.USER_DATA, "data"),
        prevent_initial_call=True,
    )
    def download(_geojson, _csv, search, user_data):
        """Downloads are filtered exactly like the screen, from the data this tab shows."""
        data, state, view = session_view(atlas, search, user_data)
        if ctx.triggered_id == ids.DOWNLOAD_CSV:
            return dcc.send_string(coverage_csv(view), "hifu-coverage.csv", type="text/csv")
        return dcc.send_string(
            dumps(coverage_geojson(data, state, view)), "hifu-coverage.geojson", type="application/geo+json"
        )

    @app.callback(
        Output(ids.TICKER, "disabled"),
        Output(ids.YEAR, "value", allow_duplicate=True),
        Output(ids.YEAR_ALL, "value", allow_duplicate=True),
        Output(ids.PLAY, "children"),
        Input(ids.PLAY, "n_clicks"),
        Input(ids.TICKER, "n_intervals"),
        State(ids.TICKER, "disabled"),
        State(ids.YEAR, "value"),
        State(ids.YEAR, "min"),
        State(ids.YEAR, "max"),
        prevent_initial_call=True,
    )
    def play(_clicks, _ticks, disabled, year, lo, hi):
        """Play steps the year slider from the first year to the last, one year per tick."""
        if ctx.triggered_id == ids.PLAY:
            if not disabled:
                return True, no_update, no_update, "▶ Play"
            return False, lo, [], "❚❚ Pause"
        if disabled:
            return no_update, no_update, no_update, no_update
        if year is None or year >= hi:
            return True, no_update, no_update, "▶ Play"
        return False, year + 1, [], "❚❚ Pause"


def _iso3_near(atlas: Atlas, point: dict) -> str | None:
    """A click on a country drawn as a point, or on a centre, carries lon/lat, not a location."""
    lon, lat = point.get("lon"), point.get("lat")
    if lon is None or lat is None:
        return None
    places = [*atlas.label_points.items(), *((c["iso3"], (c["lon"], c["lat"])) for c in atlas.centres)]
    for iso3, (x, y) in places:
        if abs(x - lon) < 1e-6 and abs(y - lat) < 1e-6:
            return iso3
    return None
