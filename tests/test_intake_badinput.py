"""Hostile and broken input: a clear ExtractionError / InputRejected or a warning, never a crash or hang."""

from __future__ import annotations

import email
import email.policy
import io
import time
from email.message import EmailMessage
from pathlib import Path

import pytest
from pypdf import PdfWriter

from mailbot.errors import ExtractionError, InputRejected
from mailbot.intake import Limits, extract_message, extract_path
from mailbot.intake.isolate import IsolatedRunner
from mailbot.intake.structured import extract_structured

FIXTURES = Path(__file__).parent / "fixtures" / "invoices"
CII_NS = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"


def test_fifteen_byte_pdf_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "facture.pdf"
    path.write_bytes(b"%PDF-1.4\n%%EOF\n")
    assert len(path.read_bytes()) == 15
    with pytest.raises(ExtractionError, match="facture.pdf"):
        extract_path(path)


def test_pdf_extension_without_pdf_content(tmp_path: Path) -> None:
    path = tmp_path / "invoice.pdf"
    path.write_bytes(b"this is not a pdf at all")
    with pytest.raises(ExtractionError, match="invoice.pdf is not a PDF"):
        extract_path(path)


def test_invalid_xml_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "factur-x.xml"
    path.write_bytes(b'<?xml version="1.0"?><rsm:CrossIndustryInvoice xmlns:rsm="' + CII_NS.encode() + b'"><oops>')
    with pytest.raises(ExtractionError, match="factur-x.xml is not well-formed XML"):
        extract_path(path)


def test_external_entity_is_never_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-VALUE")
    xml = (
        f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file://{secret}">]>'
        f'<rsm:CrossIndustryInvoice xmlns:rsm="{CII_NS}" xmlns:ram="x"><rsm:ExchangedDocument>'
        f"<ram:ID>&x;</ram:ID></rsm:ExchangedDocument></rsm:CrossIndustryInvoice>"
    ).encode()
    with pytest.raises(ExtractionError) as info:
        extract_structured(xml, "xxe.xml")
    assert "TOP-SECRET" not in str(info.value)


def test_billion_laughs_is_refused_quickly() -> None:
    entities = '<!ENTITY a0 "lol">' + "".join(f'<!ENTITY a{i} "&a{i-1};&a{i-1};&a{i-1};&a{i-1};&a{i-1};&a{i-1};&a{i-1};&a{i-1};&a{i-1};&a{i-1};">' for i in range(1, 10))
    xml = (
        f'<?xml version="1.0"?><!DOCTYPE r [{entities}]>'
        f'<rsm:CrossIndustryInvoice xmlns:rsm="{CII_NS}"><rsm:ExchangedDocument><rsm:ID>&a9;</rsm:ID>'
        f"</rsm:ExchangedDocument></rsm:CrossIndustryInvoice>"
    ).encode()
    start = time.monotonic()
    with pytest.raises(ExtractionError, match="declares XML entities"):
        extract_structured(xml, "lol.xml")
    assert time.monotonic() - start < 2


def _encrypted_pdf(password: str) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.encrypt(user_password=password, owner_password="owner-secret")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_encrypted_pdf_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "locked.pdf"
    path.write_bytes(_encrypted_pdf("user-secret"))
    with pytest.raises(ExtractionError, match="locked.pdf is encrypted"):
        extract_path(path)


def test_oversized_file_is_rejected_with_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "invoice.pdf"
    path.write_bytes(b"%PDF-1.4\n" + b"0" * 3_000_000)
    with pytest.raises(InputRejected, match=r"invoice.pdf is 2.9 MB; the limit is 1.0 MB \(MAILBOT_MAX_ATTACHMENT_MB\)"):
        extract_path(path, limits=Limits(max_attachment_bytes=1024 * 1024))


def test_oversized_attachment_in_a_message_is_rejected() -> None:
    msg = EmailMessage()
    msg["From"] = "owner@example.test"
    msg["To"] = "bot@example.test"
    msg.set_content("see attached")
    msg.add_attachment(b"%PDF-1.4\n" + b"0" * 200_000, maintype="application", subtype="pdf", filename="big.pdf")
    with pytest.raises(InputRejected, match="big.pdf is"):
        extract_message(msg, limits=Limits(max_attachment_bytes=100_000))


def test_too_many_attachments_is_rejected() -> None:
    msg = EmailMessage()
    msg["From"] = "owner@example.test"
    msg.set_content("many")
    for i in range(4):
        msg.add_attachment(b"x", maintype="application", subtype="octet-stream", filename=f"f{i}.bin")
    with pytest.raises(InputRejected, match="4 attachments; the limit is 3"):
        extract_message(msg, limits=Limits(max_attachments=3))


def test_page_limit(tmp_path: Path) -> None:
    writer = PdfWriter()
    for _ in range(5):
        writer.add_blank_page(width=100, height=100)
    out = io.BytesIO()
    writer.write(out)
    path = tmp_path / "long.pdf"
    path.write_bytes(out.getvalue())
    with pytest.raises(InputRejected, match="long.pdf has 5 pages; the limit is 3"):
        extract_path(path, limits=Limits(max_pdf_pages=3))


def test_broken_embedded_xml_falls_back_to_the_visible_text() -> None:
    path = FIXTURES / "zugferd-corpus/ZUGFeRDv2/fail/Mustangproject/factur-x-invalid-xml-encoding-attribute.pdf"
    fields = extract_path(path)
    assert fields.source == "pdf-text"
    assert any("not well-formed XML" in w or "cannot be read as XML" in w for w in fields.warnings), fields.warnings


def sleepy(seconds: float) -> str:
    time.sleep(seconds)
    return "done"


def test_a_parser_that_hangs_is_abandoned() -> None:
    runner = IsolatedRunner()
    try:
        start = time.monotonic()
        with pytest.raises(InputRejected, match="took longer than 0.5 s"):
            runner.call(sleepy, 30, timeout=0.5, what="slow.pdf")
        assert time.monotonic() - start < 10
        # The runner recovers: a new worker answers the next job.
        assert runner.call(sleepy, 0, timeout=10, what="fast.pdf") == "done"
    finally:
        runner.close()


def hungry(megabytes: int) -> int:
    return len(bytearray(megabytes * 1024 * 1024))


def test_a_parser_that_eats_memory_is_stopped_at_the_workers_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MAILBOT_PARSE_MEMORY_MB", "300")  # the worker inherits the daemon's environment
    runner = IsolatedRunner()
    try:
        with pytest.raises(InputRejected, match=r"more memory.*300 MB \(MAILBOT_PARSE_MEMORY_MB\)"):
            runner.call(hungry, 600, timeout=20, what="bomb.pdf")
        # Under the cap the same work succeeds, in a fresh worker.
        assert runner.call(hungry, 50, timeout=20, what="fine.pdf") == 50 * 1024 * 1024
    finally:
        runner.close()


def test_message_without_invoice_is_not_an_error() -> None:
    msg = EmailMessage()
    msg["From"] = "owner@example.test"
    msg["To"] = "bot@example.test"
    msg["Subject"] = "hello"
    msg.set_content("Just saying hi, nothing to register.")
    fields = extract_message(msg)
    assert fields.source == ""
    assert fields.invoice_number is None and fields.amount_due is None and fields.due_date is None
    assert any("no invoice found" in w for w in fields.warnings)


def test_unreadable_attachment_becomes_a_warning() -> None:
    msg = EmailMessage()
    msg["From"] = "owner@example.test"
    msg.set_content("invoice: F-9\namount: 10.00 EUR\ndue: 2026-12-15\nclient: a@b.test")
    msg.add_attachment(b"%PDF-1.4\n%%EOF\n", maintype="application", subtype="pdf", filename="broken.pdf")
    fields = extract_message(msg)
    assert fields.invoice_number == "F-9" and fields.source == "body"
    assert any("broken.pdf" in w for w in fields.warnings)


# Found by the deep fuzzing profile (`make fuzz`): both crashed extract_message.
def test_a_forwarded_message_with_an_empty_encoded_word_in_from_is_read() -> None:
    raw = (b"From: owner@firm.test\r\nTo: bot@firm.test\r\nSubject: Fwd\r\nMIME-Version: 1.0\r\n"
           b"Content-Type: multipart/mixed; boundary=b1\r\n\r\n--b1\r\nContent-Type: text/plain\r\n\r\nsee below\r\n"
           b"--b1\r\nContent-Type: message/rfc822\r\n\r\nFrom: =?utf-8?b??=\r\nSubject: Invoice\r\n"
           b"Content-Type: text/plain\r\n\r\nInvoice F-1\r\n--b1--\r\n")
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    fields = extract_message(msg)
    assert fields is not None


def test_an_empty_multipart_related_inside_mixed_is_read() -> None:
    # An unclosed multipart/related with no part, inside a multipart/mixed sharing its boundary.
    raw = (b"From: owner@firm.test\r\nTo: bot@firm.test\r\nSubject: Fwd\r\nMIME-Version: 1.0\r\n"
           b'Content-Type: multipart/mixed; boundary="b1"\r\n\r\npreamble\r\n--b1\r\n'
           b'Content-Type: multipart/related; boundary="b1"\r\n\r\npreamble\r\n\r\n')
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    fields = extract_message(msg)
    assert fields.invoice_number is None
