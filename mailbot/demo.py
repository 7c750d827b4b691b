"""`mailbot demo`: the whole story on the embedded setup, in a few seconds, with a simulated clock.

Two invoices are forwarded by the owner through the embedded SMTP listener; days pass; the
reminders go out at their stages; a client replies; the owner answers "done". Every message
is real (SMTP in, Maildir, store, outbox, .eml files out); only the clock is simulated.
"""

from __future__ import annotations

import email
import email.policy
import logging
import shutil
import smtplib
import socket
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from importlib import resources
from pathlib import Path
from zoneinfo import ZoneInfo

from .cli_owner import digest_now, write_digest_files
from .clock import ManualClock
from .compose import Templates
from .config import load_settings
from .daemon import Daemon
from .embedded import EmbeddedSmtp
from .mailbox import MaildirMailbox
from .rules import load_rules
from .sender import FolderSender
from .store import Store

OWNER = "owner@acme-compta.test"
BOT = "relances@acme-compta.test"
TZ = ZoneInfo("Europe/Paris")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Story:
    def __init__(self, out: Path):
        if out.exists():
            shutil.rmtree(out)
        self.out = out
        self.port = _free_port()
        self.settings = load_settings({
            "MAILBOT_ADDRESS": BOT, "MAILBOT_OWNERS": OWNER, "MAILBOT_DATA_DIR": str(out / "data"),
            "MAILBOT_TIMEZONE": "Europe/Paris", "MAILBOT_EMBEDDED_SMTP_PORT": str(self.port),
        })
        self.clock = ManualClock(datetime(2026, 12, 1, 9, 0, tzinfo=TZ))
        self.maildir = MaildirMailbox(self.settings.data_dir / "maildir")
        self.sent_dir = self.settings.data_dir / "sent-mail"
        self.listener = EmbeddedSmtp(self.settings.data_dir / "maildir", BOT, self.port)
        self.store = Store.open(self.settings.data_dir)
        self.rules = load_rules(None)
        self.daemon = Daemon(self.settings, self.rules, self.store, self.maildir, FolderSender(self.sent_dir), self.clock,
                             Templates(self.settings.data_dir / "templates"))
        self.shown: set[str] = set()
        self.last_to: dict[str, EmailMessage] = {}

    def say(self, when: datetime, who: str, what: str) -> None:
        print(f"{when.astimezone(TZ):%a %Y-%m-%d %H:%M}  {who:<16} {what}")

    def deliver(self, msg: EmailMessage) -> None:
        msg["Date"] = format_datetime(self.clock.now())
        with smtplib.SMTP("127.0.0.1", self.port) as smtp:
            smtp.send_message(msg, to_addrs=[BOT])
        self.say(self.clock.now(), _who(str(msg["From"])) + " → bot", str(msg["Subject"]))

    def step(self) -> None:
        self.daemon.run_once()
        for path in sorted(self.sent_dir.glob("*.eml")) if self.sent_dir.exists() else []:
            if path.name in self.shown:
                continue
            self.shown.add(path.name)
            msg = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            to = str(msg["To"])
            extra = ""
            if msg["In-Reply-To"]:
                extra = "  (threaded)"
            self.say(self.clock.now(), f"bot → {_who(to)}", f"{msg['Subject']}{extra}")
            self.last_to[to] = msg

    def days(self, n: int, hour: int = 10) -> None:
        for _ in range(n):
            self.clock.advance(days=1)
            now = self.clock.now().astimezone(TZ)
            self.clock.set(now.replace(hour=hour, minute=0))
            self.step()


def _who(addr: str) -> str:
    a = email.utils.parseaddr(addr)[1]
    return {"owner@acme-compta.test": "owner", BOT: "bot"}.get(a, a.split("@")[0] + "@" + a.split("@")[1].split(".")[0])


def _forward_with_fields() -> EmailMessage:
    m = EmailMessage()
    m["From"] = f"Marie Owner <{OWNER}>"
    m["To"] = BOT
    m["Subject"] = "Fwd: Facture F2026-014"
    m["Message-ID"] = make_msgid(domain="acme-compta.test")
    m.set_content(
        "Voici la facture envoyée à ACME.\n\n"
        "invoice: F2026-014\nclient: ACME SARL <compta@acme-client.test>\namount: 1 440,00 EUR\n"
        "issued: 2026-11-15\ndue: 2026-12-05\nlanguage: fr\n"
    )
    return m


def _forward_with_xml() -> EmailMessage:
    xml = resources.files("mailbot").joinpath("data/demo-invoice-ubl.xml").read_bytes()
    m = EmailMessage()
    m["From"] = f"Marie Owner <{OWNER}>"
    m["To"] = BOT
    m["Subject"] = "Fwd: Invoice INV-2026-0042"
    m["Message-ID"] = make_msgid(domain="acme-compta.test")
    m.set_content("Peppol invoice for Bakkerij De Vries, attached.\n")
    m.add_attachment(xml, maintype="application", subtype="xml", filename="INV-2026-0042.xml")
    return m


def run_demo(out: Path) -> int:
    # The story runs into 2027, whose late-payment rates are not published yet: the engine warns
    # once per reminder and shows no charges. The timeline is the demo's output, not the log.
    logging.getLogger("mailbot").setLevel(logging.ERROR)
    story = _Story(out)
    story.listener.start()
    try:
        print("mailbot demo: embedded SMTP on 127.0.0.1:%d, simulated clock, data in %s\n" % (story.port, out))
        story.deliver(_forward_with_fields())
        story.deliver(_forward_with_xml())
        story.step()
        story.days(45)
        reminder = next((m for to, m in story.last_to.items() if "acme-client" in to), None)
        if reminder is not None:
            reply = EmailMessage()
            reply["From"] = "Compta ACME <compta@acme-client.test>"
            reply["To"] = BOT
            reply["Subject"] = "Re: " + str(reminder["Subject"])
            reply["Message-ID"] = make_msgid(domain="acme-client.test")
            reply["In-Reply-To"] = str(reminder["Message-ID"])
            reply["References"] = str(reminder["Message-ID"])
            reply.set_content("Bonjour,\n\nToutes nos excuses, le virement partira vendredi prochain.\n\nCordialement,\nPaul\n")
            story.deliver(reply)
            story.step()
        note = next((m for to, m in story.last_to.items() if OWNER in to and "F2026-014" in str(m["Subject"])), None)
        story.days(3)
        done = EmailMessage()
        done["From"] = f"Marie Owner <{OWNER}>"
        done["To"] = BOT
        done["Subject"] = "Re: " + (str(note["Subject"]) if note else "F2026-014")
        done["Message-ID"] = make_msgid(domain="acme-compta.test")
        if note is not None:
            done["In-Reply-To"] = str(note["Message-ID"])
        done.set_content("payé F2026-014\n\n> previous message\n")
        story.deliver(done)
        story.step()
        story.days(60)
        print(f"\nAll mail the bot sent is in {story.sent_dir} (open the .eml files in any mail client).")
        from .ledger import Ledger

        for r in Ledger(story.store).all():
            print(f"  {r.number}: {r.status}, last stage {r.last_stage + 1}, due {r.amount_due} {r.currency}")
        # The owner's weekly slot: the digest, as the owner would receive it.
        d = digest_now(story.store, story.rules, story.settings, story.clock.now())
        eml, html, rendered = write_digest_files(d, story.daemon.templates, story.rules.business.language, out,
                                                 from_addr=BOT, to=[OWNER])
        print(f"\n{'=' * 72}\nWeekly digest for the owner: {rendered.subject}\n{'=' * 72}\n")
        print(rendered.text)
        print(f"The digest is also written as {eml} and {html}.")
    finally:
        story.listener.stop()
    return 0
