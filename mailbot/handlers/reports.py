"""The owner asks for a report (`digest`, `status`, `status ACME`, `history F-12`, `export`) or
attaches a spreadsheet of open invoices to register them all at once (onboarding).

Each report is its own email in the owner's language, threaded under the owner's request.
"""

from __future__ import annotations

from email.message import EmailMessage
from typing import Any

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
        d = digest_now(desk.store, desk.rules, desk.settings, desk.now)
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
        refused = str(exc)
    desk.note_owner("import", {"plan": plan, "registered": registered, "refused": refused},
                    in_reply_to=str(msg.get("Message-ID", "")) or None)
    return PROCESSED
