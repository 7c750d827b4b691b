"""The daemon: take what is in INBOX, handle it, commit, file it away; send what is due.

`run_once()` is one full step (a test calls it with a manual clock, no threads, no sleeps):
1. every message still in INBOX -> router -> one handler, inside one store transaction that
   also records the message's identity; only then is it moved out of INBOX;
2. reminders due today are planned (one email per client);
3. the outbox sends what is planned.
`run_forever()` repeats it, waiting in IMAP IDLE between steps (at most a minute, so the
reminder tick runs every minute and IDLE is re-issued long before the 29-minute limit), and
reconnects with capped exponential backoff when the server goes away.

When the data directory refuses writes (disk full, read-only), a step stops at the first
failed commit: nothing was committed, so the message stays in INBOX and is handled again once
writes work. The owner is told at once by a message sent straight to SMTP, outside the outbox,
because the outbox itself needs a store write (see `_tell_store_trouble`).
"""

from __future__ import annotations

import email
import email.parser
import email.policy
import email.utils
import hashlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path

from tinydb import Query

from .clock import Clock
from .coded import Coded, limit_broken
from .compose import Templates
from .config import Settings
from .errors import ConfigError, MailboxError, SendError, StoreError
from .guard import Guard, GuardPolicy, inspect_message, subject_of
from .handlers import PROCESSED, QUARANTINE, Desk, dispatch
from .handlers.notices import plan_note_batch
from .handlers.reminders import plan_due_reminders
from .handlers.reports import plan_weekly_digest
from .mailbox import Incoming, Mailbox
from .models import OPEN
from .outbox import Outbox
from .router import route
from .rules import Rules
from .sender import Sender
from .sender import recipients_of
from .store import Store, is_disk_trouble, write_atomic

log = logging.getLogger("mailbot.daemon")

TICK_SECONDS = 60
MAX_BACKOFF_SECONDS = 300
CHECKPOINT = "checkpoint"  # one document: the INBOX's UIDVALIDITY and the last UID committed


# Why a message was quarantined, for the owner's note: an English sentence (the log, an English
# owner) with a code and its data that each language's `m.say` words.

def too_large_reason(size: int, limit: int) -> Coded:
    mb, limit_mb = size // (1024 * 1024), limit // (1024 * 1024)
    return Coded("message_too_large", f"the message is {mb} MB; the limit is {limit_mb} MB (MAILBOT_MAX_MESSAGE_MB)",
                 size_mb=mb, limit_mb=limit_mb)


def refused_shape_reason(problem: str) -> Coded:
    """`guard.inspect_message`'s refusal: a broken limit names its setting; else the headers are malformed."""
    text = f"it was not read: {problem}"
    return limit_broken(text) or Coded("malformed_message", text)


def failure_reason(exc: BaseException) -> Coded:
    """A handler failed: mailbot's fault, not the message's; the owner gets the error's name, the log the rest."""
    return Coded("handler_failed", f"{type(exc).__name__}: {exc}", error_type=type(exc).__name__)


@dataclass
class StepReport:
    handled: list[tuple[str, str, str]] = field(default_factory=list)  # (message key, route, disposition)
    reminders_planned: int = 0
    sent: int = 0
    send_failures: int = 0
    store_error: str | None = None  # the step stopped here: the data directory refused a write


def quarantine_name(key: str) -> str:
    """The file name (without .eml) of a quarantined message's copy in <data dir>/quarantine."""
    return hashlib.sha256(key.encode()).hexdigest()[:24]


def replay_ticket(data_dir: Path, key: str) -> Path:
    """`mailbot replay` leaves this file: the daemon handles that message again, once."""
    return data_dir / "replay" / quarantine_name(key)


def message_key(raw: bytes | None, headers: bytes = b"") -> str:
    """A message's identity: its Message-ID, or a hash of its bytes when it has none."""
    source = raw if raw is not None else headers
    # Headers only: the identity must never depend on parsing a (possibly hostile) MIME tree.
    msg = email.parser.BytesHeaderParser(policy=email.policy.compat32).parsebytes(source)
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
        self._resync_seen: int | None = None
        self._store_trouble: str | None = None  # since when the data directory refuses writes
        self.sleep: Callable[[float], None] = time.sleep  # a seam: tests count the backoff without waiting

    # -- one step ----------------------------------------------------------------------------
    def run_once(self) -> StepReport:
        report = StepReport()
        try:
            self._step(report)
        except StoreError as exc:
            report.store_error = str(exc)
            self._tell_store_trouble(str(exc))
            return report
        if self._store_trouble is not None:
            log.warning("the data directory accepts writes again (it refused them since %s)", self._store_trouble)
            self._store_trouble = None
        # Read by the kill -9 torture: a step that ends here has planned and sent what was due.
        log.debug("step done: %d handled, %d reminder(s) planned, %d sent", len(report.handled), report.reminders_planned, report.sent)
        return report

    def _step(self, report: StepReport) -> None:
        if not self._recovered:
            self.outbox.recover(self.mailbox)
            self._recovered = True
        self._check_uidvalidity()
        for item in self.mailbox.pending(self.settings.max_message_bytes):
            report.handled.append(self.process(item))
        report.reminders_planned = plan_due_reminders(self._desk("tick"))
        plan_weekly_digest(self._desk("digest:" + self.clock.now().date().isoformat()))
        plan_note_batch(self._desk("note-batch"))
        for entry, error in self.outbox.flush(self.sender, self.mailbox, self.clock.now()):
            if error is None:
                report.sent += 1
            else:
                report.send_failures += 1
                if error.permanent or self.outbox.table.get(doc_id=entry.doc_id)["state"] == "failed":
                    self._tell_send_failure(entry, error)

    def _desk(self, key: str) -> Desk:
        return Desk(self.settings, self.rules, self.store, self.templates, self.clock.now(), incoming_key=key)

    def process(self, item: Incoming) -> tuple[str, str, str]:
        """Handle one message exactly once, then move it out of INBOX."""
        key = message_key(item.raw, item.headers)
        seen = self.store.table("messages").get(Query().key == key)
        ticket = self._replay_ticket(key)
        replaying = seen is not None and seen.get("error") is not None and ticket.exists()
        if seen is not None and not replaying:
            # Committed before a crash, or a copy of a message already handled: just file it.
            self.mailbox.file_away(item, seen["disposition"])
            return key, seen["route"], seen["disposition"]
        route_kind, disposition, error = "unknown", QUARANTINE, None
        try:
            with self.store.transaction():
                if replaying:
                    self.store.table("messages").remove(doc_ids=[seen.doc_id])
                route_kind, disposition = self._handle(key, item)
                self._record(key, item, route_kind, disposition, None)
        except StoreError:
            raise  # nothing was committed; the message stays in INBOX
        except OSError as exc:
            if is_disk_trouble(exc):
                raise StoreError(f"cannot write in {self.settings.data_dir} ({exc.strerror}) while handling {key}") from None
            error = failure_reason(exc)
        except Exception as exc:  # one bad message must never stop the others
            error = failure_reason(exc)
        if error is not None:
            log.error("%s: handler failed (%s); quarantined", key, error, exc_info=True)
            disposition = QUARANTINE
            with self.store.transaction():
                if replaying:
                    self.store.table("messages").remove(doc_ids=[seen.doc_id])
                self._record(key, item, route_kind, disposition, error)
                self._tell_quarantine(key, item, error)
        if replaying:
            ticket.unlink(missing_ok=True)
        self.mailbox.file_away(item, disposition)
        log.info("%s: %s -> %s", key, route_kind, disposition)
        return key, route_kind, disposition

    def _replay_ticket(self, key: str) -> Path:
        return replay_ticket(self.settings.data_dir, key)

    def _check_uidvalidity(self) -> None:
        """A new UIDVALIDITY (INBOX recreated, or another server) makes every UID meaningless.

        Nothing depends on UIDs (a message is known by its Message-ID or the hash of its bytes),
        so the whole INBOX is simply read again: what was handled is only filed away.
        """
        current = getattr(self.mailbox, "uidvalidity", None)
        mark = self.store.table(CHECKPOINT).get(doc_id=1)
        if current is None or mark is None or mark.get("uidvalidity") in (None, current) or self._resync_seen == current:
            return
        log.warning("INBOX UIDVALIDITY changed from %s to %s (mailbox recreated or moved): resyncing by Message-ID; "
                    "messages already handled are only filed away", mark["uidvalidity"], current)
        self._resync_seen = current

    def _handle(self, key: str, item: Incoming) -> tuple[str, str]:
        desk = self._desk(key)
        if item.raw is None:
            msg = email.message_from_bytes(item.headers, policy=email.policy.default)
            reason = too_large_reason(item.size, self.settings.max_message_bytes)
            log.warning("%s: quarantined unread: %s", key, reason)
            desk.note_owner("problem", {"kind": "quarantined", "about": str(msg.get("Subject", ""))[:200],
                                        "reason": reason, "can_replay": False})
            return "too_large", QUARANTINE
        guard = Guard(self.store, GuardPolicy.from_rules(self.rules.policy, self.settings.env))
        problem = inspect_message(item.raw, guard.policy)
        if problem:
            # Shapes the email parser must never see (huge headers, MIME bombs): refused unread.
            log.warning("%s: quarantined unread: %s", key, problem)
            desk.note_owner("problem", {"kind": "quarantined", "about": subject_of(item.raw),
                                        "reason": refused_shape_reason(problem), "can_replay": False})
            return "refused_shape", QUARANTINE
        msg = email.message_from_bytes(item.raw, policy=email.policy.default)
        assert isinstance(msg, EmailMessage)
        r = route(msg, self.settings, answers_us=lambda refs: bool(self.outbox.find(refs)), is_client=self._is_client,
                  raw=item.raw)
        admission = guard.admit(r.sender.address, r.kind, desk.now)
        if not admission.allowed:
            # A flood or a loop: kept aside unanswered; the owner hears of it once.
            if admission.notify_owner:
                desk.note_owner("problem", admission.note_context())
            return r.kind, QUARANTINE
        return r.kind, dispatch(desk, msg, r)

    def _is_client(self, address: str) -> bool:
        addr = address.lower()
        return bool(self.store.table("receivables").get((Query().client_email == addr) & (Query().status == OPEN)))

    def _record(self, key: str, item: Incoming, route_kind: str, disposition: str, error: str | None) -> None:
        uidvalidity = getattr(self.mailbox, "uidvalidity", None)
        self.store.table("messages").insert({
            "key": key, "uid": str(item.uid), "uidvalidity": uidvalidity, "route": route_kind, "disposition": disposition,
            "error": error, "at": self.clock.now().isoformat(), "size": item.size,
        })
        if uidvalidity is not None and isinstance(item.uid, int):
            mark = self.store.table(CHECKPOINT)
            doc = mark.get(doc_id=1)
            last = doc["last_uid"] if doc is not None and doc.get("uidvalidity") == uidvalidity else 0
            body = {"uidvalidity": uidvalidity, "last_uid": max(last, item.uid)}
            if doc is None:
                mark.insert(body)
            elif dict(doc) != body:
                mark.update(body, doc_ids=[1])
        if error and item.raw is not None:
            # Kept for `mailbot replay`, which re-runs it once the cause is fixed.
            folder = self.settings.data_dir / "quarantine"
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            write_atomic(folder / (quarantine_name(key) + ".eml"), item.raw)

    def _tell_quarantine(self, key: str, item: Incoming, error: Coded) -> None:
        try:
            subject = "(unreadable)"
            if item.raw is not None:
                head = email.parser.BytesHeaderParser(policy=email.policy.compat32).parsebytes(item.raw)
                subject = str(head.get("Subject", ""))[:200]
            self._desk(key).note_owner("problem", {"kind": "quarantined", "about": subject, "reason": error, "can_replay": True})
        except Exception:  # the note is a courtesy; the quarantine itself must not fail
            log.exception("%s: could not plan the quarantine note", key)

    def _tell_send_failure(self, entry: dict, error: SendError) -> None:
        if entry["kind"].startswith("note:"):
            log.error("note to the owner could not be sent: %s", error)
            return
        with self.store.transaction():
            desk = self._desk("send-failure:" + entry["message_id"])
            files = [r for r in (desk.ledger.get(i) for i in entry["receivables"]) if r]
            if error.permanent:
                # A 5xx names the address as wrong; a 4xx until the deadline says nothing about it.
                for addr in entry["to"]:
                    desk.ledger.mark_bad_address(addr, desk.now, str(error))
            desk.note_owner("problem", {"kind": "send_failed", "about": entry["subject"], "address": ", ".join(entry["to"]),
                                        "reason": str(error), "numbers": [r.number for r in files]}, files=files)

    def _tell_store_trouble(self, reason: str) -> None:
        """Log why, and tell the owner once per episode with a message sent straight to SMTP.

        The outbox cannot carry this note: planning it is a store write, which is what fails.
        Its Message-ID is derived from the moment the trouble began, so it is never planned twice
        by this process; a restart during the trouble may tell the owner once more, which is
        better than not at all.
        """
        log.error("the data directory refuses writes: %s; messages stay in INBOX until it works again", reason)
        if self._store_trouble is not None:
            return
        self._store_trouble = self.clock.now().isoformat()
        msg = EmailMessage()
        msg["From"] = f"mailbot <{self.settings.address}>"
        msg["To"] = ", ".join(self.settings.owners)
        msg["Subject"] = "mailbot cannot save its work: nothing is lost, but it is stopped"
        msg["Date"] = email.utils.format_datetime(self.clock.now())
        stamp = hashlib.sha256(self._store_trouble.encode()).hexdigest()[:16]
        msg["Message-ID"] = f"<store-trouble.{stamp}@{self.settings.address.rsplit('@', 1)[1]}>"
        msg["Auto-Submitted"] = "auto-generated"
        msg.set_content(
            f"mailbot could not write in its data directory {self.settings.data_dir}:\n\n    {reason}\n\n"
            "Nothing is lost: every message it could not save stays in the INBOX and will be handled as soon as "
            "writes work again. No reminder is sent meanwhile.\n\nTo fix: free disk space on that disk, or make "
            "the directory writable again. mailbot retries by itself every minute.\n"
        )
        try:
            self.sender.send(msg.as_bytes(policy=email.policy.SMTP), self.settings.address, recipients_of(msg))
        except SendError as exc:
            log.error("could not tell the owner that the data directory refuses writes: %s", exc)

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
                report = self.run_once()
                backoff = 1.0
                self.mailbox.wait(self.settings.tick_seconds)
                if report.store_error:
                    continue  # retried at the next tick, or sooner when mail arrives
            except ConfigError:
                raise
            except (MailboxError, OSError) as exc:
                log.warning("mailbox unavailable (%s); retrying in %.0f s", exc, backoff)
                self.mailbox.close()
                connected = False
                self.sleep(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF_SECONDS)
