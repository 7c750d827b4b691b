"""Forward unwrapping: Gmail, Outlook (FR/EN/NL/DE), Apple Mail, Thunderbird, message/rfc822.

The client's address is the forwarded email's original recipient; the owner's own typed
fields win; several recipients make mailbot ask.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from email.message import EmailMessage
from email.policy import default
from pathlib import Path

import pytest

from mailbot.intake import CONFIDENT, extract_message, extract_path
from mailbot.intake.forward import client_address, unwrap

FORWARDS = Path(__file__).parent / "fixtures" / "forwards"
EXPECTED = json.loads((FORWARDS / "expected.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_forward_gives_the_original_recipient(name: str) -> None:
    exp = EXPECTED[name]
    fields = extract_path(FORWARDS / f"{name}.eml")
    assert fields.buyer_email == exp["buyer_email"]
    assert (fields.confidence["buyer_email"] >= CONFIDENT) is exp["confident"]
    assert fields.invoice_number == exp["invoice_number"]
    assert fields.amount_due == Decimal(exp["amount_due"])
    assert fields.due_date == date.fromisoformat(exp["due_date"])
    assert fields.source == exp["source"]
    if "language" in exp:
        assert fields.language == exp["language"]
    if "buyer_name" in exp:
        assert fields.buyer_name == exp["buyer_name"]


def test_fixture_set_covers_every_client_style() -> None:
    styles = {name.split("_")[0] for name in EXPECTED}
    assert {"gmail", "outlook", "apple", "thunderbird", "rfc822"} <= styles
    assert {"outlook_fr", "outlook_en", "outlook_nl", "outlook_de"} <= set(EXPECTED)


def test_rfc822_forward_reads_the_inner_invoice_and_prefers_the_recipient() -> None:
    fields = extract_path(FORWARDS / "rfc822_attached.eml")
    assert fields.source == "cii"
    assert fields.attachment_name == "factur-x.xml"
    assert fields.buyer_email == "factures@le-client.fr"
    assert any("me@buyer.com" in w for w in fields.warnings)  # the XML named someone else


def _forward(to_line: str, *, owner: str = "jean@dupont-conseil.fr", original_from: str | None = None) -> EmailMessage:
    msg = EmailMessage(policy=default)
    msg["From"] = f"Jean <{owner}>"
    msg["To"] = "factures@mailbot.test"
    msg["Subject"] = "Fwd: x"
    msg.set_content(
        "invoice: A-1\n\n---------- Forwarded message ---------\n"
        f"From: {original_from or owner}\nDate: Mon, Dec 1, 2025 at 10:02 AM\nSubject: Invoice A-1\n"
        f"To: {to_line}\n\nhello\n"
    )
    return msg


@pytest.mark.parametrize(
    ("to_line", "kwargs", "address", "confident"),
    [
        ("<client@acme.test>", {}, "client@acme.test", True),
        # a colleague of the owner next to the client is not the client
        ("colleague@dupont-conseil.fr, client@acme.test", {}, "client@acme.test", True),
        # the owner and mailbot are never the client
        ("jean@dupont-conseil.fr, factures@mailbot.test, client@acme.test", {}, "client@acme.test", True),
        # the owner forwarded an email sent TO them: the sender might be the client, ask
        ("jean@dupont-conseil.fr", {"original_from": "Client <client@acme.test>"}, "client@acme.test", False),
        ("a@x.test, b@y.test", {}, "a@x.test", False),
    ],
)
def test_client_address_rules(to_line: str, kwargs: dict[str, str], address: str, confident: bool) -> None:
    msg = _forward(to_line, original_from=kwargs.get("original_from"))
    found, conf, evidence = client_address(unwrap(msg), owner="jean@dupont-conseil.fr", bot=["factures@mailbot.test"])
    assert found == address
    assert (conf >= CONFIDENT) is confident
    assert "To:" in evidence or "From:" in evidence


def test_plain_message_is_not_a_forward() -> None:
    msg = EmailMessage(policy=default)
    msg["From"] = "jean@dupont-conseil.fr"
    msg.set_content("invoice: F-1 / client: ACME SARL <billing@acme.test> / amount: 1440.00 EUR / due: 2026-12-15")
    assert unwrap(msg).how == "none"
    fields = extract_message(msg)
    assert (fields.invoice_number, fields.buyer_email, fields.buyer_name) == ("F-1", "billing@acme.test", "ACME SARL")
    assert fields.amount_due == Decimal("1440.00") and fields.currency == "EUR"
    assert fields.due_date == date(2026, 12, 15)
    assert fields.missing() == []


@pytest.mark.parametrize(
    ("body", "field", "value"),
    [
        ("facture : F-7\nmontant : 1 440,00 €\néchéance : 15/12/2026", "amount_due", Decimal("1440.00")),
        ("factuur: 7\nbedrag: 1.440,00 EUR\nvervaldatum: 15-12-2026", "due_date", date(2026, 12, 15)),
        ("Rechnung: R-7\nBetrag: 1.440,00 EUR\nfällig: 15.12.2026", "invoice_number", "R-7"),
        ("invoice: F-1\nissued: 2026-11-15\niban: FR76 3000 6000 0112 3456 7890 189\nreference: RF18 5390 0754 7034",
         "iban", "FR7630006000011234567890189"),
        ("invoice: F-1\nlanguage: fr", "language", "fr"),
        ("amount: 1 440,00 €", "currency", "EUR"),
    ],
)
def test_body_fields_in_several_languages(body: str, field: str, value: object) -> None:
    msg = EmailMessage(policy=default)
    msg["From"] = "jean@dupont-conseil.fr"
    msg.set_content(body)
    assert getattr(extract_message(msg), field) == value


def test_prose_in_the_body_is_not_taken_for_fields() -> None:
    msg = EmailMessage(policy=default)
    msg["From"] = "jean@dupont-conseil.fr"
    msg.set_content("The invoice is attached, the amount was agreed by phone.\nDue soon I hope.")
    fields = extract_message(msg)
    assert fields.invoice_number is None and fields.amount_due is None and fields.due_date is None


INVOICES = Path(__file__).parent / "fixtures" / "invoices"


def test_factur_x_pdf_beats_typed_fields_and_is_kept_for_reminders() -> None:
    pdf = (INVOICES / "zugferd-corpus/ZUGFeRDv2/correct/FNFE-factur-x-examples/Facture_FR_BASICWL.pdf").read_bytes()
    msg = EmailMessage(policy=default)
    msg["From"] = "jean@dupont-conseil.fr"
    msg["To"] = "factures@mailbot.test"
    msg.set_content("montant : 999,00 €\nclient : achats@majolieboutique.test\nlangue : fr")
    msg.add_attachment(pdf, maintype="application", subtype="pdf", filename="Facture_FR_BASICWL.pdf")
    fields = extract_message(msg)
    assert fields.source == "cii"
    assert fields.amount_due == Decimal("470.15") and fields.confidence["amount_due"] == 1.0
    assert any("999.00" in w and "470.15" in w for w in fields.warnings)  # the owner is told
    assert fields.buyer_email == "achats@majolieboutique.test"  # the owner knows the client best
    assert fields.attachment_bytes == pdf and fields.attachment_type == "application/pdf"


def test_xml_with_its_pdf_rendering_attaches_the_pdf() -> None:
    xml = (INVOICES / "akretion-factur-x/tests/fixtures/xml/factur-x-basic.xml").read_bytes()
    pdf = (INVOICES / "akretion-factur-x/tests/fixtures/pdf/invoice_EN16931.pdf").read_bytes()
    msg = EmailMessage(policy=default)
    msg["From"] = "jean@dupont-conseil.fr"
    msg.set_content("see attached")
    msg.add_attachment(xml, maintype="application", subtype="xml", filename="invoice.xml")
    msg.add_attachment(pdf, maintype="application", subtype="octet-stream", filename="invoice.pdf")
    fields = extract_message(msg)
    assert fields.invoice_number == "F20260023"
    # the PDF embeds the same invoice, so it is the better-ranked source and the copy to attach
    assert fields.attachment_name == "invoice.pdf" and fields.attachment_type == "application/pdf"
