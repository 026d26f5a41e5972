"""Measure every speed target of the atlas and its naive baseline in the same run; print a table.

    .venv/bin/python benchmarks/run.py [--quick]

Nothing here asserts a time. Servers are started on loopback only and stopped at the end.
"""

from __future__ import annotations

import argparse
import gzip
import http.client
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402

from dashboard.data import load_atlas  # noqa: E402
from etl import build, paths  # noqa: E402
from scripts.chromium import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

QUERIES = [
    "",
    "?view=permits",
    "?view=bri",
    "?region=Asia",
    "?region=Europe&bri=member",
    "?view=permits&region=Asia&bri=member&year=2020",
    "?region=Africa",
    "?year=2015",
    "?bri=non-member",
    "?region=South+America&view=bri",
    "?subregion=Western+Europe",
    "?overlays=none",
]
VIEW_LABELS = ["Permit status", "Belt and Road membership", "Centres per country"]


def pct(values, q):
    values = sorted(values)
    k = max(0, min(len(values) - 1, round(q / 100 * (len(values) - 1))))
    return values[k]


def summary(values):
    return statistics.median(values), pct(values, 95)


# ---- servers -----------------------------------------------------------------------------------


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Gunicorn:
    def __init__(self, target, workers=2):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        started = time.perf_counter()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-w", str(workers), "-b", f"127.0.0.1:{self.port}", target],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(self.url + "/", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                if time.monotonic() > deadline or self.proc.poll() is not None:
                    raise RuntimeError(f"{target} did not start") from None
                time.sleep(0.02)
        self.start_s = time.perf_counter() - started

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=30)


# ---- measurements ------------------------------------------------------------------------------


def bench_etl(runs):
    times = []
    with tempfile.TemporaryDirectory() as out:
        for _ in range(runs):
            t = time.perf_counter()
            build(out=Path(out), log=lambda _m: None)
            times.append(time.perf_counter() - t)
    return times


def bench_geometry(url, atlas):
    raw = atlas.geometry_json
    req = urllib.request.Request(
        f"{url}/geo/countries.{atlas.geometry_etag}.geojson", headers={"Accept-Encoding": "gzip"}
    )
    with urllib.request.urlopen(req) as r:
        wire = r.read()
        headers = dict(r.headers)
    coverage = (paths.PROCESSED / "coverage.geojson").read_bytes()
    return {
        "bytes": len(raw),
        "wire_bytes": len(wire),
        "encoding": headers.get("Content-Encoding"),
        "cache": headers.get("Cache-Control"),
        "etag": headers.get("ETag"),
        "naive_bytes": len(coverage),
        "naive_gzip": len(gzip.compress(coverage)),
    }


def callback_body(query, shown):
    outputs = [
        ("map", "figure"),
        ("legend", "children"),
        ("kpis", "children"),
        ("share-link", "href"),
        ("shown-state", "data"),
    ]
    return {
        "output": ".." + "...".join(f"{i}.{p}" for i, p in outputs) + "..",
        "outputs": [{"id": i, "property": p} for i, p in outputs],
        "inputs": [
            {"id": "url", "property": "search", "value": query},
            {"id": "user-data", "property": "data", "value": None},
        ],
        "changedPropIds": ["url.search"],
        "state": [{"id": "shown-state", "property": "data", "value": shown}],
    }


def bench_callback(server, rounds):
    """Step through the filter states in turn, each request carrying the state shown before it."""
    client = server.test_client()
    times, sizes = [], []
    shown = ""
    for _ in range(rounds):
        for q in QUERIES:
            t = time.perf_counter()
            r = client.post("/_dash-update-component", json=callback_body(q, shown))
            times.append(time.perf_counter() - t)
            assert r.status_code == 200, r.data[:300]
            sizes.append(len(r.data))
            shown = q
    return times, sizes


def bench_browser(url, n_shapes, loads, clicks):
    load_ms, click_ms = [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for _ in range(loads):
            ctx = browser.new_context(viewport={"width": 1280, "height": 800})
            page = ctx.new_page()
            page.goto(url + "/", wait_until="commit")
            page.wait_for_function(
                f"() => document.querySelectorAll('#map .choroplethlayer .trace:first-child path.choroplethlocation[d]').length >= {n_shapes}",
                polling="raf",
                timeout=60_000,
            )
            load_ms.append(page.evaluate("() => performance.now()"))
            ctx.close()
        ctx = browser.new_context(viewport={"width": 1280, "height": 800})
        page = ctx.new_page()
        page.goto(url + "/")
        page.wait_for_function(
            "() => document.querySelectorAll('#map .choroplethlocation').length > 100", timeout=60_000
        )
        page.wait_for_timeout(1500)
        page.evaluate("""() => {
          window.__lastPaint = 0;
          new MutationObserver(() => { window.__lastPaint = performance.now(); })
            .observe(document.querySelector('#map'), {subtree: true, attributes: true, childList: true});
        }""")
        for i in range(clicks):
            label = VIEW_LABELS[i % len(VIEW_LABELS)]
            expected = {
                "Permit status": "HIFU permit",
                "Belt and Road membership": "Belt and Road",
                "Centres per country": "HIFU centres",
            }[label]
            t0 = page.evaluate(
                """(label) => { const el = [...document.querySelectorAll('#view label')].find(l => l.innerText.trim() === label);
                   const t = performance.now(); el.click(); return t; }""",
                label,
            )
            page.wait_for_function(
                "(e) => document.querySelector('.legend-title').innerText.startsWith(e) && !document.querySelector('[data-dash-is-loading=\"true\"]')",
                arg=expected,
                timeout=30_000,
            )
            page.wait_for_timeout(400)  # let the last repaint land; the observer keeps its time
            click_ms.append(page.evaluate("() => window.__lastPaint") - t0)
        ctx.close()
        browser.close()
    return load_ms, click_ms


def bench_api(url, seconds, concurrency=20):
    latencies, errors = [], []
    host, port = url.replace("http://", "").split(":")
    stop_at = time.perf_counter() + seconds
    lock = threading.Lock()

    def worker(k):
        conn = http.client.HTTPConnection(host, int(port), timeout=10)
        i = k
        mine, bad = [], 0
        while time.perf_counter() < stop_at:
            q = QUERIES[i % len(QUERIES)]
            i += 1
            t = time.perf_counter()
            try:
                conn.request("GET", "/api/coverage.geojson" + q, headers={"Accept-Encoding": "gzip"})
                r = conn.getresponse()
                r.read()
                if r.status != 200:
                    bad += 1
            except (OSError, http.client.HTTPException):
                bad += 1
                conn.close()
                conn = http.client.HTTPConnection(host, int(port), timeout=10)
            mine.append(time.perf_counter() - t)
        with lock:
            latencies.extend(mine)
            errors.append(bad)

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(concurrency)]
    t = time.perf_counter()
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    elapsed = time.perf_counter() - t
    return len(latencies) / elapsed, latencies, sum(errors)


# ---- main --------------------------------------------------------------------------------------


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="fewer repetitions")
    args = ap.parse_args()
    reps = 1 if args.quick else 3
    atlas = load_atlas()
    n_shapes = sum(1 for c in atlas.countries if c["shape"] == "polygon")
    rows = []

    def row(name, value, target, baseline=None, unit=""):
        rows.append((name, value, target, baseline, unit))
        print(f"  {name}: {value} {unit} (target {target}; naive {baseline})", flush=True)

    print("measuring...", flush=True)
    etl = bench_etl(3 * reps)
    row("etl build, median / p95", f"{summary(etl)[0]:.2f} / {summary(etl)[1]:.2f}", "<= 5 s", None, "s")

    fast = Gunicorn("app:server")
    naive = Gunicorn("benchmarks.naive_app:server")
    try:
        starts = [fast.start_s]
        for _ in range(reps):
            g = Gunicorn("app:server")
            starts.append(g.start_s)
            g.stop()
        row(
            "app start to first page served, median",
            f"{statistics.median(starts):.2f}",
            "<= 3 s",
            f"{naive.start_s:.2f}",
            "s",
        )

        geo = bench_geometry(fast.url, atlas)
        row(
            "geometry, uncompressed",
            f"{geo['bytes'] / 1024:.0f}",
            "<= 1024 KB",
            f"{geo['naive_bytes'] / 1024:.0f}",
            "KB",
        )
        row(
            f"geometry, on the wire ({geo['encoding']})",
            f"{geo['wire_bytes'] / 1024:.0f}",
            "<= 350 KB",
            f"{geo['naive_gzip'] / 1024:.0f} (gzip)",
            "KB",
        )
        row("geometry caching", f"{geo['cache']}; ETag {geo['etag']}", "cacheable", "embedded in page")

        import app as app_module  # noqa: PLC0415
        import benchmarks.naive_app as naive_module  # noqa: PLC0415

        ft, fs = bench_callback(app_module.server, 2 * reps)
        nt, ns = bench_callback(naive_module.server, 2 * reps)
        row(
            "filter callback server time, median / p95",
            f"{summary(ft)[0] * 1000:.1f} / {summary(ft)[1] * 1000:.1f}",
            "median <= 20 ms",
            f"{summary(nt)[0] * 1000:.1f} / {summary(nt)[1] * 1000:.1f}",
            "ms",
        )
        row(
            "filter callback response, median (max)",
            f"{statistics.median(fs) / 1024:.1f} ({max(fs) / 1024:.1f})",
            "<= 10 KB",
            f"{statistics.median(ns) / 1024:.0f} ({max(ns) / 1024:.0f})",
            "KB",
        )

        fl, fc = bench_browser(fast.url, n_shapes, 3 * reps, 6 * reps)
        nl, nc = bench_browser(naive.url, n_shapes, 3 * reps, 6 * reps)
        row(
            "page load to every shape drawn, median / p95",
            f"{summary(fl)[0]:.0f} / {summary(fl)[1]:.0f}",
            "<= 2000 ms",
            f"{summary(nl)[0]:.0f} / {summary(nl)[1]:.0f}",
            "ms",
        )
        row(
            "click to repainted map, median / p95",
            f"{summary(fc)[0]:.0f} / {summary(fc)[1]:.0f}",
            "median <= 300 ms",
            f"{summary(nc)[0]:.0f} / {summary(nc)[1]:.0f}",
            "ms",
        )

        secs = 5 if args.quick else 10
        rps, lat, err = bench_api(fast.url, secs)
        nrps, nlat, nerr = bench_api(naive.url, secs)
        row(
            "API /api/coverage.geojson, 20 connections, gunicorn -w 2",
            f"{rps:.0f} req/s, p99 {pct(lat, 99) * 1000:.0f} ms, {err} errors",
            ">= 200 req/s, p99 <= 250 ms",
            f"{nrps:.0f} req/s, p99 {pct(nlat, 99) * 1000:.0f} ms, {nerr} errors",
        )
    finally:
        fast.stop()
        naive.stop()

    print()
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
        f"load generator and browser share the machine with the server"
    )
    print()
    print("| measure | atlas | target | naive baseline |")
    print("|---|---|---|---|")
    for name, value, target, baseline, unit in rows:
        print(f"| {name} | {value} {unit} | {target} | {'' if baseline is None else f'{baseline} {unit}'} |")


if __name__ == "__main__":
    main()
