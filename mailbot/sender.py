"""The SMTP edge: hand one finished message to the server, and say whether a failure is final.

`SmtpSender` talks to a real server with aiosmtplib (TLS verified by default, never a silent
downgrade). `FolderSender` is the embedded default: it writes each message as an .eml file in
a folder a person can open. Both raise `SendError(permanent=...)` so the outbox can tell a
4xx (retry later) from a 5xx (tell the owner, stop).
"""

from __future__ import annotations

import asyncio
import email.policy
import ssl
from email.message import EmailMessage
from email.utils import getaddresses
from pathlib import Path
from typing import Protocol

import aiosmtplib

from .config import Endpoint
from .errors import SendError
from .store import write_atomic


class Sender(Protocol):
    def send(self, raw: bytes, sender: str, recipients: list[str]) -> None: ...


class SmtpSender:
    def __init__(self, endpoint: Endpoint, *, cafile: str | None = None, timeout: float = 60.0):
        self.endpoint = endpoint
        self.cafile = cafile
        self.timeout = timeout

    def _ssl_context(self) -> ssl.SSLContext:
        ctx = ssl.create_default_context(cafile=self.cafile)
        if not self.endpoint.verify_tls:
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
        return ctx

    def send(self, raw: bytes, sender: str, recipients: list[str]) -> None:
        asyncio.run(self._send(raw, sender, recipients))

    async def _send(self, raw: bytes, sender: str, recipients: list[str]) -> None:
        import aiosmtplib

        ep = self.endpoint
        kwargs = dict(
            hostname=ep.host,
            port=ep.port,
            timeout=self.timeout,
            use_tls=ep.tls == "implicit",
            start_tls=True if ep.tls == "starttls" else False,
            tls_context=self._ssl_context() if ep.tls != "none" else None,
        )
        if ep.tls == "none":
            kwargs["start_tls"] = False
        smtp = _TrackedSMTP(**kwargs)
        try:
            await smtp.connect()
            if ep.user:
                if ep.auth == "xoauth2":
                    token = f"user={ep.user}\x01auth=Bearer {ep.secret()}\x01\x01"
                    import base64

                    await smtp.execute_command(b"AUTH", b"XOAUTH2", base64.b64encode(token.encode()))
                else:
                    await smtp.login(ep.user, ep.secret())
            await smtp.sendmail(sender, recipients, raw)
        except aiosmtplib.SMTPAuthenticationError:
            raise SendError(
                f"SMTP login refused for {ep.user} on {ep.host}:{ep.port} (from {ep.password_source}); check the password",
                permanent=True,
                code=535,
            ) from None
        except aiosmtplib.SMTPRecipientsRefused as exc:
            codes = [r.code for r in exc.recipients]
            permanent = all(500 <= c < 600 for c in codes)
            raise SendError(f"SMTP refused {', '.join(r.recipient for r in exc.recipients)}: {exc}", permanent=permanent, code=codes[0] if codes else None) from None
        except aiosmtplib.SMTPResponseException as exc:
            raise SendError(f"SMTP {ep.host} answered {exc.code} {exc.message}", permanent=500 <= exc.code < 600, code=exc.code) from None
        except (ssl.SSLError, aiosmtplib.SMTPConnectError, aiosmtplib.SMTPServerDisconnected, aiosmtplib.SMTPException, OSError, asyncio.TimeoutError) as exc:
            if _is_tls_failure(exc):
                # Never retried in clear text: a TLS failure is reported, not worked around.
                raise SendError(f"SMTP TLS failed with {ep.host}:{ep.port} ({exc}); check MAILBOT_SMTP_TLS and the "
                                "server certificate; mailbot never falls back to an unencrypted connection") from None
            if smtp.data_sent:
                raise SendError(f"SMTP {ep.host}:{ep.port} dropped the connection after the message was transmitted, "
                                f"before answering ({exc}): it may have been accepted", ambiguous=True) from None
            raise SendError(f"SMTP {ep.host}:{ep.port} unreachable or dropped the connection: {exc}") from None
        finally:
            if smtp.is_connected:
                try:
                    await smtp.quit()
                except Exception:  # the message is already accepted or already failed
                    smtp.close()

    def check(self) -> None:
        """Connect and log in, send nothing: for `mailbot check`."""

        async def go() -> None:
            import aiosmtplib

            ep = self.endpoint
            smtp = aiosmtplib.SMTP(
                hostname=ep.host, port=ep.port, timeout=self.timeout, use_tls=ep.tls == "implicit",
                start_tls=ep.tls == "starttls", tls_context=self._ssl_context() if ep.tls != "none" else None,
            )
            try:
                await smtp.connect()
                if ep.user and ep.auth == "password":
                    await smtp.login(ep.user, ep.secret())
            except aiosmtplib.SMTPAuthenticationError:
                raise SendError(f"SMTP login refused for {ep.user} on {ep.host}:{ep.port}: wrong user or password (from {ep.password_source})", permanent=True) from None
            except (aiosmtplib.SMTPException, OSError, asyncio.TimeoutError) as exc:
                raise SendError(f"cannot reach SMTP {ep.host}:{ep.port}: {exc}") from None
            finally:
                if smtp.is_connected:
                    await smtp.quit()

        asyncio.run(go())


class _TrackedSMTP(aiosmtplib.SMTP):
    """Knows whether the DATA phase began: a failure after it is ambiguous (maybe delivered)."""

    data_sent = False

    async def data(self, message, *args, **kwargs):  # type: ignore[override]
        self.data_sent = True
        return await super().data(message, *args, **kwargs)


def _is_tls_failure(exc: BaseException) -> bool:
    seen: BaseException | None = exc
    while seen is not None:  # aiosmtplib wraps the ssl error; look down the chain
        if isinstance(seen, ssl.SSLError) or "SSL" in type(seen).__name__:
            return True
        text = str(seen).lower()
        if "certificate" in text or "starttls" in text or "ssl" in text:
            return True
        seen = seen.__cause__ or seen.__context__
    return False


class FolderSender:
    """Embedded default: every outbound message becomes an .eml file in `folder`."""

    def __init__(self, folder: Path):
        self.folder = folder

    def send(self, raw: bytes, sender: str, recipients: list[str]) -> None:
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        mid = str(msg.get("Message-ID", "no-id")).strip("<>").replace("/", "_")
        name = f"{len(list(self.folder.iterdir())):05d}-{mid}.eml"
        write_atomic(self.folder / name, raw)


def recipients_of(msg: EmailMessage) -> list[str]:
    fields = msg.get_all("To", []) + msg.get_all("Cc", [])
    return [a for _, a in getaddresses([str(f) for f in fields]) if a]
