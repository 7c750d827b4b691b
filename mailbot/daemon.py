"""The daemon: take what is in INBOX, handle it, commit, file it away; send what is due.

`run_once()` is one full step (a test calls it with a manual clock, no threads, no sleeps):
1. every message still in INBOX -> router -> one handler, inside one store transaction that
   also records the message's identity; only then is it moved out of INBOX;
2. reminders due today are planned (one email per client);
3. the outbox sends what is planned.
`run_forever()` repeats it, waiting in IMAP IDLE between steps (at most a minute, so the
reminder tick runs every minute and IDLE is re-issued long before the 29-minute limit), and
reconnects with capped exponential backoff when the server goes away.
"""

from __future__ import annotations

import email
import email.policy
import hashlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import EmailMessage

from tinydb import Query

from .clock import Clock
from .compose import Templates
from .config import Settings
from .errors import ConfigError, MailboxError, StoreError
from .handlers import PROCESSED, QUARANTINE, Desk, dispatch
from .handlers.reminders import plan_due_reminders
from .mailbox import Incoming, Mailbox
from .models import OPEN
from .outbox import Outbox
from .router import route
from .rules import Rules
from .sender import Sender
from .store import Store

log = logging.getLogger("mailbot.daemon")

TICK_SECONDS = 60
MAX_BACKOFF_SECONDS = 300


@dataclass
class StepReport:
    handled: list[tuple[str, str, str]] = field(default_factory=list)  # (message key, route, disposition)
    reminders_planned: int = 0
    sent: int = 0
    send_failures: int = 0


def message_key(raw: bytes | None, headers: bytes = b"") -> str:
    """A message's identity: its Message-ID, or a hash of its bytes when it has none."""
    source = raw if raw is not None else headers
    msg = email.message_from_bytes(source, policy=email.policy.compat32)
    mid = msg.get("Message-ID")
    if mid and str(mid).strip():
        return "mid:" + " ".join(str(mid).split())
    return "sha:" + hashlib.sha256(source).hexdigest()


class Daemon:
    def __init__(self, settings: Settings, rules: Rules, store: Store, mailbox: Mailbox, sender: Sender, clock: Clock,
                 templates: Templates | None = None):
        self.settings = settings
        self.rules = rules
        self.store = store
        self.mailbox = mailbox
        self.sender = sender
        self.clock = clock
        self.templates = templates or Templates(settings.data_dir / "templates")
        self.outbox = Outbox(store, settings.address)
        self._recovered = False

    # -- one step ----------------------------------------------------------------------------
    def run_once(self) -> StepReport:
        report = StepReport()
        if not self._recovered:
            self.outbox.recover(self.mailbox)
            self._recovered = True
        for item in self.mailbox.pending(self.settings.max_message_bytes):
            report.handled.append(self.process(item))
        report.reminders_planned = plan_due_reminders(self._desk("tick"))
        for entry, error in self.outbox.flush(self.sender, self.mailbox, self.clock.now()):
            if error is None:
                report.sent += 1
            else:
                report.send_failures += 1
                if error.permanent or self.outbox.table.get(doc_id=entry.doc_id)["state"] == "failed":
                    self._tell_send_failure(entry, str(error))
        return report

    def _desk(self, key: str) -> Desk:
        return Desk(self.settings, self.rules, self.store, self.templates, self.clock.now(), incoming_key=key)

    def process(self, item: Incoming) -> tuple[str, str, str]:
        """Handle one message exactly once, then move it out of INBOX."""
        key = message_key(item.raw, item.headers)
        seen = self.store.table("messages").get(Query().key == key)
        if seen is not None:
            # Committed before a crash, or a copy of a message already handled: just file it.
            self.mailbox.file_away(item, seen["disposition"])
            return key, seen["route"], seen["disposition"]
        route_kind, disposition, error = "unknown", QUARANTINE, None
        try:
            with self.store.transaction():
                route_kind, disposition = self._handle(key, item)
                self._record(key, item, route_kind, disposition, None)
        except (StoreError, OSError):
            # Disk full or read-only: nothing was committed; the message stays in INBOX.
            raise
        except Exception as exc:  # one bad message must never stop the others
            log.exception("%s: handler failed; quarantined", key)
            error = f"{type(exc).__name__}: {exc}"
            disposition = QUARANTINE
            with self.store.transaction():
                self._record(key, item, route_kind, disposition, error)
                self._tell_quarantine(key, item, error)
        self.mailbox.file_away(item, disposition)
        log.info("%s: %s -> %s", key, route_kind, disposition)
        return key, route_kind, disposition

    def _handle(self, key: str, item: Incoming) -> tuple[str, str]:
        desk = self._desk(key)
        if item.raw is None:
            msg = email.message_from_bytes(item.headers, policy=email.policy.default)
            mb = self.settings.max_message_bytes // (1024 * 1024)
            desk.note_owner("problem", {"kind": "quarantined", "about": str(msg.get("Subject", "(no subject)"))[:200],
                                        "reason": f"the message is {item.size // (1024 * 1024)} MB; the limit is {mb} MB (MAILBOT_MAX_MESSAGE_MB)",
                                        "can_replay": False})
            return "too_large", QUARANTINE
        msg = email.message_from_bytes(item.raw, policy=email.policy.default)
        assert isinstance(msg, EmailMessage)
        r = route(msg, self.settings, answers_us=lambda refs: bool(self.outbox.find(refs)), is_client=self._is_client)
        return r.kind, dispatch(desk, msg, r)

    def _is_client(self, address: str) -> bool:
        addr = address.lower()
        return bool(self.store.table("receivables").get((Query().client_email == addr) & (Query().status == OPEN)))

    def _record(self, key: str, item: Incoming, route_kind: str, disposition: str, error: str | None) -> None:
        self.store.table("messages").insert({
            "key": key, "uid": str(item.uid), "route": route_kind, "disposition": disposition, "error": error,
            "at": self.clock.now().isoformat(), "size": item.size,
        })
        if error and item.raw is not None:
            # Kept for `mailbot replay`, which re-runs it once the cause is fixed.
            folder = self.settings.data_dir / "quarantine"
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            from .store import write_atomic

            write_atomic(folder / (hashlib.sha256(key.encode()).hexdigest()[:24] + ".eml"), item.raw)

    def _tell_quarantine(self, key: str, item: Incoming, error: str) -> None:
        try:
            subject = "(unreadable)"
            if item.raw is not None:
                subject = str(email.message_from_bytes(item.raw, policy=email.policy.compat32).get("Subject", ""))[:200]
            self._desk(key).note_owner("problem", {"kind": "quarantined", "about": subject, "reason": error, "can_replay": True})
        except Exception:  # the note is a courtesy; the quarantine itself must not fail
            log.exception("%s: could not plan the quarantine note", key)

    def _tell_send_failure(self, entry: dict, error: str) -> None:
        if entry["kind"].startswith("note:"):
            log.error("note to the owner could not be sent: %s", error)
            return
        with self.store.transaction():
            desk = self._desk("send-failure:" + entry["message_id"])
            files = [r for r in (desk.ledger.get(i) for i in entry["receivables"]) if r]
            for addr in entry["to"]:
                desk.ledger.mark_bad_address(addr, desk.now, error)
            desk.note_owner("problem", {"kind": "send_failed", "about": entry["subject"], "address": ", ".join(entry["to"]),
                                        "reason": error, "numbers": [r.number for r in files]}, files=files)

    # -- forever -----------------------------------------------------------------------------
    def run_forever(self, stop: Callable[[], bool] | None = None) -> None:
        backoff = 1.0
        connected = False
        while not (stop and stop()):
            try:
                if not connected:
                    self.mailbox.connect()
                    connected = True
                    self._recovered = False
                    log.info("connected; watching INBOX")
                self.run_once()
                backoff = 1.0
                self.mailbox.wait(TICK_SECONDS)
            except ConfigError:
                raise
            except (MailboxError, OSError) as exc:
                log.warning("mailbox unavailable (%s); retrying in %.0f s", exc, backoff)
                self.mailbox.close()
                connected = False
                time.sleep(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF_SECONDS)
