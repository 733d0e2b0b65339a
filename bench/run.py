"""Load the key pages of a generated data set through the production-like stack and report
latency percentiles, throughput and ratios to Wagtail's plain editorial page; count each
page's SQL queries on S and L; optionally run the digest benchmark.

    .venv/bin/python bench/run.py --size L                 # load run on parvis_bench_l
    .venv/bin/python bench/run.py --size S --queries       # and the query counts, S vs L
    .venv/bin/python bench/run.py --queries-only           # only the query counts
    .venv/bin/python bench/run.py --size L --digests       # and bench/digests.py

Build the data first with ``bench/generate.py`` (same size). The stack: gunicorn with two
sync workers, ``bench.settings`` (the production settings, persistent connections with
health checks, the Redis cache in database ``BENCH_REDIS_DB``, 11 by default, which is
emptied at the start; no other Redis database is touched). Each page is loaded on its own
for ``--duration`` seconds by ``--users`` concurrent clients (locust, headless, closed
loop), after a warm-up, with the session cookie of a signed-in lead or guest. Results are
printed as Markdown and saved under var/bench/.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
OUT = ROOT / "var" / "bench"
SERVER = "postgres://postgres@127.0.0.1:5432"
REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379")

# (name, path template, who is signed in). The Wagtail page is the stack's own baseline.
PAGES = [
    ("Wagtail page (baseline)", "/help/", "lead"),
    ("community feed (busiest)", "/communities/{slug}/", "lead"),
    ("home feed", "/feed/", "lead"),
    ("post with {thread} comments", "/posts/{post}/", "lead"),
    ("document library (busiest)", "/communities/{slug}/documents/", "lead"),
    ("event list (busiest)", "/communities/{slug}/calendar/", "lead"),
    ("ICS feed, {events} events", "/calendar/feeds/{feed}/{token}.ics", None),
    ("search for a common word", "/search/?q={word}", "lead"),
    ("guest's home (/ → /feed/)", "/feed/", "guest"),
]

PREPARE = """
import json, django
django.setup()
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.core.cache import cache
from django.core.management import call_command
from django.db.models import Count
from bench.generate import (
    BUSIEST_SLUG, COMMON_WORD, FEED_TOKEN, GUEST_EMAIL, LEAD_EMAIL, THREAD_RANK
)
from communities.models import Community, Post
from events.models import CalendarFeed, Event
from portal.accounts.models import User

from django.conf import settings
if not (settings.STATIC_ROOT / "staticfiles.json").exists():  # the first run only
    call_command("collectstatic", interactive=False, verbosity=0)
cache.clear()  # FLUSHDB of the bench cache database only
sessions = {}
for who, email in (("lead", LEAD_EMAIL), ("guest", GUEST_EMAIL)):
    user = User.objects.get(email=email)
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    sessions[who] = session.session_key
busiest = Community.objects.get(slug=BUSIEST_SLUG)
post = Post.objects.filter(community=busiest).order_by("-id")[THREAD_RANK - 1]
feed = CalendarFeed.objects.get(user__email=LEAD_EMAIL, community=busiest)
print(json.dumps({
    "sessions": sessions,
    "values": {
        "slug": busiest.slug, "post": post.pk, "thread": post.comment_count,
        "feed": feed.pk, "token": FEED_TOKEN, "word": COMMON_WORD,
        "events": Event.objects.filter(community=busiest).count(),
    },
}))
"""

COUNT = """
import json, sys, django
django.setup()
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from portal.accounts.models import User
from bench.generate import GUEST_EMAIL, LEAD_EMAIL

pages, values = json.loads(sys.argv[1]), json.loads(sys.argv[2])
clients = {None: Client()}
for who, email in (("lead", LEAD_EMAIL), ("guest", GUEST_EMAIL)):
    clients[who] = Client()
    clients[who].force_login(User.objects.get(email=email))
counts = {}
for name, path, who in pages:
    path = path.format(**values)
    clients[who].get(path)  # the first request may write (last seen) and fill caches
    with CaptureQueriesContext(connection) as captured:
        answer = clients[who].get(path)
    assert answer.status_code == 200, (path, answer.status_code)
    counts[name.format(**values)] = len(captured)
print(json.dumps(counts))
"""


def database_url(size: str) -> str:
    return f"{SERVER}/parvis_bench_{size.lower()}"


def stack_env(url: str, *, redis: bool = True) -> dict[str, str]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DATABASE_URL": url,
        "DATABASE_CONN_MAX_AGE": "600",
        "SECRET_KEY": "bench-only-secret-key-not-used-anywhere-else-0123456789",
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "PORTAL_BASE_URL": "http://127.0.0.1:8000",
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_HSTS_SECONDS": "0",
        "STATIC_ROOT": str(OUT / "static"),
        "MEDIA_ROOT": str(OUT / "media"),
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        "LOG_LEVEL": "ERROR",
        "PYTHONPATH": str(ROOT),
    }
    if redis:
        env["REDIS_URL"] = REDIS
    else:
        env.pop("REDIS_URL", None)
    return env


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(port: int, path: str, cookie: str = "") -> tuple[int, float]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    began = time.perf_counter()
    conn.request("GET", path, headers={"Cookie": cookie} if cookie else {})
    answer = conn.getresponse()
    answer.read()
    conn.close()
    return answer.status, (time.perf_counter() - began) * 1000


def _locust(port: int, name: str, path: str, cookie: str, users: int, seconds: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="parvis-locust-") as tmp:
        env = {**os.environ, "BENCH_NAME": name, "BENCH_PATH": path, "BENCH_COOKIE": cookie}
        subprocess.run(
            [
                str(BIN / "locust"),
                "-f",
                str(ROOT / "bench" / "locustfile.py"),
                "--headless",
                "--users",
                str(users),
                "--spawn-rate",
                str(users),
                "--run-time",
                f"{seconds}s",
                "--host",
                f"http://127.0.0.1:{port}",
                "--csv",
                f"{tmp}/run",
                "--only-summary",
                "--loglevel",
                "ERROR",
            ],
            env=env,
            check=False,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        with open(f"{tmp}/run_stats.csv") as stats:
            row = next(r for r in csv.DictReader(stats) if r["Name"] == name)
    return {
        "requests": int(row["Request Count"]),
        "failures": int(row["Failure Count"]),
        "rps": float(row["Requests/s"]),
        "p50": float(row["50%"]),
        "p95": float(row["95%"]),
        "p99": float(row["99%"]),
        "mean": float(row["Average Response Time"]),
    }


def load_run(size: str, users: int, seconds: int, only: list[str]) -> dict:
    url = database_url(size)
    env = stack_env(url)
    OUT.mkdir(parents=True, exist_ok=True)
    prepared = json.loads(
        subprocess.run(
            [sys.executable, "-c", PREPARE],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout.splitlines()[-1]
    )
    values, sessions = prepared["values"], prepared["sessions"]
    port = _free_port()
    server = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "portal.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--timeout",
            "120",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    results: dict = {"size": size, "values": values, "pages": []}
    try:
        for _ in range(200):
            try:
                _get(port, "/help/")
                break
            except ConnectionRefusedError:
                time.sleep(0.2)
        # The baseline again at the end: on a shared machine the load from elsewhere moves
        # during a run, and ratios use the mean of both.
        pages = [*PAGES, (PAGES[0][0] + ", again", PAGES[0][1], PAGES[0][2])]
        for template, path_template, who in pages:
            name = template.format(**values)
            if only and not any(word in name for word in only):
                continue
            path = path_template.format(**values)
            cookie = f"sessionid={sessions[who]}" if who else ""
            warm = [_get(port, path, cookie) for _ in range(3)]
            status = warm[-1][0]
            if status != 200:
                raise SystemExit(f"{name}: {path} answered {status}")
            print(f"  {name}: first {warm[0][1]:.0f} ms, then loading…", file=sys.stderr)
            measured = _locust(port, name, path, cookie, users, seconds)
            measured.update(name=name, path=path, first_ms=round(warm[0][1]))
            results["pages"].append(measured)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    return results


def count_queries(sizes: list[str]) -> dict[str, dict[str, int]]:
    """Each page's queries on each size, in-process (Django's test client, the Redis cache),
    the second request of a signed-in viewer."""
    counts = {}
    for size in sizes:
        env = stack_env(database_url(size))
        prepared = json.loads(
            subprocess.run(
                [sys.executable, "-c", PREPARE],
                cwd=ROOT,
                env=env,
                check=True,
                capture_output=True,
                text=True,
            ).stdout.splitlines()[-1]
        )
        # Names come from the values of L when both are counted (the thread's length differs).
        pages = [[name, path, who] for name, path, who in PAGES]
        out = subprocess.run(
            [sys.executable, "-c", COUNT, json.dumps(pages), json.dumps(prepared["values"])],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout.splitlines()[-1]
        by_template = dict(zip([p[0] for p in PAGES], json.loads(out).values(), strict=True))
        counts[size] = by_template
    return counts


def report(results: dict | None, counts: dict | None) -> str:
    lines = [f"run {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC"]
    if results:
        bases = [p["rps"] for p in results["pages"] if "baseline" in p["name"]]
        base_rps = sum(bases) / len(bases) if bases else 0
        lines += [
            "",
            f"size {results['size']}, {results['users']} concurrent clients, "
            f"{results['seconds']} s per page",
            "",
            "| page | requests | rps | p50 ms | p95 ms | p99 ms | rps / Wagtail | first ms |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for p in results["pages"]:
            ratio = f"{p['rps'] / base_rps:.2f}" if base_rps else "–"
            failed = f" ({p['failures']} failed)" if p["failures"] else ""
            lines.append(
                f"| {p['name']} | {p['requests']}{failed} | {p['rps']:.1f} | {p['p50']:.0f} | "
                f"{p['p95']:.0f} | {p['p99']:.0f} | {ratio} | {p['first_ms']} |"
            )
    if counts:
        sizes = list(counts)
        lines += [
            "",
            "| page | " + " | ".join(f"queries on {s}" for s in sizes) + " | same |",
            "| --- | " + " | ".join("---:" for _ in sizes) + " | --- |",
        ]
        for name in counts[sizes[0]]:
            values = [counts[s][name] for s in sizes]
            same = "yes" if len(set(values)) == 1 else "**no**"
            label = name.format(thread="N", events="N")
            lines.append(f"| {label} | " + " | ".join(map(str, values)) + f" | {same} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", choices=["S", "L"], default="L")
    parser.add_argument("--users", type=int, default=4, help="concurrent clients (4)")
    parser.add_argument("--duration", type=int, default=20, help="seconds per page (20)")
    parser.add_argument("--only", default="", help="comma-separated words of page names")
    parser.add_argument("--queries", action="store_true", help="also count queries on S and L")
    parser.add_argument("--queries-only", action="store_true")
    parser.add_argument("--query-sizes", default="S,L", help="data sets to count on (S,L)")
    parser.add_argument("--digests", action="store_true", help="also run bench/digests.py")
    args = parser.parse_args()
    results = counts = None
    if not args.queries_only:
        started = time.monotonic()
        only = [w.strip() for w in args.only.split(",") if w.strip()]
        results = load_run(args.size, args.users, args.duration, only)
        results.update(users=args.users, seconds=args.duration)
        results["elapsed_s"] = round(time.monotonic() - started)
    if args.queries or args.queries_only:
        counts = count_queries(args.query_sizes.split(","))
    text = report(results, counts)
    print(text)
    OUT.mkdir(parents=True, exist_ok=True)
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    (OUT / f"run-{args.size}-{stamp}.json").write_text(
        json.dumps({"load": results, "queries": counts}, indent=2, default=str)
    )
    if args.digests:
        import psycopg

        with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
            if not conn.execute(
                "SELECT 1 FROM pg_database WHERE datname = 'parvis_bench_digests'"
            ).fetchone():
                conn.execute("CREATE DATABASE parvis_bench_digests")
        env = {**os.environ, "DATABASE_URL": f"{SERVER}/parvis_bench_digests"}
        env.pop("REDIS_URL", None)
        subprocess.run(
            [sys.executable, str(ROOT / "bench" / "digests.py"), "--sample", "1000"],
            cwd=ROOT,
            env=env,
            check=True,
        )


if __name__ == "__main__":
    main()
