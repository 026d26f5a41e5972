"""How this project starts Debian's Chromium headless (tests, benchmarks, screenshots).

The background-networking flags keep Chromium from calling home: the machine has no network
beyond the package registries, and nothing the page does may leave localhost.
"""

import shutil

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
