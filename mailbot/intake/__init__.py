"""Invoice intake: from a forwarded email (or a file) to `InvoiceFields`.

    extract_message(msg)   an owner's forward: unwrap it, read the best invoice source
    extract_path(path)     one .pdf / .xml / .eml file (content sniffed, not the extension)
    parse_corrections(t)   an owner's reply that fixes fields ("montant 1 200,00 EUR")
    Limits                 sizes, pages, time: breaking one raises InputRejected

Modules: structured (CII/UBL XML), pdf + isolate (PDF reading in a worker process with a
deadline), textfields (labelled-field heuristics for plain PDFs), values (amounts, dates,
IBANs), keyvalue (owner-typed fields), forward (unwrapping), message (choosing the source).
"""

from __future__ import annotations

import email
import email.policy
from email.message import EmailMessage
from pathlib import Path

from mailbot.errors import ExtractionError
from mailbot.intake.documents import Document, read_document, sniff
from mailbot.intake.fields import CONFIDENT, REQUIRED, InvoiceFields
from mailbot.intake.isolate import IsolatedRunner
from mailbot.intake.keyvalue import parse_corrections
from mailbot.intake.limits import Limits
from mailbot.intake.message import extract_message

__all__ = [
    "CONFIDENT",
    "REQUIRED",
    "InvoiceFields",
    "Limits",
    "extract_message",
    "extract_path",
    "parse_corrections",
]


def extract_path(path: Path, *, limits: Limits | None = None, runner: IsolatedRunner | None = None) -> InvoiceFields:
    """Fields of one invoice file (.pdf, .xml) or saved email (.eml).

    Raises ExtractionError naming the file when it cannot be read (not a PDF/XML/email,
    truncated, encrypted, not well-formed), InputRejected when it breaks a limit.
    """
    limits = limits or Limits()
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ExtractionError(f"{path} cannot be opened ({exc.strerror or exc})") from exc
    limits.check_size(path.name, size)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ExtractionError(f"{path} cannot be read ({exc.strerror or exc})") from exc
    kind = sniff(data)
    if kind == "eml":
        msg = email.message_from_bytes(data, policy=email.policy.default)
        if not isinstance(msg, EmailMessage):  # pragma: no cover - policy.default always gives one
            raise ExtractionError(f"{path} could not be parsed as an email")
        return extract_message(msg, limits=limits, runner=runner)
    if kind is None:
        if path.suffix.lower() == ".pdf":
            raise ExtractionError(f"{path.name} is not a PDF (no %PDF- header); it may be damaged — ask for a new copy")
        raise ExtractionError(f"{path.name} is neither a PDF, an XML invoice nor an email; nothing to read")
    ctype = "application/pdf" if kind == "pdf" else "application/xml"
    return read_document(Document(path.name, ctype, data), limits, runner).fields
