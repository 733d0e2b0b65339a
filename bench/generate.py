"""Build a large, realistic data set on PostgreSQL for the benchmarks: S (1/100) or L.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/parvis_bench_l \\
        .venv/bin/python bench/generate.py --size L [--seed 7] [--now 2026-11-26]

L: 10,000 accounts (2,000 guests), 500 communities of every kind, 200,000 posts (50,000 in
the busiest community), 600,000 comments (one post with 500), 1,000,000 likes (post and
comment likes), 20,000 documents with versions and reviews, 20,000 events (a quarter of them
series, some with a moved and a cancelled occurrence; 2,000 in the busiest community, which
has a private calendar feed), memberships so that an account is in 20 communities on
average. S divides every number by 100.

The database named by DATABASE_URL is dropped, created and migrated; the rows are written
with PostgreSQL's COPY (psycopg 3), ids assigned here, in one transaction. What the
services would have written alongside is written too, so that pages, feeds, digests and
KPIs read the same shapes as in production: an ``Activity`` row for every change, in time
order; the comment and like counters on their rows; hashtags and their links; reply and
review notifications; the general community with every internal account; guests'
invitations and sponsors; verified e-mail addresses; the Wagtail site and its pages. The
end checks the counters against the rows and prints the check.

The same seed and the same ``--now`` (today by default) give the same rows.
"""

from __future__ import annotations

import argparse
import bisect
import datetime
import hashlib
import itertools
import os
import random
import sys
import time
import zoneinfo
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

UTC = datetime.UTC
PARIS = zoneinfo.ZoneInfo("Europe/Paris")

# What the runner looks up: the people it signs in, the community and feed it measures.
LEAD_EMAIL = "lead@bench.example"
GUEST_EMAIL = "guest@partner.example"
BUSIEST_SLUG = "trail-network"
FEED_TOKEN = "bench-calendar-feed-token-not-a-secret"  # noqa: S105
THREAD_RANK = 5  # the long thread is the 5th newest post of the busiest community
COMMON_WORD = "budget"  # in about 3 % of posts and comments: the search benchmark's word

SIZES = {
    "L": {
        "accounts": 10_000,
        "guests": 2_000,
        "communities": 500,
        "posts": 200_000,
        "busiest_posts": 50_000,
        "comments": 600_000,
        "big_thread": 500,
        "post_likes": 800_000,
        "comment_likes": 200_000,
        "documents": 20_000,
        "busiest_documents": 1_000,
        "events": 20_000,
        "busiest_events": 2_000,
        "busiest_members": 2_000,
    },
}
SIZES["S"] = {key: max(1, value // 100) for key, value in SIZES["L"].items()}
SIZES["S"]["communities"] = 6  # the general community, the busiest and four others
MEAN_COMMUNITIES = 20  # per account, the general community included


def _words(text: str) -> list[str]:
    return text.split()


KINDS = ["project", "function", "location", "theme", "product", "visibility"]
TAGS = _words(
    "trails funding signage summer visitors charter mapping heritage cycling water schools tourism "
    "press volunteers budget2027 survey"
)
DOMAIN_WORDS = _words(
    "trail signage funding charter partners steering lake summer map visitors meeting minutes "
    "draft review agenda decision site bridge path forest village museum festival report survey "
    "grant school bike river harbour market press photo volunteer training workshop deadline "
    "contract supplier invoice planning season weather guide"
)
FILLER = _words(
    "the and for with about next week our this that from all please thanks new first last we you "
    "will can see share"
)


# --- Progress ---------------------------------------------------------------------------------


class Progress:
    """One line on stderr per step, redrawn as rows go: a plain progress bar."""

    def __init__(self, label: str, total: int) -> None:
        self.label, self.total, self.done = label, max(total, 1), 0
        self.started = time.monotonic()
        self._next = 0

    def add(self, n: int = 1) -> None:
        self.done += n
        if self.done >= self._next:
            self._next = self.done + max(self.total // 50, 1)
            self._draw()

    def _draw(self) -> None:
        share = min(self.done / self.total, 1.0)
        bar = "#" * int(share * 30)
        sys.stderr.write(
            f"\r  {self.label:<28} [{bar:<30}] {self.done:>9,}/{self.total:,}"
            f"  {time.monotonic() - self.started:5.1f} s"
        )
        sys.stderr.flush()

    def close(self) -> None:
        self.done = max(self.done, self.total) if self.done else self.total
        self._draw()
        sys.stderr.write("\n")


# --- Database ---------------------------------------------------------------------------------


def recreate_database(url: str) -> None:
    """Drop and create the database named by ``url`` (connected to the server's ``postgres``
    database), so that every run starts from the same empty state."""
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not name.startswith("parvis_bench"):
        sys.exit(f"Refusing to drop {name!r}: bench databases are named parvis_bench*.")
    admin = urlunsplit((parts.scheme, parts.netloc, "/postgres", parts.query, ""))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def copy(cursor, table: str, columns: str, rows, total: int, label: str) -> int:
    """COPY ``rows`` (an iterable of tuples) into ``table``'s ``columns`` (names separated by
    spaces); returns how many."""
    progress = Progress(label, total)
    n = 0
    quoted = ", ".join(f'"{column}"' for column in columns.split())
    with cursor.copy(f"COPY {table} ({quoted}) FROM STDIN") as out:
        for row in rows:
            out.write_row(row)
            n += 1
            if n % 5000 == 0:
                progress.add(5000)
    progress.done = n
    progress.close()
    return n


# --- The data, in memory ----------------------------------------------------------------------


@dataclass
class Community:
    pk: int
    name: str
    slug: str
    kind: str
    visibility: str
    created_at: datetime.datetime
    creator: int = 0
    archived: bool = False
    members_add_events: bool = False
    leads: list[int] = field(default_factory=list)
    posters: list[int] = field(default_factory=list)  # active leads and members
    readers: list[int] = field(default_factory=list)  # active, guests included


class Builder:
    def __init__(self, size: str, seed: int, now: datetime.datetime) -> None:
        self.n = SIZES[size]
        self.rng = random.Random(seed)
        self.seed = seed
        self.now = now
        self.start = now - datetime.timedelta(days=730)
        self.vocabulary = DOMAIN_WORDS + FILLER * 3 + self._pseudo_words(3000)
        self.activity: list[tuple] = []  # (created_at, community, actor, verb, ct, target)
        self.counts: dict[str, int] = {}

    # Helpers -------------------------------------------------------------------------------

    def _pseudo_words(self, count: int) -> list[str]:
        syllables = ["ka", "lo", "mi", "ter", "vel", "san", "dra", "po", "ni", "rel", "to", "bu"]
        rng = random.Random(self.seed + 1)
        return [
            "".join(rng.choice(syllables) for _ in range(rng.randint(2, 4))) for _ in range(count)
        ]

    def text(self, low: int, high: int) -> str:
        rng = self.rng
        words = rng.choices(self.vocabulary, k=rng.randint(low, high))
        if rng.random() < 0.03:
            words.insert(rng.randrange(len(words) + 1), COMMON_WORD)
        words[0] = words[0].capitalize()
        return " ".join(words) + "."

    def moment(self, after: datetime.datetime, mean_hours: float) -> datetime.datetime:
        """A time after ``after`` (exponential delay), never after now."""
        delay = datetime.timedelta(hours=self.rng.expovariate(1 / mean_hours))
        return min(after + delay, self.now - datetime.timedelta(seconds=1))

    def between(self, low: datetime.datetime, high: datetime.datetime) -> datetime.datetime:
        span = max((high - low).total_seconds(), 1)
        return low + datetime.timedelta(seconds=self.rng.uniform(0, span))

    def record(self, at, community, actor, verb, ct=None, target=None) -> None:
        self.activity.append((at, community, actor, verb, ct, target))

    # Accounts ------------------------------------------------------------------------------

    def people(self) -> None:
        n, rng = self.n, self.rng
        self.internal = list(range(1, n["accounts"] - n["guests"] + 1))
        self.guests = list(range(self.internal[-1] + 1, n["accounts"] + 1))
        self.lead = 1
        self.guest = self.guests[0]
        self.user_rows = []
        first_names = ["Ana", "Bruno", "Chloé", "David", "Emma", "Farid", "Gaëlle", "Hugo", "Inès"]
        last_names = ["Martin", "Bernard", "Dubois", "Leroy", "Moreau", "Garnier", "Roux", "Faure"]
        for pk in self.internal + self.guests:
            external = pk >= self.guest
            if pk == self.lead:
                email = LEAD_EMAIL
            elif pk == self.guest:
                email = GUEST_EMAIL
            elif external:
                email = f"guest{pk:05d}@partner{pk % 40:02d}.example"
            else:
                email = f"member{pk:05d}@bench.example"
            name = f"{rng.choice(first_names)} {rng.choice(last_names)} {pk:05d}"
            joined = self.between(self.start, self.now - datetime.timedelta(days=30))
            self.user_rows.append(
                (
                    pk,
                    email,
                    name,
                    external,
                    f"Partner {pk % 40:02d}" if external else "Parc naturel",
                    "fr" if pk % 3 == 0 else "en",
                    joined,
                    self.moment(self.now - datetime.timedelta(days=20), 24 * 5),
                )
            )

    # Communities and memberships -------------------------------------------------------------

    def communities(self) -> None:
        n, rng = self.n, self.rng
        self.community = {
            1: Community(1, "Everyone", "general", "general", "open", self.start, creator=0)
        }
        self.community[2] = Community(
            2, "Trail network", BUSIEST_SLUG, "project", "private", self.start, creator=self.lead
        )
        for pk in range(3, n["communities"] + 1):
            kind = KINDS[pk % len(KINDS)]
            visibility = rng.choices(["open", "private", "secret"], [50, 35, 15])[0]
            self.community[pk] = Community(
                pk,
                f"{kind.capitalize()} {pk:03d}",
                f"{kind}-{pk:03d}",
                kind,
                visibility,
                self.between(self.start, self.now - datetime.timedelta(days=60)),
                archived=rng.random() < 0.02,
                members_add_events=rng.random() < 0.3,
            )
        self.others = [pk for pk in self.community if pk > 2]

    def memberships(self) -> None:
        """Rows (pk, user, community, role, status, joined, expires, invited_by) and the
        activity each one's service wrote. Copied in bulk, this bypasses the membership lifecycle
        (communities.services.membership_grant) for speed: what it would have written (the
        row and its activity) for a million rows, in seconds."""
        n, rng = self.n, self.rng
        chosen: dict[int, set[int]] = defaultdict(set)  # community -> users
        # Popularity falls with rank (a few big communities, many small ones).
        weights = [1 / (rank + 1) ** 0.7 for rank in range(len(self.others))]
        cum = list(itertools.accumulate(weights))
        busiest = set(
            rng.sample(self.internal[1:], min(n["busiest_members"], len(self.internal) - 1))
        )
        busiest.add(self.lead)
        per_user: dict[int, set[int]] = {}
        # Internal accounts: the general community, maybe the busiest, then by popularity, so
        # that the mean over every account (guests have fewer) is MEAN_COMMUNITIES.
        target_internal = (MEAN_COMMUNITIES * n["accounts"] - 4 * n["guests"]) / len(self.internal)
        for user in self.internal:
            mine = {1}
            if user in busiest:
                mine.add(2)
            reachable = len(mine) + len(self.others)
            want = min(int(rng.uniform(0.5, 1.5) * target_internal), reachable)
            while len(mine) < want:
                mine.add(self.others[bisect.bisect(cum, rng.random() * cum[-1])])
            per_user[user] = mine
        open_ones = [pk for pk in self.others if not self.community[pk].archived]
        for user in self.guests:
            want = min(rng.randint(1, 7), len(open_ones))
            mine = set(rng.sample(open_ones, want))
            if user == self.guest or rng.random() < n["busiest_members"] / 40 / len(self.guests):
                mine.add(2)
            per_user[user] = mine
        for user, mine in per_user.items():
            for community in mine:
                chosen[community].add(user)
        # Leads: the creator and up to two more internal members.
        for pk, community in self.community.items():
            if pk == 1:
                continue
            internal = sorted(u for u in chosen[pk] if u < self.guest)
            if not internal:
                user = rng.choice(self.internal)
                chosen[pk].add(user)
                per_user[user].add(pk)
                internal = [user]
            if pk == 2:
                community.leads = [self.lead, *rng.sample(internal[1:], min(2, len(internal) - 1))]
            else:
                community.leads = rng.sample(internal, min(len(internal), rng.randint(1, 3)))
            community.creator = community.leads[0]
        ct = self.ct["membership"]
        self.membership_rows = []
        self.sponsorships = []  # (membership pk, sponsor, guest)
        pk = 0
        for community_pk in sorted(chosen):
            community = self.community[community_pk]
            for user in sorted(chosen[community_pk]):
                pk += 1
                external = user >= self.guest
                role = "guest" if external else "lead" if user in community.leads else "member"
                status = "active"
                if role == "member" and community_pk > 2 and user != self.lead:
                    status = rng.choices(
                        ["active", "requested", "invited", "left"], [96, 1.5, 1, 1.5]
                    )[0]
                joined = self.between(community.created_at, self.now - datetime.timedelta(days=1))
                expires = None
                invited_by = None
                if external:
                    invited_by = community.leads[0]
                    expired = user != self.guest and rng.random() < 0.05
                    days = -rng.randint(1, 60) if expired else rng.randint(20, 180)
                    expires = self.now + datetime.timedelta(days=days)
                    self.sponsorships.append((pk, invited_by, user))
                if status == "invited":
                    invited_by = community.leads[0]
                if community.creator == user:
                    joined = community.created_at
                    self.record(joined, community_pk, user, "community.created")
                elif status == "active":
                    self.record(joined, community_pk, user, "member.joined", ct, pk)
                elif status == "requested":
                    self.record(joined, community_pk, user, "member.requested", ct, pk)
                elif status == "invited":
                    self.record(joined, community_pk, invited_by, "member.invited", ct, pk)
                else:  # joined, then left
                    self.record(joined, community_pk, user, "member.joined", ct, pk)
                    left = self.moment(joined, 24 * 60)
                    self.record(left, community_pk, user, "member.left", ct, pk)
                self.membership_rows.append(
                    (
                        pk,
                        user,
                        community_pk,
                        role,
                        status,
                        joined if status in ("active", "left") else None,
                        expires,
                        invited_by,
                        joined,
                        joined,
                        0,  # last_read_post_id: nothing read yet, the unread counts' worst case
                    )
                )
                granted = status == "active" and (expires is None or expires > self.now)
                if granted and not community.archived:
                    community.readers.append(user)
                    if role != "guest":
                        community.posters.append(user)
        self.per_user = per_user

    # Posts, comments, likes ------------------------------------------------------------------

    def posts(self) -> None:
        n, rng = self.n, self.rng
        busiest = self.community[2]
        live = [c for c in self.community.values() if c.pk != 2 and c.posters]
        cum = list(itertools.accumulate(len(c.posters) ** 1.2 for c in live))
        drafts = []  # (created_at, community pk, author)
        for _ in range(n["busiest_posts"]):
            drafts.append(
                (self.between(busiest.created_at, self.now), 2, rng.choice(busiest.posters))
            )
        for _ in range(n["posts"] - n["busiest_posts"]):
            community = live[bisect.bisect(cum, rng.random() * cum[-1])]
            at = self.between(community.created_at, self.now)
            drafts.append((at, community.pk, rng.choice(community.posters)))
        drafts.sort()
        # [pk, community, author, created_at, body, hashtags, hidden, pinned, comments, likes]
        self.post = []
        for pk, (at, community, author) in enumerate(drafts, start=1):
            body = self.text(8, 60)
            tags = []
            if rng.random() < 0.08:
                tags = rng.sample(TAGS, rng.randint(1, 2))
                body += " " + " ".join(f"#{tag}" for tag in tags)
            self.post.append(
                [pk, community, author, at, body, tags, rng.random() < 0.003, False, 0, 0]
            )
        # Pinned announcements: a few older posts of the busiest community.
        busiest_posts = [p for p in self.post if p[1] == 2]
        for post in busiest_posts[-200:-197]:
            post[7] = True
        # The long thread: a recent post of the busiest community (on its first feed page).
        self.big_thread = busiest_posts[-THREAD_RANK]
        self.big_thread[6] = False

    def comments(self) -> None:
        n, rng = self.n, self.rng
        weights = [rng.expovariate(1.0) ** 2 for _ in self.post]
        cum = list(itertools.accumulate(weights))
        drafts = []  # (created_at, post index, author)
        for _ in range(n["big_thread"]):
            post = self.big_thread
            readers = self.community[post[1]].readers
            drafts.append((self.moment(post[3], 24), post[0] - 1, rng.choice(readers)))
        while len(drafts) < n["comments"]:
            index = bisect.bisect(cum, rng.random() * cum[-1])
            post = self.post[index]
            if post is self.big_thread:
                continue
            readers = self.community[post[1]].readers
            drafts.append((self.moment(post[3], 48), index, rng.choice(readers)))
        drafts.sort()
        # [pk, post index, author, parent pk, created_at, body, likes]
        self.comment = []
        threads: dict[int, list[list]] = defaultdict(list)  # post index -> top-level comments
        for pk, (at, index, author) in enumerate(drafts, start=1):
            parent = None
            if threads[index] and rng.random() < 0.3:
                parent = rng.choice(threads[index])
            row = [pk, index, author, parent[0] if parent else None, at, self.text(3, 30), 0]
            if parent is None:
                threads[index].append(row)
            else:
                row.append(parent[2])  # the thread's author hears of the reply
            self.comment.append(row)
            self.post[index][8] += 1
        self.post_weights = cum

    def likes(self) -> None:
        n, rng = self.n, self.rng
        self.post_likes: list[tuple] = []  # (post pk, user, created_at)
        seen: set[tuple[int, int]] = set()
        attempts = 0
        while len(self.post_likes) < n["post_likes"] and attempts < n["post_likes"] * 3:
            attempts += 1
            post = self.post[bisect.bisect(self.post_weights, rng.random() * self.post_weights[-1])]
            user = rng.choice(self.community[post[1]].readers)
            if (post[0], user) in seen:
                continue
            seen.add((post[0], user))
            post[9] += 1
            self.post_likes.append((post[0], user, self.moment(post[3], 24)))
        self.comment_likes: list[tuple] = []
        seen = set()
        attempts = 0
        while len(self.comment_likes) < n["comment_likes"] and attempts < n["comment_likes"] * 3:
            attempts += 1
            comment = self.comment[rng.randrange(len(self.comment))]
            user = rng.choice(self.community[self.post[comment[1]][1]].readers)
            if (comment[0], user) in seen:
                continue
            seen.add((comment[0], user))
            comment[6] += 1
            self.comment_likes.append((comment[0], user, self.moment(comment[4], 24)))

    def content_activity(self) -> None:
        ct_post, ct_comment = self.ct["post"], self.ct["comment"]
        for pk, community, author, at, *_rest in self.post:
            self.record(at, community, author, "post.created", ct_post, pk)
        for post in self.post:
            if post[7] or post[6]:
                moderator = (self.community[post[1]].leads or [post[2]])[0]
                verb = "post.pinned" if post[7] else "post.hidden"
                self.record(self.moment(post[3], 12), post[1], moderator, verb, ct_post, post[0])
        for row in self.comment:
            post = self.post[row[1]]
            self.record(row[4], post[1], row[2], "comment.created", ct_comment, row[0])
        for post_pk, user, at in self.post_likes:
            self.record(at, self.post[post_pk - 1][1], user, "post.liked", ct_post, post_pk)
        for comment_pk, user, at in self.comment_likes:
            community = self.post[self.comment[comment_pk - 1][1]][1]
            self.record(at, community, user, "comment.liked", ct_comment, comment_pk)

    # Documents -------------------------------------------------------------------------------

    def documents(self) -> None:
        n, rng = self.n, self.rng
        live = [c for c in self.community.values() if c.posters and c.pk != 2]
        cum = list(itertools.accumulate(len(c.posters) for c in live))
        choices = [self.community[2]] * n["busiest_documents"] + [
            live[bisect.bisect(cum, rng.random() * cum[-1])]
            for _ in range(n["documents"] - n["busiest_documents"])
        ]
        self.document, self.version, self.review = [], [], []
        self.reviewer, self.review_event, self.review_notes = [], [], []
        ct_doc, ct_version, ct_review = (
            self.ct["document"],
            self.ct["documentversion"],
            self.ct["reviewrequest"],
        )
        types = [
            ("pdf", "application/pdf"),
            ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
            ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ]
        for pk, community in enumerate(choices, start=1):
            author = rng.choice(community.posters)
            created = self.between(community.created_at, self.now - datetime.timedelta(hours=1))
            title = f"{rng.choice(DOMAIN_WORDS).capitalize()} {rng.choice(DOMAIN_WORDS)} {pk}"
            extension, content_type = rng.choice(types)
            at = created
            numbers = 1 + min(int(rng.expovariate(1.2)), 6)
            for number in range(1, numbers + 1):
                vpk = len(self.version) + 1
                uploader = author if number == 1 else rng.choice(community.posters)
                if number > 1:
                    at = self.moment(at, 24 * 10)
                    self.record(
                        at, community.pk, uploader, "document.version_added", ct_version, vpk
                    )
                self.version.append(
                    [
                        vpk,
                        pk,
                        number,
                        f"documents/{at:%Y/%m}/bench-{self.seed}-{vpk}",
                        f"{title.lower().replace(' ', '-')}-v{number}.{extension}",
                        content_type,
                        rng.randint(20_000, 5_000_000),
                        hashlib.sha256(f"{self.seed}:{vpk}".encode()).hexdigest(),
                        "" if number == 1 else self.text(3, 10),
                        uploader,
                        at,
                        False,
                    ]
                )
            self.record(created, community.pk, author, "document.added", ct_doc, pk)
            self.document.append(
                [pk, community.pk, title, self.text(5, 25), author, created, at, len(self.version)]
            )
            if rng.random() < 0.25 and len(community.posters) > 1:
                self._review(pk, community, author, ct_review)

    def _review(self, document: int, community: Community, author: int, ct: int) -> None:
        rng = self.rng
        version = self.version[self.document[-1][7] - 1]
        asked = self.moment(version[10], 24 * 3)
        status = rng.choices(
            ["approved", "open", "changes_requested", "withdrawn"], [50, 20, 15, 15]
        )[0]
        rpk = len(self.review) + 1
        people = rng.sample(
            [p for p in community.posters if p != author],
            min(3, len(community.posters) - 1, rng.randint(1, 3)),
        )
        closed = None
        if status in ("approved", "withdrawn"):
            closed = self.moment(asked, 24 * 4)
        self.review.append(
            (
                rpk,
                document,
                version[0],
                author,
                self.text(4, 15),
                (asked + datetime.timedelta(days=7)).date(),
                status,
                asked,
                closed,
            )
        )
        self.review_event.append((rpk, version[0], author, "requested", "", asked))
        for index, person in enumerate(people):
            decision, decided = "pending", None
            if status == "approved" or (status == "changes_requested" and index == 0):
                decision, decided = (
                    ("approved" if status == "approved" else "changes_requested"),
                    self.moment(asked, 24 * 2),
                )
                self.review_event.append((rpk, version[0], person, decision, "", decided))
            self.reviewer.append((rpk, person, decision, decided))
            self.review_notes.append(
                (person, author, community.pk, self.document[-1][2], document, asked, decided)
            )
        if status == "approved":
            version[11] = True
            self.review_event.append((rpk, version[0], None, "completed", "", closed))
        elif status == "withdrawn":
            self.review_event.append((rpk, version[0], author, "withdrawn", "", closed))
        self.record(asked, community.pk, author, "document.review_requested", ct, rpk)

    # Events ------------------------------------------------------------------------------------

    def events(self) -> None:
        from events.recurrence import occurrence_starts

        n, rng = self.n, self.rng
        # The general community has no lead to keep its agenda.
        live = [c for c in self.community.values() if c.posters and c.leads and c.pk != 2]
        cum = list(itertools.accumulate(len(c.posters) for c in live))
        choices = [self.community[2]] * n["busiest_events"] + [
            live[bisect.bisect(cum, rng.random() * cum[-1])]
            for _ in range(n["events"] - n["busiest_events"])
        ]
        self.event, self.override, self.rsvp = [], [], []
        ct = self.ct["event"]
        today = self.now.astimezone(PARIS).date()
        for pk, community in enumerate(choices, start=1):
            author = rng.choice(
                community.posters if community.members_add_events else community.leads
            )
            day = today + datetime.timedelta(days=rng.randint(-365, 365))
            all_day = rng.random() < 0.05
            if all_day:
                start = datetime.datetime.combine(day, datetime.time(0), tzinfo=PARIS)
                end = start + datetime.timedelta(days=1)
            else:
                start = datetime.datetime.combine(
                    day, datetime.time(rng.randint(8, 18), rng.choice([0, 30])), tzinfo=PARIS
                )
                end = start + datetime.timedelta(minutes=rng.choice([30, 60, 90, 120, 180]))
            start, end = start.astimezone(UTC), end.astimezone(UTC)
            created = min(
                max(start - datetime.timedelta(days=rng.randint(1, 60)), community.created_at),
                self.now - datetime.timedelta(hours=1),
            )
            freq, count, until = "", None, None
            if rng.random() < 0.25:
                freq = rng.choices(["weekly", "monthly", "daily"], [70, 20, 10])[0]
                if rng.random() < 0.6:
                    count = rng.randint(5, 30)
                else:
                    until = start + datetime.timedelta(days=rng.randint(30, 300))
            status = "cancelled" if rng.random() < 0.02 else "confirmed"
            sequence, updated = (
                (1, self.moment(created, 24 * 5)) if status == "cancelled" else (0, created)
            )
            who = rng.choice(["Steering", "Site", "Partners", "Press", "Volunteers"])
            title = f"{who} {rng.choice(['meeting', 'visit', 'workshop', 'call'])} {pk}"
            self.record(created, community.pk, author, "event.created", ct, pk)
            if status == "cancelled":
                self.record(updated, community.pk, author, "event.cancelled", ct, pk)
            keys = [start]
            if freq:
                keys = occurrence_starts(
                    start=start,
                    tz="Europe/Paris",
                    freq=freq,
                    until=until,
                    count=count,
                    window_start=start,
                    window_end=start + datetime.timedelta(days=400),
                    duration=end - start,
                    limit=3,
                )
                if len(keys) >= 3 and rng.random() < 0.1:
                    moved_at = self.moment(created, 24 * 3)
                    self.override.append(
                        (
                            pk,
                            keys[1],
                            keys[1] + datetime.timedelta(hours=2),
                            keys[1] + datetime.timedelta(hours=2) + (end - start),
                            f"{title} (moved)",
                            "",
                            "Town hall",
                            False,
                            moved_at,
                        )
                    )
                    cancelled_at = self.moment(moved_at, 24 * 3)
                    self.override.append(
                        (
                            pk,
                            keys[2],
                            keys[2],
                            keys[2] + (end - start),
                            title,
                            "",
                            "Town hall",
                            True,
                            cancelled_at,
                        )
                    )
                    self.record(moved_at, community.pk, author, "event.occurrence_changed", ct, pk)
                    self.record(cancelled_at, community.pk, author, "event.cancelled", ct, pk)
                    sequence, updated = sequence + 2, max(updated, cancelled_at)
            self.event.append(
                (
                    pk,
                    community.pk,
                    f"bench-{self.seed}-{pk}@parvis",
                    title,
                    self.text(5, 30),
                    "Town hall" if rng.random() < 0.7 else "",
                    start,
                    end,
                    "Europe/Paris",
                    all_day,
                    rng.choice([None, None, 20, 50]),
                    status,
                    freq,
                    1,
                    until,
                    count,
                    sequence,
                    author,
                    created,
                    updated,
                )
            )
            for user in set(
                rng.sample(community.readers, min(len(community.readers), rng.randint(0, 4)))
            ):
                answered = self.moment(created, 24 * 4)
                self.rsvp.append(
                    (
                        pk,
                        keys[0] if keys else start,
                        user,
                        rng.choice(["yes", "yes", "maybe", "no"]),
                        answered,
                    )
                )
                self.record(answered, community.pk, user, "event.rsvp", ct, pk)


# --- Writing ------------------------------------------------------------------------------------


def excerpt(text: str, length: int = 200) -> str:
    """communities.markup.excerpt for the plain word texts written here."""
    text = " ".join(text.split())
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


def write(builder: Builder, cursor) -> None:
    from django.contrib.auth.hashers import make_password

    from communities import markup

    b = builder
    now = b.now
    password = make_password("bench-password-2026", salt="parvisbench")  # the same every run
    total = {}

    total["accounts_user"] = copy(
        cursor,
        "accounts_user",
        (
            "id password is_superuser first_name last_name is_staff is_active date_joined email "
            "display_name photo organisation job_title location phone bio language timezone "
            "is_external last_seen_at"
        ),
        (
            (
                pk,
                password,
                False,
                "",
                "",
                False,
                True,
                joined,
                email,
                name,
                "",
                org,
                "Partner" if external else "Officer",
                "Annecy",
                "",
                "",
                language,
                "Europe/Paris",
                external,
                seen,
            )
            for pk, email, name, external, org, language, joined, seen in b.user_rows
        ),
        len(b.user_rows),
        "accounts",
    )
    copy(
        cursor,
        "account_emailaddress",
        "user_id email verified primary",
        ((row[0], row[1], True, True) for row in b.user_rows),
        len(b.user_rows),
        "e-mail addresses",
    )
    cursor.execute(
        "UPDATE communities_community SET created_at = %s, updated_at = %s WHERE id = 1",
        [b.start, b.start],
    )
    total["communities_community"] = 1 + copy(
        cursor,
        "communities_community",
        (
            "id name slug description cover kind visibility is_general members_add_events "
            "archived_at created_by_id created_at updated_at"
        ),
        (
            (
                c.pk,
                c.name,
                c.slug,
                f"The {c.name} community: {c.kind}.",
                "",
                c.kind,
                c.visibility,
                False,
                c.members_add_events,
                now - datetime.timedelta(days=10) if c.archived else None,
                c.creator,
                c.created_at,
                c.created_at,
            )
            for c in b.community.values()
            if c.pk > 1
        ),
        len(b.community) - 1,
        "communities",
    )
    total["communities_membership"] = copy(
        cursor,
        "communities_membership",
        (
            "id user_id community_id role status joined_at expires_at invited_by_id created_at "
            "updated_at last_read_post_id"
        ),
        b.membership_rows,
        len(b.membership_rows),
        "memberships",
    )
    # Guests: the invitation each accepted and a sponsor per membership.
    invitations: dict[int, list] = {}
    for membership_pk, sponsor, guest in b.sponsorships:
        invitations.setdefault(guest, [sponsor, []])[1].append(membership_pk)
    membership_community = {row[0]: row[2] for row in b.membership_rows}
    guest_rows = {row[0]: row for row in b.user_rows}
    invitation_pk = {guest: i for i, guest in enumerate(sorted(invitations), start=1)}
    copy(
        cursor,
        "guests_invitation",
        (
            "id email name organisation role message invited_by_id sponsor_id access_ends_on "
            "token_hash created_at expires_at sent_count last_sent_at accepted_at accepted_by_id"
        ),
        (
            (
                invitation_pk[guest],
                guest_rows[guest][1],
                guest_rows[guest][2],
                guest_rows[guest][4],
                "guest",
                "",
                sponsor,
                sponsor,
                (now + datetime.timedelta(days=90)).date(),
                hashlib.sha256(f"bench-invitation-{guest}".encode()).hexdigest(),
                guest_rows[guest][6] - datetime.timedelta(days=2),
                guest_rows[guest][6] + datetime.timedelta(days=12),
                1,
                guest_rows[guest][6] - datetime.timedelta(days=2),
                guest_rows[guest][6],
                guest,
            )
            for guest, (sponsor, _ms) in sorted(invitations.items())
        ),
        len(invitations),
        "guest invitations",
    )
    copy(
        cursor,
        "guests_invitation_communities",
        "invitation_id community_id",
        (
            (invitation_pk[guest], membership_community[m])
            for guest, (_s, memberships) in sorted(invitations.items())
            for m in memberships
        ),
        len(b.sponsorships),
        "invitation communities",
    )
    copy(
        cursor,
        "guests_sponsorship",
        "membership_id sponsor_id invitation_id",
        ((m, sponsor, invitation_pk[guest]) for m, sponsor, guest in b.sponsorships),
        len(b.sponsorships),
        "sponsorships",
    )

    # Posts: HTML as post_create renders it (checked against markup.render on a sample).
    from django.urls import reverse

    hashtag_url = reverse("communities:hashtag", args=["TAG"]).replace("TAG", "{}")

    def html(body: str, tags: list[str]) -> str:
        return markup.render(body, hashtag_url=hashtag_url) if tags else f"<p>{body}</p>"

    for post in b.post[:300]:
        assert html(post[4], post[5]) == markup.render(post[4], hashtag_url=hashtag_url), post[4]
    total["communities_post"] = copy(
        cursor,
        "communities_post",
        (
            "id community_id author_id body body_html is_pinned is_hidden comment_count like_count "
            "client_token created_at edited_at"
        ),
        (
            (
                pk,
                community,
                author,
                body,
                html(body, tags),
                pinned,
                hidden,
                comments,
                likes,
                "",
                at,
                None,
            )
            for pk, community, author, at, body, tags, hidden, pinned, comments, likes in b.post
        ),
        len(b.post),
        "posts",
    )
    tag_pk = {tag: i for i, tag in enumerate(sorted(TAGS), start=1)}
    copy(
        cursor,
        "communities_hashtag",
        "id name",
        sorted((v, k) for k, v in tag_pk.items()),
        len(TAGS),
        "hashtags",
    )
    copy(
        cursor,
        "communities_post_hashtags",
        "post_id hashtag_id",
        ((post[0], tag_pk[tag]) for post in b.post for tag in post[5]),
        sum(len(post[5]) for post in b.post),
        "post hashtags",
    )
    total["communities_comment"] = copy(
        cursor,
        "communities_comment",
        (
            "id post_id author_id parent_id body body_html is_hidden like_count client_token "
            "created_at edited_at"
        ),
        (
            (
                row[0],
                row[1] + 1,
                row[2],
                row[3],
                row[5],
                f"<p>{row[5]}</p>",
                False,
                row[6],
                "",
                row[4],
                None,
            )
            for row in b.comment
        ),
        len(b.comment),
        "comments",
    )
    total["communities_postlike"] = copy(
        cursor,
        "communities_postlike",
        "post_id user_id created_at",
        b.post_likes,
        len(b.post_likes),
        "post likes",
    )
    total["communities_commentlike"] = copy(
        cursor,
        "communities_commentlike",
        "comment_id user_id created_at",
        b.comment_likes,
        len(b.comment_likes),
        "comment likes",
    )

    def reply_notifications():
        """comment_create's notify(): the post's author and the thread's author, once each,
        never the commenter."""
        week_ago = now - datetime.timedelta(days=7)
        for row in b.comment:
            post = b.post[row[1]]
            for person in dict.fromkeys((post[2], row[7] if len(row) > 7 else None)):
                if person is None or person == row[2]:
                    continue
                read = row[4] + datetime.timedelta(hours=20) if row[4] < week_ago else None
                yield (
                    "reply",
                    excerpt(row[5]),
                    f"/posts/{post[0]}/#comment-{row[0]}",
                    row[4],
                    read,
                    None,
                    row[2],
                    post[1],
                    post[0],
                    person,
                )
        for person, actor, community, title, document, asked, decided in b.review_notes:
            yield (
                "review.requested",
                title,
                f"/documents/{document}/",
                asked,
                decided,
                None,
                actor,
                community,
                None,
                person,
            )

    notifications = list(reply_notifications())
    total["communities_notification"] = copy(
        cursor,
        "communities_notification",
        "kind title url created_at read_at emailed_at actor_id community_id post_id user_id",
        notifications,
        len(notifications),
        "notifications",
    )

    total["documents_document"] = copy(
        cursor,
        "documents_document",
        (
            "id community_id title description created_by_id created_at updated_at "
            "current_version_id"
        ),
        b.document,
        len(b.document),
        "documents",
    )
    total["documents_documentversion"] = copy(
        cursor,
        "documents_documentversion",
        (
            "id document_id number file original_name content_type size sha256 change_note "
            "uploaded_by_id uploaded_at is_locked"
        ),
        b.version,
        len(b.version),
        "document versions",
    )
    total["documents_reviewrequest"] = copy(
        cursor,
        "documents_reviewrequest",
        "id document_id version_id requested_by_id message due_on status created_at closed_at",
        b.review,
        len(b.review),
        "review requests",
    )
    copy(
        cursor,
        "documents_reviewer",
        "request_id user_id decision decided_at",
        b.reviewer,
        len(b.reviewer),
        "reviewers",
    )
    copy(
        cursor,
        "documents_reviewevent",
        "request_id version_id actor_id kind comment created_at",
        b.review_event,
        len(b.review_event),
        "review trail",
    )
    total["events_event"] = copy(
        cursor,
        "events_event",
        (
            "id community_id uid title description location start end tz all_day capacity status "
            "freq interval until count sequence created_by_id created_at updated_at online_url "
            "exdates"
        ),
        ((*row, "", "[]") for row in b.event),
        len(b.event),
        "events",
    )
    copy(
        cursor,
        "events_occurrence",
        "event_id original_start start end title description location cancelled updated_at",
        b.override,
        len(b.override),
        "changed occurrences",
    )
    copy(
        cursor,
        "events_rsvp",
        "event_id occurrence_start user_id answer answered_at",
        b.rsvp,
        len(b.rsvp),
        "event answers",
    )
    cursor.execute(
        "INSERT INTO events_calendarfeed (user_id, community_id, token_hash, created_at)"
        " VALUES (%s, 2, %s, %s)",
        [
            b.lead,
            hashlib.sha256(FEED_TOKEN.encode()).hexdigest(),
            now - datetime.timedelta(days=30),
        ],
    )

    # The one activity stream, in time order (ids grow with time, as when services write it).
    b.activity.sort(key=lambda row: row[0])
    total["communities_activity"] = copy(
        cursor,
        "communities_activity",
        "id created_at community_id actor_id verb target_type_id target_id",
        ((i, *row) for i, row in enumerate(b.activity, start=1)),
        len(b.activity),
        "activity stream",
    )
    b.counts = total


def reset_sequences(cursor) -> None:
    """Explicit ids were written: move every identity sequence past them."""
    cursor.execute(
        """
        SELECT c.table_name FROM information_schema.columns c
        WHERE c.table_schema = 'public' AND c.column_name = 'id' AND c.is_identity = 'YES'
        """
    )
    for (table,) in cursor.fetchall():
        cursor.execute(  # table names from the catalogue, not from outside
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"  # noqa: S608
            f" COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)"
        )


CHECKS = [
    (
        "posts whose comment_count differs from their comments",
        "SELECT count(*) FROM communities_post p WHERE comment_count <> "
        "(SELECT count(*) FROM communities_comment c WHERE c.post_id = p.id)",
    ),
    (
        "posts whose like_count differs from their likes",
        "SELECT count(*) FROM communities_post p WHERE like_count <> "
        "(SELECT count(*) FROM communities_postlike l WHERE l.post_id = p.id)",
    ),
    (
        "comments whose like_count differs from their likes",
        "SELECT count(*) FROM communities_comment c WHERE like_count <> "
        "(SELECT count(*) FROM communities_commentlike l WHERE l.comment_id = c.id)",
    ),
    (
        "posts without their post.created activity",
        "SELECT count(*) FROM communities_post p WHERE NOT EXISTS (SELECT 1 FROM "
        "communities_activity a WHERE a.verb = 'post.created' AND a.target_id = p.id)",
    ),
    (
        "activity rows post.created / comment.created / likes minus the rows they record",
        "SELECT (SELECT count(*) FROM communities_activity WHERE verb = 'post.created') "
        "- (SELECT count(*) FROM communities_post) + (SELECT count(*) FROM communities_activity "
        "WHERE verb = 'comment.created') - (SELECT count(*) FROM communities_comment) + "
        "(SELECT count(*) FROM communities_activity WHERE verb IN ('post.liked', 'comment.liked'))"
        " - (SELECT count(*) FROM communities_postlike) - (SELECT count(*) FROM "
        "communities_commentlike)",
    ),
    (
        "internal accounts outside the general community",
        "SELECT count(*) FROM accounts_user u WHERE NOT is_external AND NOT EXISTS (SELECT 1 FROM "
        "communities_membership m JOIN communities_community c ON c.id = m.community_id "
        "WHERE c.is_general AND m.user_id = u.id AND m.status = 'active')",
    ),
    (
        "authors of posts who were not active posting members",
        "SELECT count(*) FROM communities_post p WHERE NOT EXISTS (SELECT 1 FROM "
        "communities_membership m WHERE m.user_id = p.author_id AND m.community_id = p.community_id"
        " AND m.status = 'active' AND m.role IN ('lead', 'member'))",
    ),
    (
        "activity ids out of time order",
        "SELECT count(*) FROM (SELECT created_at < lag(created_at) OVER (ORDER BY id) AS back "
        "FROM communities_activity) t WHERE back",
    ),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", choices=sorted(SIZES), default="S")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--now", help="the data set's 'now', YYYY-MM-DD (today, UTC, by default)")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit("Set DATABASE_URL to a PostgreSQL database named parvis_bench* (it is rebuilt).")
    day = datetime.date.fromisoformat(args.now) if args.now else datetime.datetime.now(UTC).date()
    now = datetime.datetime.combine(day, datetime.time(6), tzinfo=UTC)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.base")
    os.environ.pop("REDIS_URL", None)  # tasks in-process, local cache: nothing shared touched
    started = time.monotonic()

    def step(label: str) -> None:
        print(f"[{time.monotonic() - started:6.1f} s] {label}", file=sys.stderr, flush=True)

    step(
        f"size {args.size}, seed {args.seed}, now {now:%Y-%m-%d %H:%M} UTC: recreating the database"
    )
    recreate_database(url)
    import django

    django.setup()
    from django.contrib.contenttypes.models import ContentType
    from django.core.management import call_command
    from django.db import connection, transaction

    step("migrating")
    call_command("migrate", verbosity=0)
    step("Wagtail site and pages")
    from portal import demo

    demo.seed_pages()
    builder = Builder(args.size, args.seed, now)
    builder.ct = {
        name: ContentType.objects.get_by_natural_key(app, name).pk
        for app, name in [
            ("communities", "post"),
            ("communities", "comment"),
            ("communities", "membership"),
            ("documents", "document"),
            ("documents", "documentversion"),
            ("documents", "reviewrequest"),
            ("events", "event"),
        ]
    }
    step("building rows in memory")
    builder.people()
    builder.communities()
    builder.memberships()
    builder.posts()
    builder.comments()
    builder.likes()
    builder.content_activity()
    builder.documents()
    builder.events()
    step(f"writing ({len(builder.activity):,} activity rows among them)")
    with transaction.atomic(), connection.cursor() as cursor:
        write(builder, cursor.cursor)
        reset_sequences(cursor.cursor)
    step("VACUUM ANALYZE")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    step("checking counters and derived rows")
    with connection.cursor() as cursor:
        failures = 0
        for label, sql in CHECKS:
            cursor.execute(sql)
            (value,) = cursor.fetchone()
            failures += bool(value)
            print(f"  {'ok ' if not value else 'BAD'} {value:>6}  {label}", file=sys.stderr)
        cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        (db_size,) = cursor.fetchone()
    elapsed = time.monotonic() - started
    members = len(builder.membership_rows) / len(builder.user_rows)
    print(f"\nsize {args.size} (seed {args.seed}) built in {elapsed:.0f} s, database {db_size}")
    for table, rows in builder.counts.items():
        print(f"  {table:<28} {rows:>10,}")
    print(f"  memberships per account      {members:10.1f}")
    if failures:
        sys.exit(f"{failures} consistency check(s) failed")


if __name__ == "__main__":
    main()
