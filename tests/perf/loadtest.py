"""`make loadtest` (issue 28, point 5): a province's peak-hour mix (tests/perf/locustfile.py)
against the production shape on this machine, then the scale on paper.

The stack is the production smoke suite's (tests/production/conftest.py): nginx (TLS) in front of
two gunicorn nodes, PgBouncer (transaction pooling) in front of a PostgreSQL primary with a
streaming standby read by the router, a Celery worker and beat, Redis, an S3 server, an SMS
stand-in. The people are seeded with the test factories (tests/perf/loadtest_seed.py). The load
generator is one address, so the per-address limits (nginx's and the app's) are lifted for it.

Printed: per page, requests, failures, requests/s, p50/p95/p99 (ms); the database connections
seen during the run (primary and standby backends, PgBouncer's clients and servers); the CPU
each part spent per request; and the scale on paper (see PEAK below for the assumptions).

Options: --users 40 --spawn-rate 8 --seconds 60 --holders 60 --filers 24 --submitted 60.
Needs REDIS_URL (default redis://127.0.0.1:6379/11), PostgreSQL's programs, nginx, pgbouncer.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# --- the peak we design for, and why -----------------------------------------------------------
# A large province (Guangdong: ~127 M residents, ~30 M of them from elsewhere; Fujian ~42 M):
# assume 10 million permit holders on one portal. Each holder comes ~4 times a year (the yearly
# endorsement, a renewal or change every few years, looking up a case, reading an SMS's link) at
# ~12 requests a visit; add 50,000 public verifications a day (employers, landlords, hotels).
# 10 M x 4 / 250 working days = 160,000 visits a day; 15 % of a day in its busiest hour (the
# 9-10 o'clock and lunch peaks) = 24,000 visits/h x 12 = 80 requests/s, + ~3/s verifications.
# Surges (the school-enrolment months, when parents need a permit at once, and a deadline's
# last days) run ~5x that: the design peak is 400 requests/s of this mix.
HOLDERS = 10_000_000
VISITS_PER_YEAR = 4
REQUESTS_PER_VISIT = 12
WORKING_DAYS = 250
PEAK_HOUR_SHARE = 0.15
VERIFICATIONS_PER_DAY = 50_000
SURGE = 5
TARGET_UTILISATION = 0.6  # cores busy at the peak, leaving room for a node lost

API_RATES = ",".join(
    f"{scope}=1000000/{unit}"
    for scope, unit in (
        ("api_ip", "min"), ("api_user", "min"), ("login_ip", "hour"), ("login_user", "hour"),
        ("upload_ip", "hour"), ("upload_user", "hour"), ("verify_ip", "min"),
    )
)  # fmt: skip


def peak_requests_per_second() -> float:
    visits_per_hour = HOLDERS * VISITS_PER_YEAR / WORKING_DAYS * PEAK_HOUR_SHARE
    average_peak = visits_per_hour * REQUESTS_PER_VISIT / 3600
    verifications = VERIFICATIONS_PER_DAY * PEAK_HOUR_SHARE / 3600
    return (average_peak + verifications) * SURGE


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU of these processes and all their children (psutil, with locust)."""
    import psutil

    total = 0.0
    for pid in pids:
        try:
            parent = psutil.Process(pid)
            for process in [parent, *parent.children(recursive=True)]:
                times = process.cpu_times()
                total += times.user + times.system
        except psutil.Error:
            continue
    return total


def postmaster_pid(cluster) -> int:
    return int((cluster.data / "postmaster.pid").read_text().split()[0])


class Sampler(threading.Thread):
    """The database's connections every second while the load runs (the largest seen)."""

    def __init__(self, stack):
        super().__init__(daemon=True)
        self.stack = stack
        self.stop = threading.Event()
        self.peak = {"primary backends": 0, "standby backends": 0, "pgbouncer clients": 0,
                     "pgbouncer servers": 0}  # fmt: skip

    def run(self):
        backends = (
            "SELECT count(*) FROM pg_stat_activity WHERE datname = 'portal' "
            "AND backend_type = 'client backend' AND pid <> pg_backend_pid()"
        )
        while not self.stop.wait(1.0):
            seen = {}
            try:
                seen["primary backends"] = self.stack.primary.query(backends)[0][0]
                seen["standby backends"] = self.stack.standby.query(backends)[0][0]
                for pool in self.stack.pgbouncer.show("POOLS"):
                    if pool["database"] == "portal":
                        seen["pgbouncer clients"] = pool["cl_active"] + pool["cl_waiting"]
                        seen["pgbouncer servers"] = (
                            pool["sv_active"] + pool["sv_idle"] + pool["sv_used"]
                        )
            except Exception as exc:  # noqa: BLE001  (a sample missed is not the run failed)
                print(f"  (connection sample incomplete: {exc})", flush=True)
            for key, value in seen.items():
                self.peak[key] = max(self.peak[key], value)


def seed(stack, args) -> dict:
    call = (
        "from tests.perf import loadtest_seed; "
        f"loadtest_seed.seed(holders={args.holders}, filers={args.filers}, "
        f"submitted={args.submitted})"
    )
    result = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "shell", "-c", call],
        cwd=ROOT, env={**stack.env, "LOG_LEVEL": "WARNING"}, capture_output=True, text=True,
        timeout=1800, check=False,
    )  # fmt: skip
    if result.returncode != 0:
        raise SystemExit(f"seeding failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return json.loads([line for line in result.stdout.splitlines() if line.startswith("{")][-1])


def run_locust(stack, data_path: Path, prefix: Path, args) -> None:
    env = {**os.environ, "LOADTEST_DATA": str(data_path)}
    subprocess.run(  # noqa: S603
        [sys.executable, "-m", "locust", "-f", str(ROOT / "tests" / "perf" / "locustfile.py"),
         "--headless", "-u", str(args.users), "-r", str(args.spawn_rate),
         "-t", f"{args.seconds}s", "--host", stack.edge, "--csv", str(prefix),
         "--only-summary", "--loglevel", "WARNING", "--stop-timeout", "10"],
        cwd=ROOT, env=env, check=False, timeout=args.seconds + 300,
    )  # fmt: skip


def table(prefix: Path) -> tuple[list[dict], dict]:
    with open(f"{prefix}_stats.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    pages = [r for r in rows if r["Name"] != "Aggregated"]
    total = next(r for r in rows if r["Name"] == "Aggregated")
    return pages, total


def show(pages, total, seconds: float) -> None:
    widths = (8, 6, 7, 6, 6, 6)
    names = ("requests", "errors", "req/s", "p50", "p95", "p99")
    line = f"{'page':34} " + " ".join(f"{n:>{w}}" for n, w in zip(names, widths, strict=True))
    print("\n" + line + "\n" + "-" * len(line))
    for row in sorted(pages, key=lambda r: -int(r["Request Count"])) + [total]:
        name = row["Name"] if row is not total else "ALL"
        print(
            f"{name[:34]:34} {row['Request Count']:>8} {row['Failure Count']:>6} "
            f"{float(row['Requests/s']):>7.1f} {row['50%']:>6} {row['95%']:>6} {row['99%']:>6}"
        )
    print("(times in ms, measured by Locust at the client, through nginx and TLS)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=40)
    parser.add_argument("--spawn-rate", type=float, default=8)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--holders", type=int, default=60)
    parser.add_argument("--filers", type=int, default=24)
    parser.add_argument("--submitted", type=int, default=60)
    args = parser.parse_args()

    os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/11")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["PORTAL_RATE_EXEMPT"] = "127.0.0.1/32"  # nginx: the load generator's address
    import django

    django.setup()
    from tests.production.conftest import production_stack

    extra_env = {"API_THROTTLE_RATES": API_RATES, "AXES_FAILURE_LIMIT": "100000",
                 "LOG_LEVEL": "WARNING"}  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="portal-loadtest-") as tmp_name:
        tmp = Path(tmp_name)
        with production_stack(tmp, extra_env=extra_env) as stack:
            started = time.monotonic()
            data = seed(stack, args)
            print(
                f"seeded {len(data['holders'])} permit holders, {len(data['filers'])} applicants "
                f"ready to file, {len(data['submitted'])} submitted applications, one officer "
                f"in {time.monotonic() - started:.0f} s",
                flush=True,
            )
            data_path = tmp / "people.json"
            data_path.write_text(json.dumps(data))
            parts = {
                "web nodes (gunicorn)": [stack.processes[n].popen.pid for n in ("web1", "web2")],
                "PostgreSQL primary": [postmaster_pid(stack.primary)],
                "PostgreSQL standby": [postmaster_pid(stack.standby)],
                "PgBouncer": [stack.processes["pgbouncer"].popen.pid],
                "nginx": [stack.processes["nginx"].popen.pid],
                "Celery worker": [stack.processes["worker"].popen.pid],
            }
            before = {name: cpu_seconds(pids) for name, pids in parts.items()}
            sampler = Sampler(stack)
            sampler.start()
            run_started = time.monotonic()
            run_locust(stack, data_path, tmp / "locust", args)
            elapsed = time.monotonic() - run_started
            sampler.stop.set()
            sampler.join(timeout=5)
            spent = {name: cpu_seconds(pids) - before[name] for name, pids in parts.items()}
            pages, total = table(tmp / "locust")
    report(args, pages, total, spent, sampler.peak, elapsed)


def report(args, pages, total, spent, connections, elapsed) -> None:
    print(f"\n== load: {args.users} users (Locust), {args.seconds} s, on this machine "
          f"({os.cpu_count()} cores, shared)")  # fmt: skip
    show(pages, total, elapsed)
    print("\n== database connections (largest seen, sampled each second)")
    for name, value in connections.items():
        print(f"  {name:22} {value}")
    requests_done = int(total["Request Count"])
    print(f"\n== CPU per request ({requests_done} requests)")
    per_request = {}
    for name, seconds in spent.items():
        per_request[name] = 1000 * seconds / max(requests_done, 1)
        print(f"  {name:22} {per_request[name]:6.2f} ms   ({seconds:.1f} s in all)")

    peak = peak_requests_per_second()
    print("\n== the scale on paper (assumptions: tests/perf/loadtest.py, PEAK)")
    print(f"  design peak: {peak:.0f} requests/s of this mix ({HOLDERS / 1e6:.0f} M permit holders,"
          f" {VISITS_PER_YEAR} visits/year x {REQUESTS_PER_VISIT} requests, "
          f"{PEAK_HOUR_SHARE:.0%} of a day in its peak hour, x{SURGE} surge)")  # fmt: skip
    web_cores = peak * per_request["web nodes (gunicorn)"] / 1000 / TARGET_UTILISATION
    db_cores = peak * per_request["PostgreSQL primary"] / 1000 / TARGET_UTILISATION
    replica_cores = peak * per_request["PostgreSQL standby"] / 1000 / TARGET_UTILISATION
    edge_cores = (peak * (per_request["nginx"] + per_request["PgBouncer"]) / 1000
                  / TARGET_UTILISATION)  # fmt: skip
    worker_cores = peak * per_request["Celery worker"] / 1000 / TARGET_UTILISATION
    nodes = max(2, math.ceil(web_cores / 8))
    print(
        f"  web: {web_cores:.1f} cores at {TARGET_UTILISATION:.0%} busy -> {nodes} nodes of 8 "
        f"cores (gunicorn: 2 workers a core, {nodes * 16} workers), at least 2 for a node lost"
    )
    print(
        f"  PostgreSQL primary: {db_cores:.1f} cores; standby: {replica_cores:.1f} cores "
        "(each: 8 cores, RAM for the working set below, one standby per 4 cores of reads)"
    )
    print(
        f"  nginx + PgBouncer: {edge_cores:.2f} cores; Celery workers: {worker_cores:.2f} cores "
        "(SMS, papers, daily jobs: 2 nodes of 2 cores, for the surges of SMS)"
    )
    print(
        f"  PgBouncer: {nodes * 16} client connections, default_pool_size 20 server connections"
        " on the primary (deploy/pgbouncer/pool.ini)"
    )
    print(
        "  database size: ~10 M permits + ~3 M applications a year + their histories, SMS and "
        "notifications kept by the retention job to ~13 months: ~60-80 GB with indexes; "
        "files (photos, materials, papers) in the bucket: ~1.5 MB x 3 M cases a year = ~4.5 TB"
    )


if __name__ == "__main__":
    main()
