"""Reminders to clients: one email per client per tick, listing every late invoice.

The scheduler (pure) says what is due; this module renders it in the client's language with
the payment block (IBAN, reference, EPC QR code inline, payment link) and the charges the law
allows, threads it under the previous reminder, attaches the invoice copy, plans it in the
outbox and moves each file to its new stage, all in one transaction per client.

A `call` stage sends nothing: it is recorded as a `call_task` event for the owner's digest.
A `letter` stage renders the formal notice as a PDF and sends it to the owner to sign and
post; with `email_client: true` the client also gets it by email.

A Belgian consumer's first reminder must name the creditor's enterprise number (Code de droit
économique XIX.2). Without `business.enterprise_number` in rules.yaml that client's email waits,
and the owner is told once (one note per client, its Message-ID a function of the address).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from email.message import EmailMessage
from email.utils import formataddr
from typing import Any

from ..businessdays import SendWindow
from ..compose import Attachment, Rendered, Templates, build_message
from ..ledger import Ledger
from ..models import Receivable
from ..outbox import make_message_id
from ..payment import epc_qr_png
from ..rules import Rules, Stage
from ..scheduler import Due, FirstDay, Waiting, client_facts, clients_due_today, commit, due_reminders
from ..statement import client_language, greeting, needs_consumer_notice, reminder_context
from .base import Desk

log = logging.getLogger("mailbot.reminders")

CALL_SCRIPT = "I see invoice {numbers} is still unpaid. Can you confirm when the payment will be made?"


@dataclass
class Reminder:
    """A rendered reminder, before it becomes an email: what `mailbot preview` writes to files."""

    lang: str
    template: str
    rendered: Rendered
    attachments: list[Attachment] = field(default_factory=list)  # the QR image (inline) first, then files
    qr_payload: str | None = None
    context: dict[str, Any] = field(default_factory=dict)


def plan_due_reminders(desk: Desk) -> int:
    """Plan every reminder due now. Returns how many emails to clients were planned."""
    window = desk.rules.window(desk.settings.timezone)
    if not window.contains(desk.now, desk.rules.policy.calendar):
        return 0  # most minutes of the week: nothing can leave, so nothing is loaded (bench/bench_tick.py)
    dues = find_due(desk.ledger, desk.rules, desk.now, window)
    planned = 0
    for due in dues:
        with desk.store.transaction():
            planned += _plan_one(desk, due)
    return planned


def find_due(ledger: Ledger, rules: Rules, now: datetime, window: SendWindow) -> list[Due]:
    """What `due_reminders` says over every stored file, loading only the clients it can concern.

    The ledger's index gives the open files whose first possible day, for any kind of client,
    has come; the paid history of their clients gives each its segment, hence the day itself
    (`clients_due_today`). Only those clients' files are loaded, open and closed (the closed
    ones set the segment and may hold the last email sent): every other client would get
    nothing today (bench/bench_tick.py: the cost of the due files, not of the whole history).
    """
    today = now.astimezone(window.zone).date()
    first_day = FirstDay(rules)

    def ready(w: Waiting) -> bool:
        day = first_day(w)
        return day is not None and day <= today

    waiting = ledger.waiting(ready)
    clients = clients_due_today(waiting, ledger.paid_history(waiting), rules, today, first_day)
    files = ledger.for_clients(clients, statuses=None)
    return due_reminders([r for r in files if r.is_open], rules, now, window=window,
                         bad_addresses=ledger.bad_addresses(), facts=client_facts(files))


def _plan_one(desk: Desk, due: Due) -> int:
    today = desk.today
    hold = desk.rules.policy.dry_run
    mid = None
    letter_pdf = None
    # Files this email is the first reminder for, under Belgian consumer law: it states their
    # notice, so it counts as their first reminder even for a file that only rides along.
    first = [r for r in due.in_email if needs_consumer_notice(r, desk.rules, today)] if due.emailed else []
    if first and not desk.rules.business.enterprise_number:
        _hold_for_enterprise_number(desk, due, first)
        return 0
    if due.letters:
        letter_pdf = render_letter(desk.rules, desk.templates, [i.receivable for i in due.letters], due.letters[0].stage, today)
    if due.emailed:
        files = due.in_email
        key = "-".join(f"{i.receivable.id}s{i.stage.index if i.stage else 'p'}" for i in due.emailed)
        mid = make_message_id(desk.store, desk.domain, "reminder", key, today.isoformat() if due.template == "promise_broken" else "")
        stage = due.email_stage
        extra = [letter_pdf] if letter_pdf is not None and any(i in due.emailed for i in due.letters) else []
        reminder = make_reminder(desk.rules, desk.templates, files, stage, due.template or "promise_broken", today,
                                 qr_cid=_qr_cid(mid), load_attachment=desk.load_attachment,
                                 attach=stage is not None and stage.attach_invoice, extra=extra)
        previous = _thread_of(desk, files)
        msg = reminder_message(desk.rules, reminder, to=files[0].client_email or due.client_email, from_addr=desk.settings.address,
                               message_id=mid, when=desk.now, previous=previous, to_name=files[0].client_name)
        desk.outbox.plan(msg, kind="reminder", receivables=[r.id for r in files], stage=stage.index if stage else None,
                         now=desk.now, hold=hold)
    if letter_pdf is not None:
        _plan_letter_note(desk, due, letter_pdf, emailed=mid is not None and any(i.needs_email for i in due.letters))
    commit(due, desk.now, today)
    for r in first:
        if r.first_reminder_date is None:  # a listed file: commit() moves only the files whose stage moved
            r.first_reminder_date = today
            desk.ledger.save(r)
    for i in due.items:
        if i.kind == "listed":
            continue
        r = i.receivable
        desk.ledger.save(r)
        name = i.stage.name if i.stage else "promise_broken"
        if i.stage is not None and i.stage.channel == "call":
            desk.ledger.event(r, "call_task", desk.now, stage=name, script=CALL_SCRIPT.format(numbers=r.number))
        elif i.stage is not None and i.stage.channel == "letter":
            desk.ledger.event(r, "letter", desk.now, stage=name, emailed=i.needs_email and mid is not None, dry_run=hold)
        if i.needs_email:
            desk.ledger.event(r, "reminder", desk.now, stage=name, message_id=mid, dry_run=hold)
    return 1 if mid else 0


def _qr_cid(mid: str) -> str:
    return f"qr-{hashlib.sha256(mid.encode()).hexdigest()[:16]}@mailbot"


def make_reminder(rules: Rules, templates: Templates, files: list[Receivable], stage: Stage | None, template: str,
                  today: date, *, qr_cid: str, load_attachment: Callable[[Receivable], Attachment | None],
                  attach: bool, lang: str | None = None, extra: list[Attachment] | None = None,
                  b2c: bool | None = None) -> Reminder:
    """Render one reminder: context, QR image, invoice copies. No store, no outbox."""
    lead = files[0]
    lang = lang or client_language(lead, rules)
    # A copy the client asked for is not a reminder: it never stands for the first one.
    ctx, pay = reminder_context(files, rules, today, stage, lang=lang, qr_cid=qr_cid, b2c=b2c,
                                notice=template != "invoice_copy")
    rendered = templates.render(f"{lang}/{template}.j2", ctx)
    attachments: list[Attachment] = []
    if pay.qr_payload:
        attachments.append(Attachment("payment-qr.png", "image/png", epc_qr_png(pay.qr_payload), inline_cid=qr_cid))
    if attach:
        for r in files:
            a = load_attachment(r)
            if a:
                attachments.append(a)
    attachments.extend(extra or [])
    return Reminder(lang, template, rendered, attachments, pay.qr_payload, ctx)


def reminder_message(rules: Rules, reminder: Reminder, *, to: str, from_addr: str, message_id: str, when: datetime,
                     previous: list[str], to_name: str | None = None) -> EmailMessage:
    # "ACME SARL <compta@acme.fr>" rather than a bare address: what people write, and what
    # spam filters expect (SpamAssassin's TO_NO_BRKTS_PCNT).
    recipient = formataddr((" ".join(to_name.split()), to)) if to_name else to
    return build_message(
        reminder.rendered,
        from_name=rules.business.name,
        from_addr=from_addr,
        to=[recipient],
        message_id=message_id,
        when=when,
        in_reply_to=previous[-1] if previous else None,
        references=previous[-10:],
        attachments=reminder.attachments,
    )


def _thread_of(desk: Desk, files: list[Receivable]) -> list[str]:
    """Message-IDs of the earlier emails to this client about these files, oldest first (threading per client)."""
    return [e["message_id"] for e in desk.outbox.client_mail_about(r.id for r in files)]


# --- the formal notice (letter stage) ----------------------------------------------------


def render_letter(rules: Rules, templates: Templates, files: list[Receivable], stage: Stage | None, today: date,
                  lang: str | None = None) -> Attachment:
    """The formal notice as a PDF in the client's language, ready to print and sign."""
    from ..letter import letter_pdf

    lang = lang or client_language(files[0], rules)
    # The email that goes with the letter (or an earlier one) is what counts as the first reminder.
    ctx, _ = reminder_context(files, rules, today, stage, lang=lang, qr_cid=None, notice=False)
    lead = files[0]
    ctx |= {"client_name": lead.client_name or lead.client_email or "", "client_email": lead.client_email or "",
            "business_address": rules.business.address or "", "enterprise_number": rules.business.enterprise_number or "",
            "today": today}
    rendered = templates.render(f"{lang}/letter.j2", ctx)
    data = letter_pdf(rendered.subject, rendered.text, author=rules.business.name)
    numbers = "-".join(r.number for r in files)[:60]
    return Attachment(f"formal-notice-{numbers}.pdf", "application/pdf", data)


def _plan_letter_note(desk: Desk, due: Due, pdf: Attachment, *, emailed: bool) -> None:
    """Send the notice to the owner to sign and post (owner's language; threaded per file)."""
    files = [i.receivable for i in due.letters]
    lang = desk.rules.business.language
    ctx = desk.base_context(lang) | {
        "files": [{"number": r.number, "amount_due": r.amount_due, "currency": r.currency, "due_date": r.due_date} for r in files],
        "client": files[0].client_name or files[0].client_email or "", "client_email": files[0].client_email or "",
        "emailed": emailed, "dry_run": desk.rules.policy.dry_run,
    }
    rendered = desk.templates.render(f"{lang}/letter_owner.j2", ctx)
    thread = make_message_id(desk.store, desk.domain, "file", files[0].id)
    key = "-".join(f"{r.id}s{i.stage.index}" for r, i in zip(files, due.letters) if i.stage)
    msg = build_message(
        rendered, from_name=f"mailbot ({desk.rules.business.name})", from_addr=desk.settings.address,
        to=list(desk.settings.owners), message_id=make_message_id(desk.store, desk.domain, "letter", key),
        when=desk.now, in_reply_to=thread, references=[thread], attachments=[pdf],
    )
    desk.outbox.plan(msg, kind="note:letter", receivables=[r.id for r in files], now=desk.now)


def _hold_for_enterprise_number(desk: Desk, due: Due, first: list[Receivable]) -> None:
    """Tell the owner, once per client, that a consumer's first reminder waits for the enterprise number."""
    mid = make_message_id(desk.store, desk.domain, "consumer-hold", due.client_email.lower())
    if desk.outbox.find([mid]):
        return
    log.warning("%s: first reminder to a Belgian consumer (%s) held: rules.yaml has no business.enterprise_number",
                ",".join(r.number for r in first), due.client_email)
    lang = desk.rules.business.language
    ctx = desk.base_context(lang) | {
        "files": [{"number": r.number, "amount_due": r.amount_due, "currency": r.currency, "due_date": r.due_date} for r in first],
        "client": first[0].client_name or due.client_email, "client_email": due.client_email,
    }
    rendered = desk.templates.render(f"{lang}/consumer_owner.j2", ctx)
    thread = make_message_id(desk.store, desk.domain, "file", first[0].id)
    msg = build_message(
        rendered, from_name=f"mailbot ({desk.rules.business.name})", from_addr=desk.settings.address,
        to=list(desk.settings.owners), message_id=mid, when=desk.now, in_reply_to=thread, references=[thread],
    )
    desk.outbox.plan(msg, kind="note:consumer_hold", receivables=[r.id for r in first], now=desk.now)


# --- copies and samples -----------------------------------------------------------------


def plan_copy(desk: Desk, files: list[Receivable], in_reply_to: str | None) -> None:
    """The client asked for the invoice again: send the copy at once."""
    mid = desk.answer_id("copy")
    previous = _thread_of(desk, files)
    refs = previous + ([in_reply_to] if in_reply_to else [])
    reminder = make_reminder(desk.rules, desk.templates, files, None, "invoice_copy", desk.today, qr_cid=_qr_cid(mid),
                             load_attachment=desk.load_attachment, attach=True)
    msg = reminder_message(desk.rules, reminder, to=files[0].client_email or "", from_addr=desk.settings.address,
                           message_id=mid, when=desk.now, previous=refs, to_name=files[0].client_name)
    desk.outbox.plan(msg, kind="copy", receivables=[r.id for r in files], now=desk.now)


def _greeting(lang: str, name: str | None) -> str:
    return greeting(lang, name)


def sample_context(lang: str, rules: Any) -> dict[str, Any]:
    """Realistic data for rendering every template at check time."""
    from decimal import Decimal

    due = date(2026, 12, 15)
    items = [{"number": "F2026-014", "issue_date": date(2026, 11, 15), "due_date": due, "amount_due": Decimal("1440.00"),
              "currency": "EUR", "days_late": 7}]
    return {
        "lang": lang, "business_name": rules.business.name, "commands_hint": "done", "greeting": _greeting(lang, "ACME SARL"),
        "items": items, "total_due": Decimal("1440.00"), "currency": "EUR", "final_date": date(2026, 12, 30),
        "iban": rules.business.iban, "bic": rules.business.bic, "reference": "F2026-014", "charges": [], "qr_cid": None,
        "promise_date": date(2026, 12, 20), "payment_link": getattr(rules.business, "payment_link", None),
        "client_name": "ACME SARL", "client_email": "compta@acme.fr", "business_address": "12 rue des Lilas, 75011 Paris",
        "enterprise_number": "SIREN 123 456 789", "today": date(2026, 12, 22),
        "files": [{"number": "F2026-014", "amount_due": Decimal("1440.00"), "currency": "EUR", "due_date": due}],
        "client": "ACME SARL", "emailed": True, "dry_run": False,
        # A Belgian consumer's first reminder, so `mailbot check` renders that paragraph too.
        "consumer_notice": {"files": [items[0] | {"indemnity": Decimal("112.00"),
                                                  "calculation": "65.00 + 5% × (1,440.00 − 500.00) = 112.00"}],
                            "deadline": date(2026, 12, 30), "charges_from": date(2026, 12, 31), "interest_rate": "10.5%",
                            "creditor": rules.business.name,
                            "enterprise_number": getattr(rules.business, "enterprise_number", None) or "0123.456.789"},
    }
