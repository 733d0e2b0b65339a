"""Build a private calendar feed of 2,000 events (a quarter of them weekly series, some with
a changed and a cancelled occurrence) and time it; then time the 304 answer to a calendar
application that already has it (the goals: ≤ 200 ms to build, a few ms for the 304).

    .venv/bin/python bench/ical_feed.py               # 2,000 events, 20 rounds
    .venv/bin/python bench/ical_feed.py --events 500 --rounds 5

It builds a throw-away portal (SQLite in a temporary folder, unless DATABASE_URL is set),
creates the events through the services as a lead would, then fetches the feed through
Django's test client exactly as a calendar application does (no session, the token in the
URL), and reports median and worst times and the number of SQL queries of each answer.
"""

from __future__ import annotations

import argparse
import datetime
import os
import statistics
import sys
import tempfile
import time
import zoneinfo
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PARIS = zoneinfo.ZoneInfo("Europe/Paris")


def _setup(workdir: Path) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{workdir / 'bench.sqlite3'}")
    os.environ["DJANGO_SETTINGS_MODULE"] = "portal.settings.test"
    import django
    from django.core.management import call_command

    django.setup()
    from django.conf import settings

    # Production keeps the serialised events in Redis; here an in-process cache large
    # enough to hold them (the test settings' default keeps only 300 entries).
    settings.CACHES["default"]["OPTIONS"] = {"MAX_ENTRIES": 100_000}
    call_command("migrate", verbosity=0)


def _populate(count: int):
    from communities import services as cs
    from events import services
    from portal.accounts import services as accounts

    lead = accounts.user_create(email="lead@bench.example", password="x" * 20, display_name="L")
    community = cs.community_create(acting_user=lead, name="Bench", visibility="private")
    first = datetime.datetime(2027, 1, 4, 9, tzinfo=PARIS)
    for i in range(count):
        start = first + datetime.timedelta(days=i % 365, hours=i % 8)
        series = i % 4 == 0
        event = services.event_create(
            acting_user=lead,
            community=community,
            title=f"Event {i}: planning, budget; review",
            description="Agenda:\n1. progress\n2. decisions",
            location="Town hall",
            schedule=services.Schedule(
                start=start, end=start + datetime.timedelta(hours=1), tz="Europe/Paris"
            ),
            freq="weekly" if series else "",
            count=20 if series else None,
        )
        if series and i % 20 == 0:
            second = (start + datetime.timedelta(days=7)).astimezone(datetime.UTC)
            services.occurrence_update(
                acting_user=lead,
                event=event,
                original_start=second,
                schedule=services.Schedule(
                    start=second + datetime.timedelta(hours=2),
                    end=second + datetime.timedelta(hours=3),
                    tz="Europe/Paris",
                ),
                title=f"Event {i} (moved)",
            )
            services.event_cancel(
                acting_user=lead, event=event, occurrence_start=start + datetime.timedelta(days=14)
            )
    feed, token = services.feed_create(acting_user=lead, community=community)
    return f"/calendar/feeds/{feed.pk}/{token}.ics"


def _time(fetch, rounds: int) -> tuple[list[float], int, object]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times = []
    response = None
    queries = 0
    for _ in range(rounds):
        with CaptureQueriesContext(connection) as captured:
            began = time.perf_counter()
            response = fetch()
            times.append((time.perf_counter() - began) * 1000)
        queries = len(captured)
    return times, queries, response


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="parvis-bench-") as tmp:
        _setup(Path(tmp))
        from django.test import Client

        began = time.perf_counter()
        path = _populate(args.events)
        print(f"{args.events} events created in {time.perf_counter() - began:.1f} s")
        client = Client(HTTP_HOST="localhost")
        from django.core.cache import cache

        def cold():
            cache.clear()  # every event serialised again
            return client.get(path)

        client.get(path)  # the hourly "last used" write
        first, first_queries, response = _time(cold, max(3, args.rounds // 4))
        assert response.status_code == 200, response.status_code
        built, build_queries, response = _time(lambda: client.get(path), args.rounds)
        assert response.status_code == 200, response.status_code
        size = len(response.content)
        etag = response["ETag"]
        cached, cached_queries, response = _time(
            lambda: client.get(path, HTTP_IF_NONE_MATCH=etag), args.rounds
        )
        assert response.status_code == 304, response.status_code
        for label, times, queries in (
            (f"cold build ({size // 1024} KiB)", first, first_queries),
            ("build (events cached)", built, build_queries),
            ("304 Not Modified", cached, cached_queries),
        ):
            print(
                f"{label:28} median {statistics.median(times):7.1f} ms"
                f"   worst {max(times):7.1f} ms   {queries} queries"
            )


if __name__ == "__main__":
    main()
