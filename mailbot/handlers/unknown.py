"""Mail from someone mailbot does not know: kept aside, never answered (answering strangers
invites loops and spam). The owner sees it in the mailbot/quarantine folder."""

from __future__ import annotations

from email.message import EmailMessage

from ..replies.body import header
from .base import QUARANTINE, Desk


def handle(desk: Desk, msg: EmailMessage) -> str:
    desk.ledger.event(None, "unknown_sender", desk.now, sender=header(msg, "From"), subject=header(msg, "Subject")[:200])
    return QUARANTINE


def handle_loop(desk: Desk, msg: EmailMessage) -> str:
    return QUARANTINE


def handle_refused(desk: Desk, msg: EmailMessage, why: str, sender: str | None) -> str:
    """A forged or unauthenticated owner address: change nothing, tell the real owner."""
    desk.ledger.event(None, "refused", desk.now, sender=sender, why=why, subject=str(msg.get("Subject", ""))[:200])
    desk.note_owner("problem", {"kind": "refused", "sender": sender or "?", "about": str(msg.get("Subject", ""))[:200], "reason": why})
    return QUARANTINE
