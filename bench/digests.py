"""Digest throughput of one worker process: 10,000 members in 20 communities with a week of
activity; how many digests one process builds, renders and hands to the e-mail backend per
second, and its peak memory (goal: ≥ 100 digests/s, ≤ 250 MB).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/parvis_bench \\
        .venv/bin/python bench/digests.py [--members 10000] [--sample 2000]

The database named by DATABASE_URL is migrated and filled (bulk inserts); its rows are
replaced on every run. Sending goes through ``digests_send_batch`` exactly as a worker runs it, with
Django's dummy e-mail backend, so the numbers are the portal's own cost.
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.base")
os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.dummy.EmailBackend"

import django

django.setup()

from django.contrib.auth.hashers import make_password  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from communities.models import (  # noqa: E402
    Activity,
    Community,
    DigestOutbox,
    DigestPreference,
    Membership,
    Post,
)
from portal.accounts.models import User  # noqa: E402

COMMUNITIES = 20
POSTS = 3000  # a week of activity across the communities
JOINS = 400


def build(members: int, seed: int) -> tuple[datetime.datetime, datetime.datetime]:
    rng = random.Random(seed)
    started = time.monotonic()
    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE communities_digestoutbox, communities_activity, communities_post, "
            "communities_membership, communities_community, accounts_user CASCADE"
        )
    password = make_password(None)
    users = User.objects.bulk_create(
        [
            User(
                email=f"member{i}@bench.example",
                display_name=f"Member {i:05d}",
                password=password,
                language="fr" if i % 3 == 0 else "en",
                timezone="Europe/Paris",
            )
            for i in range(members)
        ],
        batch_size=2000,
    )
    communities = Community.objects.bulk_create(
        [
            Community(name=f"Community {c:02d}", slug=f"community-{c:02d}", visibility="private")
            for c in range(COMMUNITIES)
        ]
    )
    DigestPreference.objects.bulk_create(
        [DigestPreference(user=u, frequency="weekly") for u in users], batch_size=5000
    )
    # This bypasses the membership lifecycle (communities.services.membership_grant) for
    # speed: thousands of rows in one statement; no activity, log entry or provider needed.
    Membership.objects.bulk_create(
        [
            Membership(
                user=u, community=c, role="member", status="active", joined_at=timezone.now()
            )
            for u in users
            for c in communities
        ],
        batch_size=5000,
    )
    end = timezone.now()
    start = end - datetime.timedelta(days=7)
    posts = []
    for n in range(POSTS):
        posts.append(
            Post(
                community=rng.choice(communities),
                author=rng.choice(users),
                body=f"Week note {n}: " + " ".join(rng.choice(WORDS) for _ in range(30)),
                body_html="<p>…</p>",
                comment_count=rng.randint(0, 12),
                like_count=rng.randint(0, 30),
                created_at=start + datetime.timedelta(seconds=rng.randint(0, 7 * 86400 - 1)),
            )
        )
    Post.objects.bulk_create(posts, batch_size=2000)
    Activity.objects.bulk_create(
        [
            Activity(
                community=rng.choice(communities),
                actor=rng.choice(users),
                verb=Activity.Verb.MEMBER_JOINED,
                created_at=start + datetime.timedelta(seconds=rng.randint(0, 7 * 86400 - 1)),
            )
            for _ in range(JOINS)
        ]
    )
    with connection.cursor() as cursor:
        # Fresh tables have no statistics until autovacuum comes by: plan as production does.
        cursor.execute("ANALYZE")
    print(
        f"data: {members} members × {COMMUNITIES} communities, {POSTS} posts, {JOINS} joins "
        f"in {time.monotonic() - started:.1f} s"
    )
    return start, end


WORDS = [
    "trail",
    "signage",
    "funding",
    "charter",
    "partners",
    "steering",
    "lake",
    "summer",
    "map",
    "visitors",
]


def _peak_mb() -> float:
    """This process's peak resident set (VmHWM; ru_maxrss would count the parent's too)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def send(sample: int) -> None:
    """The worker's part, in a fresh process: claim, build, render, hand over."""
    from communities.digests import digests_send_batch
    from communities.tasks import BATCH

    rows = list(DigestOutbox.objects.order_by("id").values_list("id", flat=True)[:sample])
    before = _peak_mb()
    started = time.monotonic()
    sent = sum(
        digests_send_batch(outbox_ids=rows[i : i + BATCH]).sent for i in range(0, len(rows), BATCH)
    )
    elapsed = time.monotonic() - started
    peak = _peak_mb()
    print(
        f"digests: {sent} sent of {len(rows)} in {elapsed:.1f} s: {sent / elapsed:.0f} per second"
    )
    print(f"worker peak memory: {peak:.0f} MB (before sending: {before:.0f} MB)")


def main() -> None:
    import subprocess

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--sample", type=int, default=2000, help="digests to send (2000)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--send-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Set DATABASE_URL to a PostgreSQL database (it is emptied and filled).")
    if args.send_only:
        send(args.sample)
        return
    start, end = build(args.members, args.seed)
    users = list(User.objects.order_by("id").values_list("id", flat=True)[: args.sample])
    DigestOutbox.objects.bulk_create(
        [DigestOutbox(user_id=u, period="w-bench", starts_at=start, ends_at=end) for u in users]
    )
    subprocess.run(
        [sys.executable, __file__, "--send-only", "--sample", str(args.sample)], check=True
    )


if __name__ == "__main__":
    main()
