"""From an owner's forwarded email to InvoiceFields.

Order of trust: an e-invoice XML (embedded in a PDF, then attached) > the text of a plain
PDF > fields the owner typed in the body > what the forwarded email's own text says. The
client's address comes first from what the owner typed, then from the forwarded email's
original recipient, then from the invoice itself.
"""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import getaddresses

from mailbot.coded import Coded
from mailbot.errors import ExtractionError
from mailbot.intake.documents import Document, Reading, read_document, sniff
from mailbot.intake.fields import CONFIDENT, REQUIRED, InvoiceFields
from mailbot.intake.forward import client_address, unwrap
from mailbot.intake.isolate import IsolatedRunner
from mailbot.intake.keyvalue import parse_pairs
from mailbot.intake.language import guess_text_language
from mailbot.intake.limits import Limits
from mailbot.intake.textfields import extract_text_fields
from mailbot.replies.body import header, header_all

OWNER_TYPED = 0.95  # what the owner wrote in the body: trusted, but an e-invoice's XML wins
_ALWAYS_OWNER = ("buyer_email", "buyer_name", "language")  # the owner knows their client best
_DOC_TYPES = ("application/pdf", "application/xml", "text/xml", "application/octet-stream")


def attachments(msg: EmailMessage) -> list[tuple[str, str, bytes]]:
    """(name, MIME type, bytes) of every attached file, inside forwarded messages too."""
    out = []
    for part in msg.walk():
        if part.is_multipart() or part.get_content_type() == "message/rfc822":
            continue
        name = part.get_filename()
        disposition = part.get_content_disposition()
        ctype = part.get_content_type()
        if not name and disposition != "attachment" and ctype not in _DOC_TYPES:
            continue  # a body part
        payload = part.get_payload(decode=True)
        if not isinstance(payload, bytes):
            continue
        out.append((name or f"attachment.{ctype.split('/')[-1]}", ctype, payload))
    return out


def extract_message(
    msg: EmailMessage, *, limits: Limits | None = None, runner: IsolatedRunner | None = None
) -> InvoiceFields:
    """Fields of the invoice an owner forwarded.

    Raises InputRejected when a limit is broken; ExtractionError only when the message itself
    cannot be parsed. A message without any invoice gives empty fields and a warning.
    """
    limits = limits or Limits()
    try:
        files = attachments(msg)
    except Exception as exc:  # noqa: BLE001 - a broken MIME tree is the message's fault
        raise ExtractionError(f"the message's MIME structure cannot be read ({exc})") from exc
    limits.check_count(len(files))
    for name, _, data in files:
        limits.check_size(name, len(data))

    warnings: list[str] = []
    readings: list[Reading] = []
    pdfs: list[Document] = []
    for name, ctype, data in files:
        kind = sniff(data)
        if kind not in ("pdf", "xml"):
            continue
        doc = Document(name, ctype, data)
        if kind == "pdf":
            pdfs.append(doc)
        try:
            readings.append(read_document(doc, limits, runner))
        except ExtractionError as exc:
            warnings.append(Coded("document_unreadable", str(exc), document=name))

    fields = _pick(readings, warnings)
    if fields.source in ("cii", "ubl") and fields.attachment_type and "xml" in fields.attachment_type:
        _attach_visual_copy(fields, readings, pdfs)

    unwrapped = unwrap(msg)
    _merge_owner_typed(fields, unwrapped.owner_text, warnings)

    owner = _first_address(header(msg, "From"))
    bot = [a for _, a in getaddresses(header_all(msg, "To")) if a]
    address, conf, evidence = client_address(unwrapped, owner=owner, bot=bot)
    owner_typed_email = fields.evidence.get("buyer_email", "").startswith("typed by the owner")
    if address and not owner_typed_email:
        if fields.buyer_email and fields.buyer_email.lower() != address.lower():
            used = conf >= CONFIDENT
            warnings.append(Coded(
                "client_address_differs",
                f"the invoice names {fields.buyer_email} but the forwarded email went to {address}; using {address}"
                if used else f"the invoice names {fields.buyer_email}; the forwarded email went to {address}",
                named=fields.buyer_email, forwarded_to=address, used=used))
        if conf >= CONFIDENT or fields.buyer_email is None:
            fields.buyer_email = None
            fields.set("buyer_email", address, conf, evidence)

    if unwrapped.forwarded_text.strip():
        # The forwarded email's own words ("please find invoice F-1 of 1 200 €"): hints only.
        hints = extract_text_fields(unwrapped.forwarded_text, source="forwarded-text", cap=0.7)
        for name in ("invoice_number", "amount_due", "due_date", "issue_date", "currency", "iban", "payment_reference"):
            if getattr(fields, name) is None:
                fields.set(name, getattr(hints, name), hints.confidence.get(name, 0.0), hints.evidence.get(name, ""))
        if not fields.source and any(getattr(fields, n) is not None for n in ("invoice_number", "amount_due")):
            fields.source = "forwarded-text"

    if fields.language is None:
        lang, share = guess_text_language(unwrapped.forwarded_text or unwrapped.owner_text)
        fields.set("language", lang, 0.5 if share > 0.5 else 0.3, "words of the email")

    if not fields.source:
        warnings.append(Coded(
            "no_invoice", "no invoice found: no PDF or XML invoice attached and no fields written in the body "
            "(e.g. 'invoice: F-1 / amount: 1440.00 EUR / due: 2026-12-15')"))
    fields.warnings = warnings + fields.warnings
    return fields


def _pick(readings: list[Reading], warnings: list[str]) -> InvoiceFields:
    if not readings:
        return InvoiceFields()

    def score(r: Reading) -> tuple[int, float]:
        f = r.fields
        return r.rank, sum(f.confidence.get(n, 0.0) for n in REQUIRED if getattr(f, n) is not None)

    best = max(readings, key=score)
    others = [r for r in readings if r is not best and r.rank >= 1 and r.fields.invoice_number]
    distinct = {r.fields.invoice_number for r in others} - {best.fields.invoice_number}
    if distinct:
        warnings.append(Coded(
            "several_invoices", f"several invoices attached ({', '.join(sorted(distinct))} besides {best.fields.invoice_number}); "
            f"read {best.fields.attachment_name} — forward one invoice per email",
            others=sorted(distinct), number=best.fields.invoice_number, document=best.fields.attachment_name))
    return best.fields


def _attach_visual_copy(fields: InvoiceFields, readings: list[Reading], pdfs: list[Document]) -> None:
    """An XML invoice sent with its PDF rendering: reminders should attach the PDF people read."""
    for r in readings:
        if r.fields.attachment_type == "application/pdf" and fields.invoice_number and (
            r.fields.invoice_number == fields.invoice_number
            or fields.invoice_number in r.fields.evidence.get("invoice_number", "")
        ):
            fields.attachment_name = r.fields.attachment_name
            fields.attachment_type = "application/pdf"
            fields.attachment_bytes = r.fields.attachment_bytes
            return


def _merge_owner_typed(fields: InvoiceFields, owner_text: str, warnings: list[str]) -> None:
    typed = parse_pairs(owner_text, need_colon=True)
    seen: set[str] = set()
    for name, value, line in typed:
        if name in seen:
            continue
        seen.add(name)
        current = getattr(fields, name)
        evidence = f"typed by the owner: {line}"
        if name in _ALWAYS_OWNER or current is None or fields.confidence.get(name, 0.0) < OWNER_TYPED:
            setattr(fields, name, None)
            fields.set(name, value, 1.0 if name in _ALWAYS_OWNER else OWNER_TYPED, evidence)
        elif current != value:
            warnings.append(Coded("owner_value_not_kept", f"you wrote {name} = {value} but the invoice says {current}; the invoice was kept",
                                  field=name, value=value, kept=current))
    if typed and not fields.source:
        fields.source = "body"


def _first_address(value: str) -> str | None:
    found = [a for _, a in getaddresses([value]) if "@" in a]
    return found[0].lower() if found else None
