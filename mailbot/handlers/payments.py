"""The owner forwards a proof of payment (bank credit notification, PayPal/Stripe/Mollie/SumUp
receipt, a client's remittance advice) instead of writing "done".

remittance.py reads it and says which open files it pays; when that is sure, the files are
closed (or their balance reduced) exactly as "paid <amount>" would, undo included; when it is
not (the amount alone, two files that fit, nothing found), nothing changes and the owner is
asked which file, with the commands to answer.
"""

from __future__ import annotations

import logging
from decimal import Decimal
from email.message import EmailMessage
from typing import Any

from ..commands import Command
from ..remittance import Payment, match, payment_text, read_payment
from .base import PROCESSED, Desk
from .command import _Undo, record_payment

log = logging.getLogger("mailbot.payments")


def handle(desk: Desk, msg: EmailMessage) -> str | None:
    """PROCESSED when `msg` is a payment confirmation (acted on or asked about), else None."""
    subject, text = payment_text(msg)
    payment = read_payment(subject, text)
    if payment is None:
        return None
    found = match(payment, desk.ledger.open())
    head = {"kind": "payment", "amount": payment.amount, "currency": payment.currency or "EUR", "payer": payment.payer or "?",
            "source": payment.source, "how": found.how}
    changes: list[dict[str, Any]] = []
    if found.sure and payment.amount is not None:
        changes = [head] + _apply(desk, payment, found.files)
        title = {"kind": "payment_recorded", "numbers": [r.number for r in found.files]}
    else:
        why = "no_amount_read" if payment.amount is None and found.sure else found.how  # a code: `m.why` words it
        changes = [head | {"kind": "payment_unsure", "numbers": [r.number for r in (found.candidates or found.files)], "why": why}]
        title = {"kind": "payment_which", "numbers": []}
    log.info("%s: payment confirmation (%s, %s) -> %s", str(msg.get("Message-ID", "-")), payment.source, found.how,
             [r.number for r in found.files] or "asked")
    files = [desk.ledger.get(c["rid"]) for c in changes if c.get("rid")]
    desk.note_owner("result", {"title": title, "changes": changes, "show_help": False},
                    files=[f for f in files if f is not None][:1], in_reply_to=str(msg.get("Message-ID", "")) or None)
    return PROCESSED


def _apply(desk: Desk, payment: Payment, files: list) -> list[dict[str, Any]]:
    assert payment.amount is not None
    out: list[dict[str, Any]] = []
    left = payment.amount
    cmd = Command("partial", amount=payment.amount, text=f"payment confirmation ({payment.source}, {payment.amount})")
    for r in files:
        balance = r.amount_due if r.amount_due is not None else (r.amount or Decimal(0))
        # One file takes the whole payment; several (a remittance advice) take their own balances.
        pay = left if len(files) == 1 else min(balance, left)
        with _Undo(desk, cmd) as undo:
            undo.keep(r)
            change = record_payment(desk, r, min(pay, balance), f"payment confirmation ({payment.source})")
        out.append(change | {"rid": r.id, "number": r.number})
        left -= pay
        if len(files) == 1 and pay > balance:
            out.append({"kind": "overpaid", "number": r.number, "amount": pay - balance, "currency": r.currency})
    return out
