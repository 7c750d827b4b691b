"""An in-process mailbot on real servers (Dovecot + aiosmtpd) with a manual clock.

Tests deliver mail by IMAP APPEND to INBOX (what an MTA does), call `step()` (one daemon
iteration), travel days with `days(n)`, and look at the real messages in the sink and the real
IMAP folders.
"""

from __future__ import annotations

import email
import email.policy
import os
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from zoneinfo import ZoneInfo

import imapclient

from mailbot.clock import ManualClock
from mailbot.compose import Templates
from mailbot.config import load_settings
from mailbot.daemon import Daemon, StepReport
from mailbot.ledger import Ledger
from mailbot.mailbox import ImapMailbox
from mailbot.rules import Rules, load_rules, parse_rules
from mailbot.sender import SmtpSender
from mailbot.store import Store

from .dovecot import PASSWORD, Dovecot
from .smtp_sink import SmtpSink

OWNER = "owner@firm.test"
BOT = "bot@firm.test"
CLIENT = "billing@acme.test"
TZ = ZoneInfo("Europe/Paris")

RULES_7_15 = """
business:
  name: "Firm Compta"
  country: FR
  language: en
  iban: "FR7630006000011234567890189"
stages:
  - {name: friendly, after: 7, tone: friendly}
  - {name: formal, after: 15, tone: formal}
policy:
  min_gap_days: 3
digest:
  enabled: false               # tests that want the weekly digest turn it on
"""


class Harness:
    def __init__(self, *, dovecot: Dovecot, user: str, sink: SmtpSink, data_dir: Path, rules: str = RULES_7_15,
                 env: dict[str, str] | None = None, start: datetime | None = None):
        self.dovecot = dovecot
        self.user = user
        self.sink = sink
        self.data_dir = data_dir
        self.env = {
            "MAILBOT_IMAP_HOST": "127.0.0.1", "MAILBOT_IMAP_PORT": str(dovecot.port), "MAILBOT_IMAP_USER": user,
            "MAILBOT_IMAP_PASSWORD": PASSWORD, "MAILBOT_IMAP_TLS": "none",
            "MAILBOT_SMTP_HOST": "127.0.0.1", "MAILBOT_SMTP_PORT": str(sink.port), "MAILBOT_SMTP_USER": "bot",
            "MAILBOT_SMTP_PASSWORD": "smtp-secret", "MAILBOT_SMTP_TLS": "none",
            "MAILBOT_ADDRESS": BOT, "MAILBOT_OWNERS": OWNER, "MAILBOT_DATA_DIR": str(data_dir),
            "MAILBOT_TIMEZONE": "Europe/Paris", "MAILBOT_TRUST_UNAUTHENTICATED_OWNERS": "1",
        } | (env or {})
        self.settings = load_settings(self.env)
        self.rules: Rules = parse_rules(rules) if rules else load_rules(None)
        self.clock = ManualClock(start or datetime(2026, 12, 1, 9, 0, tzinfo=TZ))
        self.daemon: Daemon | None = None
        self.store: Store | None = None
        self.start()

    # -- the daemon ---------------------------------------------------------------------------
    def start(self) -> None:
        self.store = Store.open(self.data_dir)
        mailbox = ImapMailbox(self.settings.imap)
        mailbox.connect()
        self.daemon = Daemon(self.settings, self.rules, self.store, mailbox, SmtpSender(self.settings.smtp), self.clock,
                             Templates(self.data_dir / "templates"))

    def restart(self) -> None:
        self.close()
        self.start()

    def close(self) -> None:
        if self.daemon is not None:
            self.daemon.mailbox.close()
            self.daemon = None

    def step(self) -> StepReport:
        assert self.daemon is not None
        return self.daemon.run_once()

    def days(self, n: int) -> list[StepReport]:
        reports = []
        for _ in range(n):
            self.clock.advance(days=1)
            reports.append(self.step())
        return reports

    @property
    def ledger(self) -> Ledger:
        assert self.store is not None
        return Ledger(self.store)

    # -- the mailbox --------------------------------------------------------------------------
    def imap(self) -> imapclient.IMAPClient:
        c = imapclient.IMAPClient("127.0.0.1", port=self.dovecot.port, ssl=False)
        c.login(self.user, PASSWORD)
        return c

    def deliver(self, msg: EmailMessage | bytes) -> None:
        if isinstance(msg, EmailMessage):
            if "Date" not in msg:
                msg["Date"] = format_datetime(self.clock.now())
            if "Message-ID" not in msg:
                msg["Message-ID"] = make_msgid(domain="sender.test")
            raw = msg.as_bytes()
        else:
            raw = msg
        append_inbox(self.dovecot, self.user, raw)

    def folder(self, name: str) -> list[EmailMessage]:
        c = self.imap()
        try:
            delim = c.list_folders()[0][1].decode()
            full = name.replace("/", delim)
            if not c.folder_exists(full):
                return []
            c.select_folder(full, readonly=True)
            uids = c.search("ALL")
            data = c.fetch(uids, ["BODY.PEEK[]"]) if uids else {}
            return [email.message_from_bytes(d[b"BODY[]"], policy=email.policy.default) for _, d in sorted(data.items())]
        finally:
            c.logout()


def daemon_env(dovecot: Dovecot, user: str, sink: SmtpSink, data: Path, **extra: str) -> dict[str, str]:
    """The environment of a `mailbot` subprocess wired to the test Dovecot and SMTP sink."""
    from .smtp_sink import SMTP_PASSWORD, SMTP_USER

    env = {k: v for k, v in os.environ.items() if not k.startswith("MAILBOT_")}
    env |= {
        "MAILBOT_IMAP_HOST": "127.0.0.1", "MAILBOT_IMAP_PORT": str(dovecot.port), "MAILBOT_IMAP_USER": user,
        "MAILBOT_IMAP_PASSWORD": PASSWORD, "MAILBOT_IMAP_TLS": "none",
        "MAILBOT_SMTP_HOST": "127.0.0.1", "MAILBOT_SMTP_PORT": str(sink.port), "MAILBOT_SMTP_USER": SMTP_USER,
        "MAILBOT_SMTP_PASSWORD": SMTP_PASSWORD, "MAILBOT_SMTP_TLS": "none",
        "MAILBOT_ADDRESS": BOT, "MAILBOT_OWNERS": OWNER, "MAILBOT_DATA_DIR": str(data),
        "MAILBOT_TRUST_UNAUTHENTICATED_OWNERS": "1", "MAILBOT_CLOCK_START": "2026-12-01T09:00:00+01:00",
    }
    return env | extra


def append_inbox(dovecot: Dovecot, user: str, raw: bytes) -> None:
    """Deliver like an MTA would: APPEND to the user's INBOX on the real server."""
    c = imapclient.IMAPClient("127.0.0.1", port=dovecot.port, ssl=False)
    try:
        c.login(user, PASSWORD)
        c.append("INBOX", raw)
    finally:
        c.logout()


def forward(subject: str, body: str, *, sender: str = OWNER, attachments: list[tuple[str, str, bytes]] = ()) -> EmailMessage:
    m = EmailMessage()
    m["From"] = sender
    m["To"] = BOT
    m["Subject"] = subject
    m.set_content(body)
    for name, ctype, data in attachments:
        maintype, subtype = ctype.split("/")
        m.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return m


def reply_to(original: EmailMessage, body: str, *, sender: str) -> EmailMessage:
    m = EmailMessage()
    m["From"] = sender
    m["To"] = BOT
    m["Subject"] = "Re: " + str(original["Subject"])
    m["In-Reply-To"] = str(original["Message-ID"])
    m["References"] = str(original["Message-ID"])
    quoted = "\n".join("> " + line for line in original.get_body(("plain",)).get_content().splitlines())
    m.set_content(f"{body}\n\nOn Tue, 1 Dec 2026, bot wrote:\n{quoted}\n")
    return m


FIELDS_BODY = (
    "Hello, here is the invoice I sent.\n\n"
    "invoice: F2026-014\nclient: ACME SARL <billing@acme.test>\namount: 1440.00 EUR\nissued: 2026-11-15\ndue: 2026-12-15\n"
)
