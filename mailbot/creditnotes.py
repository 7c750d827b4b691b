"""Which invoice a credit note cancels: read from its XML, never guessed from its text.

EN 16931 BG-3 "preceding invoice reference": UBL `cac:BillingReference/cac:InvoiceDocumentReference/
cbc:ID`, CII `ram:InvoiceReferencedDocument/ram:IssuerAssignedID`. Pure: bytes in, numbers out;
the XML is parsed with intake's hardened parser (no DTD, no entities, no network).

>>> referenced_invoices(b'<CreditNote xmlns:cac="c" xmlns:cbc="b"><cac:BillingReference><cac:InvoiceDocumentReference>'
...                     b'<cbc:ID>F2026-014</cbc:ID></cac:InvoiceDocumentReference></cac:BillingReference></CreditNote>')
['F2026-014']
"""

from __future__ import annotations

from .errors import ExtractionError
from .intake.structured import parse_xml

_PATHS = (
    "//*[local-name()='BillingReference']/*[local-name()='InvoiceDocumentReference']/*[local-name()='ID']",
    "//*[local-name()='InvoiceReferencedDocument']/*[local-name()='IssuerAssignedID']",
)


def referenced_invoices(xml: bytes, name: str = "credit note") -> list[str]:
    """The invoice numbers a credit note refers to, in document order, without repeats."""
    try:
        root = parse_xml(xml, name)
    except ExtractionError:
        return []
    out: list[str] = []
    for path in _PATHS:
        for node in root.xpath(path):
            value = " ".join((node.text or "").split())
            if value and value not in out:
                out.append(value)
    return out
