"""Row-level validation of the deployments and centres inputs."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from etl.names import NameResolver
from etl.tables import Rejection, Table

PERMIT_STATUSES = ("approved", "pilot", "pending", "none", "unknown")

DEPLOYMENT_COLUMNS = ("country", "centres")
DEPLOYMENT_OPTIONAL = ("permit_status", "as_of", "source", "source_date", "note")
CENTRE_COLUMNS = ("site", "country", "lat", "lon")
CENTRE_OPTIONAL = (
    "city",
    "first_year",
    "year_qualifier",
    "system",
    "vendor",
    "source",
    "source_date",
    "note",
    "coord_source",
)
YEAR_MIN, YEAR_MAX = 1990, 2100

_INT = re.compile(r"^[+-]?\d+$")
_NUM = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")


class RowError(ValueError):
    """A row is rejected; the message is the reason shown to the user."""


@dataclass
class Deployment:
    iso3: str
    centres: int | None
    permit_status: str
    as_of: int | None
    sources: list[str]
    notes: list[str]
    lines: list[int]


@dataclass
class Centre:
    iso3: str
    line: int
    props: dict


@dataclass
class Validated:
    """What one input yielded: accepted records, rejected rows, and merged duplicates."""

    rows_read: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    duplicates: list[dict] = field(default_factory=list)
    count_read: int = 0
    count_rejected: int = 0


def parse_count(text: str) -> int | None:
    """Parse a centre count: blank is unknown (None); must be a whole number >= 0."""
    text = text.strip()
    if not text:
        return None
    if _INT.match(text):
        value = int(text)
    elif _NUM.match(text):
        number = float(text)
        if number != int(number):
            raise RowError(f"count {text!r} is fractional; expected a whole number of centres")
        value = int(number)
    else:
        raise RowError(f"count {text!r} is not a number; expected a whole number >= 0")
    if value < 0:
        raise RowError(f"count {text!r} is negative; expected a whole number >= 0")
    return value


def parse_year(text: str, column: str) -> int | None:
    text = text.strip()
    if not text:
        return None
    if _NUM.match(text) and float(text) == int(float(text)):
        year = int(float(text))
        if YEAR_MIN <= year <= YEAR_MAX:
            return year
    raise RowError(f"{column} {text!r} is not a year between {YEAR_MIN} and {YEAR_MAX}")


def parse_status(text: str) -> str:
    status = text.strip().lower() or "unknown"
    if status not in PERMIT_STATUSES:
        raise RowError(f"permit_status {text!r} is not one of: {', '.join(PERMIT_STATUSES)}")
    return status


def parse_coordinate(text: str, column: str, limit: float) -> float:
    text = text.strip()
    if not text:
        raise RowError(f"{column} is blank; every centre needs city coordinates")
    if not _NUM.match(text):
        raise RowError(f"{column} {text!r} is not a number")
    value = float(text)
    if not -limit <= value <= limit:
        raise RowError(f"{column} {text!r} is outside -{limit:g}..{limit:g}")
    return value


def validate_deployments(table: Table, names: NameResolver) -> tuple[dict[str, Deployment], Validated]:
    """Validate country-level rows; merge rows naming the same country (counts summed)."""
    result = Validated(rows_read=len(table.rows))
    merged: dict[str, Deployment] = {}
    for row in table.rows:
        c = row.cells
        if _blank(c):
            result.rejected.append(Rejection(row.line, "blank row", ""))
            continue
        count_text = c.get("centres", "")
        count = _safe_count(count_text)
        result.count_read += count or 0
        try:
            iso3 = names.resolve(c["country"])
            if iso3 is None:
                raise RowError(f"unknown country {c['country']!r}" if c["country"] else "country is blank")
            count = parse_count(count_text)
            status = parse_status(c.get("permit_status", ""))
            as_of = parse_year(c.get("as_of", ""), "as_of")
        except RowError as exc:
            result.rejected.append(Rejection(row.line, str(exc), c.get("_raw", "")))
            result.count_rejected += _safe_count(count_text) or 0
            continue
        source = _source(c)
        if iso3 in merged:
            _merge_into(merged[iso3], count, status, as_of, source, c.get("note", ""), row.line, result)
        else:
            merged[iso3] = Deployment(
                iso3=iso3,
                centres=count,
                permit_status=status,
                as_of=as_of,
                sources=[source] if source else [],
                notes=[c["note"]] if c.get("note") else [],
                lines=[row.line],
            )
    return merged, result


def validate_centres(table: Table, names: NameResolver) -> tuple[list[Centre], Validated]:
    """Validate centre rows: one accepted Centre per good row, each with its own line."""
    result = Validated(rows_read=len(table.rows))
    centres: list[Centre] = []
    for row in table.rows:
        c = row.cells
        if _blank(c):
            result.rejected.append(Rejection(row.line, "blank row", ""))
            continue
        result.count_read += 1
        try:
            if not c["site"]:
                raise RowError("site is blank")
            iso3 = names.resolve(c["country"])
            if iso3 is None:
                raise RowError(f"unknown country {c['country']!r}" if c["country"] else "country is blank")
            lat = parse_coordinate(c["lat"], "lat", 90)
            lon = parse_coordinate(c["lon"], "lon", 180)
            year = parse_year(c.get("first_year", ""), "first_year")
        except RowError as exc:
            result.rejected.append(Rejection(row.line, str(exc), c.get("_raw", "")))
            result.count_rejected += 1
            continue
        qualifier = c.get("year_qualifier", "") or ("installed" if year else "")
        props = {
            "site": c["site"],
            "city": c.get("city") or None,
            "country": c["country"],
            "iso3": iso3,
            "lat": lat,
            "lon": lon,
            "first_year": year,
            "year_qualifier": qualifier or None,
            "system": c.get("system") or None,
            "vendor": c.get("vendor") or "not stated",
            "source": c.get("source") or None,
            "source_date": c.get("source_date") or None,
            "note": c.get("note") or None,
            "coord_source": c.get("coord_source") or None,
            "line": row.line,
        }
        centres.append(Centre(iso3=iso3, line=row.line, props=props))
    return centres, result


def _merge_into(d: Deployment, count, status, as_of, source, note, line, result: Validated) -> None:
    before = {"centres": d.centres, "permit_status": d.permit_status}
    if count is not None:
        d.centres = count if d.centres is None else d.centres + count
    conflict = None
    if d.permit_status == "unknown":
        d.permit_status = status
    elif status not in ("unknown", d.permit_status):
        conflict = (
            f"permit_status {status!r} on line {line} conflicts with {d.permit_status!r}; kept the first"
        )
    if as_of is not None:
        d.as_of = max(d.as_of or as_of, as_of)
    if source and source not in d.sources:
        d.sources.append(source)
    if note:
        d.notes.append(note)
    d.lines.append(line)
    result.duplicates.append(
        {
            "iso3": d.iso3,
            "lines": list(d.lines),
            "merged": {"centres": d.centres, "permit_status": d.permit_status},
            "before": before,
            "conflict": conflict,
        }
    )


def _safe_count(text: str) -> int | None:
    try:
        return parse_count(text)
    except RowError:
        return None


def _source(cells: dict) -> str:
    src, date = cells.get("source", ""), cells.get("source_date", "")
    return f"{src} ({date})" if src and date else src


def _blank(cells: dict) -> bool:
    return not any(v for k, v in cells.items() if k != "_raw")
