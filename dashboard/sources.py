"""The sources tab and the country detail panel: text from data rendered as text."""

from __future__ import annotations

import re

import plotly.graph_objects as go
from dash import dcc, html

from dashboard.data import Atlas

METRIC_LABELS = {
    "centres": "Treatment centres",
    "countries_exported": "Countries and regions exported to",
    "permit_countries": "Countries with permits / market access",
    "bri_centres": "Centres in Belt and Road countries",
    "patients": "Patients treated (cumulative)",
}
_URL = re.compile(r"\b(?:https?://)?([a-z0-9-]+(?:\.[a-z0-9-]+)+/[^\s;,)]+)", re.IGNORECASE)


def source_link(text: str | None) -> html.Span | html.A | str:
    """A source as text; a link only when the text itself holds a page address (http/https only)."""
    if not text:
        return "no source"
    match = _URL.search(text)
    if match:
        return html.A(text, href="https://" + match.group(1), target="_blank", rel="noopener noreferrer")
    return html.Span(text)


def headlines_figure(atlas: Atlas) -> go.Figure:
    fig = go.Figure()
    for metric, label in METRIC_LABELS.items():
        rows = sorted((h for h in atlas.headlines if h["metric"] == metric), key=lambda h: h["as_of"])
        if not rows or metric == "patients":
            continue
        fig.add_trace(
            go.Scatter(
                x=[h["as_of"] for h in rows],
                y=[int(h["value"]) for h in rows],
                mode="lines+markers",
                name=label,
                customdata=[
                    [h["qualifier"], h["scope"], h["source"], h["source_date"] or "undated"] for h in rows
                ],
                hovertemplate="%{customdata[0]} %{y} (%{customdata[1]})<br>%{x}<br>Source: %{customdata[2]}, %{customdata[3]}<extra></extra>",
            )
        )
    fig.update_layout(
        height=320,
        margin={"l": 40, "r": 10, "t": 10, "b": 40},
        legend={"orientation": "h", "y": -0.2},
        yaxis={"title": "count", "rangemode": "tozero"},
        plot_bgcolor="#ffffff",
        paper_bgcolor="rgba(0,0,0,0)",
    )
    return fig


def sources_tab(atlas: Atlas) -> html.Div:
    datasets = [
        html.Tr(
            [
                html.Td(s.get("title") or s["file"]),
                html.Td(s.get("producer") or ""),
                html.Td(str(s.get("version") or "")),
                html.Td(str(s.get("date_obtained") or "")),
                html.Td(s.get("licence") or ""),
            ]
        )
        for s in atlas.metadata["sources"]
    ]
    figures = [
        html.Tr(
            [
                html.Td(h["as_of"]),
                html.Td(METRIC_LABELS.get(h["metric"], h["metric"])),
                html.Td(
                    f"{h['qualifier'] if h['qualifier'] != 'exactly' else ''} {int(h['value']):,}".strip()
                ),
                html.Td(h["scope"]),
                html.Td([source_link(h["source"]), f" ({h['source_date'] or 'undated'})"]),
            ]
        )
        for h in sorted(atlas.headlines, key=lambda h: h["as_of"])
    ]
    return html.Div(
        className="sources",
        children=[
            html.H2("How to read this atlas"),
            html.Ul(
                [
                    html.Li(
                        "Centre counts are lower bounds: each counts only treatment centres named in a public "
                        "source. A country with no named centre is shown as unknown, not zero."
                    ),
                    html.Li(
                        "Permit status is unknown unless a public source names the country. Published totals "
                        "(access permits in 46 countries at the end of 2022, market access in 47 countries in "
                        "November 2024) come with no country list, so they are shown only as totals below."
                    ),
                    html.Li(
                        "Belt and Road membership is the Belt and Road Portal list of 152 countries as captured "
                        "on 2023-10-19. Later changes, such as reported withdrawals, are not reflected."
                    ),
                    html.Li(
                        "Corridors are schematic lines through well-known cities on each route named in the "
                        "2015 'Vision and Actions' document; no public waypoint dataset exists."
                    ),
                    html.Li("Centre markers sit at the city's coordinates (GeoNames), not the building's."),
                ]
            ),
            html.H2("Headline figures over time (Chongqing Haifu)"),
            dcc.Graph(figure=headlines_figure(atlas), config={"displaylogo": False}, className="headlines"),
            html.Table(
                className="table",
                children=[
                    html.Thead(
                        html.Tr([html.Th(t) for t in ("As of", "Figure", "Value", "Scope", "Source")])
                    ),
                    html.Tbody(figures),
                ],
            ),
            html.H2("Datasets"),
            html.Table(
                className="table",
                children=[
                    html.Thead(
                        html.Tr(
                            [html.Th(t) for t in ("Dataset", "Producer", "Version", "Obtained", "Licence")]
                        )
                    ),
                    html.Tbody(datasets),
                ],
            ),
            html.P(
                f"Processed data built {atlas.metadata['built_at']} at Natural Earth scale 1:{atlas.metadata['scale'][:-1]}m."
            ),
        ],
    )


def detail_panel(atlas: Atlas, iso3: str, country: dict | None, centres: list[dict]) -> list:
    """The country panel: counts, permit status, BRI membership and year, centres with sources."""
    base = atlas.by_iso3.get(iso3)
    if base is None:
        return [html.P("No data for this place.")]
    c = country or {**base, "centres_shown": base["centres"]}
    n = c["centres_shown"]
    if n is None:
        count = "Unknown: no named centre found in public sources"
    elif c.get("centres_basis") == "reported count":
        count = f"{n} (reported count)"
    else:
        count = f"At least {n} (named sites)"
    if c["bri_member"]:
        bri = "Member" + (f", signed {c['bri_signed_year']}" if c.get("bri_signed_year") else "")
        if c.get("bri_signed_note") and not c.get("bri_signed_year"):
            bri += f" ({c['bri_signed_note']})"
    else:
        bri = "Not on the Belt and Road Portal list (Oct 2023)"
    permit = c["permit_status"].capitalize() + (
        f" (as of {c['permit_as_of']})" if c.get("permit_as_of") else ""
    )
    sites = [
        html.Li(
            [
                html.Strong(s["site"]),
                f", {s['city']}" if s.get("city") else "",
                html.Br(),
                _year_text(s),
                f" · {s['system']}" if s.get("system") else "",
                html.Br(),
                "Source: ",
                source_link(s.get("source")),
                f" ({s['source_date']})" if s.get("source_date") else " (undated)",
            ]
        )
        for s in centres
        if s["iso3"] == iso3
    ]
    rows = [
        ("HIFU centres", count),
        ("Permit status", permit),
        ("Belt and Road", bri),
        ("Region", f"{c['subregion']}, {c['continent']}"),
    ]
    if c.get("permit_note"):
        rows.append(("Permit note", c["permit_note"]))
    return [
        html.H2(c["name"], className="detail-title"),
        html.Dl([item for k, v in rows for item in (html.Dt(k), html.Dd(v))]),
        html.H3(f"Named centres ({len(sites)})"),
        html.Ul(sites, className="sites") if sites else html.P("None named in the sources found so far."),
        html.H3("Sources"),
        html.Ul([html.Li(source_link(s)) for s in c["sources"]]) if c["sources"] else html.P("None."),
    ]


def _year_text(s: dict) -> str:
    if not s.get("first_year"):
        return "Year not stated"
    if s.get("year_qualifier") == "by":
        return f"In use by {s['first_year']}"
    return f"Since {s['first_year']}"
