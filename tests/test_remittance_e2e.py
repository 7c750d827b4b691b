"""The owner forwards a proof of payment instead of writing "done": end to end on Dovecot + aiosmtpd.

Open files: F2026-014 (ACME SARL, 1 440 EUR, structured reference +++090/9337/55493+++ and,
on a second run, RF18 5390 0754 7034), F2026-015 (ACME, 300 EUR), B-7 (Beta Consulting, 300 EUR).
"""

from __future__ import annotations

import email
import email.policy
from decimal import Decimal
from email.message import EmailMessage
from pathlib import Path

import pytest

from mailbot.models import CLOSED, OPEN
from tests.support.harness import FIELDS_BODY, OWNER, Harness, forward, reply_to

pytestmark = pytest.mark.integration

PAYMENTS = Path(__file__).parent / "fixtures" / "owner" / "payments"
BETA = FIELDS_BODY.replace("F2026-014", "B-7").replace("ACME SARL <billing@acme.test>", "Beta Consulting Ltd <ap@betaconsulting.test>").replace("1440.00", "300.00")


def notes(h: Harness) -> list[EmailMessage]:
    return [m.msg for m in h.sink.to(OWNER)]


def text_of(msg: EmailMessage) -> str:
    return msg.get_body(("plain",)).get_content()


def numbered(h: Harness) -> dict:
    return {r.number: r for r in h.ledger.all()}


def setup_files(h: Harness, reference: str = "+++090/9337/55493+++") -> None:
    h.deliver(forward("Fwd: Facture F2026-014", FIELDS_BODY + f"payment reference: {reference}\n"))
    h.deliver(forward("Fwd: Facture F2026-015", FIELDS_BODY.replace("F2026-014", "F2026-015").replace("1440.00", "300.00")))
    h.deliver(forward("Fwd: Invoice B-7", BETA))
    h.step()
    assert sorted(numbered(h)) == ["B-7", "F2026-014", "F2026-015"]


def owner_forwards(h: Harness, fixture: str) -> str:
    before = len(notes(h))
    h.deliver((PAYMENTS / fixture).read_bytes())
    h.step()
    [answer] = notes(h)[before:]
    return text_of(answer)


@pytest.mark.parametrize("fixture,how", [
    ("bank_fr_credit_notice.eml", "invoice number"),
    ("bank_be_structured_fr.eml", "payment reference"),
    ("paypal_en.eml", "invoice number"),
    ("stripe_en.eml", "invoice number"),
    ("mollie_nl.eml", "invoice number"),
])
def test_a_forwarded_confirmation_closes_the_file_it_pays(harness: Harness, fixture: str, how: str):
    h = harness
    setup_files(h)
    said = owner_forwards(h, fixture)
    files = numbered(h)
    assert files["F2026-014"].status == CLOSED
    assert files["F2026-015"].status == OPEN and files["B-7"].status == OPEN
    assert "Closed F2026-014" in said and f"matched by {how}" in said and "€1,440.00" in said
    sent = email.message_from_bytes((PAYMENTS / fixture).read_bytes(), policy=email.policy.default)
    assert [str(m["Subject"]) for m in h.folder("mailbot/processed")][-1] == str(sent["Subject"])


def test_an_rf_reference_in_a_dutch_html_notification(harness: Harness):
    h = harness
    setup_files(h, reference="RF18 5390 0754 7034")
    said = owner_forwards(h, "bank_nl_rf.eml")
    assert numbered(h)["F2026-014"].status == CLOSED and "matched by payment reference" in said


def test_a_partial_payment_reduces_the_balance(harness: Harness):
    h = harness
    setup_files(h)
    said = owner_forwards(h, "paypal_fr_partial.eml")
    r = numbered(h)["F2026-014"]
    assert (r.status, r.amount_due) == (OPEN, Decimal("940.00"))
    assert "€940.00 still due" in said
    # Undo works on it like on "paid 500".
    h.deliver(reply_to(notes(h)[-1], "undo", sender=OWNER))
    h.step()
    assert numbered(h)["F2026-014"].amount_due == Decimal("1440.00")


def test_amount_and_payer_name_close_the_right_file(harness: Harness):
    h = harness
    setup_files(h)
    said = owner_forwards(h, "bank_en_name_amount.eml")  # 300.00 from BETA CONSULTING LTD, no reference
    files = numbered(h)
    assert files["B-7"].status == CLOSED and files["F2026-015"].status == OPEN  # same amount, other client
    assert "matched by amount and payer" in said


def test_a_remittance_advice_for_two_invoices_closes_both(harness: Harness):
    h = harness
    setup_files(h)
    said = owner_forwards(h, "remittance_en_two_invoices.eml")
    files = numbered(h)
    assert files["F2026-014"].status == CLOSED and files["F2026-015"].status == CLOSED and files["B-7"].status == OPEN
    assert "Closed F2026-014" in said and "Closed F2026-015" in said


def test_an_amount_alone_is_asked_about_and_the_answer_closes(harness: Harness):
    h = harness
    setup_files(h)
    said = owner_forwards(h, "sumup_fr_amount_only.eml")
    assert all(r.status == OPEN for r in h.ledger.all())
    assert "could be for F2026-014" in said and "nothing changed" in said
    h.deliver(reply_to(notes(h)[-1], "done F2026-014", sender=OWNER))
    h.step()
    assert numbered(h)["F2026-014"].status == CLOSED


def test_two_files_that_fit_are_asked_about(harness: Harness):
    h = harness
    setup_files(h)
    h.deliver(forward("Fwd: Facture F2026-016", FIELDS_BODY.replace("F2026-014", "F2026-016").replace("1440.00", "300.00")))
    h.step()
    msg = forward("Fwd: Avis de crédit", "Avis de crédit\nMontant : 300,00 EUR\nDonneur d'ordre : ACME SARL\nLibellé : VIREMENT\n")
    h.deliver(msg)
    h.step()
    said = text_of(notes(h)[-1])
    assert "F2026-015, F2026-016" in said and "nothing changed" in said
    assert all(r.status == OPEN for r in h.ledger.all())


def test_a_newsletter_is_not_a_payment(harness: Harness):
    h = harness
    setup_files(h)
    h.deliver((PAYMENTS / "not_a_payment_newsletter.eml").read_bytes())
    h.step()
    assert all(r.status == OPEN for r in h.ledger.all())
    assert "Could not handle" in str(notes(h)[-1]["Subject"])


def test_a_forged_confirmation_changes_nothing(harness: Harness):
    h = harness
    setup_files(h)
    raw = (PAYMENTS / "bank_fr_credit_notice.eml").read_bytes().replace(b"From: Owner <owner@firm.test>", b"From: mallory@evil.test")
    h.deliver(raw)
    h.step()
    assert all(r.status == OPEN for r in h.ledger.all())
