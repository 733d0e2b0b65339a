"""The site's ASGI application (``portal.asgi``) with the ``conversation`` topic ensured
(``tests/portal/live_topics.py``), as the stack test's ASGI server processes serve it."""

from portal.asgi import application
from tests.portal.live_topics import ensure_conversation_topic

ensure_conversation_topic()

__all__ = ["application"]
