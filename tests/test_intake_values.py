"""Amounts, dates, IBANs and the labelled-text heuristics, one line per case."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mailbot.intake.fields import CONFIDENT
from mailbot.intake.textfields import derive_due_date, extract_text_fields
from mailbot.intake.values import find_amounts, find_dates, find_ibans, parse_amount, parse_number


@pytest.mark.parametrize(
    ("text", "value", "currency"),
    [
        ("1 234,56 €", "1234.56", "EUR"),
        ("€1,234.56", "1234.56", "EUR"),
        ("1.234,56 EUR", "1234.56", "EUR"),
        ("1\u202f234,56\u00a0€", "1234.56", "EUR"),  # narrow no-break space, no-break space
        ("EUR 1,440.00", "1440.00", "EUR"),
        ("$1,250.50", "1250.50", "USD"),
        ("CHF 1'234.50", "1234.50", "CHF"),
        ("-8,79", "-8.79", None),
        ("€ -1.200,00", "-1200.00", "EUR"),
        ("1 200 euros", "1200", "EUR"),
        ("0,025 €", "0.025", "EUR"),
        ("1.234.567,89", "1234567.89", None),
    ],
)
def test_amounts_in_every_locale(text: str, value: str, currency: str | None) -> None:
    amount = parse_amount(text)
    assert amount is not None
    assert amount.value == Decimal(value)
    assert amount.currency == currency


@given(st.decimals(min_value=0, max_value=10**7, places=2, allow_nan=False, allow_infinity=False))
def test_any_amount_round_trips_in_french_and_english_spelling(value: Decimal) -> None:
    whole, cents = f"{value:.2f}".split(".")
    grouped = f"{int(whole):,}"
    assert parse_number(f"{grouped.replace(',', ' ')},{cents}") == value
    assert parse_number(f"{grouped}.{cents}") == value
    assert parse_number(f"{grouped.replace(',', '.')},{cents}") == value


@pytest.mark.parametrize(
    ("text", "dayfirst", "expected", "ambiguous"),
    [
        ("15/12/2026", True, date(2026, 12, 15), False),
        ("12/15/2026", True, date(2026, 12, 15), False),  # only one reading is a date
        ("03/04/2026", True, date(2026, 4, 3), True),
        ("03/04/2026", False, date(2026, 3, 4), True),
        ("03.04.2026", False, date(2026, 4, 3), False),  # dots are never month-first
        ("2026-12-15", True, date(2026, 12, 15), False),
        ("15 décembre 2026", True, date(2026, 12, 15), False),
        ("1er févr. 2026", True, date(2026, 2, 1), False),
        ("15. Dezember 2026", True, date(2026, 12, 15), False),
        ("15 mrt 2026", True, date(2026, 3, 15), False),
        ("December 15, 2026", True, date(2026, 12, 15), False),
        ("15-Dec-2026", True, date(2026, 12, 15), False),
    ],
)
def test_dates(text: str, dayfirst: bool, expected: date, ambiguous: bool) -> None:
    found = find_dates(text, dayfirst=dayfirst)
    assert [f.value for f in found] == [expected]
    assert found[0].ambiguous is ambiguous


def test_ibans_are_checked_and_masked_ones_ignored() -> None:
    assert find_ibans("IBAN : FR20 1242 1242 1242 1242 1242 124 - BIC : FIDCFR21XXX") == ["FR2012421242124212421242124"]
    assert find_ibans("IBAN: DE54 5004 **** **** **** 00") == []
    assert find_ibans("IBAN: FR21 1242 1242 1242 1242 1242 124") == []  # wrong check digits


@pytest.mark.parametrize(
    ("issue", "terms", "due"),
    [
        (date(2026, 1, 15), "30 jours fin de mois", date(2026, 2, 28)),
        (date(2026, 1, 15), "Payment terms: 30 days", date(2026, 2, 14)),
        (date(2026, 1, 15), "Net 45", date(2026, 3, 1)),
        (date(2026, 1, 15), "30 dagen einde maand", date(2026, 2, 28)),
        (date(2026, 1, 15), "zahlbar innerhalb 14 Tagen netto", date(2026, 1, 29)),
        (date(2026, 1, 15), "paiement à réception", date(2026, 1, 15)),
        (date(2026, 1, 15), "selon accord", None),
        (None, "30 jours", None),
    ],
)
def test_due_date_from_payment_terms(issue: date | None, terms: str, due: date | None) -> None:
    assert derive_due_date(issue, terms) == due


def test_labelled_french_invoice() -> None:
    f = extract_text_fields(
        "Atelier Moreau SARL\ncontact@atelier-moreau.fr - www.atelier-moreau.fr\n"
        "Facture n° F-2026-0042\nDate de facture : 15/01/2026\n"
        "Conditions de paiement : 30 jours fin de mois\nFacturé à : Boulangerie Martin\ncompta@boulangerie-martin.fr\n"
        "Total HT 1 000,00 €\nTVA 20 % 200,00 €\nTotal TTC 1 200,00 €\nNet à payer 1 200,00 €\n"
    )
    assert f.invoice_number == "F-2026-0042" and f.confidence["invoice_number"] >= CONFIDENT
    assert f.issue_date == date(2026, 1, 15)
    assert f.due_date == date(2026, 2, 28) and f.confidence["due_date"] >= CONFIDENT
    assert f.amount_due == Decimal("1200.00") and f.confidence["amount_due"] >= CONFIDENT
    assert f.total_amount == Decimal("1200.00")
    assert f.language == "fr"
    # The buyer's e-mail is a candidate, never trusted; the seller's own is not offered.
    assert f.buyer_email == "compta@boulangerie-martin.fr" and f.confidence["buyer_email"] < CONFIDENT
    assert "due_date" in f.evidence and "30 jours" in f.evidence["due_date"]


def test_ambiguous_english_dates_are_asked_not_guessed() -> None:
    f = extract_text_fields("Invoice No. 7781\nInvoice date: 03/04/2026\nDue date: 05/06/2026\nAmount due: 1,200.00\n")
    assert f.due_date is not None and f.confidence["due_date"] < CONFIDENT
    us = extract_text_fields("Invoice No. 7781\nInvoice date: 03/04/2026\nDue date: 05/06/2026\nAmount due: $1,200.00\n")
    assert us.due_date == date(2026, 5, 6) and us.confidence["due_date"] >= CONFIDENT


def test_two_labels_that_disagree_lower_the_confidence() -> None:
    f = extract_text_fields("Invoice No. A-1\nAmount due: 100.00 EUR\nBalance due: 250.00 EUR\n")
    assert f.amount_due is not None and f.confidence["amount_due"] < CONFIDENT
    assert any("several values" in w for w in f.warnings)


def test_unlabelled_numbers_are_never_confident() -> None:
    f = extract_text_fields("Atelier Moreau\nMerci pour votre commande.\n1 200,00 €\n15/02/2026\nF-2026-7\n")
    for name in ("invoice_number", "amount_due", "due_date"):
        assert getattr(f, name) is None or f.confidence[name] < CONFIDENT


def test_prepayment_without_amount_due_is_asked() -> None:
    f = extract_text_fields("Rechnungsnummer: R-1\nGesamtbetrag 1.000,00 €\nAnzahlung -300,00 €\n")
    assert f.total_amount == Decimal("1000.00")
    assert f.amount_due is not None and f.confidence["amount_due"] < CONFIDENT


def test_credit_note_title_and_positive_amounts() -> None:
    f = extract_text_fields("AVOIR\nAvoir n° AV-2026-3\nTotal TTC -233,47 €\n")
    assert f.document_type == "credit_note"
    assert f.total_amount == Decimal("233.47")
