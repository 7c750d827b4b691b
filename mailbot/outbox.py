"""The outbox: every email mailbot means to send, with its state, sent at most once.

States: planned -> sending -> sent | failed (and `held` for reminders in dry-run mode).

A message is planned inside the same store transaction as the change that called for it, with a
Message-ID that is a pure function of what it is about (the file and stage for a reminder, the
incoming message for an answer), so planning twice is a no-op. Sending marks `sending` and
commits before talking to SMTP, and marks `sent` right after the server's final 250. After a
crash in `sending`, or a connection that dropped after the message was transmitted but before
the server answered, mailbot looks for the Message-ID in the mailbox's Sent folder (providers
that file SMTP submissions there, and our own append) before sending again. A 4xx is retried
with a growing pause until RETRY_DEADLINE; a 5xx fails at once. See ARCHITECTURE.md for the
window that remains.

Lookups go through store indexes (derived data, rebuilt at every load and rollback, never
written): by Message-ID (planning's no-op check, threading a reply back), the emails to clients
by each file they are about (threading a reminder under the earlier ones), and the ones planned
or sending (what each flush and a recovery look at). The outbox grows by several emails per file
and is never pruned, so a scan per planned email would make the reminder tick cost outbox size x
due clients.
"""

from __future__ import annotations

import email
import email.policy
import hashlib
import logging
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import getaddresses
from typing import Any

from .errors import MailboxError, SendError
from .mailbox import Mailbox
from .sender import Sender
from .store import Index, Store

log = logging.getLogger("mailbot.outbox")

PLANNED, SENDING, SENT, FAILED, HELD = "planned", "sending", "sent", "failed", "held"
RETRY_DEADLINE = timedelta(days=2)  # a 4xx is retried with backoff until then
MAX_BACKOFF = timedelta(hours=1)
_LATER = object()  # neither sent nor failed: looked at again at the next flush
CLIENT_KINDS = ("reminder", "copy")  # what a client receives; threaded together per file


def make_message_id(store: Store, domain: str, kind: str, *parts: object) -> str:
    """A Message-ID that depends only on what the message is about.

    >>> # make_message_id(store, "acme.fr", "reminder", 12, 2) -> '<reminder.12.2.9f3a1c2e@acme.fr>'
    """
    key = ".".join(str(p) for p in parts if p != "")
    safe = "".join(c if c.isalnum() or c in "-_." else "-" for c in key)
    if len(safe) > 60:
        safe = hashlib.sha256(key.encode()).hexdigest()[:24]
    return f"<{kind}.{safe}.{store.install_token}@{domain}>"


class Outbox:
    def __init__(self, store: Store, envelope_from: str):
        self.store = store
        self.envelope_from = envelope_from

    @property
    def table(self):
        return self.store.table("outbox")

    @property
    def _by_message_id(self) -> Index:
        return self.store.index("outbox.by_message_id", "outbox", _message_id_key)

    @property
    def _client_mail_by_file(self) -> Index:
        return self.store.index("outbox.client_mail_by_file", "outbox", _client_mail_files, many=True)

    @property
    def _unfinished(self) -> Index:
        return self.store.index("outbox.unfinished", "outbox", _unfinished_state)

    def _entries(self, doc_ids: list[int]) -> list[dict[str, Any]]:
        table = self.table
        return [d for d in (table.get(doc_id=i) for i in doc_ids) if d is not None]

    def plan(
        self,
        msg: EmailMessage,
        *,
        kind: str,
        receivables: list[int] | None = None,
        stage: int | None = None,
        now: datetime,
        hold: bool = False,
    ) -> str:
        """Queue `msg` (inside a transaction). Returns its Message-ID; planning it again does nothing."""
        self.store.require_transaction()
        mid = str(msg["Message-ID"])
        if self._by_message_id.ids(mid):
            return mid
        rcpts = [a for _, a in getaddresses([str(v) for v in msg.get_all("To", []) + msg.get_all("Cc", [])]) if a]
        self.table.insert(
            {
                "message_id": mid,
                "kind": kind,
                "receivables": receivables or [],
                "stage": stage,
                "to": rcpts,
                "subject": str(msg["Subject"]),
                "state": HELD if hold else PLANNED,
                "attempts": 0,
                "created_at": now.isoformat(),
                "next_try": now.isoformat(),
                "raw": msg.as_bytes(policy=email.policy.SMTP).decode("utf-8", "surrogateescape"),
                "error": None,
                "in_sent_folder": False,
            }
        )
        return mid

    def find(self, message_ids: list[str]) -> list[dict[str, Any]]:
        """Outbox entries whose Message-ID is among `message_ids` (for threading a reply back), in planning order."""
        return self._entries(self._by_message_id.ids(*set(message_ids)))

    def client_mail_about(self, receivables: Iterable[int]) -> list[dict[str, Any]]:
        """The reminders and copies about any of these files, in planning order (threading per client).

        >>> # outbox.client_mail_about([12]) -> [{'message_id': '<reminder.12s0..>', 'kind': 'reminder', ...}, ...]
        """
        return self._entries(self._client_mail_by_file.ids(*receivables))

    def recover(self, mailbox: Mailbox | None) -> None:
        """After a crash: decide what to do with messages left in `sending`."""
        for entry in self._entries(self._unfinished.ids(SENDING)):
            found = False
            if mailbox is not None:
                try:
                    found = mailbox.sent_has(entry["message_id"])
                except MailboxError as exc:
                    log.warning("%s: cannot search Sent (%s); keeping it for the next try", entry["message_id"], exc)
                    continue
            with self.store.transaction():
                if found:
                    self.table.update({"state": SENT, "in_sent_folder": True}, doc_ids=[entry.doc_id])
                    log.info("%s: found in Sent after a crash; not sending again", entry["message_id"])
                else:
                    self.table.update({"state": PLANNED}, doc_ids=[entry.doc_id])
                    log.warning("%s: crash while sending and not in Sent; sending again", entry["message_id"])

    def due(self, now: datetime) -> list[dict[str, Any]]:
        return [e for e in self._entries(self._unfinished.ids(PLANNED))
                if e.get("next_try") and datetime.fromisoformat(e["next_try"]) <= now]

    def flush(self, sender: Sender, mailbox: Mailbox | None, now: datetime) -> list[tuple[dict[str, Any], SendError | None]]:
        """Send everything due. Returns (entry, error or None) per attempt; the caller reacts to failures."""
        results = []
        for entry in self.due(now):
            outcome = self._send_one(entry, sender, mailbox, now)
            if outcome is not _LATER:
                results.append((entry, outcome))
        return results

    def _send_one(self, entry: dict[str, Any], sender: Sender, mailbox: Mailbox | None, now: datetime) -> Any:
        doc_id = entry.doc_id
        if entry.get("check_sent") and mailbox is not None:
            # The last attempt ended without the server's answer after the message went out:
            # it may have been accepted. Providers that file submissions in Sent tell us.
            try:
                found = mailbox.sent_has(entry["message_id"])
            except MailboxError as exc:
                log.warning("%s: cannot search Sent (%s); trying later rather than maybe sending twice", entry["message_id"], exc)
                return _LATER
            if found:
                with self.store.transaction():
                    self.table.update({"state": SENT, "in_sent_folder": True, "check_sent": False, "sent_at": now.isoformat()},
                                      doc_ids=[doc_id])
                log.info("%s: found in Sent after a dropped connection; not sending again", entry["message_id"])
                return None
        with self.store.transaction():
            self.table.update({"state": SENDING, "attempts": entry["attempts"] + 1, "check_sent": False}, doc_ids=[doc_id])
        raw = entry["raw"].encode("utf-8", "surrogateescape")
        try:
            sender.send(raw, self.envelope_from, entry["to"])
        except SendError as exc:
            with self.store.transaction():
                created = datetime.fromisoformat(entry["created_at"])
                if exc.permanent or now - created > RETRY_DEADLINE:
                    self.table.update({"state": FAILED, "error": str(exc)}, doc_ids=[doc_id])
                else:
                    backoff = min(MAX_BACKOFF, timedelta(minutes=2 ** min(entry["attempts"], 10)))
                    self.table.update(
                        {"state": PLANNED, "error": str(exc), "next_try": (now + backoff).isoformat(),
                         "check_sent": exc.ambiguous},
                        doc_ids=[doc_id],
                    )
            log.warning("%s: send failed (%s)", entry["message_id"], exc)
            return exc
        with self.store.transaction():
            self.table.update({"state": SENT, "sent_at": now.isoformat(), "error": None}, doc_ids=[doc_id])
        log.info("%s: sent to %s", entry["message_id"], ", ".join(entry["to"]))
        if mailbox is not None:
            try:
                # After the commit: a crash here loses only the owner's copy in Sent, never the send.
                mailbox.append_sent(raw)
                with self.store.transaction():
                    self.table.update({"state": SENT, "in_sent_folder": True}, doc_ids=[doc_id])
            except MailboxError as exc:
                log.warning("%s: sent, but the copy to Sent failed (%s)", entry["message_id"], exc)
        return None


def _message_id_key(doc: Mapping[str, Any]) -> str | None:
    return doc.get("message_id")


def _unfinished_state(doc: Mapping[str, Any]) -> str | None:
    """`planned` or `sending`: what a flush or a recovery looks at; sent, failed and held ones never change by themselves."""
    state = doc.get("state")
    return state if state in (PLANNED, SENDING) else None


def _client_mail_files(doc: Mapping[str, Any]) -> list[int] | None:
    """The files a reminder or copy is about; None for owner notes (they thread on their own)."""
    return doc.get("receivables") if doc.get("kind") in CLIENT_KINDS else None


def parse_raw(entry: dict[str, Any]) -> EmailMessage:
    return email.message_from_bytes(entry["raw"].encode("utf-8", "surrogateescape"), policy=email.policy.default)  # type: ignore[return-value]
