"""What intake understood of one invoice: every field with its confidence and evidence.

This is the contract between the extractors (structured XML, PDF text, email body) and the
rest of mailbot: the intake handler registers a receivable only from an `InvoiceFields` whose
required fields are all present and confident enough, and asks the owner otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

# Fields the owner must confirm before a receivable exists.
REQUIRED = ("invoice_number", "buyer_email", "amount_due", "due_date")
# Below this confidence a field counts as a guess: the owner is asked, never silently trusted.
CONFIDENT = 0.8

JSON_KEYS = (
    "invoice_number",
    "document_type",
    "issue_date",
    "due_date",
    "seller_name",
    "buyer_name",
    "buyer_email",
    "total_amount",
    "amount_due",
    "currency",
    "iban",
    "payment_reference",
)


@dataclass
class InvoiceFields:
    """Fields of one invoice or credit note. Missing values are None.

    `confidence[name]` is in [0, 1]; `evidence[name]` is the text the value came from
    (an XPath for structured invoices, the matched line for PDFs and bodies).
    """

    invoice_number: str | None = None
    document_type: str | None = None  # "invoice" | "credit_note"
    issue_date: date | None = None
    due_date: date | None = None
    payment_terms: str | None = None
    seller_name: str | None = None
    seller_vat: str | None = None
    buyer_name: str | None = None
    buyer_email: str | None = None
    buyer_country: str | None = None
    total_amount: Decimal | None = None
    amount_due: Decimal | None = None
    currency: str | None = None
    iban: str | None = None
    bic: str | None = None
    payment_reference: str | None = None
    language: str | None = None  # "fr" | "en" | "nl" | "de"
    source: str = ""  # "cii", "ubl", "pdf-text", "body", ...
    confidence: dict[str, float] = field(default_factory=dict)
    evidence: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)  # each a `Coded`: owner notes word its code
    # The original invoice document, kept so reminders can attach the invoice copy.
    attachment_name: str | None = None
    attachment_type: str | None = None  # MIME type, e.g. "application/pdf"
    attachment_bytes: bytes | None = field(default=None, repr=False)
    # Added by intake: what the structured source declared, for logs and the owner's summary.
    syntax: str | None = None  # "CII", "ZUGFeRD1-CII", "ZUGFeRD-RC", "UBL"
    profile: str | None = None  # BT-24 specification identifier, e.g. "urn:factur-x.eu:1p0:minimum"
    type_code: str | None = None  # BT-3 as written (380, 381, 384, ...)

    def set(self, name: str, value: Any, confidence: float, evidence: str = "") -> None:
        """Record a value only if it beats what is already known for that field."""
        if value is None or value == "":
            return
        if getattr(self, name) is not None and self.confidence.get(name, 0.0) >= confidence:
            return
        setattr(self, name, value)
        self.confidence[name] = confidence
        self.evidence[name] = evidence

    def missing(self) -> list[str]:
        """Required fields that are absent or below CONFIDENT, in a stable order."""
        out = []
        for name in REQUIRED:
            if getattr(self, name) is None or self.confidence.get(name, 0.0) < CONFIDENT:
                out.append(name)
        return out

    def to_json(self) -> dict[str, Any]:
        """The `mailbot extract --json` shape: amounts as decimal strings, dates ISO 8601."""
        out: dict[str, Any] = {}
        for key in JSON_KEYS:
            out[key] = _plain(getattr(self, key))
        out["confidence"] = {k: round(self.confidence[k], 3) for k in JSON_KEYS if k in self.confidence}
        return out


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    return value
