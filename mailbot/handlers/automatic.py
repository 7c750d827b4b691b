"""Automatic messages: out-of-office replies and bounces. Never answered, never taken for a reply.

An out-of-office that says when the person is back delays the next reminder until then. A hard
bounce stops emailing that address and asks the owner for a better one ("client email new@x"
clears it); a soft one is only noted in the file's history.
"""

from __future__ import annotations

from email.message import EmailMessage

from ..auth import from_address
from ..replies import auto_reply_info, bounce_info
from ..router import references_of
from .base import PROCESSED, Desk


def handle_auto_reply(desk: Desk, msg: EmailMessage) -> str:
    _, back_on = auto_reply_info(msg)
    # An owner's own out-of-office answering a note must not delay the client's reminders.
    files = [r for r in desk.files_answered(references_of(msg), client_facing=True) if r.is_open]
    sender = from_address(msg)
    if not files and sender:
        files = desk.ledger.for_client(sender)
    for r in files:
        if back_on and (r.paused_until is None or r.paused_until < back_on):
            r.paused_until = back_on
            desk.ledger.save(r)
        desk.ledger.event(r, "auto_reply", desk.now, back_on=str(back_on) if back_on else None)
    return PROCESSED


def handle_bounce(desk: Desk, msg: EmailMessage) -> str:
    info = bounce_info(msg)
    assert info is not None
    refs = ([info.original_message_id] if info.original_message_id else []) + references_of(msg)
    entries = desk.outbox.find(refs)
    files = desk.files_answered(refs)
    address = info.recipient or (entries[0]["to"][0] if entries and entries[0]["to"] else None)
    for r in files:
        desk.ledger.event(r, "bounce", desk.now, address=address, hard=info.hard, reason=info.reason, status=info.status)
    if entries and entries[0]["kind"].startswith("note:"):
        return PROCESSED  # a note to the owner bounced: telling the owner by email would loop
    if not info.hard:
        return PROCESSED  # a full mailbox or a delay: noted in the history; the next stage retries
    if address:
        desk.ledger.mark_bad_address(address, desk.now, info.reason or info.status or "hard bounce")
    if files or address:
        desk.note_owner(
            "problem",
            {"kind": "bounce", "address": address or "?", "numbers": [r.number for r in files], "hard": info.hard,
             "reason": info.reason or info.status or None},  # None: the template says "delivery failed"
            files=files,
        )
    return PROCESSED
