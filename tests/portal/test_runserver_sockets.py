"""``make run`` serves the live socket with no other service: ``manage.py runserver`` is
daphne's (``daphne`` first in INSTALLED_APPS), on the in-memory channel layer (no REDIS_URL).
Runs on SQLite as ``make run`` does, and on PostgreSQL."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
import websocket

from tests.portal import stack
from tests.portal.test_celery_worker import ROOT
from tests.portal.test_live_stack import session_cookie

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_runserver_serves_the_live_socket(member, tmp_path):
    port = stack.free_port()
    env = stack.stack_env(tmp_path, "", DEBUG="1")
    env.pop("REDIS_URL")  # the embedded default: the in-memory channel layer
    log = tmp_path / "runserver.log"
    # fmt: off
    command = [
        sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}",
        "--noreload", "--skip-checks",
    ]
    # fmt: on
    server = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT
    )
    url = f"http://127.0.0.1:{port}"
    try:
        stack.wait_until_serving(url, server, log)
        assert "daphne" in log.read_text().lower(), log.read_text()
        with pytest.raises(websocket.WebSocketBadStatusException):
            websocket.create_connection(f"ws://127.0.0.1:{port}/ws/live/", origin=url, timeout=5)
        socket = websocket.create_connection(
            f"ws://127.0.0.1:{port}/ws/live/",
            header=[f"Cookie: {session_cookie(member)}"],
            origin=url,
            timeout=5,
        )
        try:
            # The consumer answers: its own topic is open to the person, others' are not.
            socket.send(json.dumps({"action": "subscribe", "topic": f"user:{member.pk + 1}"}))
            assert json.loads(socket.recv()) == {
                "topic": f"user:{member.pk + 1}",
                "event": "subscribe.refused",
            }
        finally:
            socket.close()
    finally:
        stack.stop(server)
