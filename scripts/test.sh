#!/usr/bin/env bash
# Set up a virtual environment and run the whole test suite (lint, unit, ETL, browser).
# Usage: bash scripts/test.sh [pytest args]
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3.11}
command -v "$PY" >/dev/null || PY=python3
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements.txt -r requirements-dev.txt
# Browser tests use Debian's chromium and chromedriver; install them when we can.
if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
  else
    echo "chromium is not installed: run 'sudo apt-get install chromium chromium-driver' for the browser tests" >&2
  fi
fi
.venv/bin/ruff check .
.venv/bin/python -m pytest "$@"
