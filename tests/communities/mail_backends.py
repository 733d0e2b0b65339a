"""E-mail backends for tests that run a real worker process."""

import time

from django.core.mail.backends.filebased import EmailBackend


class SlowFileBackend(EmailBackend):
    """Django's file backend, a third of a second per message: slow enough to stop a worker
    in the middle of a batch."""

    def send_messages(self, email_messages) -> int:
        time.sleep(0.3)
        return super().send_messages(email_messages)
