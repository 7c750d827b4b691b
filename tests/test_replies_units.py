"""One line per case: date resolution, amounts, quote stripping, the entry points on tiny messages."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from email import message_from_string, policy

import pytest

from mailbot.replies import auto_reply_info, bounce_info, classify_intent, new_text, read_message
from mailbot.replies.amounts import find_amounts
from mailbot.replies.dates import find_dates
from mailbot.replies.quotes import strip_quotes

WED = date(2024, 12, 4)  # a Wednesday


@pytest.mark.parametrize(
    "text, past, expected",
    [
        ("vendredi prochain", False, date(2024, 12, 6)),
        ("vendredi", False, date(2024, 12, 6)),
        ("mercredi prochain", False, date(2024, 12, 11)),
        ("lundi dernier", True, date(2024, 12, 2)),
        ("fin du mois", False, date(2024, 12, 31)),
        ("fin du mois prochain", False, date(2025, 1, 31)),
        ("le 15", False, date(2024, 12, 15)),
        ("le 2", False, date(2025, 1, 2)),
        ("le 2", True, date(2024, 12, 2)),
        ("avant le 30", False, date(2024, 12, 30)),
        ("next week", False, date(2024, 12, 13)),
        ("by Friday", False, date(2024, 12, 6)),
        ("on the 20th", False, date(2024, 12, 20)),
        ("volgende week", False, date(2024, 12, 13)),
        ("eind deze maand", False, date(2024, 12, 31)),
        ("op 15 december", False, date(2024, 12, 15)),
        ("15 janvier", False, date(2025, 1, 15)),
        ("3 Dec", True, date(2024, 12, 3)),
        ("28 novembre", True, date(2024, 11, 28)),
        ("15/01/2025", False, date(2025, 1, 15)),
        ("15.01.", False, date(2025, 1, 15)),
        ("2024-12-20", False, date(2024, 12, 20)),
        ("12/15", False, date(2024, 12, 15)),
        ("mi-janvier", False, date(2025, 1, 15)),
        ("fin janvier", False, date(2025, 1, 31)),
        ("in January", False, date(2025, 1, 31)),
        # Digits are literal (the latest day meant); the idiom "quinze jours" is two weeks.
        ("dans 15 jours", False, date(2024, 12, 19)),
        ("sous quinze jours", False, date(2024, 12, 18)),
        ("binnen 5 werkdagen", False, date(2024, 12, 11)),
        ("within 48 hours", False, date(2024, 12, 6)),
        ("by end of month", False, date(2024, 12, 31)),
        ("volgende maand", False, date(2025, 1, 31)),
        ("seffens", False, date(2024, 12, 4)),
        ("after the weekend", False, date(2024, 12, 9)),
        ("sous huit jours", False, date(2024, 12, 11)),
        ("in two weeks", False, date(2024, 12, 18)),
        ("binnen 10 dagen", False, date(2024, 12, 14)),
        ("demain", False, date(2024, 12, 5)),
        ("hier", True, date(2024, 12, 3)),
        ("gisteren", True, date(2024, 12, 3)),
        ("yesterday", True, date(2024, 12, 3)),
        ("cette semaine", False, date(2024, 12, 6)),
        ("end of next week", False, date(2024, 12, 13)),
        ("début du mois prochain", False, date(2025, 1, 10)),
        ("am 7. Januar", False, date(2025, 1, 7)),
        ("nächste Woche", False, date(2024, 12, 13)),
        ("1er février", False, date(2025, 2, 1)),
        ("December 20th", False, date(2024, 12, 20)),
    ],
)
def test_date_resolution(text: str, past: bool, expected: date) -> None:
    found = find_dates(text, WED, past=past)
    assert [f.value for f in found][:1] == [expected]


@pytest.mark.parametrize("text", ["1 440,00 pièces", "facture F-2024-017", "page 3.5", "tel 06 12 34 56 78"])
def test_no_date_in_non_dates(text: str) -> None:
    assert find_dates(text, WED) == []


def test_hier_is_here_in_dutch() -> None:
    assert find_dates("hier is het bewijs", WED, language="nl") == []


@pytest.mark.parametrize(
    "text, expected",
    [
        ("1 440,00 €", Decimal("1440.00")),
        ("€1,440.00", Decimal("1440.00")),
        ("1.440,00 EUR", Decimal("1440.00")),
        ("EUR 1440", Decimal("1440")),
        ("1440 euros", Decimal("1440")),
        ("1\u202f440,50 €", Decimal("1440.50")),
        ("$ 99.90", Decimal("99.90")),
        ("12,5 €", Decimal("12.5")),
        ("€ 1.440", Decimal("1440")),
    ],
)
def test_amounts(text: str, expected: Decimal) -> None:
    assert [a.value for a in find_amounts(text)] == [expected]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Payé hier.\n\nLe 3 déc. 2024 à 10:00, Compta <c@x.fr> a écrit :\n> Relance", "Payé hier."),
        ("OK\n\nOn Tue, Dec 3, 2024 at 9:00 AM Billing <b@x.com> wrote:\n> Reminder", "OK"),
        ("Prima\n\nOp di 3 dec. 2024 om 09:00 schreef Boekhouding <b@x.nl>:\n> Herinnering", "Prima"),
        ("Gut\n\nAm 03.12.2024 um 09:00 schrieb Buchhaltung <b@x.de>:\n> Erinnerung", "Gut"),
        ("Le lun. 2 déc. 2024 à 10:00, A <a@x.fr>\na écrit :\n> old\n\nNous paierons vendredi.", "Nous paierons vendredi."),
        ("> question 1\nanswer 1\n\n> question 2\n\nanswer 2", "answer 1\n\nanswer 2"),
        ("> Votre facture F-2024-017 de 1 440,00 € est échue depuis le\nquinze novembre.\n\nPayée hier.", "Payée hier."),
        ("Done\n\nDe : Compta <c@x.fr>\nEnvoyé : mardi 3 décembre 2024 10:00\nÀ : moi\nObjet : Relance", "Done"),
        ("Done\n\nFrom: Billing\nSent: Tuesday\nTo: me\nSubject: Reminder\n\nPay now", "Done"),
        ("Done\n\nVan: Boekhouding\nVerzonden: dinsdag\nAan: mij", "Done"),
        ("Done\n\nVon: Buchhaltung\nGesendet: Dienstag\nAn: mich", "Done"),
        ("OK\n\n-----Original Message-----\nFrom: x", "OK"),
        ("OK\n\n-----Message d'origine-----\nDe : x", "OK"),
        ("OK\n________________________________\nFrom: x", "OK"),
        ("Virement fait.\n\nEnvoyé de mon iPhone", "Virement fait."),
        ("Paid.\n\nSent from my iPhone", "Paid."),
        ("Photo attached\n--Sent from my iPhone", "Photo attached"),
        ("Betaald.\n\nVerzonden vanaf mijn iPhone", "Betaald."),
        ("Paid.\n-- \nJohn Smith\nACME Ltd", "Paid."),
        ("Nous réglerons le 15.\n\nCordialement,\nMarie Dupont\nComptabilité\n01 23 45 67 89", "Nous réglerons le 15."),
        ("We will pay on Friday.\n\nKind regards,\nJohn", "We will pay on Friday."),
        ("We will pay on Friday.\n\nMet vriendelijke groet,\nJan de Vries", "We will pay on Friday."),
        ("On the other hand, the amount is fine.", "On the other hand, the amount is fine."),
        ("Thanks, we paid yesterday.", "Thanks, we paid yesterday."),
        ("And here is a fix -- this is not a signature.", "And here is a fix -- this is not a signature."),
    ],
)
def test_strip_quotes(text: str, expected: str) -> None:
    assert strip_quotes(text) == expected


def _msg(raw: str):
    return message_from_string(raw.lstrip(), policy=policy.default)


def test_entry_points_on_a_client_reply() -> None:
    msg = _msg(
        """
From: Client <client@example.fr>
To: Factures <factures@example.com>
Subject: Re: Relance facture F-2024-017
Date: Wed, 04 Dec 2024 10:00:00 +0100
Content-Type: text/plain; charset=utf-8

Nous ne pourrons pas payer avant le 30.

Le 2 déc. 2024 à 09:00, Factures <factures@example.com> a écrit :
> Votre facture F-2024-017 de 1 440,00 € est échue.
"""
    )
    assert new_text(msg) == "Nous ne pourrons pas payer avant le 30."
    assert auto_reply_info(msg) == (False, None)
    assert bounce_info(msg) is None
    reading = read_message(msg)
    assert (reading.kind, reading.intent, reading.date) == ("client_reply", "promise", date(2024, 12, 30))


@pytest.mark.parametrize(
    "text, intent",
    [
        ("--Sent from my iPhone", "other"),
        ("Just sent the payment.", "paid_claim"),
        ("We have not paid yet, will pay next week.", "promise"),
        ("We betalen nog niet.", "other"),
        ("If the amount is wrong I will tell you.", "other"),
        ("Nous ne contestons pas la facture.", "other"),
        ("Not disputing it.", "other"),
    ],
)
def test_intent_edges(text: str, intent: str) -> None:
    assert classify_intent(text, today=WED).intent == intent


def test_classify_intent_smoke() -> None:
    assert classify_intent("Je conteste cette facture.", today=WED).intent == "dispute"
    assert classify_intent("Je ne conteste pas la facture.", today=WED).intent != "dispute"
