"""Live sockets under load: one ASGI process (daphne, the production settings, the real Redis
channel layer), 1,000 connected WebSocket clients with signed-in sessions, 200 of them
members of a project community whose chat receives 20 messages a second.

    .venv/bin/python bench/sockets.py                       # the issue's numbers
    .venv/bin/python bench/sockets.py --profile             # and py-spy on the server
    .venv/bin/python bench/sockets.py --clients 200 --duration 10   # a quick look

Measures:
- delivery latency of each ``message.new`` frame, from the sender's commit (the moment the
  message is stored, just before its broadcast) to its arrival in a client: p50, p99, max,
  and how many of the expected frames (members × messages) arrived;
- the server process's resident memory (VmRSS) before and after the clients connect, per
  connection;
- the plain Wagtail page (``/help/``) through the same process, idle and under the chat
  load: its p50, and the ratios delivery p50 ÷ page p50 and page under load ÷ page idle.

Three processes besides the server, all on the same machine (so the numbers include the
clients' and the sender's share of the 2 cores): the clients (asyncio + ``websockets``), the
sender (``conversations.services.message_send`` in a Django process of its own, as a web or
Celery process would send), and this script (the page requests). The data, built once and
kept: 1,000 people ``bench-NNNN@bench.example`` and the community "Bench chat" with 200 of
them, in the PostgreSQL database ``parvis_proof_bench`` (``--database``). The channel layer
is Redis database 2 with the prefix ``CHANNEL_LAYER_PREFIX`` (``proof`` by default), the
cache Redis database ``BENCH_REDIS_DB`` (11); nothing else on the Redis is touched.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.run import BIN, OUT, ROOT, SERVER, _free_port, _get, stack_env

SETUP = """
import json, sys, time, django
django.setup()
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.db import transaction
from django.test.utils import override_settings

from communities import services as community_services
from communities.models import Community
from conversations import services as conversation_services
from portal.accounts import services as account_services
from portal.accounts.models import User

clients, members = int(sys.argv[1]), int(sys.argv[2])
began = time.monotonic()
from portal import demo
demo.seed_pages()  # the home page and /help/, the plain Wagtail page of the baseline
# No password is ever typed in the bench: the cheapest hasher builds 1,000 accounts fast.
with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
    have = set(
        User.objects.filter(email__endswith="@bench.example").values_list("email", flat=True)
    )
    for n in range(clients):
        email = f"bench-{n:04d}@bench.example"
        if email not in have:
            account_services.user_create(
                email=email, password="bench", display_name=f"Bench Person {n:04d}",
                organisation="Bench", job_title="Reader", location="Lyon",
            )
people = {u.email: u for u in User.objects.filter(email__endswith="@bench.example")}
ordered = [people[f"bench-{n:04d}@bench.example"] for n in range(clients)]
lead = ordered[0]
community = Community.objects.filter(slug="bench-chat").first()
if community is None:
    community = community_services.community_create(
        acting_user=lead, name="Bench chat", kind="project", visibility="private",
        description="The sockets benchmark's community.",
    )
    community.slug = "bench-chat"
    community.save(update_fields=["slug"])
for person in ordered[1:members]:
    with transaction.atomic():
        community_services.membership_grant(acting_user=lead, user=person, community=community)
chat = conversation_services.community_chat_ensure(community=community)
if not chat.is_enabled:
    chat = conversation_services.community_chat_set_enabled(
        acting_user=lead, community=community, enabled=True
    )
Session.objects.all().delete()
sessions = []
for user in ordered:
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    sessions.append(session.session_key)
print(json.dumps({
    "sessions": sessions, "chat": chat.pk, "lead": lead.pk,
    "setup_s": round(time.monotonic() - began, 1),
}))
"""

# The sender: message_send at a fixed rate; for each message, its id and the moment it was
# committed (an on_commit callback registered before the service's own broadcast one).
SENDER = """
import json, sys, time, django
django.setup()
from django.db import transaction
from django.test.utils import override_settings
from conversations import services
from conversations.models import Conversation
from portal.accounts.models import User

chat_id, members = int(sys.argv[1]), int(sys.argv[2])
rate, seconds = float(sys.argv[3]), float(sys.argv[4])
chat = Conversation.objects.select_related("community").get(pk=chat_id)
authors = list(User.objects.filter(
    email__in=[f"bench-{n:04d}@bench.example" for n in range(members)]
))
sent, late = [], 0
began = time.monotonic()
due = began
n = 0
# The per-conversation limit (120 a minute by default) would refuse a chat of 20 a second.
with override_settings(CONVERSATIONS_RATE_PER_CONVERSATION=10**6):
    while due < began + seconds:
        pause = due - time.monotonic()
        if pause > 0:
            time.sleep(pause)
        else:
            late += 1
        committed = []
        with transaction.atomic():
            transaction.on_commit(lambda: committed.append(time.time()))
            message = services.message_send(
                acting_user=authors[n % len(authors)], conversation=chat,
                body=f"Bench message {n}: the trail is open.",
            )
        sent.append([message.pk, committed[0]])
        n += 1
        due += 1 / rate
print(json.dumps({"sent": sent, "late": late, "elapsed": time.monotonic() - began}))
"""

# The clients: connect in batches, subscribe the members to the chat, report "ready", then
# record every message.new frame's arrival until stdin closes.
CLIENTS = r"""
import asyncio, json, sys, time
import websockets

url, origin, topic = sys.argv[1], sys.argv[2], sys.argv[3]
sessions, members = json.loads(sys.stdin.readline()), int(sys.argv[4])
arrivals = {}   # message id -> [arrival times]
other = {"frames": 0, "refused": 0, "closed": 0}
ready = asyncio.Event()
subscribed = 0

async def client(n, key, connected):
    global subscribed
    headers = {"Cookie": f"sessionid={key}"}
    try:
        async with websockets.connect(
            url, origin=origin, additional_headers=headers, open_timeout=60,
            ping_interval=None, max_queue=None,
        ) as socket:
            if n < members:
                await socket.send(json.dumps({"action": "subscribe", "topic": topic}))
            else:
                connected.append(n)
            async for raw in socket:
                now = time.time()
                frame = json.loads(raw)
                event = frame.get("event")
                if event == "message.new":
                    arrivals.setdefault(frame["data"]["id"], []).append(now)
                elif event == "caught_up":
                    connected.append(n)
                elif event == "subscribe.refused":
                    other["refused"] += 1
                else:
                    other["frames"] += 1
    except Exception as error:
        other["closed"] += 1
        other.setdefault("errors", []).append(repr(error)[:200])

async def main():
    connected = []
    tasks = []
    began = time.monotonic()
    for start in range(0, len(sessions), 50):
        batch = [asyncio.create_task(client(n, sessions[n], connected))
                 for n in range(start, min(start + 50, len(sessions)))]
        tasks += batch
        # The next batch once this one is in (or 10 s have passed).
        for _ in range(200):
            if len(connected) >= min(start + 50, len(sessions)) - other["closed"]:
                break
            await asyncio.sleep(0.05)
    print(json.dumps({"ready": len(connected), "closed": other["closed"],
                      "connect_s": round(time.monotonic() - began, 1)}), flush=True)
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, sys.stdin.readline)  # "stop"
    await asyncio.sleep(2)  # stragglers
    for task in tasks:
        task.cancel()
    print(json.dumps({"arrivals": arrivals, "other": {k: v for k, v in other.items()
                      if k != "errors"}, "errors": other.get("errors", [])[:5]}), flush=True)

asyncio.run(main())
"""


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def page_times(port: int, cookie: str, seconds: float) -> list[float]:
    """The Wagtail page, one request after another, for ``seconds``."""
    times = []
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        status, ms = _get(port, "/help/", cookie)
        if status != 200:
            raise SystemExit(f"/help/ answered {status}")
        times.append(ms)
    return times


def ensure_database(name: str) -> None:
    import psycopg

    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--members", type=int, default=200, help="of them, in the chat")
    parser.add_argument("--rate", type=float, default=20, help="messages per second")
    parser.add_argument("--duration", type=float, default=30, help="seconds of sending")
    parser.add_argument("--database", default="parvis_proof_bench")
    parser.add_argument("--prefix", default=os.environ.get("CHANNEL_LAYER_PREFIX", "proof"))
    parser.add_argument("--profile", action="store_true", help="py-spy on the server")
    parser.add_argument(
        "--server", choices=["daphne", "uvicorn"], default="daphne", help="one process of it"
    )
    args = parser.parse_args()

    ensure_database(args.database)
    env = stack_env(f"{SERVER}/{args.database}")
    env["CHANNEL_LAYER_PREFIX"] = args.prefix
    OUT.mkdir(parents=True, exist_ok=True)
    load_before = os.getloadavg()
    print("migrating and building the data (kept for the next run)…", file=sys.stderr)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    # Every run (it only copies what changed): a stale manifest makes every page a 500.
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    prepared = json.loads(
        subprocess.run(
            [sys.executable, "-c", SETUP, str(args.clients), str(args.members)],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout.splitlines()[-1]
    )
    sessions = prepared["sessions"]
    print(f"  data ready in {prepared['setup_s']} s", file=sys.stderr)

    port = _free_port()
    server = subprocess.Popen(
        [str(BIN / "daphne"), "-b", "127.0.0.1", "-p", str(port), "portal.asgi:application"]
        if args.server == "daphne"
        else [
            *(str(BIN / "uvicorn"), "portal.asgi:application", "--host", "127.0.0.1"),
            *("--port", str(port), "--ws", "websockets", "--no-access-log"),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(OUT / "sockets-server.log", "w"),  # noqa: SIM115 (the server's lifetime)
    )
    clients = profiler = None
    result: dict = {
        "server": args.server,
        "clients": args.clients,
        "members": args.members,
        "rate": args.rate,
        "duration": args.duration,
    }
    try:
        for _ in range(300):
            try:
                _get(port, "/help/")
                break
            except ConnectionRefusedError:
                time.sleep(0.2)
        cookie = f"sessionid={sessions[1]}"
        page_times(port, cookie, 3)  # warm-up: templates, caches, the first queries
        idle = page_times(port, cookie, 10)
        rss_before = rss_kib(server.pid)

        clients = subprocess.Popen(
            [
                sys.executable,
                "-c",
                CLIENTS,
                f"ws://127.0.0.1:{port}/ws/live/",
                f"http://127.0.0.1:{port}",
                f"conversation:{prepared['chat']}",
                str(args.members),
            ],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        clients.stdin.write(json.dumps(sessions) + "\n")
        clients.stdin.flush()
        connected = json.loads(clients.stdout.readline())
        print(f"  clients: {connected}", file=sys.stderr)
        time.sleep(3)
        rss_after = rss_kib(server.pid)
        connected_idle = page_times(port, cookie, 5)

        sender = subprocess.Popen(
            [
                sys.executable,
                "-c",
                SENDER,
                str(prepared["chat"]),
                str(args.members),
                str(args.rate),
                str(args.duration),
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )
        if args.profile:
            time.sleep(3)
            profiler = subprocess.Popen(
                [
                    str(BIN / "py-spy"),
                    "record",
                    "--pid",
                    str(server.pid),
                    "--duration",
                    str(max(5, int(args.duration) - 8)),
                    "--format",
                    "raw",
                    "--output",
                    str(OUT / "sockets-profile.txt"),
                    "--nonblocking",
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        time.sleep(min(5, args.duration / 4))  # the queues fill before the page is measured
        loaded = page_times(port, cookie, max(3, args.duration - 10))
        sent_report = json.loads(sender.communicate(timeout=args.duration + 600)[0])
        load_during = os.getloadavg()
        # Let what was queued drain (a slow server delivers late, not never), then stop.
        time.sleep(10)
        clients.stdin.write("stop\n")
        clients.stdin.flush()
        received = json.loads(clients.communicate(timeout=120)[0].splitlines()[-1])
        if profiler is not None:
            profiler.wait(timeout=120)
    finally:
        for process in (clients, profiler):
            if process is not None and process.poll() is None:
                process.kill()
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()

    sent = {int(pk): at for pk, at in sent_report["sent"]}
    latencies = []
    for pk, times in received["arrivals"].items():
        if int(pk) in sent:
            latencies += [(t - sent[int(pk)]) * 1000 for t in times]
    expected = len(sent) * min(args.members, connected["ready"])
    result.update(
        connected=connected,
        rss_before_mib=round(rss_before / 1024, 1),
        rss_after_mib=round(rss_after / 1024, 1),
        per_connection_kib=round((rss_after - rss_before) / max(1, connected["ready"]), 1),
        sent=len(sent),
        sent_rate=round(len(sent) / sent_report["elapsed"], 1),
        sender_late=sent_report["late"],
        delivered=len(latencies),
        expected=expected,
        p50_ms=round(percentile(latencies, 50), 1),
        p99_ms=round(percentile(latencies, 99), 1),
        max_ms=round(max(latencies), 1) if latencies else None,
        page_idle_p50=round(statistics.median(idle), 1),
        page_idle_p99=round(percentile(idle, 99), 1),
        page_connected_p50=round(statistics.median(connected_idle), 1),
        page_loaded_p50=round(statistics.median(loaded), 1),
        page_loaded_p99=round(percentile(loaded, 99), 1),
        other=received["other"],
        errors=received["errors"],
        load_before=[round(x, 2) for x in load_before],
        load_during=[round(x, 2) for x in load_during],
    )
    text = report(result)
    print(text)
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    (OUT / f"sockets-{stamp}.json").write_text(json.dumps(result, indent=2))
    if args.profile:
        print(profile_summary(OUT / "sockets-profile.txt"))


def report(r: dict) -> str:
    ratio = r["p50_ms"] / r["page_idle_p50"] if r["page_idle_p50"] else float("nan")
    lines = [
        f"run {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC, load average "
        f"{r['load_before'][0]} before, {r['load_during'][0]} during (1 min)",
        "",
        f"one {r['server']} process; {r['connected']['ready']} clients connected in "
        f"{r['connected']['connect_s']} s "
        f"({r['connected']['closed']} failed); {r['members']} in the chat; "
        f"{r['sent']} messages at {r['sent_rate']}/s ({r['sender_late']} sent late)",
        "",
        "| measure | value | goal |",
        "| --- | ---: | --- |",
        f"| frames delivered / expected | {r['delivered']} / {r['expected']} | all |",
        f"| delivery p50 | {r['p50_ms']} ms | |",
        f"| delivery p99 | {r['p99_ms']} ms | ≤ 150 ms |",
        f"| delivery max | {r['max_ms']} ms | |",
        f"| server RSS before / after connecting | {r['rss_before_mib']} / "
        f"{r['rss_after_mib']} MiB | |",
        f"| memory per connection | {r['per_connection_kib']} KiB | |",
        f"| Wagtail page p50: idle / sockets connected / chat load | {r['page_idle_p50']} / "
        f"{r['page_connected_p50']} / {r['page_loaded_p50']} ms | |",
        f"| Wagtail page p99 idle / under chat load | {r['page_idle_p99']} / "
        f"{r['page_loaded_p99']} ms | |",
        f"| delivery p50 ÷ Wagtail page p50 (idle) | {ratio:.2f} | |",
        f"| page under chat load ÷ page idle (p50) | "
        f"{r['page_loaded_p50'] / r['page_idle_p50']:.2f} | |",
    ]
    return "\n".join(lines)


def profile_summary(path: Path, top: int = 25) -> str:
    """py-spy's raw (collapsed) stacks: the functions where the server spent its samples,
    inclusive, ours and Django's named by file."""
    inclusive: dict[str, int] = {}
    total = 0
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        n = int(count)
        total += n
        for frame in set(stack.split(";")):
            inclusive[frame] = inclusive.get(frame, 0) + n
    rows = sorted(inclusive.items(), key=lambda kv: -kv[1])[:top]
    out = [f"py-spy: {total} samples", "", "| share | function |", "| ---: | --- |"]
    out += [f"| {n / total:.0%} | `{frame[:140]}` |" for frame, n in rows]
    return "\n".join(out)


if __name__ == "__main__":
    main()
