"""parse_corrections: an owner's reply fixing or completing fields, FR/EN/NL(/DE)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from mailbot.intake import parse_corrections


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("amount 1 200,00", {"amount_due": Decimal("1200.00")}),
        ("montant 1200 EUR", {"amount_due": Decimal("1200.00"), "currency": "EUR"}),
        ("Montant : 1 200,00 €", {"amount_due": Decimal("1200.00"), "currency": "EUR"}),
        ("bedrag € 1.200,50", {"amount_due": Decimal("1200.50"), "currency": "EUR"}),
        ("amount $1,200.50", {"amount_due": Decimal("1200.50"), "currency": "USD"}),
        ("client compta@acme.fr", {"buyer_email": "compta@acme.fr"}),
        ("email x@y.test", {"buyer_email": "x@y.test"}),
        ("e-mail: Compta <Compta@ACME.fr>", {"buyer_email": "compta@acme.fr", "buyer_name": "Compta"}),
        ("client name ACME SARL", {"buyer_name": "ACME SARL"}),
        ("klant: Bakkerij Jansen BV", {"buyer_name": "Bakkerij Jansen BV"}),
        ("due 2026-12-15", {"due_date": date(2026, 12, 15)}),
        ("échéance 15/12/2026", {"due_date": date(2026, 12, 15)}),
        ("echeance: 15 décembre 2026", {"due_date": date(2026, 12, 15)}),
        ("vervaldatum 15-12-2026", {"due_date": date(2026, 12, 15)}),
        ("fällig 15.12.2026", {"due_date": date(2026, 12, 15)}),
        ("due December 15, 2026", {"due_date": date(2026, 12, 15)}),
        ("invoice F-12", {"invoice_number": "F-12"}),
        ("numéro F-12", {"invoice_number": "F-12"}),
        ("factuurnummer 2026/012", {"invoice_number": "2026/012"}),
        ("language nl", {"language": "nl"}),
        ("langue : français", {"language": "fr"}),
        ("taal Nederlands", {"language": "nl"}),
        ("iban BE68 5390 0754 7034", {"iban": "BE68539007547034"}),
        ("reference +++090/9337/55493+++", {"payment_reference": "+++090/9337/55493+++"}),
        ("mededeling: 090/9337/55493", {"payment_reference": "090/9337/55493"}),
        ("issued 2026-11-15", {"issue_date": date(2026, 11, 15)}),
    ],
)
def test_one_line_corrections(text: str, expected: dict[str, object]) -> None:
    assert parse_corrections(text) == expected


def test_several_lines_quotes_and_history_are_handled() -> None:
    text = (
        "Bonjour,\n"
        "montant 1 440,00 €\n"
        "> due 2020-01-01\n"
        "échéance 31/01/2026\n"
        "Merci !\n"
        "\n"
        "Le lun. 1 déc. 2025 à 10:02, mailbot <factures@mailbot.test> a écrit :\n"
        "> invoice F-99\n"
        "invoice F-99\n"
    )
    assert parse_corrections(text) == {
        "amount_due": Decimal("1440.00"),
        "currency": "EUR",
        "due_date": date(2026, 1, 31),
    }


def test_english_reply_header_on_two_lines_stops_parsing() -> None:
    text = "due 2026-02-01\nOn Mon, Dec 1, 2025 at 10:02 AM mailbot <factures@mailbot.test>\nwrote:\namount 5"
    assert parse_corrections(text) == {"due_date": date(2026, 2, 1)}


@pytest.mark.parametrize("text", ["Thanks!", "The amount is wrong, I'll call you.", "", "invoice is paid"])
def test_unknown_lines_give_nothing(text: str) -> None:
    assert parse_corrections(text) == {}
