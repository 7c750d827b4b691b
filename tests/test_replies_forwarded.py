"""A client who forwards its own finance team's answer ("see below") is read by that answer."""

from __future__ import annotations

import email
from datetime import date
from email import policy
from email.message import EmailMessage

import pytest

from mailbot.replies.quotes import forwarded_answer
from mailbot.replies.read import new_text, read_message

OUR_REMINDER = (
    "On Tue, Dec 3, 2024 at 9:00 AM ACME Billing <billing@acme.example> wrote:\n"
    "> Our records show invoice F-2024-017 (1,440.00 EUR) is overdue.\n"
)
FORWARDS = {
    "en": "Hi, see below from our finance team.\n\nBest,\nMatt\n\n-----Original Message-----\nFrom: AP Luxembourg\n"
          "Sent: Monday, December 2, 2024 9:14 AM\nTo: Matt Fischer\nSubject: RE: F-2024-017\n\n"
          "Hi Matt, this one was paid on 28/11, SEPA ref 88412. Regards, AP\n\n",
    "fr": "Bonjour,\nVoir ci-dessous la réponse de notre comptabilité.\nCordialement,\nAurélie\n\n-----Message d'origine-----\n"
          "De : Comptabilité\nEnvoyé : lundi 2 décembre 2024 16:05\nÀ : Aurélie\nObjet : RE: Rappel facture F-2024-017\n\n"
          "Aurélie, cette facture a été réglée le 28 novembre (réf. virement 000457).\n\n",
    "nl": "Dag,\n\nZie hieronder het antwoord van onze boekhouding.\n\nVan: Boekhouding\nVerzonden: maandag 2 december 2024 10:00\n"
          "Aan: Anne\nOnderwerp: RE: Herinnering factuur F-2024-017\n\nAnne, die is op 28/11 betaald.\n\n",
}


def _reply(body: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = "client@client.example"
    msg["To"] = "ACME <billing@acme.example>"
    msg["Subject"] = "RE: Reminder: invoice F-2024-017"
    msg["Date"] = "Wed, 04 Dec 2024 10:00:00 +0100"
    msg.set_content(body)
    return email.message_from_bytes(msg.as_bytes(), policy=policy.default)


@pytest.mark.parametrize("lang", sorted(FORWARDS))
def test_the_forwarded_answer_is_read(lang: str) -> None:
    reading = read_message(_reply(FORWARDS[lang] + OUR_REMINDER))
    assert (reading.intent, reading.date) == ("paid_claim", date(2024, 11, 28))
    assert "28" in reading.new_text and "Our records show" not in reading.new_text


def test_our_own_reminder_below_a_pointer_is_not_read_as_the_answer() -> None:
    body = ("Steve - see below, can you handle?\n\n-----Original Message-----\nFrom: ACME Billing <billing@acme.example>\n"
            "Sent: Tuesday, December 3, 2024 9:00 AM\nSubject: Reminder: invoice F-2024-017\n\n"
            "Our records show invoice F-2024-017 is overdue. It has been paid? Please pay by Friday.\n")
    assert forwarded_answer(body, "acme.example") == ""
    assert new_text(_reply(body)) == "Steve - see below, can you handle?"
    assert read_message(_reply(body)).intent == "other"  # a colleague is asked, not us


def test_without_a_pointer_history_stays_history() -> None:
    body = FORWARDS["en"].replace("see below from our finance team", "thanks")
    assert forwarded_answer(body, "acme.example") == ""
    assert "28/11" not in new_text(_reply(body))
