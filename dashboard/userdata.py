"""A user's own deployments file, for their browser session only.

The upload is validated by the ETL's own reader and rules. What is accepted is kept in the
user's browser (session storage) and sent with each callback, so server processes stay
stateless and no other user's map changes.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import zlib
from dataclasses import replace
from functools import lru_cache

from dashboard.data import Atlas
from etl import paths
from etl.boundaries import read_boundary_ids
from etl.build import deployment_fields
from etl.inputs import (
    DEPLOYMENT_COLUMNS,
    DEPLOYMENT_OPTIONAL,
    PERMIT_STATUSES,
    Deployment,
    validate_deployments,
)
from etl.names import NameResolver
from etl.tables import MAX_FILE_BYTES, InputError, Rejection, read_csv_bytes, read_xlsx_bytes

MAX_REJECTIONS_SHOWN = 200
# The session cookie carries a compact copy of the upload so the API can answer for this
# browser session too; browsers drop cookies over about 4 KB.
SESSION_KEY = "upload"
MAX_SESSION_CHARS = 3000
_STATUS_CODES = {s: s[0] for s in PERMIT_STATUSES if s != "pending"} | {"pending": "d"}
TEMPLATE_CSV = (
    "country,centres,permit_status,as_of,source,source_date,note\r\n"
    "Viet Nam,2,pilot,2024,Example source name,2024-11-12,Replace these rows with your own\r\n"
    "Korea Rep.,,approved,2009,Example source name,,Blank centres means unknown\r\n"
)


def parse_upload(contents: str, filename: str | None, known: set[str] | None = None) -> dict:
    """Validate an upload (a dcc.Upload data URL) with the ETL's reader and rules.

    Returns a JSON-ready dict: `records` (per-country overrides) and `summary` (rows read,
    used, rejected with line and reason, reconciliation), or `error` for a file that cannot
    be used at all.
    """
    name = _safe_name(filename)
    try:
        data = _decode(contents, name)
        lower = name.lower()
        if lower.endswith((".xlsx", ".xlsm")):
            table = read_xlsx_bytes(data, name, DEPLOYMENT_COLUMNS, DEPLOYMENT_OPTIONAL)
        elif lower.endswith((".csv", ".txt", ".tsv")):
            table = read_csv_bytes(data, name, DEPLOYMENT_COLUMNS, DEPLOYMENT_OPTIONAL)
        else:
            raise InputError(f"{name}: expected a .csv or .xlsx file")
    except InputError as exc:
        return {"error": str(exc)}
    records, result = validate_deployments(table, _names())  # a fresh resolver: nothing accumulates
    for iso3 in sorted(set(records) - (known if known is not None else set(records))):
        d = records.pop(iso3)  # a country this map has no feature for: say so rather than drop it
        for line in d.lines:
            result.rejected.append(
                Rejection(line, f"{iso3} is not on this map (no boundary or point for it)", iso3)
            )
        result.count_rejected += d.centres or 0
    result.rejected.sort(key=lambda r: r.line)
    on_map = sum(d.centres or 0 for d in records.values())
    summary = {
        "file": name,
        "rows_read": result.rows_read,
        "rows_used": result.rows_read - len(result.rejected),
        "rows_rejected": len(result.rejected),
        "rejected": [r.as_dict() for r in result.rejected[:MAX_REJECTIONS_SHOWN]],
        "duplicates": len(result.duplicates),
        "centres_read": result.count_read,
        "centres_on_map": on_map,
        "centres_rejected": result.count_rejected,
        "countries": len(records),
    }
    packed = {
        iso3: {
            "centres": d.centres,
            "permit_status": d.permit_status,
            "as_of": d.as_of,
            "sources": d.sources[:20],
            "notes": d.notes[:20],
        }
        for iso3, d in records.items()
    }
    key = hashlib.sha256(json.dumps(packed, sort_keys=True).encode()).hexdigest()[:16]
    return {"records": packed, "summary": summary, "key": key}


def to_session(result: dict) -> dict | None:
    """A compact copy of an upload for the signed session cookie, or None when too large."""
    parts = []
    for iso3, rec in sorted(result["records"].items()):
        centres = "" if rec["centres"] is None else str(rec["centres"])
        as_of = "" if rec["as_of"] is None else str(rec["as_of"])
        parts.append(f"{iso3}:{centres}:{_STATUS_CODES[rec['permit_status']]}:{as_of}")
    rows = base64.b64encode(zlib.compress(";".join(parts).encode(), 9)).decode()
    packed = {"k": result["key"], "f": result["summary"]["file"][:60], "z": rows}
    return packed if len(json.dumps(packed)) <= MAX_SESSION_CHARS else None


def from_session(packed) -> dict | None:
    """The upload a session cookie carries, in the shape `user_atlas` takes (None if absent/bad)."""
    if not isinstance(packed, dict) or not isinstance(packed.get("z"), str):
        return None
    statuses = {v: k for k, v in _STATUS_CODES.items()}
    records = {}
    try:
        rows = (
            zlib.decompressobj().decompress(base64.b64decode(packed["z"], validate=True), 64 * 1024).decode()
        )
        for item in filter(None, rows.split(";")):
            iso3, centres, status, as_of = item.split(":")
            records[iso3] = {
                "centres": int(centres) if centres else None,
                "permit_status": statuses[status],
                "as_of": int(as_of) if as_of else None,
                "sources": [f"uploaded file {packed.get('f', '')}"],
                "notes": [],
            }
    except (ValueError, KeyError, zlib.error, binascii.Error, UnicodeDecodeError):
        return None
    data = {"records": records, "key": str(packed.get("k", ""))}
    return data if _valid_records(data) is not None else None


def user_atlas(atlas: Atlas, data: dict | None) -> Atlas:
    """The atlas as this session sees it: uploaded counts and statuses are the whole picture."""
    records = _valid_records(data)
    if records is None:
        return atlas
    return _apply(atlas, json.dumps(records, sort_keys=True))


def data_key(data: dict | None) -> str:
    """A short id of the data a session shows ('' for the shipped data)."""
    return data.get("key", "") if _valid_records(data) is not None else ""


@lru_cache(maxsize=32)
def _apply(atlas: Atlas, records_json: str) -> Atlas:
    records = json.loads(records_json)
    countries = []
    for c in atlas.countries:
        rec = records.get(c["iso3"])
        dep = None
        if rec is not None:
            dep = Deployment(
                iso3=c["iso3"],
                centres=rec["centres"],
                permit_status=rec["permit_status"],
                as_of=rec["as_of"],
                sources=list(rec["sources"]),
                notes=list(rec["notes"]),
                lines=[],
            )
        sources = [*c.get("bri_sources", []), *(dep.sources if dep else [])]
        countries.append({**c, **deployment_fields(dep, 0), "named_sites": 0, "sources": sources})
    return replace(atlas, countries=tuple(countries), centres=(), origin="upload")


def _valid_records(data) -> dict | None:
    """Data from the browser is untrusted: accept only the exact shape parse_upload made."""
    if not isinstance(data, dict) or not isinstance(data.get("records"), dict):
        return None
    out = {}
    for iso3, rec in data["records"].items():
        if not (isinstance(iso3, str) and isinstance(rec, dict)):
            return None
        centres, status, as_of = rec.get("centres"), rec.get("permit_status"), rec.get("as_of")
        if centres is not None and (not isinstance(centres, int) or isinstance(centres, bool) or centres < 0):
            return None
        if status not in PERMIT_STATUSES or (as_of is not None and not isinstance(as_of, int)):
            return None
        sources, notes = rec.get("sources", []), rec.get("notes", [])
        if not all(isinstance(x, str) for x in [*sources, *notes]):
            return None
        out[iso3] = {
            "centres": centres,
            "permit_status": status,
            "as_of": as_of,
            "sources": sources,
            "notes": notes,
        }
    return out


def _decode(contents: str, name: str) -> bytes:
    if not isinstance(contents, str) or "," not in contents:
        raise InputError(f"{name}: the upload arrived empty or malformed; try again")
    b64 = contents.split(",", 1)[1]
    if len(b64) * 3 // 4 > MAX_FILE_BYTES + 4:
        raise InputError(
            f"{name}: file is about {len(b64) * 3 // 4:,} bytes; at most {MAX_FILE_BYTES:,} bytes are accepted"
        )
    try:
        return base64.b64decode(b64, validate=True)
    except (binascii.Error, ValueError):
        raise InputError(f"{name}: the upload could not be decoded; try again") from None


def _safe_name(filename: str | None) -> str:
    name = (filename or "upload").replace("\\", "/").rsplit("/", 1)[-1]
    return "".join(ch for ch in name if ch.isprintable())[:120] or "upload"


@lru_cache(maxsize=1)
def _extra_codes() -> frozenset[str]:
    return frozenset(r["iso3"] for r in read_boundary_ids(paths.BOUNDARY_IDS).values())


def _names() -> NameResolver:
    return NameResolver.from_csv(paths.ALIASES, _extra_codes())
