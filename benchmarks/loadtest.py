"""Load test: simulated users against gunicorn on loopback; reports throughput and p95/p99.

    .venv/bin/python benchmarks/loadtest.py [--users 50] [--seconds 60] [--workers 2]

Each user loads the page (HTML, layout, dependencies, geometry), then changes filters (Dash
callback requests) and downloads (API), with a short think time. It starts its own gunicorn
(with gunicorn.conf.py) on 127.0.0.1, targets nothing else, and stops by itself.
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import statistics
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.run import QUERIES, Gunicorn, callback_body, pct  # noqa: E402
from dashboard.data import load_atlas  # noqa: E402

HOST = "127.0.0.1"  # loopback only
DOWNLOADS = ("/api/coverage.geojson", "/api/coverage.csv", "/api/centres.geojson")


class User(threading.Thread):
    def __init__(
        self, port: int, stop_at: float, seed: int, geometry_path: str, results: dict, lock: threading.Lock
    ):
        super().__init__(daemon=True)
        self.port, self.stop_at, self.rng = port, stop_at, random.Random(seed)
        self.geometry_path, self.results, self.lock = geometry_path, results, lock
        self.conn = http.client.HTTPConnection(HOST, port, timeout=30)
        self.mine: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, int] = defaultdict(int)

    def request(self, kind: str, method: str, path: str, body: bytes | None = None) -> None:
        headers = {"Accept-Encoding": "gzip"}
        if body is not None:
            headers["Content-Type"] = "application/json"
        t = time.perf_counter()
        try:
            self.conn.request(method, path, body=body, headers=headers)
            r = self.conn.getresponse()
            r.read()
            ok = r.status == 200
        except (OSError, http.client.HTTPException):
            ok = False
            self.conn.close()
            self.conn = http.client.HTTPConnection(HOST, self.port, timeout=30)
        self.mine[kind].append(time.perf_counter() - t)
        if not ok:
            self.errors[kind] += 1

    def run(self) -> None:
        while time.perf_counter() < self.stop_at:
            self.request("page", "GET", "/")
            self.request("page", "GET", "/_dash-layout")
            self.request("page", "GET", "/_dash-dependencies")
            self.request("geometry", "GET", self.geometry_path)
            shown = ""
            for _ in range(self.rng.randint(3, 8)):
                if time.perf_counter() >= self.stop_at:
                    break
                time.sleep(self.rng.uniform(0.1, 0.5))  # think time
                q = self.rng.choice(QUERIES)
                self.request(
                    "callback",
                    "POST",
                    "/_dash-update-component",
                    json.dumps(callback_body(q, shown)).encode(),
                )
                shown = q
                if self.rng.random() < 0.3:
                    self.request("download", "GET", self.rng.choice(DOWNLOADS) + self.rng.choice(QUERIES))
        with self.lock:
            for k, v in self.mine.items():
                self.results["latency"][k].extend(v)
            for k, v in self.errors.items():
                self.results["errors"][k] += v


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--users", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    atlas = load_atlas()
    server = Gunicorn("app:server", workers=args.workers)
    port = server.port
    results = {"latency": defaultdict(list), "errors": defaultdict(int)}
    lock = threading.Lock()
    geometry_path = f"/geo/countries.{atlas.geometry_etag}.geojson"
    try:
        started = time.perf_counter()
        stop_at = started + args.seconds
        users = [User(port, stop_at, seed, geometry_path, results, lock) for seed in range(args.users)]
        for u in users:
            u.start()
        for u in users:
            u.join(timeout=args.seconds + 60)
        elapsed = time.perf_counter() - started
    finally:
        server.stop()
    total = sum(len(v) for v in results["latency"].values())
    errors = sum(results["errors"].values())
    print(
        f"{args.users} users, {args.seconds:.0f} s, gunicorn -w {args.workers} on loopback; "
        f"{total} requests in {elapsed:.1f} s = {total / elapsed:.0f} req/s; {errors} errors"
    )
    print()
    print("| request | count | req/s | median ms | p95 ms | p99 ms | errors |")
    print("|---|---|---|---|---|---|---|")
    everything = []
    for kind in ("page", "geometry", "callback", "download"):
        lat = results["latency"].get(kind, [])
        everything += lat
        if lat:
            print(
                f"| {kind} | {len(lat)} | {len(lat) / elapsed:.1f} | {statistics.median(lat) * 1000:.0f} | "
                f"{pct(lat, 95) * 1000:.0f} | {pct(lat, 99) * 1000:.0f} | {results['errors'].get(kind, 0)} |"
            )
    print(
        f"| all | {len(everything)} | {len(everything) / elapsed:.1f} | {statistics.median(everything) * 1000:.0f} | "
        f"{pct(everything, 95) * 1000:.0f} | {pct(everything, 99) * 1000:.0f} | {errors} |"
    )


if __name__ == "__main__":
    main()
