"""Reminders to clients: one email per client per tick, listing every late invoice.

The scheduler (pure) says what is due; this module renders it in the client's language,
threads it under the previous reminder, attaches the invoice copy, plans it in the outbox and
moves each file to its new stage, all in one transaction.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from ..compose import Attachment, build_message
from ..models import Receivable
from ..outbox import make_message_id
from ..scheduler import Due, due_reminders
from .base import Desk


def plan_due_reminders(desk: Desk) -> int:
    """Plan every reminder due today. Returns how many emails were planned."""
    dues = due_reminders(desk.ledger.open(), desk.rules, desk.today, desk.ledger.bad_addresses())
    planned = 0
    for due in dues:
        with desk.store.transaction():
            planned += _plan_one(desk, due)
    return planned


def _plan_one(desk: Desk, due: Due) -> int:
    moving = [i for i in due.items if i.kind != "listed"]
    top = due.top_stage
    calls = [i for i in moving if i.stage is not None and i.stage.channel == "call"]
    for i in calls:
        # A call stage sends nothing: it becomes a task with a call script in the owner's digest.
        i.receivable.last_stage = i.stage.index
        desk.ledger.save(i.receivable)
        desk.ledger.event(i.receivable, "call_task", desk.now, stage=i.stage.name)
    emailed = [i for i in moving if i not in calls]
    if not emailed:
        return 0
    if top is not None and top.channel == "call":
        top = max((i.stage for i in emailed if i.stage), key=lambda s: s.index, default=None)
    template = top.template if top is not None else "promise_broken"
    files = [i.receivable for i in due.items if i not in calls]
    key = "-".join(f"{i.receivable.id}s{i.stage.index if i.stage else 'p'}" for i in emailed)
    mid = make_message_id(desk.store, desk.domain, "reminder", key, desk.today.isoformat() if template == "promise_broken" else "")
    lead = emailed[0].receivable
    previous = _thread_of(desk, files)
    attach = top is not None and top.attach_invoice
    msg = _compose(desk, template, files, lead, mid, previous, attach, top)
    hold = desk.rules.policy.dry_run
    desk.outbox.plan(msg, kind="reminder", receivables=[r.id for r in files], stage=top.index if top else None, now=desk.now, hold=hold)
    for i in emailed:
        r = i.receivable
        if i.stage is not None:
            r.last_stage = i.stage.index
        if i.kind == "promise_broken":
            r.promise_date = None
        r.last_reminder_at = desk.now
        desk.ledger.save(r)
        desk.ledger.event(r, "reminder", desk.now, stage=i.stage.name if i.stage else "promise_broken", message_id=mid, dry_run=hold)
    return 1


def _thread_of(desk: Desk, files: list[Receivable]) -> list[str]:
    """Message-IDs of the earlier reminders to this client, oldest first (threading per client)."""
    ids = {r.id for r in files}
    entries = [e for e in desk.outbox.table.all() if e["kind"] in ("reminder", "copy") and ids & set(e["receivables"])]
    return [e["message_id"] for e in sorted(entries, key=lambda e: e.doc_id)]


def _compose(desk: Desk, template: str, files: list[Receivable], lead: Receivable, mid: str, previous: list[str],
             attach: bool, stage: Any) -> Any:
    lang = lead.language if lead.language in ("fr", "en", "nl", "de") else desk.rules.business.language
    items = []
    for r in files:
        late = (desk.today - r.due_date).days if r.due_date else 0
        items.append({"number": r.number, "issue_date": r.issue_date or r.due_date, "due_date": r.due_date,
                      "amount_due": r.amount_due if r.amount_due is not None else Decimal(0), "currency": r.currency, "days_late": late})
    total = sum((i["amount_due"] for i in items), Decimal(0))
    final_days = stage.final_date_days if stage is not None else 8
    ctx = desk.base_context(lang) | {
        "greeting": _greeting(lang, lead.client_name),
        "items": items,
        "total_due": total,
        "currency": lead.currency,
        "final_date": desk.today + timedelta(days=final_days),
        "iban": lead.iban or desk.rules.business.iban,
        "bic": desk.rules.business.bic,
        "reference": lead.payment_reference or lead.number,
        "charges": [],
        "qr_cid": None,
        "promise_date": lead.promise_date,
    }
    rendered = desk.templates.render(f"{lang}/{template}.j2", ctx)
    attachments: list[Attachment] = []
    if attach:
        for r in files:
            a = desk.load_attachment(r)
            if a:
                attachments.append(a)
    return build_message(
        rendered,
        from_name=desk.rules.business.name,
        from_addr=desk.settings.address,
        to=[lead.client_email or ""],
        message_id=mid,
        when=desk.now,
        in_reply_to=previous[-1] if previous else None,
        references=previous[-10:],
        attachments=attachments,
    )


def plan_copy(desk: Desk, files: list[Receivable], in_reply_to: str | None) -> None:
    """The client asked for the invoice again: send the copy at once."""
    lead = files[0]
    mid = desk.answer_id("copy")
    previous = _thread_of(desk, files)
    refs = previous + ([in_reply_to] if in_reply_to else [])
    msg = _compose(desk, "invoice_copy", files, lead, mid, refs, True, None)
    desk.outbox.plan(msg, kind="copy", receivables=[r.id for r in files], now=desk.now)


def _greeting(lang: str, name: str | None) -> str:
    base = {"fr": "Bonjour", "en": "Hello", "nl": "Beste", "de": "Guten Tag"}.get(lang, "Hello")
    return f"{base} {name}" if name and lang != "de" else base


def sample_context(lang: str, rules: Any) -> dict[str, Any]:
    """Realistic data for rendering every template at check time."""
    from datetime import date

    due = date(2026, 12, 15)
    items = [{"number": "F2026-014", "issue_date": date(2026, 11, 15), "due_date": due, "amount_due": Decimal("1440.00"),
              "currency": "EUR", "days_late": 7}]
    return {
        "lang": lang, "business_name": rules.business.name, "commands_hint": "done", "greeting": _greeting(lang, "ACME SARL"),
        "items": items, "total_due": Decimal("1440.00"), "currency": "EUR", "final_date": date(2026, 12, 30),
        "iban": rules.business.iban, "bic": rules.business.bic, "reference": "F2026-014", "charges": [], "qr_cid": None,
        "promise_date": date(2026, 12, 20),
    }
