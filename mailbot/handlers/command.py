"""An authenticated owner writes: a command ("done", "paid 500", "pause until …"), or the answer
to a question about a draft ("due 2026-12-15"), or a correction to a registration.

The file is the one the owner's email answers (In-Reply-To/References to a mailbot note) or
the one whose invoice number the line names. Every command is confirmed by a reply saying what
changed; a message with no command gets the list of commands.
"""

from __future__ import annotations

import copy
from datetime import date, timedelta
from email.message import EmailMessage
from typing import Any


from ..commands import Command, parse_commands
from ..intake import parse_corrections
from ..models import CANCELLED, DRAFT, OPEN, Receivable
from ..replies import new_text
from ..router import references_of
from .base import PROCESSED, Desk, file_view
from .forward import confirm_registration

FIELD_OF = {"invoice_number": "number", "buyer_email": "client_email", "buyer_name": "client_name", "amount_due": "amount_due",
            "due_date": "due_date", "issue_date": "issue_date", "iban": "iban", "payment_reference": "payment_reference",
            "language": "language", "currency": "currency"}


def handle(desk: Desk, msg: EmailMessage) -> str:
    text = new_text(msg)
    answered = desk.files_answered(references_of(msg))
    changes: list[dict[str, Any]] = []
    commands = parse_commands(text)
    corrections = parse_corrections(text) if answered else {}
    if corrections and len(answered) == 1 and not any(c.verb in ("done", "partial", "cancel") for c in commands):
        changes += _correct(desk, answered[0], corrections)
        commands = [c for c in commands if c.verb not in ("client_email",)]
    show_help = False
    for cmd in commands:
        changes += _run(desk, cmd, answered)
    if not changes:
        show_help = True
        changes.append({"kind": "unknown", "text": (text.strip().splitlines() or ["(empty)"])[0][:120]})
    files = [desk.ledger.get(c["rid"]) for c in changes if c.get("rid")]
    desk.note_owner(
        "result",
        {"title": _title(changes), "changes": changes, "show_help": show_help},
        files=[f for f in files if f is not None],
        in_reply_to=str(msg.get("Message-ID", "")) or None,
    )
    return PROCESSED


def _title(changes: list[dict[str, Any]]) -> str:
    numbers = sorted({c["number"] for c in changes if c.get("number")})
    if any(c["kind"] == "unknown" for c in changes):
        return "I did not understand your message: here are the commands"
    return "Done: " + ", ".join(numbers) if numbers else "Your request"


def _targets(desk: Desk, cmd: Command, answered: list[Receivable]) -> list[Receivable] | dict[str, Any]:
    if cmd.number:
        found = desk.ledger.find_number(cmd.number, statuses=(OPEN, DRAFT))
        if not found:
            return {"kind": "no_file", "text": cmd.number}
        return found[:1]
    live = [r for r in answered if r.status in (OPEN, DRAFT)]
    if len(live) == 1:
        return live
    if len(live) > 1:
        return {"kind": "ambiguous", "text": cmd.text, "numbers": [r.number for r in live]}
    if answered:
        r = answered[0]
        return {"kind": "no_file", "text": f"{r.number} ({r.status})"}
    return {"kind": "no_file", "text": cmd.text}


def _run(desk: Desk, cmd: Command, answered: list[Receivable]) -> list[dict[str, Any]]:
    if cmd.verb == "status":
        files = sorted(desk.ledger.open(), key=lambda r: (r.due_date or date.max, r.id))
        return [{"kind": "status", "r": file_view(r, desk.rules)} for r in files] or [{"kind": "nothing_open"}]
    if cmd.verb == "help":
        return []
    if cmd.verb == "digest":
        return [{"kind": "digest", "text": "the weekly digest is not available yet"}]
    if cmd.verb == "undo":
        return _undo(desk)
    targets = _targets(desk, cmd, answered)
    if isinstance(targets, dict):
        return [targets]
    out = []
    for r in targets:
        _remember(desk, r, cmd)
        out.append(_apply(desk, cmd, r) | {"rid": r.id, "number": r.number})
    return out


def _apply(desk: Desk, cmd: Command, r: Receivable) -> dict[str, Any]:
    led = desk.ledger
    if cmd.verb == "done":
        led.close(r, desk.now, "paid")
        return {"kind": "closed"}
    if cmd.verb == "partial":
        assert cmd.amount is not None
        r.amount_due = max((r.amount_due or cmd.amount) - cmd.amount, type(cmd.amount)(0))
        led.save(r)
        led.event(r, "payment", desk.now, amount=str(cmd.amount))
        if r.amount_due == 0:
            led.close(r, desk.now, "paid")
            return {"kind": "closed"}
        return {"kind": "partial", "amount": cmd.amount, "currency": r.currency, "balance": r.amount_due}
    if cmd.verb == "cancel":
        r.status = CANCELLED
        r.closed_at = desk.now
        led.save(r)
        led.event(r, "cancelled", desk.now)
        return {"kind": "cancelled"}
    if cmd.verb == "pause":
        r.paused_until = cmd.date
        led.save(r)
        led.event(r, "paused", desk.now, until=str(cmd.date))
        return {"kind": "paused", "until": cmd.date}
    if cmd.verb == "resume":
        r.paused_until = None
        r.promise_date = None
        led.save(r)
        led.event(r, "resumed", desk.now)
        return {"kind": "resumed"}
    if cmd.verb == "dispute_resolved":
        r.dispute = None
        r.paused_until = None
        led.save(r)
        led.event(r, "dispute_resolved", desk.now)
        return {"kind": "dispute_resolved"}
    if cmd.verb == "promise":
        assert cmd.date is not None
        r.promise_date = cmd.date
        r.paused_until = cmd.date + timedelta(days=desk.rules.policy.promise_grace_days)
        led.save(r)
        led.event(r, "promise", desk.now, date=str(cmd.date), by="owner")
        return {"kind": "promise", "date": cmd.date}
    if cmd.verb == "note":
        led.event(r, "note", desk.now, text=cmd.text)
        return {"kind": "note"}
    if cmd.verb == "client_email":
        changes = _correct(desk, r, {"buyer_email": cmd.text.lower()})
        return changes[0] if changes else {"kind": "client_email", "value": cmd.text}
    return {"kind": "unknown", "text": cmd.text}


def _correct(desk: Desk, r: Receivable, corrections: dict[str, Any]) -> list[dict[str, Any]]:
    """Apply field fixes from the owner; a draft whose fields are now complete is registered."""
    _remember(desk, r, Command("correct", text=str(corrections)))
    changes = []
    for key, value in corrections.items():
        attr = FIELD_OF.get(key)
        if attr is None:
            continue
        if attr == "client_email":
            value = str(value).lower()
            desk.ledger.clear_bad_address(value)
        setattr(r, attr, value)
        if attr == "amount_due" and r.amount is None:
            r.amount = value
        if key in r.missing:
            r.missing.remove(key)
        changes.append({"kind": "updated", "field": attr.replace("_", " "), "value": value, "rid": r.id, "number": r.number})
    desk.ledger.event(r, "corrected", desk.now, fields=sorted(corrections))
    if r.status == DRAFT and not r.missing:
        r.status = OPEN
        desk.ledger.save(r)
        desk.ledger.event(r, "registered", desk.now, source="owner answer")
        confirm_registration(desk, r)
        changes.append({"kind": "registered", "rid": r.id, "number": r.number})
    else:
        desk.ledger.save(r)
    return changes


def _remember(desk: Desk, r: Receivable, cmd: Command) -> None:
    """Keep the file as it was before a command, so `undo` can put it back."""
    desk.store.table("undo").insert({"rid": r.id, "before": copy.deepcopy(r.to_doc()), "what": cmd.text, "at": desk.now.isoformat()})


def _undo(desk: Desk) -> list[dict[str, Any]]:
    t = desk.store.table("undo")
    entries = sorted(t.all(), key=lambda d: d.doc_id)
    if not entries:
        return [{"kind": "unknown", "text": "nothing to undo"}]
    last = entries[-1]
    desk.store.table("receivables").update(last["before"], doc_ids=[last["rid"]])
    t.remove(doc_ids=[last.doc_id])
    r = desk.ledger.get(last["rid"])
    assert r is not None
    desk.ledger.event(r, "undo", desk.now, what=last["what"])
    return [{"kind": "undone", "what": last["what"], "rid": r.id, "number": r.number}]


