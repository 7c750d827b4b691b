"""A real SMTP server (aiosmtpd) that keeps every message it accepts, and can be told to fail."""

from __future__ import annotations

import email
import email.policy
import threading
from dataclasses import dataclass, field
from email.message import EmailMessage

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

SMTP_USER, SMTP_PASSWORD = "bot", "smtp-secret"


def _authenticator(server, session, envelope, mechanism, auth_data):
    ok = getattr(auth_data, "login", None) == SMTP_USER.encode() and getattr(auth_data, "password", None) == SMTP_PASSWORD.encode()
    return AuthResult(success=ok, handled=False)

from .dovecot import free_port


@dataclass
class Received:
    sender: str
    rcpts: list[str]
    raw: bytes

    @property
    def msg(self) -> EmailMessage:
        return email.message_from_bytes(self.raw, policy=email.policy.default)  # type: ignore[return-value]


@dataclass
class _Handler:
    messages: list[Received] = field(default_factory=list)
    fail_with: list[str] = field(default_factory=list)  # answers to give DATA instead of 250, in order
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        with self.lock:
            if self.fail_with:
                return self.fail_with.pop(0)
            self.messages.append(Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content or envelope.content))
        return "250 OK"


class SmtpSink:
    def __init__(self) -> None:
        self.port = free_port()
        self.handler = _Handler()
        # AUTH over plain text is allowed here only because the sink listens on loopback.
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port, authenticator=_authenticator,
                                     auth_require_tls=False)

    def start(self) -> None:
        self.controller.start()

    def stop(self) -> None:
        self.controller.stop()

    @property
    def messages(self) -> list[Received]:
        with self.handler.lock:
            return list(self.handler.messages)

    def to(self, address: str) -> list[Received]:
        return [m for m in self.messages if address in m.rcpts]

    def clear(self) -> None:
        with self.handler.lock:
            self.handler.messages.clear()
