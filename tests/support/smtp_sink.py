"""A real SMTP server (aiosmtpd) that keeps every message it accepts, and can be told to fail."""

from __future__ import annotations

import email
import email.policy
import ssl
import subprocess
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
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
    fail_rcpt: dict[str, str] = field(default_factory=dict)  # address -> answer to its RCPT instead of 250
    drop_after_data: int = 0  # this many messages are kept, then the connection is cut before the answer
    on_accept: Callable[[bytes], None] | None = None  # e.g. file in Sent, like Gmail does, before the 250
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        with self.lock:
            answer = self.fail_rcpt.get(address.lower())
        if answer:
            return answer
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        raw = envelope.original_content or envelope.content
        with self.lock:
            if self.fail_with:
                return self.fail_with.pop(0)
            self.messages.append(Received(envelope.mail_from, list(envelope.rcpt_tos), raw))
            drop = self.drop_after_data > 0
            if drop:
                self.drop_after_data -= 1
        if self.on_accept is not None:
            self.on_accept(raw)
        if drop:
            # Accepted and kept, but the client never hears the 250: the ambiguous case.
            server.transport.abort()
        return "250 OK"


class SmtpSink:
    def __init__(self, tls_context: ssl.SSLContext | None = None) -> None:
        self.port = free_port()
        self.handler = _Handler()
        # AUTH over plain text is allowed here only because the sink listens on loopback.
        extra = {"tls_context": tls_context, "require_starttls": True} if tls_context is not None else {}
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port, authenticator=_authenticator,
                                     auth_require_tls=False, **extra)

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


def self_signed_context(folder: Path) -> ssl.SSLContext:
    """A server TLS context with a fresh self-signed certificate for 127.0.0.1 (openssl CLI)."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=localhost",
         "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(cert, key)
    return ctx
