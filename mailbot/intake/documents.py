"""One invoice document (PDF or XML), sniffed by content and read into InvoiceFields.

Source ranking: XML embedded in a PDF (Factur-X/ZUGFeRD) > an XML file (CII/UBL) > the
visible text of a plain PDF. The caller (message.py) compares documents with `rank`.
"""

from __future__ import annotations

from dataclasses import dataclass

from mailbot.coded import Coded
from mailbot.errors import ExtractionError
from mailbot.intake.fields import InvoiceFields
from mailbot.intake.isolate import IsolatedRunner
from mailbot.intake.limits import Limits
from mailbot.intake.pdf import load_pdf
from mailbot.intake.structured import extract_structured
from mailbot.intake.textfields import extract_text_fields
from mailbot.intake.values import find_amounts

RANK = {"embedded": 3, "xml": 2, "pdf-text": 1}


@dataclass
class Document:
    name: str
    content_type: str
    data: bytes


def sniff(data: bytes) -> str | None:
    """'pdf', 'xml', 'eml' or None, from the bytes themselves (names and MIME types lie)."""
    head = data[:1024]
    if b"%PDF-" in head:
        return "pdf"
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped.startswith(b"\xff\xfe") or stripped.startswith(b"\xfe\xff"):
        return "xml" if b"<\x00" in stripped[:8] or b"\x00<" in stripped[:8] else None
    if stripped.startswith(b"<"):
        return "xml"
    first = stripped.split(b"\n", 1)[0]
    if b":" in first and first.split(b":", 1)[0].replace(b"-", b"").isalnum() and b"\n\n" in data.replace(b"\r\n", b"\n"):
        return "eml"
    return None


@dataclass
class Reading:
    fields: InvoiceFields
    rank: int


def read_document(doc: Document, limits: Limits, runner: IsolatedRunner | None = None) -> Reading:
    """Fields of one document; ExtractionError (naming the file) when it cannot be read."""
    limits.check_size(doc.name, len(doc.data))
    kind = sniff(doc.data)
    if kind == "xml":
        fields = extract_structured(doc.data, doc.name)
        _attach(fields, doc, "application/xml")
        return Reading(fields, RANK["xml"])
    if kind != "pdf":
        raise ExtractionError(f"{doc.name} is neither a PDF nor an XML invoice (its content says otherwise)")
    content = load_pdf(doc.data, doc.name, max_pages=limits.max_pdf_pages, timeout=limits.parse_timeout_s, runner=runner)
    warnings = [Coded(getattr(p, "code", "pdf_problem"), f"{doc.name}: {p}", document=doc.name) for p in content.problems]
    for xml_name, xml in content.embedded_xml:
        try:
            fields = extract_structured(xml, f"{doc.name} » {xml_name}")
        except ExtractionError as exc:
            warnings.append(Coded("embedded_xml_unreadable", f"{exc}; the visible text of the PDF was read instead",
                                  document=doc.name, xml=xml_name))
            continue
        fields.warnings[:0] = warnings
        _cross_check(fields, content.text, doc.name)
        _attach(fields, doc, "application/pdf")
        return Reading(fields, RANK["embedded"])
    fields = extract_text_fields(content.text)
    fields.warnings[:0] = warnings
    if not content.text.strip():
        fields.warnings.append(Coded("no_text_layer", f"{doc.name} has no text layer (a scan?); mailbot cannot read it",
                                     document=doc.name))
    _attach(fields, doc, "application/pdf")
    return Reading(fields, RANK["pdf-text"])


def read_pdf_text_only(doc: Document, limits: Limits, runner: IsolatedRunner | None = None) -> InvoiceFields:
    """The plain-PDF path even when XML is embedded: for evaluating the heuristics."""
    content = load_pdf(doc.data, doc.name, max_pages=limits.max_pdf_pages, timeout=limits.parse_timeout_s, runner=runner)
    fields = extract_text_fields(content.text)
    _attach(fields, doc, "application/pdf")
    return fields


def _attach(fields: InvoiceFields, doc: Document, default_type: str) -> None:
    fields.attachment_name = doc.name
    fields.attachment_type = doc.content_type if doc.content_type not in ("", "application/octet-stream") else default_type
    fields.attachment_bytes = doc.data


def _cross_check(fields: InvoiceFields, text: str, name: str) -> None:
    """The XML is the invoice; a visible text that shows another amount is worth a word."""
    if fields.amount_due is None or not text.strip():
        return
    shown = {abs(a.value) for line in text.splitlines() for a in find_amounts(line)}
    if shown and abs(fields.amount_due) not in shown:
        fields.warnings.append(Coded(
            "xml_amount_not_shown", f"{name}: the embedded XML says {fields.amount_due} is due but the visible PDF does not show that amount",
            document=name, amount=fields.amount_due, currency=fields.currency or "EUR"))
