"""What a reminder says, as data: the statement of account, how to pay, and the charges.

Pure: receivables, rules and a date in; the template context and the EPC QR payload out.
The handler (handlers/reminders.py) turns the payload into a PNG and the context into an
email; `mailbot preview` and the tests use the very same functions.

- The payment reference is the invoice's own when it has one that fits the owner's scheme
  (`business.reference`), else one generated from the invoice number (Belgian structured
  communication or ISO 11649 RF, with their check digits).
- The EPC QR code carries the total due. One invoice: its structured reference (RF, or the
  12 digits of a Belgian one) or its number as text. Several: their numbers as text.
- Charges are computed with `charges.late_charges` per invoice and shown with the arithmetic,
  only on a stage that says `charges: true`, only in France or Belgium, and only where the
  law allows them (never a fee to a French consumer, nothing in Belgium before the 14 days).
  Whether a client is a consumer is the owner's word in rules.yaml `clients` first, then the file's.
- A Belgian consumer's first reminder (the first email about an invoice once it is overdue) is
  free and must announce what will be claimed: `consumer_notice` gives, per invoice, the
  indemnity `charges.consumer_terms` computes from the scale, the deadline (the same grace
  period `late_charges` waits for: `consumer_grace_days`), the creditor's name and enterprise
  number. That email's payment date is the deadline.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from functools import lru_cache
from typing import Any

from babel.numbers import format_currency, format_percent

from .charges import BE_B2C_GRACE_DAYS, RateTable, consumer_terms, late_charges, load_rates
from .compose import LOCALES
from .errors import ConfigError
from .models import Receivable
from .payment import (
    PaymentDataError,
    epc_qr_payload,
    is_valid_belgian_reference,
    is_valid_rf_reference,
    reference_for,
    validate_iban,
)
from .rules import LANGUAGES, Rules, Stage
from .segments import is_b2c

log = logging.getLogger("mailbot.reminders")

GREETING = {"fr": "Bonjour", "en": "Hello", "nl": "Beste", "de": "Guten Tag"}
CHARGE_WORDS = {
    "fr": ("intérêts de retard", "indemnité forfaitaire pour frais de recouvrement", "Total des pénalités"),
    "en": ("late-payment interest", "fixed recovery indemnity", "Total charges"),
    "nl": ("nalatigheidsintresten", "forfaitaire vergoeding voor invorderingskosten", "Totaal kosten"),
    "de": ("Verzugszinsen", "Pauschale für Beitreibungskosten", "Summe der Kosten"),
}
QR_TEXT = {"fr": "Factures", "en": "Invoices", "nl": "Facturen", "de": "Rechnungen"}


@lru_cache(maxsize=1)
def default_rates() -> RateTable:
    return load_rates()


def client_language(r: Receivable, rules: Rules) -> str:
    """The client's language: the owner's word for the client, then the invoice's, then the owner's."""
    override = rules.override_for(r.client_email)
    if override is not None and override.language:
        return override.language
    return r.language if r.language in LANGUAGES else rules.business.language


def greeting(lang: str, name: str | None) -> str:
    base = GREETING.get(lang, "Hello")
    return f"{base} {name}" if name and lang != "de" else base


def payment_reference(r: Receivable, scheme: str) -> str:
    """The reference the client should quote.

    >>> payment_reference(Receivable(number="2026-0042"), "be")
    '+++002/0260/04240+++'
    """
    own = (r.payment_reference or "").strip()
    if scheme == "invoice":
        return own or r.number
    fits = is_valid_belgian_reference if scheme == "be" else is_valid_rf_reference
    if own and fits(own):
        return own
    try:
        return reference_for(r.number, scheme)
    except PaymentDataError:
        return own or r.number  # an invoice number no scheme can hold: quote it as it is


def _qr_reference(reference: str) -> tuple[str | None, str | None]:
    """(structured, text) for the QR: RF and Belgian references go in the structured field."""
    if is_valid_rf_reference(reference):
        return reference, None
    if is_valid_belgian_reference(reference):
        return re.sub(r"\D", "", reference), None
    return None, reference


@dataclass(frozen=True)
class Payment:
    iban: str | None
    bic: str | None
    reference: str
    qr_payload: str | None
    link: str | None


def payment_for(files: list[Receivable], rules: Rules, total: Decimal, lang: str) -> Payment:
    b = rules.business
    lead = files[0]
    refs = [payment_reference(r, b.reference) for r in files]
    reference = refs[0] if len(files) == 1 else ", ".join(refs)
    iban = lead.iban or b.iban
    bic = b.bic if iban and b.iban and _compact(iban) == _compact(b.iban) else None
    payload = None
    currency = lead.currency
    if iban and currency == "EUR" and Decimal("0.01") <= total and all(r.currency == "EUR" for r in files):
        if len(files) == 1:
            structured, text = _qr_reference(refs[0])
        else:
            structured, text = None, f"{QR_TEXT.get(lang, 'Invoices')} " + " ".join(r.number for r in files)
        try:
            validate_iban(iban)
            payload = epc_qr_payload(name=b.name[:70], iban=iban, bic=bic, amount=total.quantize(Decimal("0.01")),
                                     reference=structured, text=text[:140] if text else None)
        except PaymentDataError as exc:
            log.warning("%s: no payment QR code (%s)", lead.number, exc)
    numbers = ",".join(r.number for r in files)
    link = b.link_for(numbers, f"{total:.2f}", currency, refs[0] if len(files) == 1 else numbers)
    return Payment(iban, bic, reference, payload, link)


def _compact(iban: str) -> str:
    return "".join(iban.split()).upper()


def charge_lines(files: list[Receivable], rules: Rules, today: date, lang: str, rates: RateTable | None = None,
                 b2c: bool | None = None) -> tuple[list[str], Decimal]:
    """The lines that show the charges and how they were computed, and their total.

    Nothing when the business is not in France or Belgium, or the law refuses them.
    """
    jurisdiction = rules.business.country
    if jurisdiction not in ("FR", "BE"):
        return [], Decimal(0)
    rates = rates or default_rates()
    locale = LOCALES.get(lang, "en_GB")
    interest_w, indemnity_w, total_w = CHARGE_WORDS.get(lang, CHARGE_WORDS["en"])
    lines: list[str] = []
    total = Decimal(0)
    for r in files:
        if r.due_date is None or r.amount_due is None or r.amount_due <= 0:
            continue
        try:
            c = late_charges(amount=r.amount_due, due_date=r.due_date, on=today, jurisdiction=jurisdiction,  # type: ignore[arg-type]
                             b2c=is_b2c(r, rules) if b2c is None else b2c, rates=rates,
                             formal_notice_date=r.formal_notice_date, first_reminder_date=r.first_reminder_date,
                             grace_days=consumer_grace_days(rules), locale=locale)
        except ConfigError as exc:  # no rate known for that half-year: claim nothing rather than guess
            log.warning("%s: no late charges shown (%s)", r.number, exc)
            continue
        if not c.allowed:
            continue
        # c.lines: the interest arithmetic (one line per half-year, plus their sum when there
        # are several), then, for a Belgian consumer, the indemnity's bracket arithmetic.
        n_interest = len(c.periods) + (1 if len(c.periods) > 1 else 0)
        colon = " :" if lang == "fr" else ":"
        for line in c.lines[:n_interest]:
            lines.append(f"{r.number} – {interest_w}{colon} {line}")
        if c.indemnity:
            calc = c.lines[n_interest:]
            shown = calc[0] if calc else format_currency(c.indemnity, r.currency, locale=locale)
            lines.append(f"{r.number} – {indemnity_w}{colon} {shown}")
        total += c.total
    if lines:
        lines.append(f"{total_w}{' :' if lang == 'fr' else ':'} {format_currency(total, files[0].currency, locale=locale)}")
    return lines, total


def consumer_grace_days(rules: Rules) -> int:
    """Days a Belgian consumer's first reminder gives to pay: 14 by law, more if rules.yaml b2c says so."""
    return max(BE_B2C_GRACE_DAYS, rules.b2c_min_final_date_days)


def needs_consumer_notice(r: Receivable, rules: Rules, today: date, b2c: bool | None = None) -> bool:
    """True when an email about `r` sent `today` is a Belgian consumer's first reminder.

    First: overdue, and no reminder since it fell due (`first_reminder_date` is set by the
    first one). A courtesy notice before the due date does not count; neither does a debt of 0.
    """
    return (rules.business.country == "BE" and (is_b2c(r, rules) if b2c is None else b2c)
            and r.first_reminder_date is None and r.due_date is not None and today > r.due_date
            and r.amount_due is not None and r.amount_due > 0)


def consumer_notice(files: list[Receivable], rules: Rules, today: date, lang: str, *, b2c: bool | None = None,
                    rates: RateTable | None = None) -> dict[str, Any] | None:
    """What a Belgian consumer's first reminder must state, or None when this email is no such reminder.

    Sent on 15 January 2026 for a 480 EUR invoice due on the 10th, in French:
    {"files": [{"number": "F1", "amount_due": Decimal("480.00"), "currency": "EUR",
                "due_date": date(2026, 1, 10), "indemnity": Decimal("63.00"),
                "calculation": "30,00 + 10 % × (480,00 − 150,00) = 63,00"}],
     "deadline": date(2026, 1, 29), "charges_from": date(2026, 1, 30), "interest_rate": "10,5 %",
     "creditor": "Atelier Dupré", "enterprise_number": "0123.456.789"}
    """
    first = [r for r in files if needs_consumer_notice(r, rules, today, b2c)]
    if not first:
        return None
    rates = rates or default_rates()
    locale = LOCALES.get(lang, "en_GB")
    grace = consumer_grace_days(rules)
    entries = []
    terms = None
    for r in first:
        assert r.amount_due is not None
        terms = consumer_terms(amount=r.amount_due, sent_on=today, rates=rates, grace_days=grace, locale=locale)
        entries.append({"number": r.number, "amount_due": r.amount_due, "currency": r.currency, "due_date": r.due_date,
                        "indemnity": terms.indemnity, "calculation": terms.line or None})
    assert terms is not None
    rate = terms.interest_percent
    return {
        "files": entries,
        "deadline": terms.deadline,
        "charges_from": terms.charges_from,
        "interest_rate": format_percent(rate / 100, locale=locale, decimal_quantization=False) if rate is not None else None,
        "creditor": rules.business.name,
        "enterprise_number": rules.business.enterprise_number,
    }


def reminder_context(files: list[Receivable], rules: Rules, today: date, stage: Stage | None, *, lang: str,
                     qr_cid: str | None, b2c: bool | None = None, notice: bool = True) -> tuple[dict[str, Any], Payment]:
    """The context every reminder template renders, and the payment details (QR payload).

    `notice`: whether this email counts as a reminder (an invoice copy the client asked for does
    not), so it carries the Belgian consumer's first-reminder notice where one is due.
    """
    lead = files[0]
    items = []
    for r in files:
        items.append({"number": r.number, "issue_date": r.issue_date or r.due_date, "due_date": r.due_date,
                      "amount_due": r.amount_due if r.amount_due is not None else Decimal(0), "currency": r.currency,
                      "days_late": max(0, (today - r.due_date).days) if r.due_date else 0})
    total = sum((i["amount_due"] for i in items), Decimal(0))
    final_days = stage.final_date_days if stage is not None else 8
    pay = payment_for(files, rules, total, lang)
    charges: list[str] = []
    if stage is not None and stage.charges:
        charges, _ = charge_lines(files, rules, today, lang, b2c=b2c)
    first = consumer_notice(files, rules, today, lang, b2c=b2c) if notice else None
    ctx = {
        "lang": lang,
        "business_name": rules.business.name,
        "commands_hint": "done, paid 500, pause until 2027-01-10, note: ..., status",
        "greeting": greeting(lang, lead.client_name),
        "items": items,
        "total_due": total,
        "currency": lead.currency,
        # A Belgian consumer's first reminder: one date, the one after which charges may run.
        "final_date": first["deadline"] if first else today + timedelta(days=final_days),
        "iban": pay.iban,
        "bic": pay.bic,
        "reference": pay.reference,
        "charges": charges,
        "qr_cid": qr_cid if pay.qr_payload else None,
        "payment_link": pay.link,
        "promise_date": lead.promise_date,
        "consumer_notice": first,
    }
    return ctx, pay
