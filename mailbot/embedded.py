"""The embedded default: no mail account needed.

An SMTP listener (aiosmtpd) on 127.0.0.1 receives mail for the bot into a local Maildir, which
the daemon watches like an INBOX; outbound mail is written as .eml files in a folder a person
can open (``<data dir>/sent-mail``). Used by `mailbot run` without mail settings, and by the demo.
"""

from __future__ import annotations

import mailbox as stdlib_mailbox
from pathlib import Path

from aiosmtpd.controller import Controller


def ensure_maildir(path: Path) -> None:
    """Create a Maildir with its cur/new/tmp (the stdlib skips them when the folder exists)."""
    for sub in ("cur", "new", "tmp"):
        (path / sub).mkdir(parents=True, exist_ok=True, mode=0o700)


class _ToMaildir:
    def __init__(self, maildir: Path, accept: set[str]):
        self.maildir = maildir
        self.accept = accept

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 - aiosmtpd's hook name
        if self.accept and address.lower() not in self.accept:
            return f"550 5.1.1 <{address}>: this local mailbot only accepts mail for {', '.join(sorted(self.accept))}"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        md = stdlib_mailbox.Maildir(self.maildir, create=False)
        md.add(stdlib_mailbox.MaildirMessage(envelope.original_content or envelope.content))
        return "250 Message accepted for delivery"


class EmbeddedSmtp:
    """Start with `.start()`, stop with `.stop()`; mail for `address` lands in `maildir`."""

    def __init__(self, maildir: Path, address: str, port: int):
        ensure_maildir(maildir)
        self.port = port
        self.controller = Controller(_ToMaildir(maildir, {address.lower()}), hostname="127.0.0.1", port=port)

    def start(self) -> None:
        self.controller.start()

    def stop(self) -> None:
        self.controller.stop()
