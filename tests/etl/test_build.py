"""End-to-end ETL builds: the shipped data, a messy user CSV, and whole-file errors on the CLI."""

import csv
import json
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely

from etl import build, outputs_are_current, paths
from etl.geometry import ring_lon_span
from etl.provenance import read_sidecar, sha256_of

GOLDEN = Path(__file__).resolve().parent.parent / "golden"


@pytest.fixture(scope="module")
def shipped(tmp_path_factory):
    out = tmp_path_factory.mktemp("processed")
    result = build(out=out)
    coverage = json.loads((out / "coverage.geojson").read_text())
    centres = json.loads((out / "centres.geojson").read_text())
    return result, coverage, centres, out


def _rings(geometry):
    polys = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    for poly in polys:
        yield from poly


def test_shipped_build_geometries_are_valid_rfc7946(shipped):
    _, coverage, _, _ = shipped
    assert "crs" not in coverage
    gdf = gpd.GeoDataFrame.from_features(coverage["features"])
    polys = gdf[gdf.geom_type.isin(["Polygon", "MultiPolygon"])]
    assert polys.is_valid.all(), polys[~polys.is_valid].iso3.tolist()
    assert shapely.coverage_is_valid(polys.geometry.values)
    for feature in coverage["features"]:
        geometry = feature["geometry"]
        assert geometry is not None, feature["id"]
        if geometry["type"] == "Point":
            continue
        for i, ring in enumerate(_rings(geometry)):
            xy = np.asarray(ring)
            assert (np.abs(xy[:, 0]) <= 180).all() and (np.abs(xy[:, 1]) <= 90).all()
            assert xy[:, 0].max() - xy[:, 0].min() <= 180, feature["id"]
        for poly in [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]:
            assert shapely.is_ccw(shapely.LinearRing(poly[0])), feature["id"]
            for hole in poly[1:]:
                assert not shapely.is_ccw(shapely.LinearRing(hole)), feature["id"]
    assert max(ring_lon_span(g) for g in polys.geometry) <= 180


def test_shipped_build_keys_and_properties(shipped):
    result, coverage, centres, _ = shipped
    props = [f["properties"] for f in coverage["features"]]
    codes = [p["iso3"] for p in props]
    assert len(codes) == len(set(codes))
    assert {"RUS", "FJI", "SGP", "HKG", "MLT", "BHR", "MDV", "XKX", "ATA"} <= set(codes)
    for p in props:
        for key in (
            "iso3",
            "name",
            "continent",
            "subregion",
            "bri_member",
            "centres",
            "permit_status",
            "sources",
        ):
            assert key in p
    assert sum(p["bri_member"] for p in props) == 152
    by = {p["iso3"]: p for p in props}
    assert by["ITA"]["centres"] == 2 and by["ITA"]["centres_basis"] == "named sites"
    assert by["CHN"]["centres"] == 2  # two named Chongqing sites
    assert by["FRA"]["centres"] is None  # no named site: unknown, not zero
    assert by["FRA"]["permit_status"] == "unknown"
    assert by["VNM"]["permit_status"] == "pilot"
    assert by["ITA"]["bri_signed_year"] == 2019
    with open(paths.CENTRES, newline="", encoding="utf-8") as f:
        assert len(centres["features"]) == len(list(csv.DictReader(f)))
    assert result.report["reconciliation"]["centres"]["ok"]


def test_every_shipped_row_cites_a_source_and_every_raw_file_has_a_sidecar():
    for path in sorted(paths.RAW.rglob("*")):
        if path.is_dir() or path.name.endswith(".meta.yml") or path.name == "LICENSE":
            continue
        meta = read_sidecar(path)
        assert meta is not None, f"{path} has no sidecar"
        assert meta["sha256"] == sha256_of(path), f"{path} changed since its sidecar was written"
        for field in ("producer", "title", "version", "obtained", "date_obtained", "licence", "citation"):
            assert meta.get(field), f"{path}: sidecar lacks {field}"
        if path.suffix == ".csv":
            with open(path, newline="", encoding="utf-8") as f:
                for n, row in enumerate(csv.DictReader(f), start=2):
                    assert (row.get("source") or "").strip(), f"{path}:{n} cites no source"


def test_every_coverage_feature_with_data_names_its_sources(shipped):
    _, coverage, _, _ = shipped
    for f in coverage["features"]:
        p = f["properties"]
        if p["bri_member"] or p["centres"] is not None or p["permit_status"] != "unknown":
            assert p["sources"], p["iso3"]


def test_110m_scale_keeps_small_states_as_points(tmp_path):
    result = build(out=tmp_path, scale="110m")
    coverage = json.loads((tmp_path / "coverage.geojson").read_text())
    by = {f["id"]: f for f in coverage["features"]}
    for iso3 in ("SGP", "MLT", "BHR", "MDV"):
        assert by[iso3]["geometry"]["type"] == "Point", iso3
        assert by[iso3]["properties"]["shape"] == "point"
    assert "SGP" in result.report["countries_as_points"]
    assert by["SGP"]["properties"]["centres"] == 1


def test_messy_csv_yields_expected_rejections_and_reconciles(tmp_path):
    result = build(deployments=GOLDEN / "messy_deployments.csv", out=tmp_path)
    report = json.loads((tmp_path / "build_report.json").read_text())
    rejected = report["deployments"]["rejected"]
    assert [r["line"] for r in rejected] == [12, 13, 14, 15, 16, 17]
    reasons = [r["reason"] for r in rejected]
    assert "unknown country 'Narnia'" in reasons[0]
    assert "negative" in reasons[1] and "fractional" in reasons[2] and "not a number" in reasons[3]
    assert "permit_status 'maybe'" in reasons[4] and reasons[5] == "blank row"
    rec = report["reconciliation"]["deployments"]
    assert rec == {
        "rows_read": 17,
        "rows_used": 11,
        "rows_rejected": 6,
        "centres_read": 28,
        "centres_on_map": 20,
        "centres_rejected": 8,
        "ok": True,
    }
    assert "centres" not in report["reconciliation"]  # a user file is the whole picture
    assert report["deployments"]["duplicates_merged"][0]["lines"] == [10, 18]
    coverage = json.loads((tmp_path / "coverage.geojson").read_text())
    by = {f["id"]: f["properties"] for f in coverage["features"]}
    expected = {"TUR": 2, "KOR": 3, "VNM": 1, "HKG": 1, "CIV": 0, "CZE": 1, "LAO": 1, "GBR": 6, "USA": 5}
    assert {k: by[k]["centres"] for k in expected} == expected
    assert by["RUS"]["centres"] is None
    assert by["ITA"]["centres"] is None  # shipped named sites are not mixed in
    assert sum(p["centres"] or 0 for p in by.values()) == rec["centres_on_map"]
    assert result.rejected == 6


def _cli(*args):
    return subprocess.run(
        [sys.executable, "-m", "etl", "build", *args],
        capture_output=True,
        text=True,
        cwd=paths.ROOT,
        timeout=120,
    )


def test_cli_strict_fails_on_rejected_rows_and_writes_nothing(tmp_path):
    proc = _cli("--deployments", str(GOLDEN / "messy_deployments.csv"), "--out", str(tmp_path), "--strict")
    assert proc.returncode != 0
    assert "messy_deployments.csv:12: rejected: unknown country 'Narnia'" in proc.stderr
    assert "6 row(s) rejected (--strict)" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "coverage.geojson").exists()


def test_cli_reports_and_reconciles(tmp_path):
    proc = _cli("--deployments", str(GOLDEN / "messy_deployments.csv"), "--out", str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    assert "centres read 28 = on map 20 + rejected 8 (reconciled)" in proc.stdout


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no such file"),
        (b"", "file is empty"),
        (b"\x89PNG\r\n\x1a\n" + bytes(64), "PNG image"),
        (b"PK\x03\x04" + bytes(64), "ZIP archive"),
        (b"land,count\nFrance,1\n", "missing required column(s) country, centres"),
    ],
)
def test_cli_whole_file_errors_are_one_clear_line(tmp_path, content, message):
    path = tmp_path / "input.csv"
    if content is not None:
        path.write_bytes(content)
    proc = _cli("--deployments", str(path), "--out", str(tmp_path / "out"))
    assert proc.returncode == 2
    assert message in proc.stderr
    assert "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_outputs_are_current_notices_changed_inputs(tmp_path):
    build(out=tmp_path)
    assert outputs_are_current(tmp_path)
    (tmp_path / "coverage.geojson").write_text('{"type": "Featu')  # half-written
    assert not outputs_are_current(tmp_path)
    build(out=tmp_path)
    report = json.loads((tmp_path / "build_report.json").read_text())
    report["inputs"]["centres"]["sha256"] = "0" * 64
    (tmp_path / "build_report.json").write_text(json.dumps(report))
    assert not outputs_are_current(tmp_path)
