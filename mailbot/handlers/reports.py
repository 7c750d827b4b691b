"""The owner asks for a report (`digest`, `status`, `status ACME`, `history F-12`, `export`) or
attaches a spreadsheet of open invoices to register them all at once (onboarding).

Each report is its own email in the owner's language, threaded under the owner's request.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal
from email.message import EmailMessage
from typing import Any

from tinydb import Query

from .. import importer
from ..cli_owner import digest_now, export_attachments, history_context, status_context
from ..commands import Command
from ..digest import digest_context
from ..models import CANCELLED, CLOSED, DRAFT, OPEN
from .base import PROCESSED, Desk

SPREADSHEET_TYPES = {
    "text/csv", "application/csv", "application/vnd.ms-excel",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def send_report(desk: Desk, cmd: Command, in_reply_to: str | None) -> dict[str, Any]:
    """Plan the report `cmd` asks for; returns a change line for the log."""
    lang = desk.rules.business.language
    if cmd.verb == "digest":
        slot = desk.rules.digest
        d = digest_now(desk.store, desk.rules, desk.settings, desk.now,
                       large_amount=Decimal(slot.large_amount), silent_after=slot.silent_after)
        desk.note_owner("digest", digest_context(d, lang), in_reply_to=in_reply_to)
    elif cmd.verb == "status":
        desk.note_owner("status", status_context(desk.store, desk.rules, desk.settings, desk.now, cmd.text or None),
                        in_reply_to=in_reply_to)
    elif cmd.verb == "history":
        assert cmd.number is not None
        files = desk.ledger.find_number(cmd.number, statuses=(OPEN, DRAFT, CLOSED, CANCELLED))[:1]
        desk.note_owner("history", history_context(desk.store, desk.settings, cmd.number), files=files,
                        in_reply_to=in_reply_to)
    elif cmd.verb == "export":
        files, ctx = export_attachments(desk.store, desk.rules, desk.settings, desk.now)
        desk.note_owner("export", ctx, attachments=files, in_reply_to=in_reply_to)
    return {"kind": "report", "text": cmd.verb}


def spreadsheet_of(msg: EmailMessage) -> tuple[str, bytes] | None:
    """The first CSV/XLSX attachment, if the owner sent one."""
    for part in msg.walk():
        name = (part.get_filename() or "").strip()
        if part.get_content_type() in SPREADSHEET_TYPES or name.lower().endswith((".csv", ".xlsx", ".xlsm")):
            data = part.get_payload(decode=True)
            if isinstance(data, bytes) and data:
                return name or "import.csv", data
    return None


def handle_import(desk: Desk, msg: EmailMessage, name: str, data: bytes) -> str:
    """Register every row of the attached export, all or nothing, and say what was mapped and skipped."""
    lang = desk.rules.business.language
    plan = importer.ImportPlan(name, "", None, 0)
    registered: list[str] = []
    refused = None
    try:
        plan = importer.read_table(name, data, language=lang, today=desk.today)
        # A savepoint-free all-or-nothing: `register` validates every row before adding any.
        registered = [r.number for r in importer.register(desk.ledger, plan, desk.now, skip_existing=True)]
    except importer.ImportRefused as exc:
        refused = exc.reason  # a code and its data: the owner's template words it
    desk.note_owner("import", {"plan": plan, "registered": registered, "refused": refused},
                    in_reply_to=str(msg.get("Message-ID", "")) or None)
    return PROCESSED


# A daemon that was down at the slot still sends the week's digest if it comes back within this.
DIGEST_CATCH_UP = timedelta(hours=12)


def plan_weekly_digest(desk: Desk) -> bool:
    """Plan this week's digest if its slot (rules.yaml `digest`) has come and it was not sent yet.

    Called at every tick; the `digests` table remembers which slots were served, in the same
    transaction as the planned email, so a restart never sends it twice.
    """
    slot = desk.rules.digest
    if not slot.enabled:
        return False
    local = desk.now.astimezone(desk.settings.timezone)
    hour, minute = (int(x) for x in slot.time.split(":"))
    slot_day = local.date() - timedelta(days=(local.weekday() - slot.weekday) % 7)
    slot_at = datetime.combine(slot_day, time(hour, minute), tzinfo=desk.settings.timezone)
    if not timedelta(0) <= local - slot_at < DIGEST_CATCH_UP:
        return False
    served = desk.store.table("digests")
    if served.get(Query().day == slot_day.isoformat()) is not None:
        return False
    with desk.store.transaction():
        if not desk.store.table("receivables").all():
            # Nothing registered yet: an all-zero digest is noise. The slot still counts as
            # served, so a forward later that morning does not trigger a late one.
            served.insert({"day": slot_day.isoformat(), "at": desk.now.isoformat(), "skipped": "no files yet"})
            return False
        d = digest_now(desk.store, desk.rules, desk.settings, desk.now,
                       large_amount=Decimal(slot.large_amount), silent_after=slot.silent_after)
        desk.note_owner("digest", digest_context(d, desk.rules.business.language))
        served.insert({"day": slot_day.isoformat(), "at": desk.now.isoformat()})
    return True
