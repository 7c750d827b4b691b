"""A client answers a reminder: understand it, act on what is clear, and tell the owner.

promise (with a date) -> no reminder until the promised date plus grace, then "promise not kept";
paid_claim -> pause and ask the owner to confirm; dispute -> no reminder until the owner says
"dispute resolved" (at least `dispute_pause_days`); copy_request -> the invoice copy is sent at
once; plan_request -> the owner is told which command sets a plan up; anything else, or a
reading below ACT_CONFIDENCE -> a short pause and the owner decides: never acted on as a guess.
Every reply is forwarded to the owner with the reading and the commands that fit.
"""

from __future__ import annotations

import logging
from datetime import date, timedelta
from decimal import Decimal
from email.message import EmailMessage
from typing import Any

from ..auth import from_address
from ..commands import write_command
from ..models import Receivable
from ..replies import read_message
from ..replies.reading import ReplyReading
from ..router import references_of
from .base import PROCESSED, Desk, attach_original, file_view
from .reminders import plan_copy
from ..guard import Guard, GuardPolicy

log = logging.getLogger("mailbot.client")

ACT_CONFIDENCE = 0.6  # below this, the reading is shown to the owner but nothing is done on it

def files_of(desk: Desk, msg: EmailMessage) -> list[Receivable]:
    """The open files this reply is about: the reminders it answers, else the sender's files.
    Answers to notes meant for the owner do not count (only an owner may act on those)."""
    files = [r for r in desk.files_answered(references_of(msg), client_facing=True) if r.is_open]
    sender = from_address(msg)
    if not files and sender:
        files = desk.ledger.for_client(sender)
    return files


def fitting(intent: str, reading: ReplyReading, files: list[Receivable], week_later: date, lang: str) -> list[str]:
    """Commands the owner may want to reply with, for these files, in the owner's command words: a
    promise for 2026-12-20 on one file, to a Dutch owner, gives ['belofte 2026-12-20', 'hervat', 'betaald']."""
    number = None if len(files) == 1 else files[0].number
    promised = reading.date or week_later
    amount = reading.amount.normalize() if reading.amount else Decimal(500)

    def line(verb: str, **data: Any) -> str:
        return write_command(lang, verb, number=number, **data)

    table = {
        "promise": [line("promise", when=promised), line("resume"), line("done")],
        "paid_claim": [line("done"), line("partial", amount=amount), line("resume")],
        "dispute": [line("dispute_resolved"), line("cancel"), write_command(lang, "note")],
        "copy_request": [line("resume"), write_command(lang, "note")],
        "plan_request": [line("plan", count=3, period="monthly"), line("pause", when=week_later), line("resume")],
    }
    return table.get(intent, [line("done"), line("promise", when=promised), line("pause", when=week_later),
                              write_command(lang, "note")])


def handle(desk: Desk, msg: EmailMessage) -> str:
    files = files_of(desk, msg)
    if not files:
        from . import unknown

        return unknown.handle(desk, msg)
    reading = read_message(msg, today=desk.today, invoices=[r.number for r in files])
    intent = reading.intent or "other"
    sure = reading.confidence >= ACT_CONFIDENCE and not (intent == "promise" and reading.date is None)
    acted = intent if sure else "unsure"
    policy = desk.rules.policy
    pause_until = desk.today + timedelta(days=policy.reply_pause_days)
    until = None  # the date reminders restart, worded by the owner's template (macro `action`)
    for r in files:
        if acted == "promise":
            assert reading.date is not None
            r.promise_date = reading.date
            r.paused_until = reading.date + timedelta(days=policy.promise_grace_days)
        elif acted == "dispute":
            r.dispute = reading.reason or "disputed"
            r.paused_until = desk.today + timedelta(days=policy.dispute_pause_days)
        elif acted == "copy_request":
            r.paused_until = max(r.paused_until or pause_until, pause_until)
        else:
            r.paused_until = max(r.paused_until or pause_until, pause_until)
        until = r.paused_until
        desk.ledger.save(r)
        desk.ledger.event(r, "client_reply", desk.now, intent=intent, acted=acted, confidence=reading.confidence,
                          date=str(reading.date) if reading.date else None, evidence=reading.evidence,
                          message_id=str(msg.get("Message-ID", "")))
        log.info("%s: client reply read as %s (%.2f), acted as %s", r.number, intent, reading.confidence, acted)
    if acted == "copy_request":
        guard = Guard(desk.store, GuardPolicy.from_rules(desk.rules.policy, desk.settings.env))
        # An automatic answer to a non-owner: capped per correspondent per day, so a loop with
        # another bot that keeps "asking for the invoice" dies out.
        if guard.allow_auto_reply(from_address(msg), desk.now):
            plan_copy(desk, files, in_reply_to=str(msg.get("Message-ID", "")) or None)
        else:
            log.warning("%s: copy request from %s not answered: daily cap of automatic answers reached",
                        files[0].number, from_address(msg))
    # Codes and data only: each language's template words the reading and the action.
    words = {"intent": intent, "sure": sure, "date": reading.date, "amount": reading.amount,
             "currency": files[0].currency, "reason": reading.reason}
    desk.note_owner(
        "client_reply",
        {"sender": from_address(msg) or "?", "files": [file_view(r, desk.rules) for r in files], "reading": words,
         "evidence": reading.evidence, "action": {"kind": acted, "until": until}, "new_text": reading.new_text.strip()[:4000],
         "fitting": fitting(acted, reading, files, desk.today + timedelta(days=7), desk.rules.business.language)},
        files=files,
        attachments=[attach_original(msg)] if len(bytes(msg)) < 2_000_000 else None,
    )
    return PROCESSED
