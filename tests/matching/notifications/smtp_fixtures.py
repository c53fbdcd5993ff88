"""A real SMTP server in-process (aiosmtpd) that records what arrives or refuses on demand."""

from __future__ import annotations

import contextlib
import email
import email.policy
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from matching.notifications.settings import SmtpSettings


@dataclass
class Received:
    rcpt_tos: list[str]
    message: EmailMessage

    @property
    def text(self) -> str:
        part = self.message.get_body(preferencelist=("plain",))
        assert part is not None
        return str(part.get_content())

    @property
    def html(self) -> str:
        part = self.message.get_body(preferencelist=("html",))
        assert part is not None
        return str(part.get_content())


@dataclass
class Recorder:
    received: list[Received] = field(default_factory=list)
    refuse: bool = False

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.refuse:
            return "451 4.3.0 Bitte später erneut versuchen"
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        self.received.append(Received(list(envelope.rcpt_tos), message))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class SmtpServer:
    recorder: Recorder
    controller: Controller
    settings: SmtpSettings

    def stop(self) -> None:
        self.controller.stop()

    def start(self) -> None:
        """A stopped controller cannot restart: serve again on the same port with a new one."""
        self.controller = Controller(self.recorder, hostname="127.0.0.1", port=self.settings.port)
        self.controller.start()


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    recorder = Recorder()
    port = free_port()
    controller = Controller(recorder, hostname="127.0.0.1", port=port)
    controller.start()
    settings = SmtpSettings(
        host="127.0.0.1",
        port=port,
        user=None,
        password=None,
        starttls=False,
        tls=False,
        from_address="Türöffner <noreply@tueroeffner.example>",
        timeout_seconds=5,
    )
    server = SmtpServer(recorder, controller, settings)
    yield server
    with contextlib.suppress(AssertionError, RuntimeError):  # already stopped by the test
        server.controller.stop()
