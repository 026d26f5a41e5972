"""ETL: turns the raw inputs in geodata/raw/ into the GeoJSON the dashboard serves."""

from etl.build import BuildResult, build, outputs_are_current

__all__ = ["BuildResult", "build", "outputs_are_current"]
