"""A client answers a reminder: understand it, act on it, and tell the owner.

promise -> no reminder until the promised date plus grace, then "promise not kept";
paid_claim -> pause and ask the owner to confirm; dispute -> stop reminders, owner decides;
copy_request -> send the invoice copy automatically; anything else -> pause and hand over.
"""

from __future__ import annotations

from datetime import timedelta
from email.message import EmailMessage

from ..auth import from_address
from ..models import Receivable
from ..replies import read_message
from ..router import references_of
from .base import PROCESSED, Desk, attach_original, file_view
from .reminders import plan_copy

READING = {
    "promise": "a promise to pay on {date}",
    "paid_claim": "says it has already paid{on}",
    "dispute": "disputes the invoice: {reason}",
    "copy_request": "asks for a copy of the invoice",
    "plan_request": "asks to pay in instalments",
    "question": "asks a question",
    "other": "not sure what they mean",
}
FITTING = {
    "promise": ["promise 2026-12-20", "resume", "done"],
    "paid_claim": ["done", "paid 500", "resume"],
    "dispute": ["dispute resolved", "cancel", "note: ..."],
    "copy_request": ["resume", "note: ..."],
    "plan_request": ["plan 3x monthly", "pause until 2027-01-10", "resume"],
}


def files_of(desk: Desk, msg: EmailMessage) -> list[Receivable]:
    files = [r for r in desk.files_answered(references_of(msg)) if r.is_open]
    sender = from_address(msg)
    if not files and sender:
        files = desk.ledger.for_client(sender)
    return files


def handle(desk: Desk, msg: EmailMessage) -> str:
    files = files_of(desk, msg)
    if not files:
        from . import unknown

        return unknown.handle(desk, msg)
    reading = read_message(msg, today=desk.today)
    intent = reading.intent or "other"
    policy = desk.rules.policy
    action = ""
    for r in files:
        if intent == "promise" and reading.date:
            r.promise_date = reading.date
            r.paused_until = reading.date + timedelta(days=policy.promise_grace_days)
            action = f"no reminder before {r.paused_until.isoformat()}; then a 'promise not kept' follow-up if still unpaid"
        elif intent == "dispute":
            r.dispute = reading.reason or "disputed"
            r.paused_until = desk.today + timedelta(days=policy.dispute_pause_days)
            action = "reminders stopped until you decide (reply 'dispute resolved' to restart)"
        elif intent == "copy_request":
            r.paused_until = desk.today + timedelta(days=policy.reply_pause_days)
            action = f"sent the invoice copy to the client; reminders paused until {r.paused_until.isoformat()}"
        else:
            r.paused_until = desk.today + timedelta(days=policy.reply_pause_days)
            action = f"reminders paused until {r.paused_until.isoformat()}"
            if intent == "paid_claim":
                action += "; reply 'done' if you received it"
        desk.ledger.save(r)
        desk.ledger.event(r, "client_reply", desk.now, intent=intent, date=str(reading.date) if reading.date else None,
                          evidence=reading.evidence, message_id=str(msg.get("Message-ID", "")))
    if intent == "copy_request":
        plan_copy(desk, files, in_reply_to=str(msg.get("Message-ID", "")) or None)
    words = READING.get(intent, intent).format(
        date=reading.date.isoformat() if reading.date else "?",
        on=f" on {reading.date.isoformat()}" if reading.date else "",
        reason=reading.reason or "no reason given",
    )
    desk.note_owner(
        "client_reply",
        {"sender": from_address(msg) or "?", "files": [file_view(r, desk.rules) for r in files], "reading": words,
         "evidence": reading.evidence, "action": action, "new_text": reading.new_text.strip()[:4000],
         "fitting": FITTING.get(intent, ["done", "pause until 2027-01-10", "note: ..."])},
        files=files,
        attachments=[attach_original(msg)] if len(bytes(msg)) < 2_000_000 else None,
    )
    return PROCESSED
