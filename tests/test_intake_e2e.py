"""Intake as the owner lives it, end to end on Dovecot + aiosmtpd: ask instead of guessing,
answers and corrections by reply, duplicates, credit notes, and an e-invoice whose PDF lies."""

from __future__ import annotations

import io
from decimal import Decimal
from email.message import EmailMessage
from pathlib import Path

import facturx
import pytest
from reportlab.pdfgen import canvas

from mailbot.models import CLOSED, DRAFT, OPEN
from tests.support.harness import CLIENT, FIELDS_BODY, OWNER, Harness, forward, reply_to

pytestmark = pytest.mark.integration

FIX = Path(__file__).parent / "fixtures"
CREDIT_UBL = (FIX / "owner" / "credit_note_ubl.xml").read_bytes()
CII = FIX / "invoices" / "akretion-factur-x" / "tests" / "fixtures" / "xml" / "factur-x-en16931.xml"


def notes(h: Harness) -> list[EmailMessage]:
    return [m.msg for m in h.sink.to(OWNER)]


def text_of(msg: EmailMessage) -> str:
    return msg.get_body(("plain",)).get_content()


def numbered(h: Harness) -> dict:
    return {r.number: r for r in h.ledger.all()}


def test_a_missing_due_date_is_asked_and_the_answer_registers(harness: Harness):
    h = harness
    h.deliver(forward("Fwd: Facture F2026-014", FIELDS_BODY.replace("due: 2026-12-15\n", "")))
    h.step()
    [r] = h.ledger.all()
    assert (r.status, r.missing) == (DRAFT, ["due_date"])
    [ask] = notes(h)
    said = text_of(ask)
    assert "Need your help" in str(ask["Subject"]) and "due 2026-12-15" in said and "Nothing will be sent to the client" in said
    h.days(40)
    assert h.sink.to(CLIENT) == []  # a draft is never reminded
    h.deliver(reply_to(ask, "due 2026-12-15", sender=OWNER))
    h.step()
    r = numbered(h)["F2026-014"]
    assert (r.status, str(r.due_date)) == (OPEN, "2026-12-15")
    subjects = [str(m["Subject"]) for m in notes(h)[1:]]
    assert any(s.startswith("Registered: invoice F2026-014") for s in subjects), subjects
    h.days(1)
    assert len(h.sink.to(CLIENT)) == 1  # now it is followed up, at the stage its age calls for


def test_a_command_on_a_draft_is_refused_until_the_fields_are_there(harness: Harness):
    h = harness
    h.deliver(forward("Fwd: Facture F2026-014", FIELDS_BODY.replace("due: 2026-12-15\n", "")))
    h.step()
    [ask] = notes(h)
    h.deliver(reply_to(ask, "pause until 2027-01-10", sender=OWNER))
    h.step()
    assert "still waiting for the missing fields" in text_of(notes(h)[-1])
    assert h.ledger.all()[0].paused_until is None


def test_a_registered_file_is_corrected_by_reply(harness: Harness):
    h = harness
    h.deliver(forward("Fwd: Facture F2026-014", FIELDS_BODY))
    h.step()
    [registered] = notes(h)
    h.deliver(reply_to(registered, "montant 1 200,00 EUR\nclient compta@acme.test", sender=OWNER))
    h.step()
    r = numbered(h)["F2026-014"]
    assert (r.amount_due, r.client_email) == (Decimal("1200.00"), "compta@acme.test")
    h.days(21)
    [reminder] = [m.msg for m in h.sink.to("compta@acme.test")]
    assert "1,200.00" in text_of(reminder) and h.sink.to(CLIENT) == []


def test_the_same_e_invoice_forwarded_twice_is_told_not_registered_twice(harness: Harness):
    h = harness
    xml = CII.read_bytes()
    for subject in ("Fwd: Facture F20260023", "Fwd: Facture F20260023 (again)"):
        h.deliver(forward(subject, "see attached", attachments=[("factur-x.xml", "application/xml", xml)]))
    h.step()
    assert [r.number for r in h.ledger.all()] == ["F20260023"]
    assert "Already registered: F20260023" in str(notes(h)[-1]["Subject"])


def invoice(h: Harness, number: str, amount: str, client: str = "ACME SARL <billing@acme.test>") -> None:
    body = FIELDS_BODY.replace("F2026-014", number).replace("1440.00", amount).replace("ACME SARL <billing@acme.test>", client)
    h.deliver(forward(f"Fwd: Facture {number}", body))
    h.step()


def credit(h: Harness, xml: bytes = CREDIT_UBL) -> str:
    h.deliver(forward("Fwd: Avoir AV2026-003", "Avoir ci-joint", attachments=[("avoir.xml", "application/xml", xml)]))
    h.step()
    return text_of(notes(h)[-1])


def test_a_credit_note_reduces_the_invoice_its_xml_names(harness: Harness):
    h = harness
    invoice(h, "F2026-013", "240.00")  # same client, same amount: only the XML's reference can tell
    invoice(h, "F2026-014", "1440.00")
    said = credit(h)
    files = numbered(h)
    assert files["F2026-014"].amount_due == Decimal("1200.00") and files["F2026-013"].amount_due == Decimal("240.00")
    assert "credit note AV2026-003 of €240.00 applied (matched by the invoice number in its XML)" in said
    assert "AV2026-003" not in files  # a credit note is not a receivable
    # Forwarded again: told, not applied twice.
    said = credit(h)
    assert "already applied" in said and numbered(h)["F2026-014"].amount_due == Decimal("1200.00")


def test_a_credit_note_without_reference_goes_to_the_clients_only_open_invoice(harness: Harness):
    h = harness
    invoice(h, "F2026-014", "240.00")
    invoice(h, "B-7", "240.00", client="Beta <ap@beta.test>")
    said = credit(h, CREDIT_UBL.replace(b"<cbc:ID>F2026-014</cbc:ID>", b"").replace(b"<cac:BillingReference>", b"<cac:X>").replace(
        b"</cac:BillingReference>", b"</cac:X>"))
    assert numbered(h)["F2026-014"].status == CLOSED and numbered(h)["B-7"].status == OPEN
    assert "matched by the client" in said


def test_an_unsure_credit_note_is_asked_about(harness: Harness):
    h = harness
    invoice(h, "F2026-013", "500.00")
    invoice(h, "F2026-015", "600.00")
    no_ref = CREDIT_UBL.replace(b"<cac:BillingReference>", b"<cac:X>").replace(b"</cac:BillingReference>", b"</cac:X>").replace(
        b"<cbc:ID>F2026-014</cbc:ID>", b"")
    said = credit(h, no_ref)
    assert "it could be for several open invoices (F2026-013, F2026-015)" in said and "Nothing changed" in said
    assert {r.amount_due for r in h.ledger.all()} == {Decimal("500.00"), Decimal("600.00")}
    # A credit note naming an invoice that is not open is asked about too.
    said = credit(h)
    assert "it names F2026-014, which is not an open file" in said


def test_a_pdf_whose_text_disagrees_with_its_xml_registers_the_xml_and_says_so(harness: Harness):
    h = harness
    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    c.drawString(72, 760, "FACTURE F20260023")
    c.drawString(72, 700, "Net a payer : 999,99 EUR")  # the visible text lies; the XML says 104.90
    c.save()
    pdf = facturx.generate_from_binary(buf.getvalue(), CII.read_bytes(), check_xsd=False)
    h.deliver(forward("Fwd: Facture F20260023", "ci-joint", attachments=[("facture.pdf", "application/pdf", pdf)]))
    h.step()
    [r] = h.ledger.all()
    assert (r.number, r.amount_due) == ("F20260023", Decimal("104.90"))
    said = text_of(notes(h)[-1])
    assert "the embedded XML says 104.90 is due but the visible PDF does not show that amount" in said
