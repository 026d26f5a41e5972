"""Start-up with missing or corrupt processed data: rebuilt, never served half-written."""

import json
import os
import subprocess
import sys

from etl import paths


def start_app(processed_dir):
    env = {**os.environ, "ATLAS_PROCESSED_DIR": str(processed_dir)}
    return subprocess.run(
        [sys.executable, "-c", "import app; print(len(app.load_atlas(app.paths.PROCESSED).countries))"],
        cwd=paths.ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_missing_processed_data_is_built_at_start(tmp_path):
    proc = start_app(tmp_path / "processed")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "240"
    assert "missing or out of date: building it now" in proc.stderr


def test_corrupt_processed_data_is_rebuilt(tmp_path):
    assert start_app(tmp_path).returncode == 0
    (tmp_path / "coverage.geojson").write_text('{"type": "FeatureCollection", "feat')  # cut short
    proc = start_app(tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "building it now" in proc.stderr
    json.loads((tmp_path / "coverage.geojson").read_text())
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_current_data_is_not_rebuilt(tmp_path):
    assert start_app(tmp_path).returncode == 0
    proc = start_app(tmp_path)
    assert proc.returncode == 0 and "building" not in proc.stderr
