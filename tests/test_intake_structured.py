"""Structured e-invoices (CII, ZUGFeRD 1, UBL): every field present in the XML, exactly."""

from __future__ import annotations

import csv
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from mailbot.errors import ExtractionError
from mailbot.intake import extract_path
from mailbot.intake.structured import extract_structured, syntax_of, parse_xml

FIXTURES = Path(__file__).parent / "fixtures" / "invoices"
FIELDS = (
    "invoice_number", "document_type", "issue_date", "due_date", "seller_name", "buyer_name",
    "buyer_email", "total_amount", "amount_due", "currency", "iban", "payment_reference",
)


def expected_rows() -> list[dict[str, str]]:
    with open(FIXTURES / "expected.csv", newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def structured_rows() -> list[dict[str, str]]:
    return [r for r in expected_rows() if r["syntax"] and r["syntax"] != "FatturaPA" and not r["broken"]]


def as_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, (date, Decimal)):
        return str(value)
    return str(value)


@pytest.mark.parametrize("row", structured_rows(), ids=lambda r: r["file"].rsplit("/", 1)[-1])
def test_every_xml_field_is_extracted_exactly(row: dict[str, str]) -> None:
    fields = extract_path(FIXTURES / row["file"])
    assert fields.source in ("cii", "ubl")
    for name in FIELDS:
        assert as_text(getattr(fields, name)) == row[name], f"{row['file']}: {name}"
        if row[name]:
            assert fields.confidence[name] == 1.0, name
            assert fields.evidence[name], name


def test_fixture_set_covers_every_syntax_and_credit_notes() -> None:
    rows = structured_rows()
    syntaxes = {r["syntax"] for r in rows}
    assert {"CII", "UBL", "ZUGFeRD1-CII", "ZUGFeRD-RC-CBFBUY5"} <= syntaxes
    assert any(r["document_type"] == "credit_note" and r["container"] == "pdf" for r in rows)
    assert any(r["document_type"] == "credit_note" and r["file"].endswith("creditnote1.xml") for r in rows)
    assert len([r for r in rows if r["container"] == "pdf"]) >= 15


@pytest.mark.parametrize(
    ("xml", "syntax"),
    [
        (b'<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"/>', "UBL"),
        (b'<CreditNote xmlns="urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"/>', "UBL"),
        (b'<r:CrossIndustryInvoice xmlns:r="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"/>', "CII"),
        (b'<r:CrossIndustryDocument xmlns:r="urn:ferd:CrossIndustryDocument:invoice:1p0"/>', "ZUGFeRD1-CII"),
        # An early ZUGFeRD root is named Invoice but is not UBL: the namespace decides.
        (b'<r:Invoice xmlns:r="urn:un:unece:uncefact:data:standard:CBFBUY:5"/>', "ZUGFeRD-RC"),
        (b"<Invoice/>", None),
    ],
)
def test_syntax_is_decided_by_the_root_namespace(xml: bytes, syntax: str | None) -> None:
    assert syntax_of(parse_xml(xml, "x.xml")) == syntax


def test_unknown_root_is_a_clear_error() -> None:
    with pytest.raises(ExtractionError, match="not an e-invoice"):
        extract_structured(b"<Invoice><ID>1</ID></Invoice>", "plain.xml")


def test_fatturapa_is_named_and_refused() -> None:
    with pytest.raises(ExtractionError, match="FatturaPA"):
        extract_path(FIXTURES / "zugferd-corpus/fatturaPA/official/valid/IT01234567890_FPA01.xml")


def test_buyer_country_guesses_the_language() -> None:
    fields = extract_path(FIXTURES / "zugferd-corpus/ZUGFeRDv2/correct/FNFE-factur-x-examples/Facture_FR_BASICWL.pdf")
    assert fields.buyer_country == "FR"
    assert fields.language == "fr"
    assert fields.confidence["language"] < 1.0  # a guess the owner may correct
    de = extract_path(FIXTURES / "xrechnung-testsuite/src/test/business-cases/standard/01.01a-INVOICE_ubl.xml")
    assert de.language == "de"


def test_factur_x_pdf_keeps_the_document_for_reminders() -> None:
    path = FIXTURES / "akretion-factur-x/tests/fixtures/pdf/invoice_EN16931.pdf"
    fields = extract_path(path)
    assert fields.attachment_name == path.name
    assert fields.attachment_type == "application/pdf"
    assert fields.attachment_bytes == path.read_bytes()
    assert fields.profile and "en16931" in fields.profile.lower()
