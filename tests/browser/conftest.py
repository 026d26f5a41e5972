"""A real gunicorn serving the app, and a real headless Chromium driven by Playwright."""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import pytest

from scripts.chromium import CHROMIUM, CHROMIUM_ARGS

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def server_url(tmp_path_factory):
    port = _free_port()
    log = open(tmp_path_factory.mktemp("gunicorn") / "gunicorn.log", "w+")  # noqa: SIM115
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            "gunicorn.conf.py",
            "-w",
            "2",
            "-b",
            f"127.0.0.1:{port}",
            "app:server",
        ],
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2) as r:
                if r.status == 200:
                    break
        except OSError:
            if proc.poll() is not None:
                log.seek(0)
                raise RuntimeError(f"gunicorn exited: {log.read()[-2000:]}") from None
            time.sleep(0.3)
    else:
        proc.kill()
        raise RuntimeError("gunicorn did not start within 60 s")
    yield url
    proc.terminate()
    proc.wait(timeout=20)
    log.close()


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail(f"{CHROMIUM} not found; CI must run the browser tests")
        pytest.skip("Debian chromium is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


class Watched:
    """A page whose console errors and requests to other hosts are recorded."""

    def __init__(self, page, base_url):
        self.page = page
        self.base = base_url
        self.console_errors: list[str] = []
        self.foreign_requests: list[str] = []
        host = urlparse(base_url).netloc
        page.on("console", lambda m: m.type == "error" and self.console_errors.append(m.text))
        page.on("pageerror", lambda e: self.console_errors.append(str(e)))
        page.on(
            "request",
            lambda r: (
                urlparse(r.url).scheme in ("http", "https", "ws", "wss")
                and urlparse(r.url).netloc != host
                and self.foreign_requests.append(r.url)
            ),
        )

    def goto(self, path="/"):
        self.page.goto(self.base + path)
        self.wait_drawn()

    def wait_drawn(self):
        self.page.wait_for_function(
            "() => { const g = document.querySelector('#map .js-plotly-plot');"
            " return g && g._fullData && document.querySelectorAll('#map .choroplethlocation').length > 100; }",
            timeout=30_000,
        )
        self.wait_idle()

    def wait_idle(self):
        # Dash marks the page while a callback is in flight; wait until nothing is pending.
        self.page.wait_for_function(
            "() => !document.querySelector('[data-dash-is-loading=\"true\"]')", timeout=30_000
        )
        self.page.wait_for_timeout(300)


@pytest.fixture()
def watched(browser, server_url):
    context = browser.new_context(viewport={"width": 1280, "height": 800}, accept_downloads=True)
    page = context.new_page()
    w = Watched(page, server_url)
    yield w
    context.close()
    assert w.console_errors == [], w.console_errors
    assert w.foreign_requests == [], w.foreign_requests
