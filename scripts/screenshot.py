"""Take a screenshot of the running app in headless Chromium: `python scripts/screenshot.py URL OUT.png [WIDTHxHEIGHT]`.

Prints console errors and any request to a host other than the app's.
"""

from __future__ import annotations

import sys
from pathlib import Path
from urllib.parse import urlparse

from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from scripts.chromium import CHROMIUM, CHROMIUM_ARGS  # noqa: E402


def main() -> int:
    url, out = sys.argv[1], sys.argv[2]
    width, height = (int(v) for v in (sys.argv[3] if len(sys.argv) > 3 else "1280x800").split("x"))
    host = urlparse(url).netloc
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": width, "height": height})
        page.on("console", lambda m: m.type == "error" and print("console error:", m.text))
        page.on(
            "request",
            lambda r: urlparse(r.url).netloc not in (host, "") and print("external request:", r.url),
        )
        page.goto(url)
        page.wait_for_function(
            "() => document.querySelectorAll('.choroplethlocation').length > 0", timeout=20000
        )
        page.wait_for_timeout(1500)
        page.screenshot(path=out, full_page=len(sys.argv) > 4)
        print("shapes drawn:", page.eval_on_selector_all(".choroplethlocation", "els => els.length"))
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
