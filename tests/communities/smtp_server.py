"""A real SMTP server on loopback (aiosmtpd) whose answers the test steers."""

from __future__ import annotations

import asyncio
import contextlib
import email
import threading
from collections import Counter
from dataclasses import dataclass, field

from aiosmtpd.controller import Controller


@dataclass
class Mailbox:
    """What the SMTP server does, as the test says: it refuses addresses at RCPT with the
    replies given, holds the message to ``hold`` at DATA until ``release`` is set, and keeps
    every message it accepted with the client's (address, port): one per SMTP connection."""

    refuse: dict[str, str] = field(default_factory=dict)  # address: reply, every time
    refuse_once: dict[str, str] = field(default_factory=dict)  # address: reply, the first time
    hold: str = ""
    accept_held: bool = True
    holding: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    messages: list[tuple[str, str, tuple]] = field(default_factory=list)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse_once:
            return self.refuse_once.pop(address)
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        [to] = envelope.rcpt_tos
        if to == self.hold:
            self.holding.set()
            await asyncio.get_running_loop().run_in_executor(None, self.release.wait, 60)
            if not self.accept_held:
                return "451 4.3.0 Interrupted"  # the client is gone: nothing delivered
        message = email.message_from_bytes(envelope.content)
        self.messages.append((to, message["Message-ID"], session.peer))
        return "250 2.0.0 Accepted"

    def count(self) -> Counter:
        return Counter(to for to, _mid, _peer in self.messages)


@contextlib.contextmanager
def serving(mailbox: Mailbox, port: int):
    """The server on 127.0.0.1:``port`` for the block (in a thread of this process)."""
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield mailbox
    finally:
        mailbox.release.set()
        controller.stop()
