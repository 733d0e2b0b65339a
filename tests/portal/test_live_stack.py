"""Live sockets across processes: two real ASGI server processes serving ``portal.asgi``, one
daphne (as ``make run`` does) and one uvicorn (as the compose ``sockets`` service does), on
one PostgreSQL database and one real Redis (a private redis-server, the channel layer's). A
message stored and published once reaches the sockets on both processes; when the process
holding a socket dies, the client reconnects to the other, catches up after the last id it
saw, and ends up with every message once, in order.

The messages are sent by this test process, through the same service and the same channel
layer (pointed at that Redis) as a web process: the publisher is a third process, so the
fan-out between processes is all Redis's.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import websocket
from django.conf import settings as django_settings
from django.test import Client

from conversations import services as conv
from tests.communities.conftest import add_guest
from tests.factories import GuestFactory
from tests.portal import stack
from tests.portal.test_celery_worker import ROOT

pytestmark = [pytest.mark.stack, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

APPLICATION = "portal.asgi:application"


@dataclass
class Server:
    name: str
    port: int
    log: Path
    process: subprocess.Popen | None = None

    @property
    def http(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ws/live/"


def start_server(env: dict[str, str], server: Server) -> None:
    # fmt: off
    if server.name == "daphne":
        command = [
            sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(server.port), APPLICATION,
        ]
    else:
        command = [
            sys.executable, "-m", "uvicorn", "--host", "127.0.0.1", "--port", str(server.port),
            "--ws", "websockets", APPLICATION,
        ]
    # fmt: on
    server.process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=server.log.open("ab"), stderr=subprocess.STDOUT
    )


@dataclass
class Deployment:
    servers: list[Server]
    redis: stack.RedisServer


@pytest.fixture(scope="module")
def deployment(django_db_setup, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("live-stack")
    redis_server = stack.RedisServer(tmp / "redis")
    servers = [
        Server(name, stack.free_port(), tmp / f"{name}.log") for name in ("daphne", "uvicorn")
    ]
    try:
        redis_server.start()
        for server in servers:
            env = stack.stack_env(
                tmp / server.name, redis_server.url, CHANNEL_LAYER_PREFIX="live-stack"
            )
            start_server(env, server)
        for server in servers:
            stack.wait_until_serving(server.http, server.process, server.log)
        yield Deployment(servers=servers, redis=redis_server)
    finally:
        stack.stop(*(server.process for server in servers))
        redis_server.stop()


@pytest.fixture
def same_channel_layer(deployment, settings):
    """This process publishes into the servers' channel layer, as a web process would."""
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [f"{deployment.redis.url}/2"], "prefix": "live-stack"},
        }
    }


def session_cookie(user) -> str:
    client = Client()
    client.force_login(user)
    name = django_settings.SESSION_COOKIE_NAME
    return f"{name}={client.cookies[name].value}"


class Tab:
    """A browser tab's socket, as live.js keeps it: the last id seen per topic."""

    def __init__(self, cookie: str) -> None:
        self.cookie = cookie
        self.socket: websocket.WebSocket | None = None
        self.ids: list[int] = []

    def connect(self, server: Server) -> None:
        self.socket = websocket.create_connection(
            server.ws,
            header=[f"Cookie: {self.cookie}"],
            origin=server.http,
            timeout=5,
        )

    def subscribe(self, topic: str) -> None:
        request = {"action": "subscribe", "topic": topic}
        if self.ids:
            request["after"] = self.ids[-1]
        self.socket.send(json.dumps(request))
        while (answer := self.frame())["event"] != "caught_up":
            assert answer["event"] == "message.new", answer
            self.ids.append(answer["data"]["id"])

    def frame(self, timeout: float = 5) -> dict:
        """The next frame, past the header counts on the person's own topic."""
        self.socket.settimeout(timeout)
        while True:
            answer = json.loads(self.socket.recv())
            if not str(answer.get("topic", "")).startswith("user:"):
                return answer

    def receive(self, count: int) -> None:
        for _ in range(count):
            answer = self.frame()
            assert answer["event"] == "message.new", answer
            self.ids.append(answer["data"]["id"])

    def silent(self, seconds: float = 0.5) -> bool:
        """Nothing but header counts for ``seconds``."""
        try:
            self.frame(timeout=seconds)
        except websocket.WebSocketTimeoutException:
            return True
        return False

    def close(self) -> None:
        if self.socket is not None:
            self.socket.close()


def test_messages_reach_both_processes_and_survive_a_process_dying(
    deployment, same_channel_layer, lead, project
):
    guest = GuestFactory(display_name="Paula Partner")
    add_guest(project, guest)
    chat = conv.conversation_start(acting_user=lead, people=[guest])
    topic = f"conversation:{chat.pk}"
    server_a, server_b = deployment.servers

    def send(body: str) -> int:
        return conv.message_send(acting_user=lead, conversation=chat, body=body).pk

    guest_tab, lead_tab = Tab(session_cookie(guest)), Tab(session_cookie(lead))
    try:
        guest_tab.connect(server_a)
        lead_tab.connect(server_b)
        guest_tab.subscribe(topic)
        lead_tab.subscribe(topic)

        # Published once: heard on A and on B.
        first = send("Hello from the lake")
        guest_tab.receive(1)
        lead_tab.receive(1)
        assert guest_tab.ids == lead_tab.ids == [first]

        # A dies with the guest's socket on it; two messages go out while she is away.
        server_a.process.kill()
        server_a.process.wait(timeout=10)
        missed = [send("While you were away"), send("And another one")]
        lead_tab.receive(2)

        # Her tab reconnects to B and catches up after the last id it saw.
        guest_tab.close()
        guest_tab.connect(server_b)
        guest_tab.subscribe(topic)
        assert guest_tab.ids == [first, *missed]
        assert guest_tab.silent()

        # Live again: the next message once.
        last = send("Welcome back")
        guest_tab.receive(1)
        lead_tab.receive(1)
        assert guest_tab.silent()
        assert guest_tab.ids == lead_tab.ids == [first, *missed, last]
    finally:
        guest_tab.close()
        lead_tab.close()
