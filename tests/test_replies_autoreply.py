"""Out-of-office detection and return dates, one line per case; and the RFC 3834 samples."""

from __future__ import annotations

import email
from datetime import date
from email import policy
from pathlib import Path

import pytest

from mailbot.replies import auto_reply_info, read_message

SISIMAI = Path(__file__).parent / "fixtures" / "bounces" / "sisimai"


def _msg(subject: str, body: str, headers: str = "", sent: str = "Fri, 20 Dec 2024 17:00:00 +0100"):
    raw = (
        f"From: Client <client@example.org>\nTo: ACME <billing@acme.example>\nSubject: {subject}\n"
        f"Date: {sent}\n{headers}Content-Type: text/plain; charset=utf-8\n\n{body}\n"
    )
    return email.message_from_string(raw, policy=policy.default)


@pytest.mark.parametrize(
    "subject, headers, body, back",
    [
        ("Réponse automatique : Relance facture", "", "Bonjour, je suis absente. Je serai de retour le 5 janvier.", date(2025, 1, 5)),
        ("Absence du bureau", "", "Je suis en congés jusqu'au 3 janvier inclus.", date(2025, 1, 4)),
        ("Automatic reply: Invoice reminder", "", "I'm out of the office and will be back on Monday.", date(2024, 12, 23)),
        ("Out of Office", "", "I am away until January 6th with limited access to e-mail.", date(2025, 1, 6)),
        ("Automatisch antwoord: Herinnering", "", "Ik ben afwezig en weer terug op 3 januari.", date(2025, 1, 3)),
        ("Afwezig", "", "Ik ben afwezig tot en met 2 januari.", date(2025, 1, 3)),
        ("Abwesenheitsnotiz: Rechnung", "", "Ich bin ab dem 7. Januar wieder im Büro.", date(2025, 1, 7)),
        ("Automatische Antwort", "", "Ich bin bis zum 6. Januar nicht erreichbar.", date(2025, 1, 6)),
        ("Re: Relance facture", "Auto-Submitted: auto-replied\n", "Merci pour votre message.", None),
        ("Re: Reminder", "X-Autoreply: yes\n", "Thanks for your email.", None),
        ("Re: Reminder", "Precedence: auto_reply\n", "Thanks for your email.", None),
        ("Re: Reminder", "X-Auto-Response-Suppress: OOF, AutoReply\n", "I am on leave.", None),
        ("RE: Herinnering", "X-MS-Exchange-Inbox-Rules-Loop: client@example.org\n", "Dank voor uw bericht.", None),
    ],
)
def test_auto_replies(subject: str, headers: str, body: str, back: date | None) -> None:
    assert auto_reply_info(_msg(subject, body, headers)) == (True, back)


@pytest.mark.parametrize(
    "subject, headers, body",
    [
        ("Re: Relance facture", "", "Je serai de retour le 5 janvier, je paierai à ce moment-là."),
        ("Re: Relance facture - absence de règlement", "", "Nous paierons vendredi."),
        ("Re: Reminder", "Auto-Submitted: no\n", "I was out of the office last week, sorry. Paying today."),
        ("RE: Herinnering", "X-Auto-Response-Suppress: DR, RN, NRN\n", "We betalen volgende week."),
    ],
)
def test_human_replies_are_not_auto(subject: str, headers: str, body: str) -> None:
    is_auto, _ = auto_reply_info(_msg(subject, body, headers))
    reading = read_message(_msg(subject, body, headers))
    assert (is_auto, reading.kind) == (False, "client_reply")


@pytest.mark.parametrize("name, back", [("rfc3834-01.eml", date(2005, 5, 5)), ("rfc3834-03.eml", None), ("rfc3834-04.eml", None)])
def test_rfc3834_samples(name: str, back: date | None) -> None:
    msg = email.message_from_bytes((SISIMAI / name).read_bytes(), policy=policy.default)
    reading = read_message(msg)
    assert reading.kind == "auto_reply"
    if back is not None:
        assert reading.date == back
