"""Which production server for the live layer: measured on this machine, both ways.

A. "split": the pages on gunicorn's sync workers (as today, ``portal.wsgi``), and a separate
   ASGI process (daphne, ``portal.asgi``) that serves only ``/ws/``, behind a proxy;
B. "uvicorn": everything (pages and sockets) under gunicorn with uvicorn workers
   (``uvicorn_worker.UvicornWorker``, ``portal.asgi``).

Same worker count for the pages (2), same PostgreSQL database and Redis. For each, in turn
(A, B, A, B… so the machine's other load falls on both alike):

1. the page baseline alone: ``--clients`` threads fetching a signed-in page for ``--seconds``;
2. ``--sockets`` signed-in sockets subscribed to one community chat, then the same page load
   while ``--rate`` messages per second are published into that chat (each delivered to every
   socket, built per recipient by the topic's ``deliver``): pages/s and latency, delivery
   latency (publish → frame received);
3. resident memory of the processes that hold the sockets, before and after they connect.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/parvis_live_bench \\
    REDIS_URL=redis://127.0.0.1:6379 .venv/bin/python bench/live_servers.py --prepare
    (same) .venv/bin/python bench/live_servers.py [--rounds 2]

Needs the ``bench`` extra (uvicorn, uvicorn-worker, websockets). The conversation topic is
the test suite's stand-in when the app has none (``tests/portal/live_asgi.py``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
APP = "tests.portal.live_asgi:application"
PAGE = "/communities/"
PREFIX = "live-bench"


def django_setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.base")
    os.environ["CHANNEL_LAYER_PREFIX"] = PREFIX
    import django

    django.setup()


def prepare(members: int, messages: int) -> None:
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from communities import services as cs
    from communities.models import Community, Membership
    from conversations.models import Conversation, Message

    call_command("migrate", verbosity=0)
    User = get_user_model()
    lead, _ = User.objects.get_or_create(
        email="bench-live-lead@parvis.example", defaults={"display_name": "Bench Lead"}
    )
    community = Community.objects.filter(name="Bench live chat").first() or cs.community_create(
        acting_user=lead, name="Bench live chat", kind="project", visibility="private"
    )
    bench_people = User.objects.filter(email__startswith="bench-live-")
    existing = set(bench_people.values_list("email", flat=True))
    User.objects.bulk_create(
        User(email=f"bench-live-{n}@parvis.example", display_name=f"Bench {n}")
        for n in range(members)
        if f"bench-live-{n}@parvis.example" not in existing
    )
    people = User.objects.filter(email__startswith="bench-live-").exclude(pk=lead.pk)
    joined = set(Membership.objects.filter(community=community).values_list("user", flat=True))
    Membership.objects.bulk_create(
        Membership(
            user=person,
            community=community,
            role=Membership.Role.MEMBER,
            status=Membership.Status.ACTIVE,
        )
        for person in people
        if person.pk not in joined
    )
    chat, _ = Conversation.objects.get_or_create(
        kind=Conversation.Kind.COMMUNITY, community=community
    )
    have = chat.messages.count()
    Message.objects.bulk_create(
        Message(conversation=chat, author=lead, body=f"Bench {n}", body_html=f"<p>Bench {n}</p>")
        for n in range(have, messages)
    )
    print(f"prepared: {people.count()} members, chat {chat.pk}, {chat.messages.count()} messages")


def fixtures(members: int) -> dict:
    """Session cookies of the members, the chat and its message ids."""
    from django.conf import settings
    from django.contrib.auth import (
        BACKEND_SESSION_KEY,
        HASH_SESSION_KEY,
        SESSION_KEY,
        get_user_model,
    )
    from django.contrib.sessions.backends.db import SessionStore

    from conversations.models import Conversation

    chat = Conversation.objects.get(community__name="Bench live chat")
    people = list(
        get_user_model()
        .objects.filter(email__startswith="bench-live-")
        .exclude(email="bench-live-lead@parvis.example")
        .order_by("pk")[:members]
    )
    cookies = []
    for person in people:
        session = SessionStore()
        session[SESSION_KEY] = str(person.pk)
        session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        session[HASH_SESSION_KEY] = person.get_session_auth_hash()
        session.create()
        cookies.append(f"{settings.SESSION_COOKIE_NAME}={session.session_key}")
    ids = list(chat.messages.order_by("pk").values_list("pk", flat=True))
    return {"cookies": cookies, "chat": chat.pk, "ids": ids}


# --- servers ----------------------------------------------------------------------------------


def server_env() -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings.base",
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        "CHANNEL_LAYER_PREFIX": PREFIX,
        "PYTHONPATH": str(ROOT),
    }


def start(
    kind: str, http_port: int, ws_port: int, sockets_workers: int = 1
) -> list[subprocess.Popen]:
    for port in (http_port, ws_port):  # a server left over would answer in our place
        with socket.socket() as probe:
            assert probe.connect_ex(("127.0.0.1", port)) != 0, f"port {port} is taken"
    (ROOT / "var").mkdir(exist_ok=True)
    env, log = server_env(), (ROOT / "var" / f"live-bench-{kind}.log").open("ab")
    bin_ = Path(sys.executable).parent
    gunicorn = [str(bin_ / "gunicorn"), "--workers", "2", "--no-control-socket", "-b"]
    if kind == "split":
        commands = [
            [*gunicorn, f"127.0.0.1:{http_port}", "portal.wsgi:application"],
            [str(bin_ / "daphne"), "-b", "127.0.0.1", "-p", str(ws_port), APP],
        ]
    elif kind == "split-uvicorn":
        commands = [
            [*gunicorn, f"127.0.0.1:{http_port}", "portal.wsgi:application"],
            [
                str(bin_ / "uvicorn"),
                "--host",
                "127.0.0.1",
                "--port",
                str(ws_port),
                "--workers",
                str(sockets_workers),
                APP,
            ],
        ]
    else:
        commands = [
            [*gunicorn, f"127.0.0.1:{http_port}", "-k", "uvicorn_worker.UvicornWorker", APP]
        ]
    processes = [
        subprocess.Popen(c, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        for c in commands
    ]
    split = kind.startswith("split")
    for port in {http_port, ws_port if split else http_port}:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=5)
                break
            except OSError:
                assert time.monotonic() < deadline, f"{kind} did not start"
                time.sleep(0.3)
    return processes


def rss_kib(processes: list[subprocess.Popen], socket_side: str) -> int:
    """Resident memory of the processes holding sockets (with their children: workers)."""
    pids = []
    for process in processes[-1:] if socket_side.startswith("split") else processes:
        pids.append(process.pid)
        children = Path(f"/proc/{process.pid}/task/{process.pid}/children")
        if children.exists():
            pids += [int(p) for p in children.read_text().split()]
    total = 0
    for pid in pids:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
    return total


def stop(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        process.terminate()
    for process in processes:
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()


# --- load -------------------------------------------------------------------------------------


def page_load(url: str, cookie: str, clients: int, seconds: float) -> dict:
    latencies: list[float] = []
    errors = [0]
    end = time.monotonic() + seconds

    def client() -> None:
        while time.monotonic() < end:
            request = urllib.request.Request(url, headers={"Cookie": cookie})  # noqa: S310
            started = time.perf_counter()
            try:
                with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310
                    answer.read()
                    ok = answer.status == 200 and answer.url == url  # not the sign-in page
            except OSError:
                ok = False
            if ok:
                latencies.append(time.perf_counter() - started)
            else:
                errors[0] += 1

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return summary(latencies, seconds, errors[0])


def summary(latencies: list[float], seconds: float, errors: int = 0) -> dict:
    if not latencies:
        return {"count": 0, "errors": errors}
    ordered = sorted(latencies)
    return {
        "count": len(ordered),
        "per_second": round(len(ordered) / seconds, 1),
        "p50_ms": round(ordered[len(ordered) // 2] * 1000, 1),
        "p99_ms": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000, 1),
        "errors": errors,
    }


def socket_clients(url, origin, cookies, topic, ready, done, counter, results) -> None:
    """A process of its own: connects every socket, subscribes, records receive times."""
    import websockets

    async def connect(cookie: str):
        for attempt in range(10):
            try:
                return await websockets.connect(
                    url, additional_headers={"Cookie": cookie}, origin=origin, open_timeout=30
                )
            except (OSError, websockets.exceptions.WebSocketException):
                await asyncio.sleep(0.5 * (attempt + 1))
        raise RuntimeError("could not connect")

    async def one(cookie: str, received: dict) -> None:
        socket = await connect(cookie)
        await socket.send(json.dumps({"action": "subscribe", "topic": topic}))
        while json.loads(await socket.recv())["event"] != "caught_up":
            pass
        ready.put(1)
        while not done.is_set():
            try:
                frame = json.loads(await asyncio.wait_for(socket.recv(), 0.5))
            except TimeoutError:
                continue
            if frame.get("event") == "message.new":
                received.setdefault(frame["data"]["id"], []).append(time.time())
                with counter.get_lock():
                    counter.value += 1
        await socket.close()

    async def main() -> None:
        received: dict = {}
        await asyncio.gather(*(one(cookie, received) for cookie in cookies))
        results.put(received)

    asyncio.run(main())


def publish(chat: int, ids: list[int], rate: float, seconds: float) -> dict[int, float]:
    from portal.core import live

    sent: dict[int, float] = {}
    topic = f"conversation:{chat}"
    start_at = time.monotonic()
    for n, message_id in enumerate(ids[: int(rate * seconds)]):
        wait = start_at + n / rate - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        sent[message_id] = time.time()
        live.send_now(
            live.group_for(topic),
            {
                "type": live.MESSAGE_TYPE,
                "topic": topic,
                "event": "message.new",
                "data": {"id": message_id},
            },
        )
    return sent


def run_one(kind: str, data: dict, args) -> dict:
    http_port, ws_port = 8223, 8224
    processes = start(kind, http_port, ws_port, args.sockets_workers)
    try:
        page_url = f"http://127.0.0.1:{http_port}{PAGE}"
        cookie = data["cookies"][0]
        page_load(page_url, cookie, args.clients, 3)  # warm up
        alone = page_load(page_url, cookie, args.clients, args.seconds)
        rss_before = rss_kib(processes, kind)
        port = ws_port if kind.startswith("split") else http_port
        ready, results = multiprocessing.Queue(), multiprocessing.Queue()
        done = multiprocessing.Event()
        counter = multiprocessing.Value("i", 0)
        clients = multiprocessing.Process(
            target=socket_clients,
            args=(
                f"ws://127.0.0.1:{port}/ws/live/",
                f"http://127.0.0.1:{port}",
                data["cookies"][: args.sockets],
                f"conversation:{data['chat']}",
                ready,
                done,
                counter,
                results,
            ),
        )
        clients.start()
        for _ in range(args.sockets):
            ready.get(timeout=120)
        time.sleep(1)
        rss_after = rss_kib(processes, kind)
        sent: dict = {}
        publisher = threading.Thread(
            target=lambda: sent.update(publish(data["chat"], data["ids"], args.rate, args.seconds))
        )
        publisher.start()
        loaded = page_load(page_url, cookie, args.clients, args.seconds)
        publisher.join()
        expected = len(sent) * args.sockets
        deadline = time.monotonic() + 120  # the backlog, if the server fell behind
        while counter.value < expected and time.monotonic() < deadline:
            time.sleep(0.2)
        done.set()
        received = results.get(timeout=60)
        clients.join(timeout=30)
        delays = [t - sent[i] for i, times in received.items() if i in sent for t in times]
        return {
            "kind": kind,
            "pages_alone": alone,
            "pages_with_sockets": loaded,
            "delivery": {**summary(delays, args.seconds), "expected": expected},
            "rss_per_socket_kib": round((rss_after - rss_before) / args.sockets, 1),
            "rss_socket_side_mib": round(rss_after / 1024, 1),
        }
    finally:
        stop(processes)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--prepare", action="store_true")
    parser.add_argument("--members", type=int, default=200)
    parser.add_argument("--sockets", type=int, default=50)
    parser.add_argument("--rate", type=float, default=1)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--kinds", default="split,split-uvicorn,uvicorn")
    parser.add_argument("--sockets-workers", type=int, default=1)  # split-uvicorn's processes
    args = parser.parse_args()
    django_setup()
    if args.prepare:
        prepare(args.members, messages=int(args.rate * args.seconds) + 10)
        return
    data = fixtures(args.sockets)
    for _ in range(args.rounds):
        for kind in args.kinds.split(","):
            print(json.dumps(run_one(kind, data, args)), flush=True)


if __name__ == "__main__":
    main()
