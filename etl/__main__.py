"""Command line: `python -m etl build [--deployments CSV] [--centres CSV] [--out DIR] [--strict]`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from etl import paths
from etl.build import build
from etl.tables import InputError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m etl", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="build geodata/processed/ from the raw inputs")
    b.add_argument(
        "--deployments", type=Path, help="country-level CSV: country, centres[, permit_status, as_of, source]"
    )
    b.add_argument(
        "--centres",
        type=Path,
        help="centre-level CSV: site, country, lat, lon[, city, first_year, system, vendor, source]",
    )
    b.add_argument(
        "--out", type=Path, default=paths.PROCESSED, help="output directory (default geodata/processed/)"
    )
    b.add_argument(
        "--scale", choices=("50m", "110m"), default="50m", help="Natural Earth scale (default 50m)"
    )
    b.add_argument("--strict", action="store_true", help="exit non-zero if any row is rejected")
    args = parser.parse_args(argv)
    try:
        result = build(args.deployments, args.centres, args.out, args.scale, args.strict)
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    rec = result.report["reconciliation"]
    print(
        f"built {result.report['features']} countries into {result.out_dir} in {result.elapsed_s:.2f} s; "
        f"{result.rejected} row(s) rejected"
    )
    for name, r in rec.items():
        print(
            f"  {name}: rows read {r['rows_read']} = used {r['rows_used']} + rejected {r['rows_rejected']}; "
            f"centres read {r['centres_read']} = on map {r['centres_on_map']} + rejected {r['centres_rejected']}"
            f" ({'reconciled' if r['ok'] else 'NOT RECONCILED'})"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
