"""An authenticated owner writes: commands ("done", "paid 500", "pause until …"), the answer to
a question about a draft ("due 2026-12-15"), a correction to a registration, or forwards a
payment confirmation (see `remittance`).

Each line is read on its own: a command (commands.py) or else a field correction
(intake.parse_corrections). The file is the one the line names by invoice number, or the one
the owner's email answers (In-Reply-To/References to a mailbot note). Every command is
confirmed by a reply saying what changed; a message with nothing understood gets the list
of commands. Every change keeps a snapshot of the files it touched so `undo` can put them back.
"""

from __future__ import annotations

import copy
import logging
from datetime import date, timedelta
from decimal import Decimal
from email.message import EmailMessage
from typing import Any

from ..coded import Coded
from ..commands import REPORTS, Command, parse_line
from ..intake import parse_corrections
from ..models import CANCELLED, CLOSED, DRAFT, OPEN, Receivable
from ..plans import UNDER_PLAN, first_due, refusal, split
from ..replies import new_text
from ..router import references_of
from .base import PROCESSED, Desk, file_view
from .forward import confirm_registration
from .reports import handle_import, send_report, spreadsheet_of

log = logging.getLogger("mailbot.commands")

FIELD_OF = {"invoice_number": "number", "buyer_email": "client_email", "buyer_name": "client_name", "amount_due": "amount_due",
            "due_date": "due_date", "issue_date": "issue_date", "iban": "iban", "payment_reference": "payment_reference",
            "language": "language", "currency": "currency"}
LIVE = (OPEN, DRAFT, UNDER_PLAN)
# Verbs that act on each open instalment when they name a file under a plan.
PER_INSTALMENT = ("pause", "resume", "promise", "dispute_resolved", "client_email")


def handle(desk: Desk, msg: EmailMessage) -> str:
    if (sheet := spreadsheet_of(msg)) is not None:
        return handle_import(desk, msg, *sheet)  # onboarding: an export of open invoices
    text = new_text(msg)
    answered = desk.files_answered(references_of(msg))
    changes: list[dict[str, Any]] = []
    commands: list[Command] = []
    corrections: dict[str, Any] = {}
    for line in text.splitlines():
        cmd = parse_line(line)
        if cmd is not None:
            commands.append(cmd)
        else:
            for key, value in parse_corrections(line).items():
                corrections.setdefault(key, value)
    if not commands and not corrections:
        from . import payments

        if (paid := payments.handle(desk, msg)) is not None:
            return paid
    if corrections:
        live = [r for r in answered if r.status in (OPEN, DRAFT)]
        if len(live) == 1:
            changes += _correct(desk, live[0], corrections)
        else:
            changes.append({"kind": "no_file" if not live else "ambiguous", "text": _words(corrections),
                            "numbers": [r.number for r in live]})
    mid = str(msg.get("Message-ID", "")) or None
    reports = [c for c in commands if c.verb in REPORTS]
    for cmd in reports:
        send_report(desk, cmd, mid)
    for cmd in commands:
        if cmd.verb not in REPORTS:
            changes += _run(desk, cmd, answered)
    if reports and not changes:
        return PROCESSED  # each report is its own answer
    show_help = not changes or any(c["kind"] == "help" for c in changes)
    if not changes:
        changes.append({"kind": "unknown", "text": (text.strip().splitlines() or ["(empty)"])[0][:120]})
    changes = [c for c in changes if c["kind"] != "help"]
    files = [desk.ledger.get(c["rid"]) for c in changes if c.get("rid")]
    for c in changes:
        log.info("%s: owner command -> %s", c.get("number", "-"), c["kind"])
    desk.note_owner(
        "result",
        {"title": _title(changes), "changes": changes, "show_help": show_help},
        files=[f for f in files if f is not None][:1],
        in_reply_to=str(msg.get("Message-ID", "")) or None,
    )
    return PROCESSED


def _words(corrections: dict[str, Any]) -> str:
    return ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in corrections.items())


def _title(changes: list[dict[str, Any]]) -> dict[str, Any]:
    """The answer's subject as a code and the numbers it names; `m.title` in the owner's templates words it."""
    numbers = sorted({c["number"] for c in changes if c.get("number")})
    if any(c["kind"] == "unknown" for c in changes):
        return {"kind": "unknown", "numbers": numbers}
    if any(c["kind"] in ("no_file", "ambiguous") for c in changes):
        return {"kind": "partly_unchanged" if numbers else "which_file", "numbers": numbers}
    return {"kind": "done" if numbers else "request", "numbers": numbers}


def _targets(desk: Desk, cmd: Command, answered: list[Receivable]) -> list[Receivable] | dict[str, Any]:
    if cmd.number:
        found = desk.ledger.find_number(cmd.number, statuses=LIVE)
        if not found:
            closed = desk.ledger.find_number(cmd.number, statuses=(CLOSED, CANCELLED))
            return {"kind": "no_file", "text": f"{closed[0].number} ({closed[0].status})" if closed else cmd.number}
        return found[:1]
    live = [r for r in answered if r.status in LIVE]
    if cmd.verb == "client_email" and live:
        # A bounce note lists every file sent to the dead address: the new one is for all of them.
        old = {r.client_email for r in live if r.client_email}
        bad = desk.ledger.bad_addresses()
        more = [r for a in sorted(old & bad) for r in desk.ledger.for_client(a) if r.id not in {x.id for x in live}]
        return live + more
    if len(live) == 1:
        return live
    if len(live) > 1:
        return {"kind": "ambiguous", "text": cmd.text, "numbers": [r.number for r in live]}
    if answered:
        r = answered[0]
        return {"kind": "no_file", "text": f"{r.number} ({r.status})"}
    return {"kind": "no_file", "text": cmd.text}


def _run(desk: Desk, cmd: Command, answered: list[Receivable]) -> list[dict[str, Any]]:
    if cmd.verb == "help":
        return [{"kind": "help"}]
    if cmd.verb == "undo":
        return _undo(desk)
    targets = _targets(desk, cmd, answered)
    if isinstance(targets, dict):
        return [targets]
    out = []
    for r in targets:
        if r.status == DRAFT and cmd.verb not in ("cancel", "note", "client_email"):
            out.append({"kind": "draft", "number": r.number or "?", "rid": r.id})
            continue
        with _Undo(desk, cmd) as undo:
            undo.keep(r)
            out.append(_apply(desk, cmd, r, undo) | {"rid": r.id, "number": r.number})
    return out


def _apply(desk: Desk, cmd: Command, r: Receivable, undo: "_Undo") -> dict[str, Any]:
    led = desk.ledger
    if r.status == UNDER_PLAN and cmd.verb not in ("note", "plan", "segment", "kind", "language"):
        return _apply_to_plan(desk, cmd, r, undo)
    if cmd.verb in ("segment", "kind", "language"):
        return _client_setting(desk, cmd, r, undo)
    if cmd.verb == "done":
        led.close(r, desk.now, "paid (owner)")
        return {"kind": "closed"}
    if cmd.verb == "partial":
        assert cmd.amount is not None
        return record_payment(desk, r, cmd.amount, "owner")
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
        r.dispute = None
        led.save(r)
        led.event(r, "resumed", desk.now)
        return {"kind": "resumed"}
    if cmd.verb == "dispute_resolved":
        was = r.dispute
        r.dispute = None
        r.paused_until = None
        led.save(r)
        led.event(r, "dispute_resolved", desk.now, was=was)
        return {"kind": "dispute_resolved"}
    if cmd.verb == "promise":
        assert cmd.date is not None
        r.promise_date = cmd.date
        r.paused_until = cmd.date + timedelta(days=desk.rules.policy.promise_grace_days)
        led.save(r)
        led.event(r, "promise", desk.now, date=str(cmd.date), by="owner")
        return {"kind": "promise", "date": cmd.date}
    if cmd.verb == "plan":
        return _plan(desk, cmd, r, undo)
    if cmd.verb == "note":
        led.event(r, "note", desk.now, text=cmd.text)
        return {"kind": "note", "text": cmd.text}
    if cmd.verb == "client_email":
        changes = _set_fields(desk, r, {"buyer_email": cmd.text.lower()})
        return {"kind": "client_email", "value": r.client_email} | ({"registered": True} if any(c["kind"] == "registered" for c in changes) else {})
    return {"kind": "unknown", "text": cmd.text}


def record_payment(desk: Desk, r: Receivable, amount: Decimal, by: str) -> dict[str, Any]:
    """A payment of `amount` on `r`: the balance goes down; paid in full closes the file."""
    led = desk.ledger
    before = r.amount_due if r.amount_due is not None else (r.amount or Decimal(0))
    r.amount_due = max(before - amount, Decimal(0))
    led.save(r)
    led.event(r, "payment", desk.now, amount=str(amount), by=by, balance=str(r.amount_due))
    if r.amount_due == 0:
        led.close(r, desk.now, f"paid ({by})")
        return {"kind": "closed"}
    return {"kind": "partial", "amount": amount, "currency": r.currency, "balance": r.amount_due}


def _client_setting(desk: Desk, cmd: Command, r: Receivable, undo: "_Undo") -> dict[str, Any]:
    """segment / b2c|b2b / language: a setting of the client, so every open file of theirs follows."""
    attr, value, shown = {
        "segment": ("segment_override", cmd.text, cmd.text),
        "kind": ("b2c", cmd.text == "b2c", "consumer (B2C)" if cmd.text == "b2c" else "business (B2B)"),
        "language": ("language", cmd.text, cmd.text),
    }[cmd.verb]
    same_client = [f for f in desk.ledger.for_client(r.client_email or "", statuses=LIVE)] if r.client_email else []
    files = same_client or [r]
    for f in files:
        undo.keep(f)
        setattr(f, attr, value)
        desk.ledger.save(f)
        desk.ledger.event(f, "client_setting", desk.now, field=attr, value=value)
    label = {"segment": "kind of client", "kind": "client type", "language": "reminder language"}[cmd.verb]
    others = [f.number for f in files if f.id != r.id]
    # Codes and data: each language's `m.say` words the setting, the value and the other files.
    field = Coded("client_setting", label + (f" (also {', '.join(others)})" if others else ""), setting=cmd.verb, also=others)
    return {"kind": "updated", "field": field, "value": Coded("setting_value", shown, setting=cmd.verb, value=cmd.text)}


def _apply_to_plan(desk: Desk, cmd: Command, parent: Receivable, undo: "_Undo") -> dict[str, Any]:
    """A command naming a file under a plan acts on its open instalments."""
    children = [c for c in desk.ledger.instalments(parent.id) if c.is_open]
    for c in children:
        undo.keep(c)
    if cmd.verb in ("done", "cancel"):
        for c in children:
            if cmd.verb == "done":
                desk.ledger.close(c, desk.now, "paid (owner, whole plan)")
            else:
                c.status, c.closed_at = CANCELLED, desk.now
                desk.ledger.save(c)
                desk.ledger.event(c, "cancelled", desk.now)
        parent = desk.ledger.get(parent.id) or parent
        if parent.status == UNDER_PLAN:  # closing the last instalment may already have closed it
            parent.status, parent.closed_at = (CLOSED if cmd.verb == "done" else CANCELLED), desk.now
            desk.ledger.save(parent)
            desk.ledger.event(parent, "closed" if cmd.verb == "done" else "cancelled", desk.now, why="whole plan")
        return {"kind": "closed" if cmd.verb == "done" else "cancelled"}
    if cmd.verb == "partial":
        assert cmd.amount is not None
        left = cmd.amount
        for c in sorted(children, key=lambda c: (c.due_date or date.max, c.id)):
            if left <= 0:
                break
            pay = min(left, c.amount_due or Decimal(0))
            record_payment(desk, c, pay, "owner")
            left -= pay
        balance = sum((c.amount_due or Decimal(0) for c in desk.ledger.instalments(parent.id) if c.is_open), Decimal(0))
        return {"kind": "partial", "amount": cmd.amount, "currency": parent.currency, "balance": balance} if balance else {"kind": "closed"}
    for c in children:
        _apply(desk, cmd, c, undo)
    return _apply_summary(cmd)


def _apply_summary(cmd: Command) -> dict[str, Any]:
    return {"pause": {"kind": "paused", "until": cmd.date}, "resume": {"kind": "resumed"}, "promise": {"kind": "promise", "date": cmd.date},
            "dispute_resolved": {"kind": "dispute_resolved"}, "client_email": {"kind": "client_email", "value": cmd.text.lower()}}.get(
        cmd.verb, {"kind": "unknown", "text": cmd.text})


def _plan(desk: Desk, cmd: Command, r: Receivable, undo: "_Undo") -> dict[str, Any]:
    assert cmd.count and cmd.period
    balance = r.amount_due if r.amount_due is not None else r.amount
    if (why := refusal(r.number, is_instalment=r.plan_of is not None, balance=balance)) is not None:
        return {"kind": "refused_plan", "text": why}  # a code: the owner's template words it
    first = cmd.date or first_due(desk.today, cmd.period)
    parts = split(r.number, balance, cmd.count, cmd.period, first)
    for part in parts:
        child = copy.copy(r)
        child.id = 0
        child.number = part.number
        child.status = OPEN
        child.amount = child.amount_due = part.amount
        child.due_date = part.due_date
        child.last_stage, child.last_reminder_at = -1, None
        child.paused_until = child.promise_date = child.dispute = None
        child.missing = []
        child.registered_at = desk.now
        child.plan_of = r.id
        desk.ledger.add(child)
        undo.created(child)
        desk.ledger.event(child, "registered", desk.now, source="plan", parent=r.number)
    r.status = UNDER_PLAN
    r.paused_until = r.promise_date = None
    desk.ledger.save(r)
    desk.ledger.event(r, "plan", desk.now, count=cmd.count, period=cmd.period, first=first.isoformat())
    return {"kind": "plan", "count": cmd.count, "period": cmd.period, "currency": r.currency,
            "instalments": [{"number": p.number, "amount": p.amount, "due_date": p.due_date} for p in parts]}


def _correct(desk: Desk, r: Receivable, corrections: dict[str, Any]) -> list[dict[str, Any]]:
    with _Undo(desk, Command("correct", text=_words(corrections))) as undo:
        undo.keep(r)
        return _set_fields(desk, r, corrections)


def _set_fields(desk: Desk, r: Receivable, corrections: dict[str, Any]) -> list[dict[str, Any]]:
    """Apply field fixes from the owner; a draft whose fields are now complete is registered."""
    changes = []
    for key, value in corrections.items():
        attr = FIELD_OF.get(key)
        if attr is None:
            continue
        if attr == "client_email":
            value = str(value).lower()
            desk.ledger.clear_bad_address(value)
        setattr(r, attr, value)
        if attr == "amount_due" and (r.amount is None or r.status == DRAFT):
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


class _Undo:
    """Snapshots of the files one command touches (and the files it creates), kept so `undo`
    can put every one of them back as it was."""

    def __init__(self, desk: Desk, cmd: Command):
        self.desk, self.cmd = desk, cmd
        self.before: dict[str, dict[str, Any]] = {}
        self.new: list[int] = []

    def keep(self, r: Receivable) -> None:
        self.before.setdefault(str(r.id), copy.deepcopy(r.to_doc()))

    def created(self, r: Receivable) -> None:
        self.new.append(r.id)

    def __enter__(self) -> "_Undo":
        return self

    def __exit__(self, *exc: object) -> None:
        if exc[0] is None and self.before:
            self.desk.store.table("undo").insert({"before": self.before, "created": self.new, "what": self.cmd.text,
                                                  "message": self.desk.incoming_key, "at": self.desk.now.isoformat()})


def _undo(desk: Desk) -> list[dict[str, Any]]:
    """Undo the owner's last message: every change it made, latest first."""
    t = desk.store.table("undo")
    entries = sorted(t.all(), key=lambda d: d.doc_id)
    if not entries:
        return [{"kind": "nothing_to_undo"}]
    key = entries[-1].get("message")
    batch = [e for e in entries if key is not None and e.get("message") == key] or entries[-1:]
    receivables = desk.store.table("receivables")
    out: list[dict[str, Any]] = []
    for entry in reversed(batch):
        if entry.get("created"):
            receivables.remove(doc_ids=list(entry["created"]))
        for rid, doc in entry["before"].items():
            receivables.update(doc, doc_ids=[int(rid)])
            r = desk.ledger.get(int(rid))
            assert r is not None
            desk.ledger.event(r, "undo", desk.now, what=entry["what"])
            if r.plan_of is None or not any(o["rid"] == r.plan_of for o in out):
                out.append({"kind": "undone", "what": entry["what"], "rid": r.id, "number": r.number})
        t.remove(doc_ids=[entry.doc_id])
    return list(reversed(out))
