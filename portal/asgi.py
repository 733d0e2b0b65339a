"""The ASGI application: Django's pages over HTTP, and the live socket (``/ws/live/``).

Served by daphne under ``manage.py runserver`` (make run) and by uvicorn in the compose
``sockets`` service, which the proxy sends ``/ws/`` to (docker-compose.yml); the pages stay on
gunicorn's sync workers (``portal.wsgi``): bench/RESULTS.md, "Live sockets: which server".
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.base")

# Django first: the apps must be loaded before the consumers and the auth middleware import
# models.
django_application = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402
from django.urls import path  # noqa: E402

from portal.core.consumers import LiveConsumer  # noqa: E402

websocket_urlpatterns = [path("ws/live/", LiveConsumer.as_asgi())]

application = ProtocolTypeRouter(
    {
        "http": django_application,
        # The Origin header must name an allowed host (a page of another site cannot open a
        # socket with the visitor's cookies), then the session says who it is.
        "websocket": AllowedHostsOriginValidator(
            AuthMiddlewareStack(URLRouter(websocket_urlpatterns))
        ),
    }
)
