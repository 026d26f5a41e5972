"""Filter state (the URL query string) and applying it to the atlas: pure functions."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlencode

from dashboard.data import Atlas

VIEWS = {"centres": "Centres per country", "permits": "Permit status", "bri": "Belt and Road membership"}
PROJECTIONS = {
    "equal earth": "Equal Earth (equal-area)",
    "natural earth": "Natural Earth",
    "robinson": "Robinson",
    "mercator": "Mercator",
    "orthographic": "Globe",
}
BRI_CHOICES = {"all": "All countries", "member": "BRI members", "non-member": "Non-members"}
PERMIT_STATUSES = ("approved", "pilot", "pending", "none", "unknown")
OVERLAYS = {"bri": "BRI member outlines", "corridors": "Corridors (schematic)", "centres": "Centre markers"}
DEFAULT_OVERLAYS = ("bri", "corridors", "centres")


class FilterError(ValueError):
    """A query parameter has a value the page does not accept; the message says which are."""


@dataclass(frozen=True)
class FilterState:
    view: str = "centres"
    projection: str = "equal earth"
    continents: tuple[str, ...] = ()
    subregions: tuple[str, ...] = ()
    bri: str = "all"
    permits: tuple[str, ...] = ()
    year: int | None = None
    vendors: tuple[str, ...] = ()
    overlays: tuple[str, ...] = DEFAULT_OVERLAYS

    @property
    def narrows_countries(self) -> bool:
        return bool(self.continents or self.subregions or self.bri != "all" or self.permits)

    def as_dict(self) -> dict:
        return {
            "view": self.view,
            "projection": self.projection,
            "region": list(self.continents),
            "subregion": list(self.subregions),
            "bri": self.bri,
            "permit": list(self.permits),
            "year": self.year,
            "vendor": list(self.vendors),
            "overlays": list(self.overlays),
        }


@dataclass
class View:
    """What the screen shows for one filter state."""

    countries: list[dict]  # matching countries, each with `centres_shown`
    centres: list[dict]  # matching centres
    kpis: dict = field(default_factory=dict)


def parse_query(query: str | dict, atlas: Atlas) -> FilterState:
    """Parse a URL query string (or parsed dict) into a FilterState.

    Raises
    ------
    FilterError
        For an unknown parameter value, naming the accepted values.
    """
    params = parse_qs(query.lstrip("?"), keep_blank_values=False) if isinstance(query, str) else query
    state = FilterState()

    def one(key: str, allowed, default):
        values = _values(params, key)
        if not values:
            return default
        if len(values) > 1 or values[0] not in allowed:
            raise FilterError(_unknown(key, ", ".join(values), allowed))
        return values[0]

    def many(key: str, allowed) -> tuple[str, ...]:
        values = _values(params, key)
        bad = [v for v in values if v not in allowed]
        if bad:
            raise FilterError(_unknown(key, bad[0], allowed))
        return tuple(dict.fromkeys(values))

    year = _year(params, atlas)
    overlays = _values(params, "overlays")
    if "overlays" in params and overlays == ["none"]:
        overlay_tuple: tuple[str, ...] = ()
    else:
        overlay_tuple = many("overlays", OVERLAYS) if overlays else state.overlays
    return FilterState(
        view=one("view", VIEWS, state.view),
        projection=one("projection", PROJECTIONS, state.projection),
        continents=many("region", atlas.continents),
        subregions=many("subregion", atlas.subregions),
        bri=one("bri", BRI_CHOICES, state.bri),
        permits=many("permit", PERMIT_STATUSES),
        year=year,
        vendors=many("vendor", atlas.vendors),
        overlays=overlay_tuple,
    )


def to_query(state: FilterState) -> str:
    """The query string for a state, leaving out defaults (so the plain URL is the default view)."""
    default = FilterState()
    pairs: list[tuple[str, str]] = []
    if state.view != default.view:
        pairs.append(("view", state.view))
    if state.projection != default.projection:
        pairs.append(("projection", state.projection))
    pairs += [("region", v) for v in state.continents]
    pairs += [("subregion", v) for v in state.subregions]
    if state.bri != default.bri:
        pairs.append(("bri", state.bri))
    pairs += [("permit", v) for v in state.permits]
    if state.year is not None:
        pairs.append(("year", str(state.year)))
    pairs += [("vendor", v) for v in state.vendors]
    if tuple(state.overlays) != default.overlays:
        pairs.append(("overlays", ",".join(state.overlays) or "none"))
    return "?" + urlencode(pairs) if pairs else ""


def from_controls(**values) -> FilterState:
    """Build a state from the page controls' values (None and [] mean 'no filter')."""
    return FilterState(
        view=values.get("view") or "centres",
        projection=values.get("projection") or "equal earth",
        continents=tuple(values.get("continents") or ()),
        subregions=tuple(values.get("subregions") or ()),
        bri=values.get("bri") or "all",
        permits=tuple(values.get("permits") or ()),
        year=values.get("year"),
        vendors=tuple(values.get("vendors") or ()),
        overlays=tuple(values.get("overlays") or ()),
    )


def apply_filters(atlas: Atlas, state: FilterState) -> View:
    """Countries and centres matching the state, with the centre count shown for each country.

    Counts built from named sites are re-counted over the centres that match the year and
    vendor filters (a count of 0 named sites is unknown, not zero). A count reported at
    country level is shown only when no vendor filter is set and its `as_of` year is not after
    the year filter; otherwise it is unknown.
    """
    countries = [c for c in atlas.countries if _country_matches(c, state)]
    keep = {c["iso3"] for c in countries}
    centres = [c for c in atlas.centres if c["iso3"] in keep and _centre_matches(c, state)]
    per_country: dict[str, int] = {}
    for c in centres:
        per_country[c["iso3"]] = per_country.get(c["iso3"], 0) + 1
    shown = []
    for c in countries:
        named = per_country.get(c["iso3"], 0)
        count = named or None
        if c.get("centres_basis") == "reported count":
            as_of_ok = state.year is None or (c.get("permit_as_of") or 0) <= state.year
            if not state.vendors and as_of_ok:
                count = c["centres"]
        shown.append({**c, "centres_shown": count})
    return View(countries=shown, centres=centres, kpis=_kpis(atlas, shown))


def _country_matches(c: dict, s: FilterState) -> bool:
    if s.continents and c["continent"] not in s.continents:
        return False
    if s.subregions and c["subregion"] not in s.subregions:
        return False
    if s.bri == "member" and not c["bri_member"]:
        return False
    if s.bri == "non-member" and c["bri_member"]:
        return False
    return not (s.permits and c["permit_status"] not in s.permits)


def _centre_matches(c: dict, s: FilterState) -> bool:
    if s.vendors and c.get("vendor") not in s.vendors:
        return False
    if s.year is not None:
        return c.get("first_year") is not None and c["first_year"] <= s.year
    return True


def _kpis(atlas: Atlas, countries: list[dict]) -> dict:
    with_centres = [c for c in countries if c["centres_shown"]]
    total = sum(c["centres_shown"] for c in with_centres)
    in_bri = sum(c["centres_shown"] for c in with_centres if c["bri_member"])
    patients = [h for h in atlas.headlines if h["metric"] == "patients"]
    latest = max(patients, key=lambda h: h["as_of"]) if patients else None
    return {
        "countries_with_centres": len(with_centres),
        "centres_at_least": total,
        "bri_share": (in_bri / total) if total else None,
        "bri_centres": in_bri,
        "countries_shown": len(countries),
        "patients_headline": latest,
        "origin": atlas.origin,
    }


def _values(params: dict, key: str) -> list[str]:
    raw = params.get(key) or []
    if isinstance(raw, str):
        raw = [raw]
    return [v.strip() for item in raw for v in str(item).split(",") if v.strip()]


def _year(params: dict, atlas: Atlas) -> int | None:
    values = _values(params, "year")
    if not values or values == ["all"]:
        return None
    lo, hi = atlas.years
    if len(values) == 1 and values[0].isdigit() and 1990 <= int(values[0]) <= 2100:
        return int(values[0])
    raise FilterError(f"year {values[0]!r} is not accepted; use a year such as {lo}..{hi}, or 'all'")


def _unknown(key: str, value: str, allowed) -> str:
    options = ", ".join(allowed)
    return f"{key} {value!r} is not accepted; accepted values: {options}"
