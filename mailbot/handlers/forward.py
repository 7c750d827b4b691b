"""An owner forwards an invoice: read it, register it, or ask for what is missing.

Never registers a guess: a required field that is missing or below confidence makes a draft
and a question to the owner, whose reply (handled in `command`) completes it.
"""

from __future__ import annotations

import logging
from email.message import EmailMessage

from ..coded import Coded, limit_broken
from ..errors import ExtractionError, InputRejected
from ..intake import InvoiceFields, extract_message
from ..models import DRAFT, OPEN, Receivable
from ..plans import UNDER_PLAN
from ..scheduler import next_stage_date
from .reports import handle_import, spreadsheet_of
from .base import PROCESSED, QUARANTINE, Desk, file_view

log = logging.getLogger("mailbot.forward")

# The lines an "ask" note suggests for each missing field, in the owner's own words. They are not
# commands (commands.write_command has no verb for them) but what the command handler reads when
# an owner answers: the client line is a client-email command (commands.parse_line), the others
# are field corrections (intake.parse_corrections); each reads back to its field (tests).
EXAMPLES: dict[str, dict[str, str]] = {
    "en": {"invoice_number": "invoice F2026-014", "buyer_email": "client compta@client.fr",
           "amount_due": "amount 1,440.00 EUR", "due_date": "due 2026-12-15"},
    "fr": {"invoice_number": "facture F2026-014", "buyer_email": "client compta@client.fr",
           "amount_due": "montant 1 440,00 EUR", "due_date": "échéance 2026-12-15"},
    "nl": {"invoice_number": "factuur F2026-014", "buyer_email": "klant boekhouding@klant.be",
           "amount_due": "bedrag 1.440,00 EUR", "due_date": "vervaldag 2026-12-15"},
    "de": {"invoice_number": "Rechnung F2026-014", "buyer_email": "Kunde buchhaltung@kunde.de",
           "amount_due": "Betrag 1.440,00 EUR", "due_date": "fällig 2026-12-15"},
}


def examples(lang: str, missing: list[str]) -> list[str]:
    """The answer lines an owner of `lang` could write for the `missing` fields (English for another language)."""
    words = EXAMPLES.get(lang, EXAMPLES["en"])
    return [words[m] for m in missing if m in words]


def refusal_reason(exc: InputRejected | ExtractionError) -> Coded:
    """Why a forward was quarantined, as a code: a broken limit names its setting; anything else
    means the message itself could not be read (documents that cannot be read are warnings)."""
    text = exc.args[0] if exc.args and isinstance(exc.args[0], str) else str(exc)
    return limit_broken(text) or Coded("message_unreadable", text)


def handle(desk: Desk, msg: EmailMessage) -> str:
    from . import payments

    subject = str(msg.get("Subject", ""))  # "" is worded "(no subject)" by the owner's templates
    if not _has_invoice_file(msg) and (sheet := spreadsheet_of(msg)) is not None:
        return handle_import(desk, msg, *sheet)  # onboarding: an export of open invoices
    # A forwarded bank notification or remittance advice names invoices and amounts too: read
    # it as a payment first, unless an invoice document is attached.
    if not _has_invoice_file(msg) and (paid := payments.handle(desk, msg)) is not None:
        return paid
    try:
        fields = extract_message(msg, limits=desk.limits())
    except (InputRejected, ExtractionError) as exc:
        log.warning("forward %r quarantined: %s", subject, exc)
        desk.note_owner("problem", {"kind": "quarantined", "about": subject, "reason": refusal_reason(exc), "can_replay": False})
        return QUARANTINE
    if not fields.source and _has_invoice_file(msg) and (paid := payments.handle(desk, msg)) is not None:
        return paid
    if not fields.source:
        # The warnings say why, each with its code: the owner's template words them one by one.
        why = fields.warnings or [Coded("no_invoice", "no invoice attachment (Factur-X, UBL/CII XML or PDF) and no invoice fields in the text")]
        log.warning("forward %r quarantined: %s", subject, "; ".join(why))
        desk.note_owner("problem", {"kind": "quarantined", "about": subject, "reason": why, "can_replay": False})
        return QUARANTINE
    if fields.document_type == "credit_note" and fields.invoice_number and desk.ledger.credit_note_seen(fields.invoice_number, fields.seller_name):
        desk.note_owner("result", {"title": {"kind": "credit_already", "text": fields.invoice_number}, "show_help": False,
                                   "changes": [{"kind": "duplicate_credit", "text": fields.invoice_number}]})
        return PROCESSED
    duplicate = find_duplicate(desk, fields)
    if duplicate is not None:
        desk.note_owner(
            "result",
            {"title": {"kind": "already_registered", "numbers": [duplicate.number]}, "changes": [{"kind": "duplicate", "number": duplicate.number, "state": duplicate.status}], "show_help": False},
            files=[duplicate],
        )
        return PROCESSED
    if fields.document_type == "credit_note":
        return _credit_note(desk, fields, subject)
    r = receivable_from(fields, desk)
    r.source_message = str(msg.get("Message-ID", "")) or None
    desk.ledger.add(r)
    desk.ledger.event(r, "registered" if r.status == OPEN else "draft", desk.now, source=fields.source, missing=r.missing)
    if r.status == OPEN:
        confirm_registration(desk, r, fields)
    else:
        ask_owner(desk, r, fields, subject)
    return PROCESSED


def _has_invoice_file(msg: EmailMessage) -> bool:
    """A PDF or XML attached, at any depth (inside a forwarded message too)."""
    return any(p.get_content_type() in ("application/pdf", "application/xml", "text/xml")
               or (p.get_filename() or "").lower().endswith((".pdf", ".xml")) for p in msg.walk() if not p.is_multipart())


def receivable_from(fields: InvoiceFields, desk: Desk) -> Receivable:
    missing = fields.missing()
    r = Receivable(
        number=fields.invoice_number or "",
        status=DRAFT if missing else OPEN,
        document_type=fields.document_type or "invoice",
        client_email=(fields.buyer_email or "").lower() or None,
        client_name=fields.buyer_name,
        seller_name=fields.seller_name,
        amount=fields.total_amount if fields.total_amount is not None else fields.amount_due,
        amount_due=fields.amount_due,
        currency=fields.currency or "EUR",
        issue_date=fields.issue_date,
        due_date=fields.due_date,
        language=fields.language or desk.rules.business.language,
        iban=fields.iban or desk.rules.business.iban,
        payment_reference=fields.payment_reference,
        missing=missing,
        registered_at=desk.now,
    )
    r.attachment = desk.save_attachment(fields.attachment_name, fields.attachment_bytes)
    r.attachment_name = fields.attachment_name
    r.attachment_type = fields.attachment_type
    return r


def find_duplicate(desk: Desk, fields: InvoiceFields) -> Receivable | None:
    """The same invoice forwarded twice: same number, seller and amount."""
    if not fields.invoice_number:
        return None
    for r in desk.ledger.find_number(fields.invoice_number, statuses=("open", "draft", "closed", UNDER_PLAN)):
        if r.document_type != (fields.document_type or "invoice"):
            continue
        same_seller = not (r.seller_name and fields.seller_name) or r.seller_name == fields.seller_name
        same_amount = fields.amount_due is None or r.amount is None or fields.total_amount in (None, r.amount) or fields.amount_due == r.amount_due
        if same_seller and same_amount:
            return r
    return None


def confirm_registration(desk: Desk, r: Receivable, fields: InvoiceFields | None = None) -> None:
    nxt = next_stage_date(desk.rules, r)
    desk.note_owner(
        "registered",
        {
            "r": file_view(r, desk.rules),
            "next_date": nxt[0] if nxt else None,
            "next_stage": nxt[1].name if nxt else None,
            "source": (fields.source if fields else "reply") or "email",  # a code: `m.source` words it
            "warnings": fields.warnings if fields else [],
        },
        files=[r],
    )


def ask_owner(desk: Desk, r: Receivable, fields: InvoiceFields, subject: str) -> None:
    found = []
    for name, label in (("invoice_number", "Invoice number"), ("buyer_name", "Client"), ("buyer_email", "Client email"),
                        ("amount_due", "Amount due"), ("due_date", "Due date"), ("issue_date", "Issue date")):
        value = getattr(fields, name)
        if value is not None:
            conf = fields.confidence.get(name, 0)
            # The "unsure" mark as a code: each language's template words it (macro `say`).
            found.append((label, Coded("unsure", f"{value} (unsure)", value=value) if conf < 0.8 else f"{value}"))
    desk.note_owner(
        "ask",
        {"r": file_view(r, desk.rules), "subject": subject, "found": found, "missing": [m.replace("_", " ") for m in r.missing],
         "examples": examples(desk.rules.business.language, r.missing)},
        files=[r],
    )


def _credit_note(desk: Desk, fields: InvoiceFields, subject: str) -> str:
    """A credit note reduces the balance of the invoice it refers to.

    The invoice is the one the XML names (BillingReference / InvoiceReferencedDocument); without
    that, the client's only open invoice. Anything else (several open invoices, none, a named
    invoice that is not open) is asked about, and nothing changes.
    """
    from .command import _Undo

    amount = fields.amount_due if fields.amount_due is not None else fields.total_amount
    number = fields.invoice_number or "?"
    named = _referenced(desk, fields)
    if named:
        candidates = [r for n in named for r in desk.ledger.find_number(n, statuses=(OPEN,))]
        how = "xml_reference"  # codes: the owner's template words them (`m.how`)
    else:
        email_ = (fields.buyer_email or "").lower()
        candidates = [r for r in desk.ledger.open() if email_ and r.client_email == email_]
        how = "client_only"
    if amount is None or len(candidates) != 1:
        why = ("no_amount" if amount is None else "named_not_open" if named and not candidates else
               "several_open" if candidates else "no_open_of_client")
        desk.note_owner("result", {"title": {"kind": "credit_which", "text": number}, "show_help": False, "changes": [
            {"kind": "credit_unsure", "text": number, "amount": abs(amount) if amount is not None else None,
             "currency": fields.currency or "EUR", "why": why, "named": named, "numbers": [r.number for r in candidates]}]})
        return PROCESSED
    r = candidates[0]
    credit = abs(amount)
    from ..commands import Command

    with _Undo(desk, Command("credit_note", text=f"credit note {number}")) as undo:
        undo.keep(r)
        before = r.amount_due if r.amount_due is not None else (r.amount or credit)
        r.amount_due = max(before - credit, before * 0)
        desk.ledger.save(r)
        desk.ledger.event(r, "credit_note", desk.now, number=number, amount=str(credit), matched_by=how)
        desk.ledger.record_credit_note(number, fields.seller_name, credit, r, desk.now)
        changes = [{"kind": "credit_note", "text": number, "how": how, "amount": credit, "currency": r.currency, "number": r.number, "rid": r.id}]
        if r.amount_due == 0:
            desk.ledger.close(r, desk.now, f"credit note {number}")
            changes.append({"kind": "closed", "number": r.number, "rid": r.id})
        else:
            changes.append({"kind": "balance", "number": r.number, "balance": r.amount_due, "currency": r.currency, "rid": r.id})
    desk.note_owner("result", {"title": {"kind": "credit_applied", "text": number, "numbers": [r.number]}, "changes": changes, "show_help": False}, files=[r])
    return PROCESSED


def _referenced(desk: Desk, fields: InvoiceFields) -> list[str]:
    """Invoice numbers the credit note's XML names (the XML itself, or the one inside a Factur-X PDF)."""
    from ..creditnotes import referenced_invoices
    from ..intake.pdf import load_pdf

    data = fields.attachment_bytes or b""
    if b"%PDF-" in data[:1024]:
        limits = desk.limits()
        try:
            content = load_pdf(data, fields.attachment_name or "credit note.pdf", max_pages=limits.max_pdf_pages,
                               timeout=limits.parse_timeout_s, want_text=False)
        except (InputRejected, ExtractionError):
            return []
        return [n for _, xml in content.embedded_xml for n in referenced_invoices(xml)]
    return referenced_invoices(data) if data else []

