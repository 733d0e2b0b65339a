"""An ASGI live server for browser tests: the whole site (HTTP and ``/ws/``) served by daphne
in a thread of the test process, on the test database, as pytest-django's ``live_server``
serves WSGI.

Why a thread of this process, not a ``daphne`` subprocess: the server then has the test's
settings and test database name without being told, and it shares the channel layer with the
test (the in-memory layer is per process; with ``REDIS_URL`` the test workers' prefixes keep
them apart, portal/settings/test.py), so an event a test publishes itself reaches the
server's sockets. Twisted's reactor runs once per process: the server is started once per
test worker (``_asgi_server``, session scope, like ``live_server``) and each test gets it
through ``asgi_live_server``, which asks for ``transactional_db`` (the browser and the test
see each other's commits) and lets the server's host in ``ALLOWED_HOSTS`` for the test.

Database connections: Django's ASGI handler runs each request's sync code in a thread of its
own, whose connection a persistent ``CONN_MAX_AGE`` would leave open behind it (and the test
database could not be dropped at the end). While the server runs, new connections close at
the end of each request or consumer call, as Django's own live server closes its.
"""

from __future__ import annotations

# Twisted is import-order sensitive: daphne installs its asyncio reactor on import, before
# anything imports Twisted's default one.
import daphne.server  # noqa: F401  isort:skip

import threading
from typing import Any


class ASGILiveServer:
    """daphne serving ``portal.asgi.application`` (static files too) on 127.0.0.1."""

    def __init__(self, host: str = "localhost") -> None:
        from django.test.utils import modify_settings

        self.host = host
        self.port: int | None = None
        self._ready = threading.Event()
        self._stopped = threading.Event()
        self._error: BaseException | None = None
        self._server: Any = None
        self._settings_before: dict[str, Any] = {}
        self.modified_settings = modify_settings(ALLOWED_HOSTS={"append": host})
        self._thread = threading.Thread(target=self._run, name="asgi-live-server", daemon=True)

    def _application(self):
        from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler

        from portal.asgi import application

        # Static files as pytest-django's live server serves them (WebSockets pass through).
        return ASGIStaticFilesHandler(application)

    def _run(self) -> None:
        from daphne.endpoints import build_endpoint_description_strings
        from daphne.server import Server
        from twisted.internet import reactor

        try:
            self._server = Server(
                application=self._application(),
                endpoints=build_endpoint_description_strings(host="127.0.0.1", port=0),
                signal_handlers=False,
                websocket_handshake_timeout=5,
                verbosity=0,
            )
            reactor.callLater(0.05, self._resolve_port)
            self._server.run()
        except BaseException as error:  # reported to the test that started the server
            self._error = error
            self._ready.set()
        finally:
            self._stopped.set()

    def _resolve_port(self) -> None:
        from twisted.internet import reactor

        if self._server.listening_addresses:
            self.port = self._server.listening_addresses[0][1]
            self._ready.set()
        else:
            reactor.callLater(0.05, self._resolve_port)

    def start(self) -> None:
        from django.db import connections

        for alias in connections:
            settings_dict = connections.settings[alias]
            self._settings_before[alias] = settings_dict.get("CONN_MAX_AGE", 0)
            settings_dict["CONN_MAX_AGE"] = 0
        self._thread.start()
        if not self._ready.wait(timeout=30):
            raise RuntimeError("the ASGI live server did not start within 30 s")
        if self._error is not None:
            raise self._error

    def stop(self) -> None:
        from django.db import connections
        from twisted.internet import reactor

        if self._thread.is_alive():
            reactor.callFromThread(reactor.stop)
            self._stopped.wait(timeout=30)
            self._thread.join(timeout=5)
        for alias, value in self._settings_before.items():
            connections.settings[alias]["CONN_MAX_AGE"] = value

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://{self.host}:{self.port}"

    def __str__(self) -> str:
        return self.url

    def __add__(self, other: str) -> str:
        return f"{self}{other}"

    def __repr__(self) -> str:
        return f"<ASGILiveServer listening at {self.url}>"


def off_the_loop(function, /, *args, **kwargs):
    """Call ``function`` in a thread of its own and return what it returns.

    pytest-playwright's sync API runs an event loop in the test's thread, where asgiref's
    ``async_to_sync`` refuses to run: a service called by the test itself would store its
    rows but its live event (``portal.core.live.send_now``) would not be sent. Called this way,
    its events reach the server's sockets. The thread's database connection is closed after.
    """
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connections

    def call():
        try:
            return function(*args, **kwargs)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(call).result()
