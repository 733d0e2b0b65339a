"""The deployed stack, as real processes on loopback, for the tests marked ``stack``: gunicorn
web processes, Celery workers and a private Redis server (never the shared one on 6379: these
tests stop theirs). Every process started here is stopped by the fixture that started it.
"""

from __future__ import annotations

import contextlib
import http.cookiejar
import os
import random
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import redis

from tests.portal.test_celery_worker import (
    ROOT,
    _purge,
    _reconfigure,
    celery_app,
    database_url_for_worker,
)


def _ports() -> range:
    """The loopback ports these tests may take: 8100-8199, shared out between the workers of
    a parallel run (pytest-xdist), so two workers never pick the same one."""
    index = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0")[2:])
    count = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
    width = 100 // count
    return range(8100 + index * width, 8100 + (index + 1) * width)


PORTS = _ports()


_handed_out: set[int] = set()


def free_port() -> int:
    """A loopback port in PORTS that nothing listens on right now and that this process has
    not handed out before (two ports picked before either server starts must differ)."""
    for port in random.sample(PORTS, len(PORTS)):
        if port in _handed_out:
            continue
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            _handed_out.add(port)
            return port
    raise RuntimeError(f"no free port in {PORTS.start}-{PORTS.stop - 1}")


def wait_for(condition, seconds: float = 30, what: str = "condition") -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


def stop(*processes: subprocess.Popen | None, timeout: float = 15) -> None:
    """SIGTERM to all (a warm shutdown for Celery and gunicorn), then SIGKILL to any that
    lingers."""
    running = [p for p in processes if p is not None and p.poll() is None]
    for process in running:
        process.terminate()
    deadline = time.monotonic() + timeout
    for process in running:
        try:
            process.wait(timeout=max(deadline - time.monotonic(), 0.1))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


@dataclass
class RedisServer:
    """A private redis-server with an append-only file, as docker-compose.yml runs it, so
    what is queued survives a restart."""

    directory: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}"

    def client(self, db: int = 0) -> redis.Redis:
        return redis.Redis(host="127.0.0.1", port=self.port, db=db, socket_timeout=2)

    def start(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        # fmt: off
        command = [
            "redis-server",
            "--bind", "127.0.0.1",
            "--port", str(self.port),
            "--dir", str(self.directory),
            "--save", "",
            "--appendonly", "yes",
            "--logfile", str(self.directory / "redis.log"),
        ]
        # fmt: on
        self.process = subprocess.Popen(
            command,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for(self._answers, 10, "redis-server")

    def _answers(self) -> bool:
        assert self.process.poll() is None, (self.directory / "redis.log").read_text()
        try:
            return self.client().ping()
        except redis.ConnectionError:
            return False

    def stop(self) -> None:
        stop(self.process)  # SIGTERM: Redis writes its append-only file and exits


@contextlib.contextmanager
def enqueuing_into(broker_url: str):
    """The test process enqueues into ``broker_url`` (an empty queue), as a web process
    of the deployment would, instead of running tasks in-process."""
    saved = {key: celery_app.conf[key] for key in ("task_always_eager", "broker_url")}
    _reconfigure(task_always_eager=False, broker_url=broker_url)
    _purge()
    try:
        yield
    finally:
        with contextlib.suppress(Exception):  # the broker may be the one a test stopped
            _purge()
        _reconfigure(**saved)


def wait_for_workers(count: int, seconds: float = 60) -> None:
    """Until ``count`` workers answer a ping on the broker the test enqueues into."""
    wait_for(
        lambda: len(celery_app.control.ping(timeout=0.5)) >= count, seconds, f"{count} workers"
    )


def stack_env(tmp: Path, redis_url: str, **extra: str) -> dict[str, str]:
    """The environment of a deployed process: base settings, the test database, Redis, and
    a var/ folder of its own (so nothing it writes can be read by another process)."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings.base",
        "DATABASE_URL": database_url_for_worker(),
        "REDIS_URL": redis_url,
        "CELERY_BROKER_URL": "",
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        "PARVIS_VAR_DIR": str(tmp / "var"),
        "MEDIA_ROOT": str(tmp / "var" / "media"),
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(tmp / "mail"),
        "PYTHONUNBUFFERED": "1",
        **extra,
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return env


def start_web(env: dict[str, str], port: int, log: Path) -> subprocess.Popen:
    """gunicorn with one sync worker, as the web service runs (with more workers there).
    Returns at once: wait_until_serving() waits for it."""
    # fmt: off
    command = [
        sys.executable, "-m", "gunicorn", "portal.wsgi:application",
        "--bind", f"127.0.0.1:{port}",
        "--workers", "1",
        "--timeout", "60",
        "--graceful-timeout", "5",
        "--no-control-socket",  # its default path is shared by every gunicorn on the host
    ]
    # fmt: on
    return subprocess.Popen(
        command,
        cwd=ROOT,
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
    )


def wait_until_serving(url: str, process: subprocess.Popen, log: Path) -> None:
    def answers() -> bool:
        assert process.poll() is None, log.read_text()
        try:
            with urllib.request.urlopen(f"{url}/accounts/login/", timeout=20):  # noqa: S310
                return True
        except OSError:  # refused until gunicorn listens (URLError is an OSError)
            return False

    wait_for(answers, 90, url)


def start_worker(env: dict[str, str], name: str, log: Path) -> subprocess.Popen:
    """A Celery worker, one task at a time (prefetch 1, late acknowledgement: settings)."""
    # fmt: off
    command = [
        sys.executable, "-m", "celery", "-A", "portal", "worker",
        "--pool=solo", "-n", f"{name}@%h",
        "--without-gossip", "--without-mingle", "--without-heartbeat",
        "-l", "warning",
    ]
    # fmt: on
    return subprocess.Popen(
        command,
        cwd=ROOT,
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
    )


def user_with_password(settings, *, email: str, name: str):
    """An account the web processes can sign in: they check passwords with the production
    hashers, not the test settings' fast one. ``settings`` is pytest-django's fixture."""
    from tests.factories import UserFactory

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    return UserFactory(email=email, display_name=name)


class Browser:
    """A cookie-keeping HTTP client that does not follow redirects: each answer is seen as
    the web process gave it. Cookies are per host, not per port, so one Browser talking to
    two web processes is a browser behind a load balancer."""

    def __init__(self) -> None:
        self.cookies = http.cookiejar.CookieJar()
        self._opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), _NoRedirect()
        )

    def cookie(self, name: str) -> str:
        return next((c.value for c in self.cookies if c.name == name), "")

    def request(
        self, url: str, data: bytes | None = None, headers: dict[str, str] | None = None
    ) -> tuple[int, dict[str, str], bytes]:
        headers = dict(headers or {})
        if data is not None:
            headers.setdefault("X-CSRFToken", self.cookie("csrftoken"))
            headers.setdefault("Referer", url)
        req = urllib.request.Request(url, data=data, headers=headers)  # noqa: S310 (loopback)
        try:
            with self._opener.open(req, timeout=30) as answer:
                return answer.status, dict(answer.headers), answer.read()
        except urllib.error.HTTPError as answer:
            return answer.code, dict(answer.headers), answer.read()

    def sign_in(self, web: str, email: str) -> None:
        """Through the sign-in form of the web process at ``web``."""
        from tests.factories import PASSWORD

        assert self.get(f"{web}/accounts/login/")[0] == 200  # sets the CSRF cookie
        status, headers, _ = self.post_form(
            f"{web}/accounts/login/", {"login": email, "password": PASSWORD}
        )
        assert status == 302, "the sign-in was refused"
        assert "/accounts/login/" not in headers["Location"]

    def get(self, url: str) -> tuple[int, dict[str, str], bytes]:
        return self.request(url)

    def post_form(self, url: str, fields: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        body = urllib.parse.urlencode(fields).encode()
        return self.request(url, body, {"Content-Type": "application/x-www-form-urlencoded"})

    def post_file(
        self, url: str, field_name: str, filename: str, content: bytes
    ) -> tuple[int, dict[str, str], bytes]:
        boundary = uuid.uuid4().hex
        body = (
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="{field_name}"; '
                f'filename="{filename}"\r\nContent-Type: application/octet-stream\r\n\r\n'
            ).encode()
            + content
            + f"\r\n--{boundary}--\r\n".encode()
        )
        return self.request(
            url, body, {"Content-Type": f"multipart/form-data; boundary={boundary}"}
        )


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None
