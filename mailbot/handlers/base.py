"""What every handler works with: the `Desk` (store, ledger, outbox, rules, templates, now).

A handler takes (desk, message) and returns a disposition, PROCESSED or QUARANTINE; it runs
inside the store transaction that also records the message as handled, so its changes and
the messages it plans are committed together or not at all.
"""

from __future__ import annotations

import hashlib
import mimetypes
from dataclasses import dataclass, field
from datetime import date, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from ..compose import Attachment, Templates, build_message
from ..config import Settings
from ..ledger import Ledger
from ..mailbox import PROCESSED, QUARANTINE
from ..models import Receivable
from ..outbox import Outbox, make_message_id
from ..rules import Rules
from ..store import Store, write_atomic

# Notes that are not answers to something the owner just did: capped per hour.
UNSOLICITED = frozenset({"client_reply", "bounce", "send_failed", "quarantined", "refused"})  # not "flood": it is the summary

__all__ = ["Desk", "PROCESSED", "QUARANTINE", "file_view"]


@dataclass
class Desk:
    settings: Settings
    rules: Rules
    store: Store
    templates: Templates
    now: datetime
    incoming_key: str = ""  # identity of the message being handled, for deterministic answers
    _answers: int = field(default=0)

    @property
    def ledger(self) -> Ledger:
        return Ledger(self.store)

    @property
    def outbox(self) -> Outbox:
        return Outbox(self.store, self.settings.address)

    @property
    def today(self) -> date:
        return self.now.astimezone(self.settings.timezone).date()

    @property
    def domain(self) -> str:
        return self.settings.address.rsplit("@", 1)[1]

    def answer_id(self, kind: str) -> str:
        """A Message-ID for the n-th answer to the message being handled: the same on a re-run."""
        self._answers += 1
        digest = hashlib.sha256(self.incoming_key.encode()).hexdigest()[:16]
        return make_message_id(self.store, self.domain, kind, digest, self._answers)

    def limits(self):
        from ..intake import Limits

        return Limits.from_env(self.settings.env | {"MAILBOT_MAX_ATTACHMENT_MB": str(self.settings.max_attachment_bytes / (1024 * 1024))})

    def files_answered(self, refs: list[str], *, client_facing: bool = False) -> list[Receivable]:
        """Receivables that the messages `refs` (our Message-IDs) were about.

        `client_facing` keeps only what was sent to clients (reminders, copies): an answer to a
        note meant for the owner says nothing about what a client meant.
        """
        ids: list[int] = []
        for entry in self.outbox.find(refs):
            if client_facing and entry["kind"].startswith("note:"):
                continue
            for rid in entry["receivables"]:
                if rid not in ids:
                    ids.append(rid)
        files = [self.ledger.get(i) for i in ids]
        return [f for f in files if f is not None]

    # Command words the parser (commands.py) reads, in the owner's language.
    COMMANDS_HINT = {
        "en": "done, paid 500, pause until 2027-01-10, note: ..., status, help",
        "fr": "payé, payé 500, suspendre jusqu'au 2027-01-10, note : ..., statut, aide",
        "nl": "betaald, betaald 500, pauzeer tot 2027-01-10, notitie: ..., overzicht, hulp",
        "de": "bezahlt, bezahlt 500, pausieren bis 2027-01-10, Notiz: ..., Status, Hilfe",
    }

    def base_context(self, lang: str) -> dict[str, Any]:
        return {
            "lang": lang,
            "business_name": self.rules.business.name,
            "commands_hint": self.COMMANDS_HINT.get(lang, self.COMMANDS_HINT["en"]),
        }

    def note_owner(
        self,
        template: str,
        context: dict[str, Any],
        *,
        files: list[Receivable] | None = None,
        in_reply_to: str | None = None,
        attachments: list[Attachment] | None = None,
    ) -> str:
        """Plan a note to the owners, threaded per file so a mail client groups a file's story.

        A note of a kind that rules.yaml `notifications` batches is held for the batch email instead.
        """
        lang = self.rules.business.language
        ctx = self.base_context(lang) | context
        rendered = self.templates.render(f"{lang}/owner/{template}.j2", ctx)
        files = files or []
        thread = [make_message_id(self.store, self.domain, "file", f.id) for f in files[:1]]
        mid = self.answer_id(f"note-{template}")
        msg = build_message(
            rendered,
            from_name=f"mailbot ({self.rules.business.name})",
            from_addr=self.settings.address,
            to=list(self.settings.owners),
            message_id=mid,
            when=self.now,
            in_reply_to=in_reply_to or (thread[0] if thread else None),
            references=[r for r in (thread + [in_reply_to or ""]) if r],
            attachments=attachments,
        )
        from .notices import hold_for_batch, note_kind  # notices builds on Desk

        # Notes that may wait (rules.yaml `notifications`) are held for the hourly or daily batch.
        kind = note_kind(template, context)
        wait = self.rules.notifications.batches(kind)
        if not wait and kind in UNSOLICITED:
            # Notes the owner did not ask for are capped per hour (MAILBOT_MAX_OWNER_NOTES_PER_HOUR):
            # past the cap they wait for the next hourly batch instead of flooding the inbox.
            from ..guard import Guard, GuardPolicy

            wait = not Guard(self.store, GuardPolicy.from_rules(self.rules.policy, self.settings.env)).owner_note_within_cap(self.now)
        mid = self.outbox.plan(msg, kind=f"note:{template}", receivables=[f.id for f in files], now=self.now, hold=wait)
        if wait:
            hold_for_batch(self.outbox, mid)
        return mid

    def save_attachment(self, name: str | None, data: bytes | None) -> str | None:
        """Keep the invoice document (content-addressed, so a re-run writes the same file)."""
        if not data:
            return None
        ext = Path(name or "").suffix.lower() or (mimetypes.guess_extension("application/pdf") or ".bin")
        digest = hashlib.sha256(data).hexdigest()
        folder = self.settings.data_dir / "attachments"
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        path = folder / f"{digest}{ext}"
        if not path.exists():
            write_atomic(path, data)
        return path.name

    def load_attachment(self, r: Receivable) -> Attachment | None:
        if not r.attachment:
            return None
        path = self.settings.data_dir / "attachments" / r.attachment
        if not path.exists():
            return None
        return Attachment(r.attachment_name or path.name, r.attachment_type or "application/pdf", path.read_bytes())


def file_view(r: Receivable, rules: Rules) -> dict[str, Any]:
    """A receivable as templates see it."""
    doc = r.to_doc() | {"id": r.id}
    for k in ("amount", "amount_due"):
        doc[k] = getattr(r, k)
    for k in ("issue_date", "due_date", "paused_until", "promise_date"):
        doc[k] = getattr(r, k)
    doc["stage_name"] = rules.stages[r.last_stage].name if 0 <= r.last_stage < len(rules.stages) else None
    return doc


def attach_original(msg: EmailMessage) -> Attachment:
    return Attachment("message.eml", "message/rfc822", bytes(msg))
