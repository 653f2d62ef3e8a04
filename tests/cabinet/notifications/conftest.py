"""Notification tests: a real SMTP server in-process (aiosmtpd) that keeps what it receives."""

from __future__ import annotations

import email
import email.policy
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Mailbox:
    """Accepts every message, unless told to answer RCPT with ``refuse`` (e.g. "451 …", "550 …")."""

    refuse: str | None = None
    received: list[tuple[list[str], bytes]] = field(default_factory=list)

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,
                          rcpt_options: list[str]) -> str:
        if self.refuse:
            return self.refuse
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.received.append((list(envelope.rcpt_tos), bytes(envelope.original_content or envelope.content)))
        return "250 Message accepted for delivery"

    def messages(self) -> list[EmailMessage]:
        return [email.message_from_bytes(raw, policy=email.policy.default)  # type: ignore[misc]
                for _, raw in self.received]


@dataclass
class SmtpServers:
    running: list[Controller] = field(default_factory=list)

    def start(self, port: int, mailbox: Mailbox | None = None) -> Mailbox:
        mailbox = mailbox or Mailbox()
        controller = Controller(mailbox, hostname="127.0.0.1", port=port)
        controller.start()
        self.running.append(controller)
        return mailbox

    def stop_all(self) -> None:
        for controller in self.running:
            controller.stop()
        self.running.clear()


@pytest.fixture
def smtp() -> Iterator[SmtpServers]:
    servers = SmtpServers()
    yield servers
    servers.stop_all()
